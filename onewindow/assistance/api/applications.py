"""Applications filed for a resident (cases, bookings), forwarding the paper originals, delivery at
the point and follow-ups."""

from __future__ import annotations

import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Schema, Status

from onewindow.cases.services import MaterialInput
from onewindow.catalog.models import Matter
from onewindow.core import workdays
from onewindow.core.apikit import AUTH, ERROR_CODES, ErrorOut, PageParams, actor, page_of, paginate
from onewindow.core.errors import NotFound

from .. import selectors, services
from ..models import AgentApplication, MaterialForwarding
from ..services._common import signature_from_data_url
from .base import _point, _resident_of_mandate, router

# Operation ids name the module these operations were first written in (config/api.py).
OPERATION_IDS_MODULE = "onewindow.assistance.api"


# --- applications ---------------------------------------------------------------------------------


class AgentApplicationOut(Schema):
    uuid: UUID
    kind: str
    point: str
    agent: str
    resident_name: str
    mandate: str
    matter: str
    case_uuid: UUID | None
    case_number: str
    case_status: str
    intake_unit: str
    deciding_unit: str
    booking_code: str
    deliver_at_point: bool
    forwarding_due_on: datetime.date | None
    # True when the date above lies in a year whose holiday schedule is only provisional (it may move).
    forwarding_due_provisional: bool = False
    forwarding_sent_at: datetime.datetime | None
    forwarding_received_at: datetime.datetime | None
    forwarding_warning: str
    delivered_at: datetime.datetime | None
    follow_up_satisfaction: int | None
    created_at: datetime.datetime


def _application(a: AgentApplication) -> dict[str, Any]:
    fwd: MaterialForwarding | None = getattr(a, "forwarding", None) if hasattr(a, "forwarding") else None
    delivery = getattr(a, "delivery", None) if hasattr(a, "delivery") else None
    follow_up = getattr(a, "follow_up", None) if hasattr(a, "follow_up") else None
    case = a.case
    return {
        "uuid": a.uuid,
        "kind": a.kind,
        "point": a.point.name,
        "agent": a.agent.display_name,
        "resident_name": a.resident.display_name,
        "mandate": a.mandate.number,
        "matter": a.matter.code if a.matter else "",
        "case_uuid": case.uuid if case else None,
        "case_number": case.number if case else "",
        "case_status": case.status if case else "",
        "intake_unit": case.intake_unit.name if case else "",
        "deciding_unit": case.department.name if case else "",
        "booking_code": a.booking.code if a.booking else "",
        "deliver_at_point": a.deliver_at_point,
        "forwarding_due_on": fwd.due_on if fwd else None,
        "forwarding_due_provisional": bool(
            fwd and workdays.is_provisional(fwd.due_on)
        ),  # national: only the State Council's year is provisional
        "forwarding_sent_at": fwd.sent_at if fwd else None,
        "forwarding_received_at": fwd.received_at if fwd else None,
        "forwarding_warning": fwd.warning if fwd else "",
        "delivered_at": delivery.delivered_at if delivery else None,
        "follow_up_satisfaction": follow_up.satisfaction if follow_up else None,
        "created_at": a.created_at,
    }


class CaseIn(Schema):
    mandate: UUID
    matter: UUID
    paper: list[int] = []  # requirement ids whose paper originals the point collected
    deliver_at_point: bool = False
    form_data: dict[str, Any] = {}


@router.post("/cases", response={201: AgentApplicationOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def case_file(request: HttpRequest, data: CaseIn) -> Any:
    """File a case for the resident of `mandate` (channel `agent`). Refused, with nothing stored,
    without a mandate in force covering the matter (`no_mandate`), for a matter that is not
    agent-eligible (`not_agent_eligible`), for a resident of another village (`other_village`),
    or while the same matter is still open for them (`already_filed`)."""
    point = _point(request)
    resident = _resident_of_mandate(point, data.mandate)
    matter = Matter.objects.filter(uuid=data.matter).select_related("current_version").first()
    if matter is None or matter.current_version is None:
        raise NotFound()
    reqs = {r.pk: r for r in matter.current_version.materials.all()}
    if any(pk not in reqs for pk in data.paper):
        raise NotFound()
    app = services.agent_file_case(
        actor=actor(request),
        resident=resident,
        matter=matter,
        form_data=data.form_data,
        materials=[MaterialInput(requirement=reqs[pk], paper=True) for pk in dict.fromkeys(data.paper)],
        deliver_at_point=data.deliver_at_point,
    )
    return Status(201, _application(selectors.application_for(actor(request), app.uuid)))


class BookingIn(Schema):
    mandate: UUID
    matter: UUID
    slot: str  # the appointments API's slot reference, e.g. "ZXZ1~202604020900"
    phone: str = ""


@router.post("/bookings", response={201: AgentApplicationOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def booking_make(request: HttpRequest, data: BookingIn) -> Any:
    """Book an appointment for the resident of `mandate` (same refusals as cases)."""
    from onewindow.appointments.selectors import slot_by_ref

    point = _point(request)
    resident = _resident_of_mandate(point, data.mandate)
    matter = Matter.objects.filter(uuid=data.matter).first()
    if matter is None:
        raise NotFound()
    slot = slot_by_ref(data.slot)
    app = services.agent_book(actor=actor(request), resident=resident, matter=matter, slot=slot, phone=data.phone)
    return Status(201, _application(selectors.application_for(actor(request), app.uuid)))


@router.get("/applications", response={200: page_of(AgentApplicationOut), ERROR_CODES: ErrorOut}, auth=AUTH)
def application_list(request: HttpRequest, params: Query[PageParams]) -> Any:
    """The point's applications, newest first, a page at a time."""
    point = _point(request)
    qs = selectors.point_applications(point).select_related("point", "mandate", "case__intake_unit", "case__department")
    return paginate(qs, params, _application)


@router.get("/applications/{uuid}", response={200: AgentApplicationOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def application_detail(request: HttpRequest, uuid: UUID) -> Any:
    return _application(selectors.application_for(actor(request), uuid))


class ForwardIn(Schema):
    carrier: str = ""


@router.post("/applications/{uuid}/forward", response={200: AgentApplicationOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def application_forward(request: HttpRequest, uuid: UUID, data: ForwardIn) -> Any:
    """The agent sends the collected paper originals to the accepting unit."""
    app = selectors.application_for(actor(request), uuid)
    if not hasattr(app, "forwarding"):
        raise NotFound()
    services.forwarding_send(actor=actor(request), forwarding=app.forwarding, carrier=data.carrier)
    return _application(selectors.application_for(actor(request), uuid))


class ForwardingOut(Schema):
    uuid: UUID
    case_number: str
    point: str
    items: list[str]
    due_on: datetime.date
    # True when the date above lies in a year whose holiday schedule is only provisional (it may move).
    due_provisional: bool = False
    sent_at: datetime.datetime | None
    received_at: datetime.datetime | None
    warning: str


def _forwarding(f: MaterialForwarding) -> dict[str, Any]:
    return {
        "uuid": f.uuid,
        "case_number": f.application.case.number if f.application.case else "",
        "point": f.application.point.name,
        "items": f.items,
        "due_on": f.due_on,
        "due_provisional": workdays.is_provisional(f.due_on),  # national: only the State Council's year is provisional
        "sent_at": f.sent_at,
        "received_at": f.received_at,
        "warning": f.warning,
    }


@router.get("/forwardings", response={200: page_of(ForwardingOut), ERROR_CODES: ErrorOut}, auth=AUTH)
def forwarding_list(request: HttpRequest, params: Query[PageParams]) -> Any:
    """Staff: paper materials on their way to the units where they take in applications."""
    return paginate(selectors.late_forwardings(actor(request)), params, _forwarding)


@router.post("/forwardings/{uuid}/receive", response={200: ForwardingOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def forwarding_receive(request: HttpRequest, uuid: UUID) -> Any:
    """The accepting unit signs for the materials."""
    f = selectors.late_forwardings(actor(request)).filter(uuid=uuid).first()
    if f is None:
        raise NotFound()
    return _forwarding(services.forwarding_receive(actor=actor(request), forwarding=f))


class ResultDeliveryIn(Schema):
    receiver_name: str = ""
    signature: str
    note: str = ""


@router.post("/applications/{uuid}/deliver", response={200: AgentApplicationOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def application_deliver(request: HttpRequest, uuid: UUID, data: ResultDeliveryIn) -> Any:
    """Hand the result over at the point; the receiver signs (PNG data URL)."""
    app = selectors.application_for(actor(request), uuid)
    services.result_deliver(
        actor=actor(request),
        application=app,
        receiver_name=data.receiver_name,
        signature=signature_from_data_url(data.signature),
        note=data.note,
    )
    return _application(selectors.application_for(actor(request), uuid))


class FollowUpIn(Schema):
    method: str
    satisfaction: int
    comment: str = ""


@router.post("/applications/{uuid}/follow-up", response={200: AgentApplicationOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def application_follow_up(request: HttpRequest, uuid: UUID, data: FollowUpIn) -> Any:
    app = selectors.application_for(actor(request), uuid)
    services.follow_up_record(
        actor=actor(request), application=app, method=data.method, satisfaction=data.satisfaction, comment=data.comment
    )
    return _application(selectors.application_for(actor(request), uuid))
