"""Mandates: recorded by the agent, confirmed by the resident from their phone, countersigned,
revoked."""

from __future__ import annotations

import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Schema, Status

from onewindow.accounts.models import User
from onewindow.core.apikit import AUTH, ERROR_CODES, ErrorOut, PageParams, actor, page_of, paginate
from onewindow.core.errors import NotFound
from onewindow.core.uploads import DEFAULT_MAX_BYTES

from .. import access, selectors, services
from ..models import Mandate
from ..services._common import file_from_data_url, signature_from_data_url
from .base import _matters, _point, router

# Operation ids name the module these operations were first written in (config/api.py).
OPERATION_IDS_MODULE = "onewindow.assistance.api"


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


@router.get("/mandates", response={200: page_of(MandateOut), ERROR_CODES: ErrorOut}, auth=AUTH)
def mandate_list(request: HttpRequest, params: Query[PageParams]) -> Any:
    """An agent: the point's mandates; anyone else: their own."""
    user = actor(request)
    point = access.point_of(user)
    qs = selectors.point_mandates(point) if point is not None else selectors.my_mandates(user)
    return paginate(qs.select_related("point"), params, _mandate)


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


class MandateRevokeIn(Schema):
    reason: str = ""


@router.post("/mandates/{uuid}/revoke", response={200: MandateOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def mandate_revoke(request: HttpRequest, uuid: UUID, data: MandateRevokeIn) -> Any:
    """The resident revokes; new applications stop at once, filed ones go on."""
    m = selectors.mandate_for_resident(actor(request), uuid)
    return _mandate(services.mandate_revoke(actor=actor(request), mandate=m, reason=data.reason))
