"""The signed link in a booking's messages that lets the person manage it without signing in."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core import signing
from django.urls import reverse

from ..errors import (
    BadLink,
)
from ..models import Booking
from ..policy import area_county, longest, policy
from ._common import LINK_SALT


def manage_token(booking: Booking) -> str:
    return signing.dumps({"b": str(booking.uuid)}, salt=LINK_SALT, compress=True)


def manage_url(booking: Booking) -> str:
    return settings.ONEWINDOW_PUBLIC_BASE_URL.rstrip("/") + reverse("appointments:manage", args=[manage_token(booking)])


def booking_from_token(token: str) -> Booking:
    """The booking of a manage link that is not older than its booking's county allows. The
    signature is checked first against the longest age of any county (the booking is not known
    before), then again, in memory, against the booking's own county's."""
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=datetime.timedelta(days=longest("link_max_age_days")))
        booking = Booking.objects.select_related("matter", "area", "area__point__org_unit", "slot").get(uuid=data["b"])
        days = policy(area_county(booking.area)).link_max_age_days
        signing.loads(token, salt=LINK_SALT, max_age=datetime.timedelta(days=days))
        return booking
    except (signing.BadSignature, KeyError, ValueError, Booking.DoesNotExist):
        raise BadLink() from None
