"""Delegation API (/api/v1/townships/): batches (draft, documents, publish), delegations (list,
revoke), and the district's supervision of township cases (figures, sampling, review results)."""

from __future__ import annotations

import datetime
from typing import Any
from uuid import UUID

from django.http import FileResponse, HttpRequest
from django.utils import timezone
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from onewindow.accounts.models import OrgUnit
from onewindow.accounts.tenancy import staff_county
from onewindow.catalog.models import Delegation, Matter
from onewindow.core import workdays
from onewindow.core.apikit import AUTH, ERROR_CODES, ErrorOut, PageParams, actor, page_of, paginate
from onewindow.core.errors import NotFound, PermissionDenied, ValidationFailed
from onewindow.core.uploads import private_storage

from . import selectors, services
from .models import BatchDocument, DelegationBatch, SupervisionReview

router = Router(tags=["townships"])


class DocumentOut(Schema):
    uuid: UUID
    kind: str
    name: str
    size: int


class BatchIn(Schema):
    title: str
    legal_basis: str
    effective_on: datetime.date
    matters: list[UUID] = []
    townships: list[str] = []  # OrgUnit codes
    note: str = ""


class BatchOut(Schema):
    uuid: UUID
    title: str
    legal_basis: str
    effective_on: datetime.date
    status: str
    note: str
    matters: list[str]
    townships: list[str]
    documents: list[DocumentOut]
    delegations: int


def _batch(b: DelegationBatch) -> dict[str, Any]:
    return {
        "uuid": b.uuid,
        "title": b.title,
        "legal_basis": b.legal_basis,
        "effective_on": b.effective_on,
        "status": b.status,
        "note": b.note,
        "matters": [m.code for m in b.matters.order_by("code")],
        "townships": [t.code for t in b.townships.order_by("sort_order", "code")],
        "documents": [{"uuid": d.uuid, "kind": d.kind, "name": d.name, "size": d.size} for d in b.documents.all()],
        "delegations": b.delegations.count(),
    }


def _contents(data: BatchIn, user: Any) -> tuple[list[Matter], list[OrgUnit]]:
    matters = list(Matter.objects.filter(uuid__in=data.matters))
    # Township codes are unique in their county only: the drafting officer's county's where it has
    # one (a code only another county has is kept: the service refuses it, other_county).
    county = staff_county(user)
    by_code: dict[str, OrgUnit] = {}
    for t in OrgUnit.objects.filter(code__in=data.townships):
        if t.code not in by_code or t.county_id == county:
            by_code[t.code] = t
    townships = list(by_code.values())
    if len(matters) != len(set(data.matters)):
        raise ValidationFailed(fields={"matters": ["unknown matter"]})
    if len(townships) != len(set(data.townships)):
        raise ValidationFailed(fields={"townships": ["unknown township"]})
    return matters, townships


@router.get("/batches", response={200: page_of(BatchOut), ERROR_CODES: ErrorOut}, auth=AUTH)
def batch_list(request: HttpRequest, params: Query[PageParams]) -> Any:
    user = actor(request)
    if not selectors.can_read_delegations(user):
        raise PermissionDenied()
    return paginate(selectors.batches_for(user), params, _batch)


@router.post("/batches", response={201: BatchOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def batch_create(request: HttpRequest, data: BatchIn) -> Any:
    matters, townships = _contents(data, actor(request))
    batch = services.batch_create(
        actor=actor(request),
        title=data.title,
        legal_basis=data.legal_basis,
        effective_on=data.effective_on,
        matters=matters,
        townships=townships,
        note=data.note,
    )
    return Status(201, _batch(batch))


@router.get("/batches/{uuid}", response={200: BatchOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def batch_detail(request: HttpRequest, uuid: UUID) -> Any:
    return _batch(selectors.batch_for(actor(request), uuid))


@router.put("/batches/{uuid}", response={200: BatchOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def batch_update(request: HttpRequest, uuid: UUID, data: BatchIn) -> Any:
    user = actor(request)
    batch = selectors.batch_for(user, uuid)
    matters, townships = _contents(data, user)
    batch = services.batch_update(
        batch=batch,
        actor=user,
        title=data.title,
        legal_basis=data.legal_basis,
        effective_on=data.effective_on,
        matters=matters,
        townships=townships,
        note=data.note,
    )
    return _batch(batch)


@router.post("/batches/{uuid}/documents", response={201: DocumentOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def document_add(request: HttpRequest, uuid: UUID, kind: Form[str], file: File[UploadedFile]) -> Any:
    """Multipart: `kind` (decision | training | handover) and `file` (PDF or image)."""
    user = actor(request)
    doc = services.batch_document_add(batch=selectors.batch_for(user, uuid), actor=user, kind=kind, file=file)
    return Status(201, {"uuid": doc.uuid, "kind": doc.kind, "name": doc.name, "size": doc.size})


def _document(user: Any, batch_uuid: UUID, doc_uuid: UUID) -> BatchDocument:
    doc = selectors.batch_for(user, batch_uuid).documents.filter(uuid=doc_uuid).first()
    if doc is None:
        raise NotFound()
    return doc


@router.get(
    "/batches/{uuid}/documents/{doc}",
    response={200: bytes, ERROR_CODES: ErrorOut},
    auth=AUTH,
    openapi_extra={
        "responses": {200: {"description": "the file", "content": {"application/octet-stream": {"schema": {"type": "string"}}}}}
    },
)
def document_file(request: HttpRequest, uuid: UUID, doc: UUID) -> Any:
    document = _document(actor(request), uuid, doc)
    resp = FileResponse(private_storage().open(document.storage_name), content_type=document.content_type)
    resp["Cache-Control"] = "private, no-store"
    resp["X-Content-Type-Options"] = "nosniff"
    return resp


@router.delete("/batches/{uuid}/documents/{doc}", response={204: None, ERROR_CODES: ErrorOut}, auth=AUTH)
def document_remove(request: HttpRequest, uuid: UUID, doc: UUID) -> Any:
    user = actor(request)
    services.batch_document_remove(document=_document(user, uuid, doc), actor=user)
    return Status(204, None)


@router.post("/batches/{uuid}/publish", response={200: BatchOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def batch_publish(request: HttpRequest, uuid: UUID) -> Any:
    user = actor(request)
    return _batch(services.batch_publish(batch=selectors.batch_for(user, uuid), actor=user))


class DelegationOut(Schema):
    uuid: UUID
    matter: str
    matter_name: str
    department: str
    township: str
    effective_on: datetime.date
    revoked_on: datetime.date | None
    in_force: bool
    revoke_reason: str


class DelegationFilter(Schema):
    township: str = ""
    matter: str = ""  # matter code
    in_force: bool = False


def _delegation(d: Delegation, today: datetime.date) -> dict[str, Any]:
    revocation = getattr(d, "revocation", None)
    return {
        "uuid": d.uuid,
        "matter": d.matter.code,
        "matter_name": d.matter.search_name,
        "department": d.matter.department.name,
        "township": d.township.code,
        "effective_on": d.effective_on,
        "revoked_on": d.revoked_on,
        "in_force": d.effective_on <= today and (d.revoked_on is None or d.revoked_on > today),
        "revoke_reason": revocation.reason if revocation is not None else "",
    }


@router.get("/delegations", response={200: page_of(DelegationOut), ERROR_CODES: ErrorOut}, auth=AUTH)
def delegation_list(request: HttpRequest, params: Query[PageParams], filters: Query[DelegationFilter]) -> Any:
    user = actor(request)
    if not selectors.can_read_delegations(user):
        raise PermissionDenied()
    today = timezone.localdate()
    qs = selectors.delegations_for(user).select_related("revocation")
    if filters.township:
        qs = qs.filter(township__code=filters.township)
    if filters.matter:
        qs = qs.filter(matter__code=filters.matter)
    if not filters.in_force:
        return paginate(qs, params, lambda d: _delegation(d, today))
    # In force is decided in Python (the calendar and the revocation), so the page is cut after it.
    return paginate([r for r in (_delegation(d, today) for d in qs) if r["in_force"]], params, lambda r: r)


class RevokeIn(Schema):
    reason: str
    revoked_on: datetime.date | None = None


@router.post("/delegations/{uuid}/revoke", response={200: DelegationOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def delegation_revoke(request: HttpRequest, uuid: UUID, data: RevokeIn) -> Any:
    user = actor(request)
    delegation = selectors.delegation_for(user, uuid)
    services.delegation_revoke(delegation=delegation, actor=user, reason=data.reason, revoked_on=data.revoked_on)
    delegation = Delegation.objects.select_related("matter__department", "township", "revocation").get(pk=delegation.pk)
    return _delegation(delegation, timezone.localdate())


# --- supervision -------------------------------------------------------------------------------


class CaseBrief(Schema):
    uuid: UUID
    number: str
    title: str
    status: str
    committed_due: datetime.date | None
    # True when the date above lies in a year whose holiday schedule is only provisional (it may move).
    committed_due_provisional: bool = False


class TownshipFigureOut(Schema):
    township: str
    name: str
    cases: int
    concluded: int
    on_time: int
    on_time_rate: float | None
    open: int
    overdue: int
    overdue_cases: list[CaseBrief]


def _brief(c: Any) -> dict[str, Any]:
    return {
        "uuid": c.uuid,
        "number": c.number,
        "title": c.title,
        "status": c.status,
        "committed_due": c.committed_due,
        "committed_due_provisional": workdays.is_provisional(
            c.committed_due
        ),  # national: only the State Council's year is provisional
    }


@router.get("/supervision", response={200: page_of(TownshipFigureOut), ERROR_CODES: ErrorOut}, auth=AUTH)
def supervision(request: HttpRequest, params: Query[PageParams]) -> Any:
    """Per township: the cases of the caller's departments' delegated matters, on-time rate and the
    overdue cases (read-only)."""
    user = actor(request)
    if not selectors.is_district_officer(user):
        raise PermissionDenied()
    figures = selectors.township_supervision(selectors.supervised_cases(user), today=timezone.localdate(), user=user)
    return paginate(
        figures,
        params,
        lambda f: {
            "township": f.township.code,
            "name": f.township.name,
            "cases": f.cases,
            "concluded": f.done,
            "on_time": f.on_time,
            "on_time_rate": f.on_time_rate,
            "open": f.open,
            "overdue": f.overdue,
            "overdue_cases": [_brief(c) for c in f.overdue_cases],
        },
    )


class DrawIn(Schema):
    department: str  # OrgUnit code
    count: int = 5
    township: str = ""


class ReviewOut(Schema):
    uuid: UUID
    case: CaseBrief
    township: str
    department: str
    result: str
    finding: str


def _review(r: SupervisionReview) -> dict[str, Any]:
    return {
        "uuid": r.uuid,
        "case": _brief(r.case),
        "township": r.township.code,
        "department": r.department.code,
        "result": r.result,
        "finding": r.finding,
    }


@router.get("/reviews", response={200: page_of(ReviewOut), ERROR_CODES: ErrorOut}, auth=AUTH)
def review_list(request: HttpRequest, params: Query[PageParams]) -> Any:
    user = actor(request)
    if not selectors.is_district_officer(user):
        raise PermissionDenied()
    return paginate(selectors.reviews_for(user), params, _review)


@router.post("/reviews", response={201: list[ReviewOut], ERROR_CODES: ErrorOut}, auth=AUTH)
def review_draw(request: HttpRequest, data: DrawIn) -> Any:
    """Draw `count` concluded township cases of the department's delegated matters at random."""
    user = actor(request)
    department = selectors.managed_departments(user).filter(code=data.department).first()
    if department is None:
        raise PermissionDenied()
    township = None
    if data.township:
        township = selectors.townships_for(user).filter(code=data.township).first()
        if township is None:
            raise ValidationFailed(fields={"township": ["unknown township"]})
    drawn = services.reviews_draw(actor=user, department=department, count=data.count, township=township)
    return Status(201, [_review(r) for r in drawn])


class ReviewIn(Schema):
    result: str  # compliant | issues
    finding: str = ""


@router.post("/reviews/{uuid}/result", response={200: ReviewOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def review_result(request: HttpRequest, uuid: UUID, data: ReviewIn) -> Any:
    user = actor(request)
    review = services.review_record(review=selectors.review_for(user, uuid), actor=user, result=data.result, finding=data.finding)
    return _review(review)
