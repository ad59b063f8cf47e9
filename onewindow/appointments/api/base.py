"""The appointments API's router, its error responses and the converters its resources share."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Router

from onewindow.core.apikit import ERROR_CODES, ErrorOut, actor
from onewindow.core.audit import audit_read
from onewindow.core.identity import mask

from .. import access, selectors
from ..models import Booking
from ..views import qr_svg

router = Router(tags=["appointments"])
ERRORS: dict[int | frozenset[int], Any] = {frozenset(ERROR_CODES): ErrorOut}


def _ok(status: int, schema: Any) -> dict[int | frozenset[int], Any]:
    return {status: schema, **ERRORS}


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
        audit_read(actor=actor(request), target=area, page=request.path, whose=[b.code for b in rows])
    return [{"code": b.code, "starts_at": b.starts_at, "person_name": b.person_name, "phone": b.phone} for b in rows]


def _reload(b: Booking) -> Booking:
    return selectors._bookings().get(pk=b.pk)


def _managed_area(request: HttpRequest, area: UUID) -> Any:
    a = selectors.area_by_uuid(area)
    if not access.can_manage(actor(request), a):
        from onewindow.core.errors import PermissionDenied

        raise PermissionDenied()
    return a
