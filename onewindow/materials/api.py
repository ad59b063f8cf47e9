"""Material library and application drafts (/api/v1/materials/): everything the web flow does,
for the phone. Uploads are multipart; files are checked by content like on the web."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from django.http import FileResponse, HttpRequest
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import StrictBool

from onewindow.catalog import formschema
from onewindow.catalog.models import Bundle
from onewindow.core.apikit import AUTH, ERROR_CODES, ErrorOut, PageOut, PageParams, actor, page_of, paginate
from onewindow.core.errors import NotFound, ValidationFailed

from . import selectors, services
from .models import ApplicationDraft, LibraryItem

router = Router(tags=["materials"], auth=AUTH)


class ItemOut(Schema):
    uuid: UUID
    name: str
    shared_key: str
    content_type: str
    size: int
    enterprise: UUID | None
    created_at: datetime


class ItemPage(PageOut):
    items: list[ItemOut]


def _item(i: LibraryItem) -> dict[str, Any]:
    return {
        "uuid": i.uuid,
        "name": i.name,
        "shared_key": i.shared_key,
        "content_type": i.content_type,
        "size": i.size,
        "enterprise": i.enterprise.uuid if i.enterprise else None,
        "created_at": i.created_at,
    }


@router.get("/library", response={200: ItemPage, ERROR_CODES: ErrorOut})
def library(request: HttpRequest, params: Query[PageParams]) -> Any:
    return paginate(selectors.library_for(actor(request)).order_by("-created_at", "-id"), params, _item)


@router.post("/library", response={201: ItemOut, ERROR_CODES: ErrorOut})
def library_upload(
    request: HttpRequest,
    file: File[UploadedFile],
    name: Form[str],
    shared_key: Form[str] = "",
    enterprise: Form[UUID | None] = None,
) -> Any:
    user = actor(request)
    ent = None
    if enterprise is not None:
        ent = selectors.enterprises_of(user).filter(uuid=enterprise).first()
        if ent is None:
            raise NotFound()
    return Status(201, _item(services.library_upload(actor=user, file=file, name=name, shared_key=shared_key, enterprise=ent)))


@router.delete("/library/{uuid}", response={204: None, ERROR_CODES: ErrorOut})
def library_remove(request: HttpRequest, uuid: UUID) -> Any:
    user = actor(request)
    services.library_remove(actor=user, item=selectors.library_item_for(user, uuid))
    return Status(204, None)


@router.get(
    "/library/{uuid}/file",
    response={200: bytes, ERROR_CODES: ErrorOut},
    openapi_extra={
        "responses": {
            200: {
                "description": "The file (PDF, JPEG or PNG)",
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def library_file(request: HttpRequest, uuid: UUID) -> Any:
    item = selectors.item_for_file(actor(request), uuid)
    response = FileResponse(services.open_file(item.storage_name), content_type=item.content_type)
    response["Cache-Control"] = "private, no-store"
    return response


class IssuedOut(Schema):
    uuid: UUID
    name: str
    shared_key: str
    case_number: str
    issued_at: datetime | None
    download_url: str


@router.get("/issued", response={200: page_of(IssuedOut), ERROR_CODES: ErrorOut})
def issued(request: HttpRequest, params: Query[PageParams]) -> Any:
    """Certificates and results the platform issued to me (or my enterprises): offered to every
    later application, never uploaded."""
    return paginate(
        selectors.issued_documents(actor(request)),
        params,
        lambda d: {
            "uuid": d.uuid,
            "name": d.name,
            "shared_key": d.shared_key,
            "case_number": d.case_number,
            "issued_at": d.issued_at,
            "download_url": d.download_url,
        },
    )


# --- drafts -------------------------------------------------------------------------------------


class DraftIn(Schema):
    matter: UUID | None = None
    bundle: UUID | None = None
    enterprise: UUID | None = None


class FieldOut(Schema):
    name: str
    label: str
    type: str
    required: bool
    choices: list[str]
    help: str = ""
    section: str = ""
    unit: str = ""
    when: dict[str, Any] | None = None  # shown and required only when another field has this value


class OfferOut(Schema):
    source: str
    ref: str
    name: str


class RequirementOut(Schema):
    key: str
    name: str
    shared_key: str
    accepts: str
    required: bool
    provided: str = ""  # why no upload is needed (the form or the platform has it); "" otherwise
    attached: OfferOut | None
    offers: list[OfferOut]


class DraftOut(Schema):
    uuid: UUID
    title: str
    step: str
    status: str
    conditions_confirmed: bool
    conditions: list[str]
    enterprise: UUID | None
    form_schema: list[FieldOut]
    form_data: dict[str, Any]
    requirements: list[RequirementOut]
    updated_at: datetime


class DraftSummary(Schema):
    uuid: UUID
    title: str
    step: str
    updated_at: datetime


class DraftPage(PageOut):
    items: list[DraftSummary]


class ConditionsIn(Schema):
    confirmed: StrictBool


class FormIn(Schema):
    data: dict[str, Any]


class AttachIn(Schema):
    source: str
    ref: str


class ReuseOut(Schema):
    reused: int
    draft: DraftOut


class SubmittedOut(Schema):
    case: UUID
    number: str
    check_code: str
    status: str


def _offer(o: Any) -> dict[str, str]:
    source = "issued" if isinstance(o, selectors.IssuedDocument) else "library"
    return {"source": source, "ref": str(o.uuid), "name": o.name}


def _draft(d: ApplicationDraft, user: Any) -> dict[str, Any]:
    reqs = selectors.draft_requirements(d, user=user)
    return {
        "uuid": d.uuid,
        "title": d.title,
        "step": d.step,
        "status": d.status,
        "conditions_confirmed": d.conditions_confirmed,
        "conditions": [text for _name, text in selectors.draft_conditions(d)],
        "enterprise": d.enterprise.uuid if d.enterprise else None,
        "form_schema": [
            {
                "name": f.name,
                "label": f.label,
                "type": f.type,
                "required": f.required,
                "choices": f.choices,
                "help": f.help,
                "section": f.section,
                "unit": f.unit,
                "when": f.when,
            }
            for f in formschema.fields_of(selectors.draft_schema(d))
        ],
        "form_data": d.form_data or {},
        "requirements": [
            {
                "key": r.key,
                "name": r.name,
                "shared_key": r.shared_key,
                "accepts": r.accepts,
                "required": r.required,
                "provided": r.provided,
                "attached": {
                    "source": r.attached.get("source", ""),
                    "ref": str(r.attached.get("ref", "")),
                    "name": r.attached_label,
                }
                if r.attached and r.attached_label
                else None,
                "offers": [_offer(o) for o in r.offers],
            }
            for r in reqs
        ],
        "updated_at": d.updated_at,
    }


@router.get("/drafts", response={200: DraftPage, ERROR_CODES: ErrorOut})
def drafts(request: HttpRequest, params: Query[PageParams]) -> Any:
    return paginate(
        selectors.drafts_for(actor(request)).order_by("-updated_at", "-id"),
        params,
        lambda d: {"uuid": d.uuid, "title": d.title, "step": d.step, "updated_at": d.updated_at},
    )


@router.post("/drafts", response={201: DraftOut, ERROR_CODES: ErrorOut})
def draft_start(request: HttpRequest, data: DraftIn) -> Any:
    """Start (or resume: one open draft per subject) an online application."""
    user = actor(request)
    matter = bundle = ent = None
    if (data.matter is None) == (data.bundle is None):
        raise ValidationFailed(fields={"matter": ["matter 与 bundle 须且只能填写一个。"]})
    if data.matter is not None:
        matter = selectors.online_matters().filter(uuid=data.matter).first()
        if matter is None:
            raise NotFound()
    else:
        bundle = Bundle.objects.filter(uuid=str(data.bundle), is_active=True).first()
        if bundle is None:
            raise NotFound()
    if data.enterprise is not None:
        ent = selectors.enterprises_of(user).filter(uuid=data.enterprise).first()
        if ent is None:
            raise NotFound()
    draft = services.draft_start(applicant=user, matter=matter, bundle=bundle, enterprise=ent)
    return Status(201, _draft(draft, user))


@router.get("/drafts/{uuid}", response={200: DraftOut, ERROR_CODES: ErrorOut})
def draft_get(request: HttpRequest, uuid: UUID) -> Any:
    user = actor(request)
    return _draft(selectors.draft_for(user, uuid), user)


@router.post("/drafts/{uuid}/conditions", response={200: DraftOut, ERROR_CODES: ErrorOut})
def draft_conditions(request: HttpRequest, uuid: UUID, data: ConditionsIn) -> Any:
    user = actor(request)
    d = services.draft_confirm_conditions(draft=selectors.draft_for(user, uuid), actor=user, confirmed=data.confirmed)
    return _draft(d, user)


@router.put("/drafts/{uuid}/form", response={200: DraftOut, ERROR_CODES: ErrorOut})
def draft_form(request: HttpRequest, uuid: UUID, data: FormIn) -> Any:
    user = actor(request)
    d = services.draft_save_form(draft=selectors.draft_for(user, uuid), actor=user, data=data.data)
    return _draft(d, user)


@router.put("/drafts/{uuid}/materials/{key}", response={200: DraftOut, ERROR_CODES: ErrorOut})
def draft_attach(request: HttpRequest, uuid: UUID, key: str, data: AttachIn) -> Any:
    user = actor(request)
    d = services.draft_attach(draft=selectors.draft_for(user, uuid), actor=user, key=key, source=data.source, ref=data.ref)
    return _draft(d, user)


@router.post("/drafts/{uuid}/materials/{key}/upload", response={200: DraftOut, ERROR_CODES: ErrorOut})
def draft_upload(request: HttpRequest, uuid: UUID, key: str, file: File[UploadedFile]) -> Any:
    user = actor(request)
    d = services.draft_upload(draft=selectors.draft_for(user, uuid), actor=user, key=key, file=file)
    return _draft(d, user)


@router.delete("/drafts/{uuid}/materials/{key}", response={200: DraftOut, ERROR_CODES: ErrorOut})
def draft_detach(request: HttpRequest, uuid: UUID, key: str) -> Any:
    user = actor(request)
    return _draft(services.draft_detach(draft=selectors.draft_for(user, uuid), actor=user, key=key), user)


@router.post("/drafts/{uuid}/reuse", response={200: ReuseOut, ERROR_CODES: ErrorOut})
def draft_reuse(request: HttpRequest, uuid: UUID) -> Any:
    """One tap: attach everything the library and the platform's certificates can supply."""
    user = actor(request)
    d, n = services.draft_reuse_all(draft=selectors.draft_for(user, uuid), actor=user)
    return {"reused": n, "draft": _draft(d, user)}


@router.post("/drafts/{uuid}/submit", response={201: SubmittedOut, ERROR_CODES: ErrorOut})
def draft_submit(request: HttpRequest, uuid: UUID) -> Any:
    user = actor(request)
    case = services.draft_submit(draft=selectors.draft_for(user, uuid), actor=user, channel="mobile")
    return Status(201, {"case": case.uuid, "number": case.number, "check_code": case.check_code, "status": case.status})


@router.delete("/drafts/{uuid}", response={204: None, ERROR_CODES: ErrorOut})
def draft_abandon(request: HttpRequest, uuid: UUID) -> Any:
    user = actor(request)
    services.draft_abandon(draft=selectors.draft_for(user, uuid), actor=user)
    return Status(204, None)
