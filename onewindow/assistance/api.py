"""Agent service API (/api/v1/assistance/): mandates, applications filed for residents (cases,
bookings), forwarding, delivery at the point, follow-ups, the agent's workbench and the township's
view. The collections ledger is in `api_ledger` (same router). Signatures and scans travel as
data URLs (`data:image/png;base64,...`); their content is checked like any upload."""

from __future__ import annotations

import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Router, Schema, Status

from onewindow.accounts.models import User
from onewindow.cases.services import MaterialInput
from onewindow.catalog.models import Matter
from onewindow.core import workdays
from onewindow.core.apikit import AUTH, ERROR_CODES, ErrorOut, actor
from onewindow.core.errors import NotFound, PermissionDenied
from onewindow.core.uploads import DEFAULT_MAX_BYTES

from . import access, selectors, services
from .models import AgentApplication, AgentPoint, Mandate, MaterialForwarding
from .services._common import file_from_data_url, signature_from_data_url

router = Router(tags=["assistance"])


def _point(request: HttpRequest) -> AgentPoint:
    point = access.point_of(actor(request))
    if point is None:
        raise PermissionDenied()
    return point


def _matters(uuids: list[UUID]) -> list[Matter]:
    found = list(Matter.objects.filter(uuid__in=uuids).select_related("current_version"))
    if len(found) != len(set(uuids)):
        raise NotFound()
    return found


# --- mandates -------------------------------------------------------------------------------------


class MandateIn(Schema):
    id_number: str
    display_name: str = ""
    phone: str = ""
    all_eligible: bool = False
    matters: list[UUID] = []
    valid_from: datetime.date
    valid_until: datetime.date
    method: str
    id_checked: bool = False
    signature: str = ""  # on_screen: data:image/png;base64,...  paper: a PDF, JPEG or PNG scan as a data URL
    countersigner_name: str = ""
    countersign: str = ""


class MandateOut(Schema):
    uuid: UUID
    number: str
    point: str
    resident_name: str
    resident_id_masked: str
    all_eligible: bool
    matters: list[str]
    valid_from: datetime.date
    valid_until: datetime.date
    method: str
    status: str
    text: str
    text_sha256: str
    signature_sha256: str
    countersigner_name: str
    signed_at: datetime.datetime | None
    revoked_at: datetime.datetime | None


def _mandate(m: Mandate) -> dict[str, Any]:
    return {
        "uuid": m.uuid,
        "number": m.number,
        "point": m.point.name,
        "resident_name": m.resident.display_name,
        "resident_id_masked": m.resident.masked_id_number,
        "all_eligible": m.all_eligible,
        "matters": [x.code for x in m.matters.all()],
        "valid_from": m.valid_from,
        "valid_until": m.valid_until,
        "method": m.method,
        "status": m.status,
        "text": m.text,
        "text_sha256": m.text_sha256,
        "signature_sha256": m.signature_sha256,
        "countersigner_name": m.countersigner_name,
        "signed_at": m.signed_at,
        "revoked_at": m.revoked_at,
    }


@router.post("/mandates", response={201: MandateOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def mandate_create(request: HttpRequest, data: MandateIn) -> Any:
    """An agent records a mandate for a resident of the point's village (registered by ID number
    if new). `on_screen` and `paper` need `id_checked` and `signature`; `phone` is confirmed by the
    resident later (POST /mandates/{uuid}/confirm)."""
    user, point = actor(request), _point(request)
    resident = services.resident_find_or_register(
        actor=user, id_number=data.id_number, display_name=data.display_name, phone=data.phone
    )
    if data.method == Mandate.Method.PAPER:
        signature = file_from_data_url(
            data.signature, types=("application/pdf", "image/jpeg", "image/png"), max_bytes=DEFAULT_MAX_BYTES
        )
    else:
        signature = signature_from_data_url(data.signature)
    m = services.mandate_record(
        actor=user,
        point=point,
        resident=resident,
        all_eligible=data.all_eligible,
        matters=_matters(data.matters),
        valid_from=data.valid_from,
        valid_until=data.valid_until,
        method=data.method,
        id_checked=data.id_checked,
        signature=signature,
        countersigner_name=data.countersigner_name,
        countersign=signature_from_data_url(data.countersign),
    )
    return Status(201, _mandate(m))


@router.get("/mandates", response={200: list[MandateOut], ERROR_CODES: ErrorOut}, auth=AUTH)
def mandate_list(request: HttpRequest) -> Any:
    """An agent: the point's mandates; anyone else: their own."""
    user = actor(request)
    point = access.point_of(user)
    qs = selectors.point_mandates(point) if point is not None else selectors.my_mandates(user)
    return [_mandate(m) for m in qs.select_related("point")[:500]]


def _visible_mandate(user: User, uuid: UUID) -> Mandate:
    m = Mandate.objects.filter(uuid=uuid).select_related("point", "resident").first()
    if m is None or not (m.resident_id == user.pk or access.is_agent_of(user, m.point)):
        raise NotFound()
    return m


@router.get("/mandates/{uuid}", response={200: MandateOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def mandate_detail(request: HttpRequest, uuid: UUID) -> Any:
    return _mandate(_visible_mandate(actor(request), uuid))


class ConfirmIn(Schema):
    text_sha256: str


@router.post("/mandates/{uuid}/confirm", response={200: MandateOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def mandate_confirm(request: HttpRequest, uuid: UUID, data: ConfirmIn) -> Any:
    """The resident confirms, from their own phone, the text whose SHA-256 they were shown."""
    m = selectors.mandate_for_resident(actor(request), uuid)
    return _mandate(services.mandate_confirm(actor=actor(request), mandate=m, text_sha256=data.text_sha256))


class CountersignIn(Schema):
    countersigner_name: str
    signature: str


@router.post("/mandates/{uuid}/countersign", response={200: MandateOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def mandate_countersign(request: HttpRequest, uuid: UUID, data: CountersignIn) -> Any:
    m = selectors.mandate_for_agent(actor(request), uuid)
    m = services.mandate_countersign(
        actor=actor(request),
        mandate=m,
        countersigner_name=data.countersigner_name,
        signature=signature_from_data_url(data.signature),
    )
    return _mandate(m)


class RevokeIn(Schema):
    reason: str = ""


@router.post("/mandates/{uuid}/revoke", response={200: MandateOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def mandate_revoke(request: HttpRequest, uuid: UUID, data: RevokeIn) -> Any:
    """The resident revokes; new applications stop at once, filed ones go on."""
    m = selectors.mandate_for_resident(actor(request), uuid)
    return _mandate(services.mandate_revoke(actor=actor(request), mandate=m, reason=data.reason))


# --- applications ---------------------------------------------------------------------------------


class ApplicationOut(Schema):
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
        "forwarding_due_provisional": bool(fwd and workdays.is_provisional(fwd.due_on)),
        "forwarding_sent_at": fwd.sent_at if fwd else None,
        "forwarding_received_at": fwd.received_at if fwd else None,
        "forwarding_warning": fwd.warning if fwd else "",
        "delivered_at": delivery.delivered_at if delivery else None,
        "follow_up_satisfaction": follow_up.satisfaction if follow_up else None,
        "created_at": a.created_at,
    }


def _resident_of_mandate(point: AgentPoint, mandate_uuid: UUID) -> User:
    m = Mandate.objects.filter(uuid=mandate_uuid, point=point).select_related("resident").first()
    if m is None:
        raise NotFound()
    return m.resident


class CaseIn(Schema):
    mandate: UUID
    matter: UUID
    paper: list[int] = []  # requirement ids whose paper originals the point collected
    deliver_at_point: bool = False
    form_data: dict[str, Any] = {}


@router.post("/cases", response={201: ApplicationOut, ERROR_CODES: ErrorOut}, auth=AUTH)
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


@router.post("/bookings", response={201: ApplicationOut, ERROR_CODES: ErrorOut}, auth=AUTH)
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


@router.get("/applications", response={200: list[ApplicationOut], ERROR_CODES: ErrorOut}, auth=AUTH)
def application_list(request: HttpRequest) -> Any:
    """The point's applications, newest first (200 at most)."""
    point = _point(request)
    qs = selectors.point_applications(point).select_related("point", "mandate", "case__intake_unit", "case__department")
    return [_application(a) for a in qs[:200]]


@router.get("/applications/{uuid}", response={200: ApplicationOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def application_detail(request: HttpRequest, uuid: UUID) -> Any:
    return _application(selectors.application_for(actor(request), uuid))


class ForwardIn(Schema):
    carrier: str = ""


@router.post("/applications/{uuid}/forward", response={200: ApplicationOut, ERROR_CODES: ErrorOut}, auth=AUTH)
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
        "due_provisional": workdays.is_provisional(f.due_on),
        "sent_at": f.sent_at,
        "received_at": f.received_at,
        "warning": f.warning,
    }


@router.get("/forwardings", response={200: list[ForwardingOut], ERROR_CODES: ErrorOut}, auth=AUTH)
def forwarding_list(request: HttpRequest) -> Any:
    """Staff: paper materials on their way to the units where they take in applications."""
    return [_forwarding(f) for f in selectors.late_forwardings(actor(request))[:200]]


@router.post("/forwardings/{uuid}/receive", response={200: ForwardingOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def forwarding_receive(request: HttpRequest, uuid: UUID) -> Any:
    """The accepting unit signs for the materials."""
    f = selectors.late_forwardings(actor(request)).filter(uuid=uuid).first()
    if f is None:
        raise NotFound()
    return _forwarding(services.forwarding_receive(actor=actor(request), forwarding=f))


class DeliverIn(Schema):
    receiver_name: str = ""
    signature: str
    note: str = ""


@router.post("/applications/{uuid}/deliver", response={200: ApplicationOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def application_deliver(request: HttpRequest, uuid: UUID, data: DeliverIn) -> Any:
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


@router.post("/applications/{uuid}/follow-up", response={200: ApplicationOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def application_follow_up(request: HttpRequest, uuid: UUID, data: FollowUpIn) -> Any:
    app = selectors.application_for(actor(request), uuid)
    services.follow_up_record(
        actor=actor(request), application=app, method=data.method, satisfaction=data.satisfaction, comment=data.comment
    )
    return _application(selectors.application_for(actor(request), uuid))


# --- workbench and township -----------------------------------------------------------------------


class ResidentOut(Schema):
    mandate: UUID
    name: str
    id_masked: str
    valid_until: datetime.date
    status: str
    open_cases: list[str]
    bookings: list[str]


class WorkbenchOut(Schema):
    point: str
    residents: list[ResidentOut]
    supplements: int
    to_forward: int  # materials not yet sent
    in_transit: int  # sent, waiting for the accepting unit's signature (not the agent's work)
    to_deliver: int
    follow_ups_due: int
    countersign: int
    till_cash_fen: int
    till_transfer_fen: int
    till_status: str


@router.get("/workbench", response={200: WorkbenchOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def workbench(request: HttpRequest) -> Any:
    """My residents with their mandates and open cases, what waits for me, my till today."""
    point = _point(request)
    waiting = selectors.waiting_for(point)
    till = selectors.till_today(point)
    return {
        "point": point.name,
        "residents": [
            {
                "mandate": r.mandate.uuid,
                "name": r.mandate.resident.display_name,
                "id_masked": r.mandate.resident.masked_id_number,
                "valid_until": r.mandate.valid_until,
                "status": r.mandate.status,
                "open_cases": [a.case.number for a in r.cases if a.case],
                "bookings": [a.booking.code for a in r.bookings if a.booking],
            }
            for r in selectors.my_residents(point)
        ],
        "supplements": len(waiting.supplements),
        "to_forward": len(waiting.to_forward),
        "in_transit": len(waiting.in_transit),
        "to_deliver": len(waiting.to_deliver),
        "follow_ups_due": len(waiting.follow_ups),
        "countersign": len(waiting.countersign),
        "till_cash_fen": till.cash_fen if till else 0,
        "till_transfer_fen": till.transfer_fen if till else 0,
        "till_status": till.status if till else "",
    }


class PointRowOut(Schema):
    point: str
    village_code: str
    township: str
    applications: int
    open_cases: int
    late_forwarding: int
    follow_ups: int
    follow_ups_due: int
    fees_month_fen: int


@router.get("/township", response={200: list[PointRowOut], ERROR_CODES: ErrorOut}, auth=AUTH)
def township(request: HttpRequest) -> Any:
    """Township officers (their points), supervisors and administrators (all): work per point."""
    user = actor(request)
    if not access.overseen_points(user).exists():
        raise PermissionDenied()
    return [
        {
            "point": r["point"].name,
            "village_code": r["point"].village.code,
            "township": r["point"].village.parent.name if r["point"].village.parent else "",
            "applications": r["apps"],
            "open_cases": r["open_cases"],
            "late_forwarding": r["late_forwarding"],
            "follow_ups": r["follow_ups"],
            "follow_ups_due": r["follow_ups_due"],
            "fees_month_fen": r["fees_month_fen"],
        }
        for r in selectors.township_points(user)
    ]


from . import api_forms, api_ledger  # noqa: E402,F401 - register their operations on this router
