"""Commitment filing API (/api/v1/filings/): read the commitment, sign, get the certificate;
spot checks for department approvers; clearing a breach for administrators."""

from __future__ import annotations

import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status

from onewindow.core.apikit import AUTH, ERROR_CODES, ErrorOut, PageOut, PageParams, actor, page_of, paginate
from onewindow.core.errors import NotFound
from onewindow.materials.selectors import enterprises_of

from . import selectors, services
from .certificate import certificate_pdf
from .models import Filing

router = Router(tags=["filings"])


class FilingMatterOut(Schema):
    uuid: UUID
    name: str
    department: str
    audience: str
    commitment_text: str
    text_sha256: str


@router.get("/matters", response={200: page_of(FilingMatterOut), ERROR_CODES: ErrorOut}, auth=None)
def matters(request: HttpRequest, params: Query[PageParams]) -> Any:
    def matter(m: Any) -> dict[str, Any]:
        v = m.current_version
        assert v is not None  # filing_matters() filters on the current version
        return {
            "uuid": m.uuid,
            "name": v.name,
            "department": m.department.name,
            "audience": v.audience,
            "commitment_text": v.commitment_text,
            "text_sha256": services.text_hash(v.commitment_text or ""),
        }

    return paginate(selectors.filing_matters().order_by("code"), params, matter)


class SignIn(Schema):
    matter: UUID
    enterprise: UUID | None = None
    signer_name: str
    signer_id_number: str
    text_sha256: str
    form_data: dict[str, Any] = {}


class FilingOut(Schema):
    uuid: UUID
    number: str
    title: str
    department: str
    enterprise: str
    signer_name: str
    signer_id_masked: str
    text_sha256: str
    signed_at: datetime.datetime
    status: str


class FilingPage(PageOut):
    items: list[FilingOut]


def _filing(f: Filing) -> dict[str, Any]:
    return {
        "uuid": f.uuid,
        "number": f.number or "",
        "title": f.title,
        "department": f.department.name,
        "enterprise": f.enterprise.name if f.enterprise else "",
        "signer_name": f.signer_name,
        "signer_id_masked": f.signer_id_masked,
        "text_sha256": f.text_sha256,
        "signed_at": f.signed_at,
        "status": f.status,
    }


@router.post("/filings", response={201: FilingOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def sign(request: HttpRequest, data: SignIn) -> Any:
    """Sign the commitment (name and ID as registered, and the SHA-256 of the text read); the
    filing is complete at once."""
    user = actor(request)
    matter = selectors.filing_matter(data.matter)
    ent = None
    if data.enterprise is not None:
        ent = enterprises_of(user).filter(uuid=data.enterprise).first()
        if ent is None:
            raise NotFound()
    filing = services.filing_sign(
        applicant=user,
        matter=matter,
        enterprise=ent,
        signer_name=data.signer_name,
        signer_id_number=data.signer_id_number,
        text_sha256=data.text_sha256,
        form_data=data.form_data,
    )
    return Status(201, _filing(filing))


@router.get("/filings", response={200: FilingPage, ERROR_CODES: ErrorOut}, auth=AUTH)
def my_filings(request: HttpRequest, params: Query[PageParams]) -> Any:
    return paginate(selectors.my_filings(actor(request)).order_by("-signed_at", "-id"), params, _filing)


@router.get("/filings/{uuid}", response={200: FilingOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def filing_detail(request: HttpRequest, uuid: UUID) -> Any:
    return _filing(selectors.filing_for(actor(request), uuid))


@router.get(
    "/filings/{uuid}/certificate",
    response={200: bytes, ERROR_CODES: ErrorOut},
    auth=AUTH,
    openapi_extra={
        "responses": {
            200: {"description": "PDF", "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}
        }
    },
)
def certificate(request: HttpRequest, uuid: UUID) -> Any:
    filing = selectors.filing_for(actor(request), uuid)
    response = HttpResponse(certificate_pdf(filing), content_type="application/pdf")
    response["Cache-Control"] = "private, no-store"
    return response


class SpotCheckIn(Schema):
    result: str
    note: str = ""


class SpotCheckOut(Schema):
    uuid: UUID
    result: str
    filing_status: str


@router.post("/filings/{uuid}/spot-checks", response={201: SpotCheckOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def spot_check(request: HttpRequest, uuid: UUID, data: SpotCheckIn) -> Any:
    user = actor(request)
    filing = selectors.staff_filings(user).filter(uuid=uuid).first()
    if filing is None:
        raise NotFound()
    check = services.spot_check_record(filing=filing, inspector=user, result=data.result, note=data.note)
    return Status(201, {"uuid": check.uuid, "result": check.result, "filing_status": filing.status})


class ClearIn(Schema):
    reason: str


class BreachOut(Schema):
    uuid: UUID
    filing: str
    cleared: bool


@router.post("/breaches/{uuid}/clear", response={200: BreachOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def breach_clear(request: HttpRequest, uuid: UUID, data: ClearIn) -> Any:
    user = actor(request)
    breach = selectors.breaches_for_admin(user).filter(uuid=uuid).first()
    if breach is None:
        raise NotFound()
    breach = services.breach_clear(breach=breach, actor=user, reason=data.reason)
    return {"uuid": breach.uuid, "filing": breach.filing.number or "", "cleared": breach.cleared_at is not None}
