"""Staff: check-in (clerk or kiosk), the day's bookings of an area, and editing its plan (weekly
sessions, date exceptions)."""

from __future__ import annotations

import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Status

from onewindow.core.apikit import AUTH, KioskToken, PageParams, actor, device_token, page_of, paginate
from onewindow.core.errors import NotFound

from .. import selectors, services
from ..models import DateException, SessionRule
from .base import _booking, _displaced, _managed_area, _ok, _reload, router
from .schemas import ApptBookingOut, ApptCheckInIn, ApptCheckInOut, ApptExceptionIn, ApptPlanChangeOut, ApptPlanOut, ApptRuleIn

# Operation ids name the module these operations were first written in (config/api.py).
OPERATION_IDS_MODULE = "onewindow.appointments.api"


# ---------------------------------------------------------------------------------------------
# Staff


@router.post("/check-in", auth=AUTH, response=_ok(200, ApptCheckInOut), summary="Check in by booking code (kiosk scan or clerk)")
def check_in(request: HttpRequest, data: ApptCheckInIn) -> Any:
    r = services.booking_check_in(actor=actor(request), code=data.code)
    return {"booking": _booking(_reload(r.booking)), "ticket_number": r.booking.ticket_number, "late": r.late}


@router.post(
    "/kiosk/check-in",
    auth=KioskToken(),
    response=_ok(200, ApptCheckInOut),
    summary="Kiosk: check in by scanning the booking's QR code (X-Kiosk-Token of the service point)",
)
def kiosk_check_in(request: HttpRequest, data: ApptCheckInIn) -> Any:
    r = services.booking_check_in(actor=None, code=data.code, kiosk_token=device_token(request))
    return {"booking": _kiosk_view(_booking(_reload(r.booking))), "ticket_number": r.booking.ticket_number, "late": r.late}


def _kiosk_view(b: dict[str, Any]) -> dict[str, Any]:
    """A kiosk screen is public: the name masked; the ID is masked already and no phone is shown."""
    name = b["person_name"]
    b["person_name"] = (name[0] + "*" * (len(name) - 1)) if name else ""
    return b


@router.get(
    "/staff/areas/{area}/bookings", auth=AUTH, response=_ok(200, page_of(ApptBookingOut)), summary="The day's bookings of an area"
)
def day_bookings(request: HttpRequest, area: UUID, params: Query[PageParams], date: datetime.date | None = None) -> Any:
    a = selectors.area_by_uuid(area)
    return paginate(selectors.day_bookings(user=actor(request), area=a, day=date or timezone.localdate()), params, _booking)


@router.get(
    "/staff/areas/{area}/plan", auth=AUTH, response=_ok(200, ApptPlanOut), summary="Weekly plan, exceptions, displaced bookings"
)
def plan(request: HttpRequest, area: UUID) -> Any:
    a = _managed_area(request, area)
    return {
        "rules": [_rule(r) for r in SessionRule.objects.filter(area=a).order_by("kind", "start")],
        "exceptions": [_exc(e) for e in DateException.objects.filter(area=a, date__gte=timezone.localdate())],
        "displaced": _displaced(request, a, selectors.displaced_bookings(user=actor(request), area=a)),
    }


def _rule(r: SessionRule) -> dict[str, Any]:
    return {
        "uuid": r.uuid,
        "kind": r.kind,
        "off_hours": r.is_off_hours,
        "weekdays": r.weekdays,
        "start": r.start,
        "end": r.end,
        "slot_minutes": r.slot_minutes,
        "capacity": r.capacity,
        "is_active": r.is_active,
    }


def _exc(e: DateException) -> dict[str, Any]:
    return {
        "uuid": e.uuid,
        "date": e.date,
        "kind": e.kind,
        "session_kind": e.session_kind,
        "start": e.start,
        "end": e.end,
        "slot_minutes": e.slot_minutes,
        "capacity": e.capacity,
        "note": e.note,
    }


def _change(request: HttpRequest, area: Any, change: Any) -> dict[str, Any]:
    r = change.result
    return {"created": r.created, "updated": r.updated, "closed": r.closed, "displaced": _displaced(request, area, r.displaced)}


@router.post("/staff/areas/{area}/rules", auth=AUTH, response=_ok(201, ApptPlanChangeOut), summary="Add a weekly session")
def rule_add(request: HttpRequest, area: UUID, data: ApptRuleIn) -> Any:
    a = _managed_area(request, area)
    _r, change = services.rule_save(actor=actor(request), area=a, **data.dict())
    return Status(201, _change(request, a, change))


def _area_rule(a: Any, rule: UUID) -> SessionRule:
    r = SessionRule.objects.filter(area=a, uuid=rule).select_related("area", "area__point").first()
    if r is None:
        raise NotFound()
    return r


@router.put(
    "/staff/areas/{area}/rules/{rule}", auth=AUTH, response=_ok(200, ApptPlanChangeOut), summary="Change a weekly session"
)
def rule_change(request: HttpRequest, area: UUID, rule: UUID, data: ApptRuleIn) -> Any:
    a = _managed_area(request, area)
    _r, change = services.rule_save(actor=actor(request), area=a, rule=_area_rule(a, rule), **data.dict())
    return _change(request, a, change)


@router.delete(
    "/staff/areas/{area}/rules/{rule}", auth=AUTH, response=_ok(200, ApptPlanChangeOut), summary="Stop a weekly session"
)
def rule_off(request: HttpRequest, area: UUID, rule: UUID) -> Any:
    a = _managed_area(request, area)
    return _change(request, a, services.rule_deactivate(actor=actor(request), rule=_area_rule(a, rule)))


@router.post(
    "/staff/areas/{area}/exceptions", auth=AUTH, response=_ok(201, ApptPlanChangeOut), summary="Close a day or add a session"
)
def exception_add(request: HttpRequest, area: UUID, data: ApptExceptionIn) -> Any:
    a = _managed_area(request, area)
    _e, change = services.exception_add(actor=actor(request), area=a, **data.dict())
    return Status(201, _change(request, a, change))


@router.delete(
    "/staff/areas/{area}/exceptions/{exception}",
    auth=AUTH,
    response=_ok(200, ApptPlanChangeOut),
    summary="Remove a date exception",
)
def exception_remove(request: HttpRequest, area: UUID, exception: UUID) -> Any:
    a = _managed_area(request, area)
    e = DateException.objects.filter(area=a, uuid=exception).select_related("area", "area__point").first()
    if e is None:
        raise NotFound()
    return _change(request, a, services.exception_remove(actor=actor(request), exception=e))
