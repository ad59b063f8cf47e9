"""Checking in at the hall with the booking code: a ticket with appointment priority."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.core.audit import audit
from onewindow.core.errors import NotFound
from onewindow.hall.models import ServiceArea

from .. import access
from ..errors import (
    CheckInRefused,
)
from ..models import Booking
from ..policy import area_county, policy


@dataclass
class CheckInResult:
    booking: Booking
    ticket: Any
    late: bool


def booking_check_in(
    *,
    actor: Any,
    code: str,
    area: ServiceArea | None = None,
    kiosk_token: str | None = None,
    now: datetime.datetime | None = None,
) -> CheckInResult:
    """Turn a booking into a hall ticket: a priority ticket within the tolerance, a normal one for
    a late arrival. Typed by desk staff of the booking's service point, or scanned at a kiosk of
    that point (the kiosk proves itself with the point's device token, as for taking tickets)."""
    import hmac

    from onewindow.hall import services as hall_services

    now = now or timezone.now()
    booking = (
        Booking.objects.select_related("area", "area__point__org_unit", "matter")
        .filter(code=(code or "").strip().upper())
        .first()
    )
    if kiosk_token is not None:
        point_token = booking.area.point.kiosk_token if booking is not None else ""
        allowed = bool(point_token) and hmac.compare_digest(point_token.encode(), kiosk_token.encode())
        actor = None
    else:
        allowed = booking is not None and access.can_desk(actor, booking.area)
    if booking is None or not allowed:
        raise NotFound(_("没有找到该预约码。"))
    if area is not None and area.point_id != booking.area.point_id:
        raise CheckInRefused(_("该预约不在本服务场所办理。"))
    p = policy(area_county(booking.area))
    if booking.status != Booking.Status.BOOKED:
        raise CheckInRefused(_("该预约已%(status)s，不能签到。") % {"status": booking.get_status_display()})
    if timezone.localdate(booking.starts_at) != timezone.localdate(now):
        raise CheckInRefused(
            _("预约日期是 %(day)s，请在预约当天签到。") % {"day": f"{timezone.localtime(booking.starts_at):%Y-%m-%d}"}
        )
    if now < booking.starts_at - datetime.timedelta(minutes=p.checkin_early_minutes):
        raise CheckInRefused(_("签到时间未到：请在预约开始前 %(n)s 分钟内签到。") % {"n": p.checkin_early_minutes})
    late = now > booking.starts_at + datetime.timedelta(minutes=p.checkin_late_minutes)
    with transaction.atomic():
        if not Booking.objects.filter(pk=booking.pk, status=Booking.Status.BOOKED).update(
            status=Booking.Status.CHECKED_IN, checked_in_at=now, checked_in_late=late
        ):
            raise CheckInRefused(_("该预约已签到或已变更。"))
        ticket = hall_services.ticket_issue(
            area=booking.area,
            source="appointment",
            actor=actor,
            id_number=booking.id_number,
            priority="normal" if late else "appointment",
            booking_ref=booking.code,
            phone=booking.phone,
        )
        Booking.objects.filter(pk=booking.pk).update(
            ticket_uuid=getattr(ticket, "uuid", None), ticket_number=getattr(ticket, "number", "") or ""
        )
        booking.refresh_from_db()
        audit(
            actor=actor,
            action="appointment.check_in",
            target=booking,
            data={"code": booking.code, "late": late, "by": "kiosk" if kiosk_token is not None else "desk"},
        )
    return CheckInResult(booking, ticket, late)
