"""More of the agent service API (on the assistance router): the commitment filing for a resident
(`POST /filings`), and multipart variants of the operations that carry scans, for clients that
send files rather than data URLs (`POST /upload/mandates`, `POST /upload/cases`). Uploads are
checked as on the pages (type by content, size); a refused request leaves no file behind (the
services store inside `collect_stored`)."""

from __future__ import annotations

import datetime
import json
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import File, Form, Schema, Status
from ninja.files import UploadedFile

from onewindow.accounts.models import Enterprise
from onewindow.cases.services import MaterialInput
from onewindow.catalog.models import Matter
from onewindow.core.apikit import AUTH, ERROR_CODES, ErrorOut, actor
from onewindow.core.errors import NotFound, ValidationFailed

from .. import selectors, services
from ..models import Mandate
from .applications import AgentApplicationOut, _application
from .base import _matters, _point, _resident_of_mandate, router
from .mandates import MandateOut, _mandate

# --- the commitment filing ----------------------------------------------------------------------


class FilingIn(Schema):
    mandate: UUID
    matter: UUID
    signer_name: str  # the resident's name, as on the ID card
    signer_id_number: str
    text_sha256: str  # of the commitment text read to the resident (GET /api/v1/filings/matters)
    read_to_resident: bool = False
    enterprise: UUID | None = None  # an enterprise the resident handles
    form_data: dict[str, Any] = {}


class AgentFilingOut(AgentApplicationOut):
    filing_uuid: UUID
    filing_number: str
    filing_title: str
    enterprise: str


@router.post("/filings", response={201: AgentFilingOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def filing_file(request: HttpRequest, data: FilingIn) -> Any:
    """File a 告知承诺备案 for the resident of `mandate` (or an enterprise they handle). Refused,
    with nothing stored: `no_mandate`, `not_agent_eligible`, `other_village`, a text that changed
    (`text_changed`), a signer who is not the resident (`signer_mismatch`), the commitment not
    read to the resident (`not_read_to_resident`), a barred applicant (`filing_barred`)."""
    point = _point(request)
    resident = _resident_of_mandate(point, data.mandate)
    matter = Matter.objects.filter(uuid=data.matter, current_version__kind="filing").select_related("current_version").first()
    if matter is None:
        raise NotFound()
    enterprise = None
    if data.enterprise is not None:
        enterprise = Enterprise.objects.filter(uuid=data.enterprise).first()
        if enterprise is None:
            raise NotFound()
    app = services.agent_file_filing(
        actor=actor(request),
        resident=resident,
        matter=matter,
        enterprise=enterprise,
        signer_name=data.signer_name,
        signer_id_number=data.signer_id_number,
        text_sha256=data.text_sha256,
        read_to_resident=data.read_to_resident,
        form_data=data.form_data,
    )
    app = selectors.application_for(actor(request), app.uuid)
    assert app.filing is not None
    f = app.filing
    out = _application(app)
    out.update(
        filing_uuid=f.uuid,
        filing_number=f.number or "",
        filing_title=f.title,
        enterprise=f.enterprise.name if f.enterprise else "",
    )
    return Status(201, out)


# --- multipart uploads ----------------------------------------------------------------------------


@router.post("/upload/mandates", response={201: MandateOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def mandate_create_upload(
    request: HttpRequest,
    id_number: Form[str],
    method: Form[str],
    valid_from: Form[datetime.date],
    valid_until: Form[datetime.date],
    display_name: Form[str] = "",
    phone: Form[str] = "",
    all_eligible: Form[bool] = False,
    matters: Form[str] = "",
    id_checked: Form[bool] = False,
    countersigner_name: Form[str] = "",
    signature: File[UploadedFile | None] = None,
    countersign: File[UploadedFile | None] = None,
) -> Any:
    """`POST /mandates` as multipart/form-data: `signature` is the signed paper form's scan (PDF,
    JPEG or PNG; method `paper`) or the pad's PNG (method `on_screen`), `countersign` a PNG;
    `matters` is a comma-separated list of matter UUIDs."""
    user, point = actor(request), _point(request)
    uuids: list[UUID] = []
    for part in (p.strip() for p in matters.split(",")):
        if not part:
            continue
        try:
            uuids.append(UUID(part))
        except ValueError:
            raise ValidationFailed(_("事项不正确。"), fields={"matters": [_("事项不正确。")]}) from None
    chosen = _matters(uuids)
    resident = services.resident_find_or_register(actor=user, id_number=id_number, display_name=display_name, phone=phone)
    m = services.mandate_record(
        actor=user,
        point=point,
        resident=resident,
        all_eligible=all_eligible,
        matters=chosen,
        valid_from=valid_from,
        valid_until=valid_until,
        method=method,
        id_checked=id_checked,
        signature=signature if method != Mandate.Method.PHONE else None,
        countersigner_name=countersigner_name,
        countersign=countersign,
    )
    return Status(201, _mandate(Mandate.objects.select_related("point", "resident").get(pk=m.pk)))


@router.post("/upload/cases", response={201: AgentApplicationOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def case_file_upload(
    request: HttpRequest,
    mandate: Form[UUID],
    matter: Form[UUID],
    paper: Form[str] = "",
    deliver_at_point: Form[bool] = False,
    form_data: Form[str] = "{}",
) -> Any:
    """`POST /cases` as multipart/form-data, with the scans the point made: a file per material as
    `material_<requirement id>` (PDF, JPEG or PNG, checked by content); `paper` lists the
    requirement ids (comma-separated) whose paper originals the point collected."""
    point = _point(request)
    resident = _resident_of_mandate(point, mandate)
    found = Matter.objects.filter(uuid=matter).select_related("current_version").first()
    if found is None or found.current_version is None:
        raise NotFound()
    try:
        data = json.loads(form_data or "{}")
        if not isinstance(data, dict):
            raise ValueError
    except ValueError:
        raise ValidationFailed(_("申请表格式不正确。"), fields={"form_data": [_("须为 JSON 对象。")]}) from None
    reqs = {r.pk: r for r in found.current_version.materials.all()}
    materials: list[MaterialInput] = []
    try:
        paper_ids = [int(p) for p in paper.split(",") if p.strip()]
    except ValueError:
        raise ValidationFailed(_("材料不正确。"), fields={"paper": [_("材料不正确。")]}) from None
    for pk in dict.fromkeys(paper_ids):
        if pk not in reqs:
            raise NotFound()
        materials.append(MaterialInput(requirement=reqs[pk], paper=True))
    for key, upload in request.FILES.items():
        try:
            req = reqs.get(int(key.removeprefix("material_"))) if key.startswith("material_") else None
        except ValueError:
            req = None
        if req is None:
            raise ValidationFailed(_("提交的材料不属于该事项。"), fields={key[:40]: [_("未知的材料。")]})
        materials.append(MaterialInput(requirement=req, file=upload))
    app = services.agent_file_case(
        actor=actor(request),
        resident=resident,
        matter=found,
        form_data=data,
        materials=materials,
        deliver_at_point=deliver_at_point,
    )
    return Status(201, _application(selectors.application_for(actor(request), app.uuid)))
