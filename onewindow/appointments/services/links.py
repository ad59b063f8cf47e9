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
from ..policy import policy
from ._common import LINK_SALT


def manage_token(booking: Booking) -> str:
    return signing.dumps({"b": str(booking.uuid)}, salt=LINK_SALT, compress=True)


def manage_url(booking: Booking) -> str:
    return settings.ONEWINDOW_PUBLIC_BASE_URL.rstrip("/") + reverse("appointments:manage", args=[manage_token(booking)])


def booking_from_token(token: str) -> Booking:
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=datetime.timedelta(days=policy().link_max_age_days))
        return Booking.objects.select_related("matter", "area", "area__point", "slot").get(uuid=data["b"])
    except (signing.BadSignature, KeyError, ValueError, Booking.DoesNotExist):
        raise BadLink() from None
