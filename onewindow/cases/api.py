"""Cases API (/api/v1/cases/): the citizen side (submit, supplement, track) and the staff
operations (intake, steps, clock, decision, delivery). Errors share one shape {code, message,
fields}. Files are multipart fields named `material_<requirement id>` (PDF, JPEG or PNG,
detected by content)."""

from __future__ import annotations

import datetime
import json
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Form, Query, Router, Schema, Status

from onewindow.accounts.models import User
from onewindow.catalog.models import Bundle, Matter
from onewindow.catalog.versions import bundle_versions
from onewindow.core import workdays
from onewindow.core.apikit import AUTH, ERROR_CODES, ErrorOut, PageParams, actor, page_of, paginate
from onewindow.core.clientip import client_ip
from onewindow.core.errors import NotFound, ValidationFailed

from . import extensions, managed, selectors
from . import services as svc
from .models import Case, CaseStep, ExtensionRequest
from .progress import lookup as progress_lookup

router = Router(tags=["cases"])
ERRORS: dict[int, type[ErrorOut]] = dict.fromkeys(ERROR_CODES, ErrorOut)


class StepOut(Schema):
    uuid: UUID
    stage: int
    name: str
    department: str
    kind: str
    status: str
    due_on: datetime.date | None
    # True when due_on lies in a year whose holiday schedule is only provisional (it may move).
    due_provisional: bool = False
    fields_to_fix: list[str]


class EventOut(Schema):
    at: datetime.datetime
    kind: str
    label: str
    department: str


class CaseOut(Schema):
    uuid: UUID
    number: str
    check_code: str
    title: str
    channel: str
    status: str
    status_label: str
    is_joint: bool
    received_at: datetime.datetime
    intake_due: datetime.date
    accepted_at: datetime.datetime | None
    committed_due: datetime.date | None
    statutory_due: datetime.date | None
    # The due dates above that lie in a year whose holiday schedule is only provisional.
    provisional_dues: list[str] = []
    decision: str
    warning_level: str
    ticket_uuid: UUID | None


class CaseDetailOut(CaseOut):
    steps: list[StepOut]
    events: list[EventOut]
    supplement_items: list[dict[str, Any]]


class ProgressOut(Schema):
    number: str
    title: str
    status: str
    status_label: str
    committed_due: datetime.date | None
    committed_due_provisional: bool = False
    events: list[EventOut]


class SubmitForm(Schema):
    matter: UUID | None = None
    bundle: UUID | None = None
    channel: str = "online"
    form_data: str = "{}"  # JSON object of the application form
    enterprise: UUID | None = None


class ReasonsIn(Schema):
    reasons: str


class SupplementItem(Schema):
    name: str
    reason: str = ""
    material: str = ""


class SupplementIn(Schema):
    items: list[SupplementItem]


class CommentIn(Schema):
    comment: str = ""


class ReturnIn(Schema):
    to_step: UUID
    fields_to_fix: list[str]
    reason: str = ""


class DecideIn(Schema):
    approved: bool
    reason: str = ""


class DeliverIn(Schema):
    method: str
    tracking_number: str = ""


class PauseIn(Schema):
    kind: str
    reason: str


class ExtendIn(Schema):
    days: int
    reason: str


class DeclineIn(Schema):
    reason: str


def _case_out(case: Case) -> dict[str, Any]:
    return {
        "uuid": case.uuid,
        "number": case.number,
        "check_code": case.check_code,
        "title": case.title,
        "channel": case.channel,
        "status": case.status,
        "status_label": str(case.get_status_display()),
        "is_joint": case.is_joint,
        "received_at": case.received_at,
        "intake_due": case.intake_due,
        "accepted_at": case.accepted_at,
        "committed_due": case.committed_due,
        "statutory_due": case.statutory_due,
        "provisional_dues": [
            f
            for f in ("intake_due", "committed_due", "statutory_due")
            if workdays.is_provisional(getattr(case, f))  # national: only the State Council's year is provisional
        ],
        "decision": case.decision,
        "warning_level": case.warning_level,
        "ticket_uuid": case.ticket_uuid,
    }


def _events(case: Case, *, public: bool) -> list[dict[str, Any]]:
    return [{k: r[k] for k in ("at", "kind", "label", "department")} for r in selectors.timeline(case, public=public)]


def _detail(case: Case) -> dict[str, Any]:
    return {
        **_case_out(case),
        "steps": [
            {
                "uuid": s.uuid,
                "stage": s.stage_order,
                "name": s.name,
                "department": s.department.name,
                "kind": s.kind,
                "status": s.status,
                "due_on": s.due_on,
                "due_provisional": workdays.is_provisional(s.due_on),  # national: only the State Council's year is provisional
                "fields_to_fix": s.fields_to_fix or [],
            }
            for s in case.steps.select_related("department").order_by("stage_order", "id")
        ],
        "events": _events(case, public=False),
        "supplement_items": [
            {"name": i.get("name", ""), "reason": i.get("reason", "")} for i in selectors.supplement_items(case)
        ],
    }


def _materials_from(request: HttpRequest, allowed: list[Any]) -> list[svc.MaterialInput]:
    by_pk = {r.pk: r for r in allowed}
    out = []
    for key, upload in request.FILES.items():
        if not key.startswith("material_"):
            continue
        try:
            req = by_pk[int(key.removeprefix("material_"))]
        except (ValueError, KeyError):
            raise ValidationFailed(_("提交的材料不属于该事项。"), fields={key: [_("未知的材料。")]}) from None
        out.append(svc.MaterialInput(requirement=req, file=upload))
    return out


def _step(case: Case, step_uuid: UUID) -> CaseStep:
    step = case.steps.filter(uuid=step_uuid).first()
    if step is None:
        raise NotFound()
    return step


# --- citizen side ----------------------------------------------------------------------------------


@router.get("/", auth=AUTH, response={200: page_of(CaseOut), **ERRORS})
def list_cases(request: HttpRequest, params: Query[PageParams], status: str = "") -> Any:
    qs = selectors.visible_cases(actor(request)).order_by("-received_at", "-id")
    if status:
        qs = qs.filter(status=status)
    return paginate(qs, params, _case_out)


@router.post("/", auth=AUTH, response={201: CaseDetailOut, **ERRORS})
def submit(request: HttpRequest, data: Form[SubmitForm]) -> Any:
    user = actor(request)
    try:
        form_data = json.loads(data.form_data or "{}")
        if not isinstance(form_data, dict):
            raise ValueError
    except ValueError:
        raise ValidationFailed(_("申请表格式不正确。"), fields={"form_data": [_("须为 JSON 对象。")]}) from None
    if data.channel not in ("online", "mobile"):
        raise ValidationFailed(_("网上申请的渠道为 online 或 mobile。"), fields={"channel": [_("未知的申请渠道。")]})
    matter_version = bundle = None
    if data.matter:
        matter = Matter.objects.filter(uuid=data.matter, current_version__isnull=False).select_related("current_version").first()
        if matter is None:
            raise NotFound(_("事项不存在或未发布。"))
        matter_version = matter.current_version
        assert matter_version is not None  # filtered on current_version__isnull=False
        allowed = list(matter_version.materials.all())
    elif data.bundle:
        bundle = Bundle.objects.filter(uuid=data.bundle, is_active=True).first()
        if bundle is None:
            raise NotFound(_("“一件事”不存在。"))
        allowed = svc.merged_requirements(bundle_versions(bundle))
    else:
        raise ValidationFailed(_("请选择一个事项或一件事。"), fields={"matter": [_("必填项。")]})
    enterprise = None
    if data.enterprise:
        from onewindow.accounts.models import Enterprise

        enterprise = Enterprise.objects.filter(uuid=data.enterprise).first()
        if enterprise is None:
            raise NotFound()
    case = svc.case_submit(
        applicant=user,
        matter_version=matter_version,
        bundle=bundle,
        channel=data.channel,
        form_data=form_data,
        materials=_materials_from(request, allowed),
        enterprise=enterprise,
        actor=user,
    )
    return Status(201, _detail(case))


@router.get("/progress", auth=None, response={200: ProgressOut, **ERRORS})
def progress(request: HttpRequest, n: str, c: str) -> Any:
    """Public progress by case number and check code (no login, no personal data); throttled per
    address and per case number (429 `rate_limited`)."""
    case = progress_lookup(number=n, code=c[:16], address=client_ip(request))
    if case is None:
        raise NotFound(_("未找到该办件，请核对办件编号和查询码。"))
    return {
        "number": case.number,
        "title": case.title,
        "status": case.status,
        "status_label": str(case.get_status_display()),
        "committed_due": case.committed_due,
        "committed_due_provisional": workdays.is_provisional(
            case.committed_due
        ),  # national: only the State Council's year is provisional
        "events": _events(case, public=True),
    }


@router.get("/queue", auth=AUTH, response={200: page_of(StepOut), **ERRORS})
def queue(request: HttpRequest, params: Query[PageParams], mine: bool = False) -> Any:
    return paginate(
        selectors.step_queue(actor(request), mine=mine),
        params,
        lambda s: {
            "uuid": s.uuid,
            "stage": s.stage_order,
            "name": f"{s.case.number} {s.name}",
            "department": s.department.name,
            "kind": s.kind,
            "status": s.status,
            "due_on": s.due_on,
            "due_provisional": workdays.is_provisional(s.due_on),  # national: only the State Council's year is provisional
            "fields_to_fix": s.fields_to_fix or [],
        },
    )


@router.get("/{case_uuid}", auth=AUTH, response={200: CaseDetailOut, **ERRORS})
def detail(request: HttpRequest, case_uuid: UUID) -> Any:
    return _detail(selectors.case_for(actor(request), case_uuid))


def _run_here(user: User, case_uuid: UUID) -> Case:
    """The case, for an action of this API: refused (`ManagedElsewhere`) when another app's pages
    run it, e.g. a 低保 application's case (welfare.process)."""
    case = selectors.case_for(user, case_uuid)
    managed.refuse_if_managed(case)
    return case


@router.post("/{case_uuid}/resubmit", auth=AUTH, response={200: CaseDetailOut, **ERRORS})
def resubmit(request: HttpRequest, case_uuid: UUID) -> Any:
    user = actor(request)
    case = _run_here(user, case_uuid)
    allowed = svc.case_requirements(case)
    case = svc.case_resubmit(case=case, actor=user, materials=_materials_from(request, allowed))
    return _detail(case)


# --- staff ------------------------------------------------------------------------------------------


@router.post("/{case_uuid}/accept", auth=AUTH, response={200: CaseDetailOut, **ERRORS})
def accept(request: HttpRequest, case_uuid: UUID) -> Any:
    user = actor(request)
    return _detail(svc.case_accept(case=_run_here(user, case_uuid), actor=user))


@router.post("/{case_uuid}/refuse", auth=AUTH, response={200: CaseDetailOut, **ERRORS})
def refuse(request: HttpRequest, case_uuid: UUID, data: ReasonsIn) -> Any:
    user = actor(request)
    return _detail(svc.case_refuse(case=_run_here(user, case_uuid), actor=user, reasons=data.reasons))


@router.post("/{case_uuid}/supplement", auth=AUTH, response={200: CaseDetailOut, **ERRORS})
def supplement(request: HttpRequest, case_uuid: UUID, data: SupplementIn) -> Any:
    user = actor(request)
    items = [i.dict() for i in data.items]
    return _detail(svc.case_request_supplement(case=_run_here(user, case_uuid), actor=user, items=items))


@router.post("/{case_uuid}/steps/{step_uuid}/claim", auth=AUTH, response={200: CaseDetailOut, **ERRORS})
def claim(request: HttpRequest, case_uuid: UUID, step_uuid: UUID) -> Any:
    user = actor(request)
    case = _run_here(user, case_uuid)
    svc.step_claim(step=_step(case, step_uuid), actor=user)
    return _detail(case)


class AssignIn(Schema):
    assignee: str  # username of an approver of the step's department


@router.post("/{case_uuid}/steps/{step_uuid}/assign", auth=AUTH, response={200: CaseDetailOut, **ERRORS})
def assign(request: HttpRequest, case_uuid: UUID, step_uuid: UUID, data: AssignIn) -> Any:
    user = actor(request)
    case = _run_here(user, case_uuid)
    assignee = User.objects.filter(username=data.assignee).first()
    if assignee is None:
        raise ValidationFailed(_("被指派人不存在。"), fields={"assignee": [_("未知的用户。")]})
    svc.step_assign(step=_step(case, step_uuid), actor=user, assignee=assignee)
    return _detail(case)


@router.post("/{case_uuid}/steps/{step_uuid}/approve", auth=AUTH, response={200: CaseDetailOut, **ERRORS})
def approve(request: HttpRequest, case_uuid: UUID, step_uuid: UUID, data: CommentIn) -> Any:
    user = actor(request)
    case = _run_here(user, case_uuid)
    svc.step_approve(step=_step(case, step_uuid), actor=user, comment=data.comment)
    case.refresh_from_db()
    return _detail(case)


@router.post("/{case_uuid}/steps/{step_uuid}/reject", auth=AUTH, response={200: CaseDetailOut, **ERRORS})
def reject(request: HttpRequest, case_uuid: UUID, step_uuid: UUID, data: ReasonsIn) -> Any:
    user = actor(request)
    case = _run_here(user, case_uuid)
    svc.step_reject(step=_step(case, step_uuid), actor=user, reasons=data.reasons)
    case.refresh_from_db()
    return _detail(case)


@router.post("/{case_uuid}/steps/{step_uuid}/return", auth=AUTH, response={200: CaseDetailOut, **ERRORS})
def return_step(request: HttpRequest, case_uuid: UUID, step_uuid: UUID, data: ReturnIn) -> Any:
    user = actor(request)
    case = _run_here(user, case_uuid)
    svc.step_return(
        step=_step(case, step_uuid),
        actor=user,
        to_step=_step(case, data.to_step),
        fields_to_fix=data.fields_to_fix,
        reason=data.reason,
    )
    case.refresh_from_db()
    return _detail(case)


@router.post("/{case_uuid}/pause", auth=AUTH, response={200: CaseDetailOut, **ERRORS})
def pause(request: HttpRequest, case_uuid: UUID, data: PauseIn) -> Any:
    user = actor(request)
    return _detail(svc.case_pause(case=_run_here(user, case_uuid), actor=user, kind=data.kind, reason=data.reason))


@router.post("/{case_uuid}/resume", auth=AUTH, response={200: CaseDetailOut, **ERRORS})
def resume(request: HttpRequest, case_uuid: UUID) -> Any:
    user = actor(request)
    return _detail(svc.case_resume(case=_run_here(user, case_uuid), actor=user))


@router.post("/{case_uuid}/extend", auth=AUTH, response={200: CaseDetailOut, **ERRORS})
def extend(request: HttpRequest, case_uuid: UUID, data: ExtendIn) -> Any:
    """The lead department asks for an extension; a leader approves it (below), as themselves."""
    user = actor(request)
    case = _run_here(user, case_uuid)
    extensions.extension_request(case=case, actor=user, days=data.days, reason=data.reason)
    case.refresh_from_db()
    return _detail(case)


def _pending_extension(user: User, case_uuid: UUID) -> ExtensionRequest:
    case = _run_here(user, case_uuid)
    pending = case.extension_requests.filter(status=ExtensionRequest.Status.PENDING).first()
    if pending is None:
        raise NotFound(_("没有待批准的延长期限申请。"))
    return pending


@router.post("/{case_uuid}/extend/approve", auth=AUTH, response={200: CaseDetailOut, **ERRORS})
def extend_approve(request: HttpRequest, case_uuid: UUID) -> Any:
    user = actor(request)
    return _detail(extensions.extension_approve(request=_pending_extension(user, case_uuid), actor=user))


@router.post("/{case_uuid}/extend/decline", auth=AUTH, response={200: CaseDetailOut, **ERRORS})
def extend_decline(request: HttpRequest, case_uuid: UUID, data: DeclineIn) -> Any:
    user = actor(request)
    pending = _pending_extension(user, case_uuid)
    extensions.extension_decline(request=pending, actor=user, reason=data.reason)
    return _detail(selectors.case_for(user, case_uuid))


@router.post("/{case_uuid}/decide", auth=AUTH, response={200: CaseDetailOut, **ERRORS})
def decide(request: HttpRequest, case_uuid: UUID, data: DecideIn) -> Any:
    user = actor(request)
    return _detail(svc.case_decide(case=_run_here(user, case_uuid), actor=user, approved=data.approved, reason=data.reason))


@router.post("/{case_uuid}/conclude", auth=AUTH, response={200: CaseDetailOut, **ERRORS})
def conclude(request: HttpRequest, case_uuid: UUID) -> Any:
    user = actor(request)
    return _detail(svc.case_conclude(case=_run_here(user, case_uuid), actor=user))


@router.post("/{case_uuid}/deliver", auth=AUTH, response={200: CaseDetailOut, **ERRORS})
def deliver(request: HttpRequest, case_uuid: UUID, data: DeliverIn) -> Any:
    user = actor(request)
    case = _run_here(user, case_uuid)
    return _detail(svc.case_deliver(case=case, actor=user, method=data.method, tracking_number=data.tracking_number))


@router.post("/{case_uuid}/hand-over", auth=AUTH, response={200: CaseDetailOut, **ERRORS})
def hand_over(request: HttpRequest, case_uuid: UUID) -> Any:
    """The applicant collected the result at the window (待领取 -> 已送达)."""
    user = actor(request)
    return _detail(svc.case_hand_over(case=_run_here(user, case_uuid), actor=user))


# 网上预审 lives in its own module; mounted here so it shares /api/v1/cases/.
from .prereview_api import router as _prereview_router  # noqa: E402

router.add_router("/prereview", _prereview_router)
