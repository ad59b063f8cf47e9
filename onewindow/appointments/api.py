"""Appointments API (/api/v1/appointments/): public availability reads; booking, my bookings,
cancel and reschedule for signed-in users (session or bearer token, e.g. the town app, F11);
the signed-link endpoints; and the staff endpoints (day list, check-in, plan editing)."""

from __future__ import annotations

import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.security import APIKeyHeader

from onewindow.core.apikit import AUTH, ERROR_CODES, ErrorOut
from onewindow.core.audit import audit_read
from onewindow.core.errors import NotFound, ValidationFailed
from onewindow.core.identity import mask

from . import access, selectors, services
from .models import Booking, DateException, SessionRule
from .policy import policy
from .views import qr_svg

router = Router(tags=["appointments"])
ERRORS: dict[int | frozenset[int], Any] = {frozenset(ERROR_CODES): ErrorOut}


def _ok(status: int, schema: Any) -> dict[int | frozenset[int], Any]:
    return {status: schema, **ERRORS}


# ---------------------------------------------------------------------------------------------
# Schemas


class ApptMatterOut(Schema):
    uuid: UUID
    code: str
    name: str
    off_hours_bookable: bool
    slot_units: int = 1


class ApptPlaceOut(Schema):
    uuid: UUID
    code: str
    name: str
    point: str
    address: str
    phone: str


class ApptSlotOut(Schema):
    ref: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    kind: str
    off_hours: bool
    capacity: int
    free: int


class ApptDayOut(Schema):
    date: datetime.date
    holiday: str
    uncovered: bool
    message: str = ""
    free: int
    slots: list[ApptSlotOut]


class ApptOverviewDayOut(Schema):
    date: datetime.date
    free: int
    off_hours_free: int


class ApptOverviewAreaOut(Schema):
    area: UUID
    code: str
    name: str
    point: str
    days: list[ApptOverviewDayOut]
    uncovered: list[datetime.date]


class ApptMaterialOut(Schema):
    name: str
    form: str
    quantity: int
    condition: str


class ApptBookingOut(Schema):
    uuid: UUID
    code: str
    status: str
    matter: ApptMatterOut
    place: ApptPlaceOut
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    session_kind: str
    is_off_hours: bool
    person_name: str
    id_number: str  # masked
    channel: str
    agent: str = ""
    agent_unit: str = ""
    reschedule_count: int
    displaced: bool
    ticket_number: str
    checked_in_late: bool
    materials: list[ApptMaterialOut]
    qr_svg: str


class ApptBookIn(Schema):
    matter: UUID
    slot: str
    channel: str = "phone"
    id_number: str = ""
    person_name: str = ""
    phone: str = ""


class ApptSlotIn(Schema):
    slot: str


class ApptCheckInIn(Schema):
    code: str


class ApptCheckInOut(Schema):
    booking: ApptBookingOut
    ticket_number: str
    late: bool


class ApptRuleIn(Schema):
    kind: str
    weekdays: str = "01234"
    start: datetime.time
    end: datetime.time
    slot_minutes: int = 30
    capacity: int = 4


class ApptRuleOut(Schema):
    uuid: UUID
    kind: str
    off_hours: bool
    weekdays: str
    start: datetime.time
    end: datetime.time
    slot_minutes: int
    capacity: int
    is_active: bool


class ApptExceptionIn(Schema):
    date: datetime.date
    kind: str
    session_kind: str = ""
    start: datetime.time | None = None
    end: datetime.time | None = None
    slot_minutes: int = 30
    capacity: int = 4
    note: str = ""


class ApptExceptionOut(Schema):
    uuid: UUID
    date: datetime.date
    kind: str
    session_kind: str
    start: datetime.time | None
    end: datetime.time | None
    slot_minutes: int
    capacity: int
    note: str


class ApptDisplacedOut(Schema):
    code: str
    starts_at: datetime.datetime
    person_name: str
    phone: str


class ApptPlanOut(Schema):
    rules: list[ApptRuleOut]
    exceptions: list[ApptExceptionOut]
    displaced: list[ApptDisplacedOut]


class ApptPlanChangeOut(Schema):
    created: int
    updated: int
    closed: int
    displaced: list[ApptDisplacedOut]


# ---------------------------------------------------------------------------------------------
# Converters


def _matter(m: Any) -> dict[str, Any]:
    v = m.current_version
    return {
        "uuid": m.uuid,
        "code": m.code,
        "name": v.name if v else m.search_name,
        "off_hours_bookable": bool(v and v.off_hours_bookable),
        "slot_units": selectors.slot_units_for(m),
    }


def _place(a: Any) -> dict[str, Any]:
    return {
        "uuid": a.uuid,
        "code": a.code,
        "name": a.name,
        "point": a.point.name,
        "address": a.point.address,
        "phone": a.point.phone,
    }


def _slot(s: Any) -> dict[str, Any]:
    return {
        "ref": selectors.slot_ref(s),
        "starts_at": s.starts_at,
        "ends_at": s.ends_at,
        "kind": s.kind,
        "off_hours": s.is_off_hours,
        "capacity": s.capacity,
        "free": s.free,
    }


def _booking(b: Booking) -> dict[str, Any]:
    return {
        "uuid": b.uuid,
        "code": b.code,
        "status": b.status,
        "matter": _matter(b.matter),
        "place": _place(b.area),
        "starts_at": b.starts_at,
        "ends_at": b.ends_at,
        "session_kind": b.session_kind,
        "is_off_hours": b.is_off_hours,
        "person_name": b.person_name,
        "id_number": mask(b.id_number),
        "channel": b.channel,
        "agent": str(b.agent) if b.agent_id else "",
        "agent_unit": str(b.agent_unit) if b.agent_unit_id else "",
        "reschedule_count": b.reschedule_count,
        "displaced": b.displaced_at is not None and b.status == Booking.Status.BOOKED,
        "ticket_number": b.ticket_number,
        "checked_in_late": b.checked_in_late,
        "materials": [
            {"name": m.name, "form": m.form, "quantity": m.quantity, "condition": m.condition_text}
            for m in selectors.materials_to_bring(b.matter)
        ],
        "qr_svg": str(qr_svg(b.code)),
    }


def _displaced(request: HttpRequest, area: Any, bs: Any) -> list[dict[str, Any]]:
    """The displaced bookings with each person's full phone number (the desk calls them): the read
    is audited as the plan page's list is (core.audit.audit_read; same door, same lock)."""
    rows = list(bs)
    if rows:
        audit_read(actor=request.auth, target=area, page=request.path, whose=[b.code for b in rows])  # type: ignore[attr-defined]
    return [{"code": b.code, "starts_at": b.starts_at, "person_name": b.person_name, "phone": b.phone} for b in rows]


def _reload(b: Booking) -> Booking:
    return selectors._bookings().get(pk=b.pk)


def _managed_area(request: HttpRequest, area: UUID) -> Any:
    a = selectors.area_by_uuid(area)
    if not access.can_manage(request.auth, a):  # type: ignore[attr-defined]
        from onewindow.core.errors import PermissionDenied

        raise PermissionDenied()
    return a


# ---------------------------------------------------------------------------------------------
# Public reads


@router.get("/matters", response=_ok(200, list[ApptMatterOut]), summary="Bookable matters")
def matters(
    request: HttpRequest,
    q: str = Query("", max_length=100),
    off_hours: bool = False,
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=100_000),
) -> Any:
    qs = selectors.bookable_matters(q=q, off_hours_only=off_hours)[max(0, offset) : max(0, offset) + min(max(1, limit), 200)]
    return [_matter(m) for m in qs]


@router.get("/matters/{matter}/places", response=_ok(200, list[ApptPlaceOut]), summary="Where a matter can be booked")
def places(request: HttpRequest, matter: UUID) -> Any:
    return [_place(a) for a in selectors.matter_places(selectors.matter_by_uuid(matter))]


@router.get(
    "/matters/{matter}/places/{area}/availability",
    response=_ok(200, list[ApptDayOut]),
    summary="Days and slots with free places (within the booking window)",
)
def availability(
    request: HttpRequest, matter: UUID, area: UUID, start: datetime.date | None = None, end: datetime.date | None = None
) -> Any:
    today = timezone.localdate()
    start = start or today
    end = end or today + datetime.timedelta(days=policy().max_days_ahead)
    if end < start or (end - start).days > 62:
        raise ValidationFailed(fields={"end": ["end must be on or after start, at most 62 days later"]})
    days = selectors.availability(
        matter=selectors.matter_by_uuid(matter), area=selectors.area_by_uuid(area), start=start, end=end
    )
    from onewindow.core.workdays import CalendarNotCovered

    return [
        {
            "date": d.date,
            "holiday": d.holiday,
            "uncovered": d.uncovered,
            "message": str(CalendarNotCovered(d.date.year).message) if d.uncovered else "",
            "free": d.free,
            "slots": [_slot(s) for s in d.slots],
        }
        for d in days
    ]


@router.get("/overview", response=_ok(200, list[ApptOverviewAreaOut]), summary="Free places per service point and day")
def overview(request: HttpRequest, start: datetime.date | None = None, end: datetime.date | None = None) -> Any:
    today = timezone.localdate()
    start = start or today
    end = end or today + datetime.timedelta(days=policy().max_days_ahead)
    if end < start or (end - start).days > 62:
        raise ValidationFailed(fields={"end": ["end must be on or after start, at most 62 days later"]})
    out = []
    for am in selectors.month_overview(start=start, end=end):
        out.append(
            {
                "area": am.area.uuid,
                "code": am.area.code,
                "name": am.area.name,
                "point": am.area.point.name,
                "days": [{"date": d, "free": f, "off_hours_free": o} for d, (f, o) in sorted(am.days.items())],
                "uncovered": sorted(am.uncovered),
            }
        )
    return out


# ---------------------------------------------------------------------------------------------
# Bookings (signed in)


@router.post("/bookings", auth=AUTH, response=_ok(201, ApptBookingOut), summary="Book a slot")
def book(request: HttpRequest, data: ApptBookIn) -> Any:
    m = selectors.matter_by_uuid(data.matter)
    slot = selectors.slot_by_ref(data.slot)
    b = services.booking_create(
        actor=request.auth,  # type: ignore[attr-defined]
        matter=m,
        slot=slot,
        channel=data.channel,
        id_number=data.id_number,
        person_name=data.person_name,
        phone=data.phone,
    )
    return Status(201, _booking(_reload(b)))


@router.get("/bookings", auth=AUTH, response=_ok(200, list[ApptBookingOut]), summary="My bookings (own, or made as agent)")
def mine(request: HttpRequest, limit: int = Query(50, ge=1, le=200), offset: int = Query(0, ge=0, le=100_000)) -> Any:
    qs = selectors.my_bookings(request.auth)[max(0, offset) : max(0, offset) + min(max(1, limit), 200)]  # type: ignore[attr-defined]
    return [_booking(b) for b in qs]


@router.get("/bookings/{code}", auth=AUTH, response=_ok(200, ApptBookingOut), summary="One booking")
def booking(request: HttpRequest, code: str) -> Any:
    return _booking(selectors.visible_booking(request.auth, code))  # type: ignore[attr-defined]


@router.post("/bookings/{code}/cancel", auth=AUTH, response=_ok(200, ApptBookingOut), summary="Cancel (up to the cutoff)")
def cancel(request: HttpRequest, code: str) -> Any:
    b = selectors.visible_booking(request.auth, code)  # type: ignore[attr-defined]
    return _booking(_reload(services.booking_cancel(actor=request.auth, booking=b)))  # type: ignore[attr-defined]


@router.post("/bookings/{code}/reschedule", auth=AUTH, response=_ok(200, ApptBookingOut), summary="Move to another slot")
def reschedule(request: HttpRequest, code: str, data: ApptSlotIn) -> Any:
    b = selectors.visible_booking(request.auth, code)  # type: ignore[attr-defined]
    slot = selectors.slot_by_ref(data.slot)
    return _booking(_reload(services.booking_reschedule(actor=request.auth, booking=b, slot=slot)))  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------------------------
# Signed links (from the SMS; no account needed)


@router.get("/links/{token}", response=_ok(200, ApptBookingOut), summary="The booking a signed link manages")
def link(request: HttpRequest, token: str) -> Any:
    return _booking(_reload(services.booking_from_token(token)))


@router.post("/links/{token}/cancel", response=_ok(200, ApptBookingOut), summary="Cancel by signed link")
def link_cancel(request: HttpRequest, token: str) -> Any:
    b = services.booking_from_token(token)
    return _booking(_reload(services.booking_cancel(actor=None, booking=b, via_link=True)))


@router.post("/links/{token}/reschedule", response=_ok(200, ApptBookingOut), summary="Reschedule by signed link")
def link_reschedule(request: HttpRequest, token: str, data: ApptSlotIn) -> Any:
    b = services.booking_from_token(token)
    slot = selectors.slot_by_ref(data.slot)
    return _booking(_reload(services.booking_reschedule(actor=None, booking=b, slot=slot, via_link=True)))


# ---------------------------------------------------------------------------------------------
# Staff


@router.post("/check-in", auth=AUTH, response=_ok(200, ApptCheckInOut), summary="Check in by booking code (kiosk scan or clerk)")
def check_in(request: HttpRequest, data: ApptCheckInIn) -> Any:
    r = services.booking_check_in(actor=request.auth, code=data.code)  # type: ignore[attr-defined]
    return {"booking": _booking(_reload(r.booking)), "ticket_number": r.booking.ticket_number, "late": r.late}


class KioskToken(APIKeyHeader):
    param_name = "X-Kiosk-Token"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return key or None  # compared with the booking's point token in the service


@router.post(
    "/kiosk/check-in",
    auth=KioskToken(),
    response=_ok(200, ApptCheckInOut),
    summary="Kiosk: check in by scanning the booking's QR code (X-Kiosk-Token of the service point)",
)
def kiosk_check_in(request: HttpRequest, data: ApptCheckInIn) -> Any:
    r = services.booking_check_in(actor=None, code=data.code, kiosk_token=str(request.auth))  # type: ignore[attr-defined]
    return {"booking": _kiosk_view(_booking(_reload(r.booking))), "ticket_number": r.booking.ticket_number, "late": r.late}


def _kiosk_view(b: dict[str, Any]) -> dict[str, Any]:
    """A kiosk screen is public: the name masked; the ID is masked already and no phone is shown."""
    name = b["person_name"]
    b["person_name"] = (name[0] + "*" * (len(name) - 1)) if name else ""
    return b


@router.get(
    "/staff/areas/{area}/bookings", auth=AUTH, response=_ok(200, list[ApptBookingOut]), summary="The day's bookings of an area"
)
def day_bookings(request: HttpRequest, area: UUID, date: datetime.date | None = None) -> Any:
    a = selectors.area_by_uuid(area)
    return [_booking(b) for b in selectors.day_bookings(user=request.auth, area=a, day=date or timezone.localdate())]  # type: ignore[attr-defined]


@router.get(
    "/staff/areas/{area}/plan", auth=AUTH, response=_ok(200, ApptPlanOut), summary="Weekly plan, exceptions, displaced bookings"
)
def plan(request: HttpRequest, area: UUID) -> Any:
    a = _managed_area(request, area)
    return {
        "rules": [_rule(r) for r in SessionRule.objects.filter(area=a).order_by("kind", "start")],
        "exceptions": [_exc(e) for e in DateException.objects.filter(area=a, date__gte=timezone.localdate())],
        "displaced": _displaced(request, a, selectors.displaced_bookings(user=request.auth, area=a)),  # type: ignore[attr-defined]
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
    _r, change = services.rule_save(actor=request.auth, area=a, **data.dict())  # type: ignore[attr-defined]
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
    _r, change = services.rule_save(actor=request.auth, area=a, rule=_area_rule(a, rule), **data.dict())  # type: ignore[attr-defined]
    return _change(request, a, change)


@router.delete(
    "/staff/areas/{area}/rules/{rule}", auth=AUTH, response=_ok(200, ApptPlanChangeOut), summary="Stop a weekly session"
)
def rule_off(request: HttpRequest, area: UUID, rule: UUID) -> Any:
    a = _managed_area(request, area)
    return _change(request, a, services.rule_deactivate(actor=request.auth, rule=_area_rule(a, rule)))  # type: ignore[attr-defined]


@router.post(
    "/staff/areas/{area}/exceptions", auth=AUTH, response=_ok(201, ApptPlanChangeOut), summary="Close a day or add a session"
)
def exception_add(request: HttpRequest, area: UUID, data: ApptExceptionIn) -> Any:
    a = _managed_area(request, area)
    _e, change = services.exception_add(actor=request.auth, area=a, **data.dict())  # type: ignore[attr-defined]
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
    return _change(request, a, services.exception_remove(actor=request.auth, exception=e))  # type: ignore[attr-defined]
