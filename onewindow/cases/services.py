"""Every write to a case: submit, intake (accept / refuse / supplement), the approval steps with the
parallel join, pauses and extensions of the clock, decision, conclusion and delivery.

Concurrency: every operation that changes a case's status locks the case row
(`select_for_update`) and changes steps with conditional updates checked by row count, so two
departments approving a joint case at the same moment are serialised on the case row; the second
one sees the first's approval when it counts what is still open, and the case closes exactly once.
"""

from __future__ import annotations

import datetime
import secrets
import uuid as uuid_lib
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import Enterprise, OrgUnit, Role, RoleAssignment, User
from onewindow.catalog import formschema
from onewindow.catalog.models import Bundle, MaterialRequirement, MatterVersion
from onewindow.catalog.prefilled import never_uploaded, provided_online
from onewindow.core import workdays
from onewindow.core.audit import audit
from onewindow.core.errors import NotFound, PermissionDenied, ValidationFailed
from onewindow.core.identity import validate_resident_id
from onewindow.core.notify import notify
from onewindow.core.uploads import collect_stored, content_type_of, private_storage, store_private

from . import routing, selectors, signals
from .errors import NoticeClosed, PreReviewOpen, StepAlreadyHandled, WrongStatus
from .models import (
    Case,
    CaseEvent,
    CaseExtension,
    CaseNumberCounter,
    CasePause,
    CaseStep,
    CaseVisit,
    Channel,
    LimitUnit,
    StepKind,
    SubmittedMaterial,
)

INTAKE_DAYS = 5  # 行政许可法 art. 32
SINGLE_STATUTORY_MAX_EXTENSION = 10  # art. 42: +10 working days with approval
# Channels where the applicant hands in the application in person (a trip, unless an agent came).
IN_PERSON_CHANNELS = (Channel.COUNTER, Channel.APPOINTMENT, Channel.OFF_HOURS)
JOINT_STATUTORY_DAYS = 45  # art. 42: joint handling within 45 working days
JOINT_MAX_EXTENSION = 15
CHECK_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
PREREVIEW_CHANNELS = (Channel.ONLINE, Channel.MOBILE)  # filed without anyone seeing the applicant

# Public labels of timeline events (shown on the progress page without personal data).
EVENT_LABELS = {
    "submitted": _("提交申请"),
    "accepted": _("已受理"),
    "refused": _("不予受理"),
    "supplement_requested": _("一次性告知补正材料"),
    "resubmitted": _("已补正材料"),
    "stage_opened": _("进入审查环节"),
    "step_approved": _("环节审查通过"),
    "step_rejected": _("环节审查不通过"),
    "step_returned": _("退回重新审查"),
    "step_claimed": _("承办人已签收"),
    "paused": _("中止计时"),
    "resumed": _("恢复计时"),
    "extended": _("延长办理期限"),
    "reviewed": _("审查完毕"),
    "decided": _("已作出决定"),
    "concluded": _("已办结"),
    "ready": _("结果待领取"),
    "delivered": _("已送达"),
    "notice_objected": _("公示期间有异议，重新调查"),
    "prereview_passed": _("网上预审通过，等待受理"),
    "prereview_fix_requested": _("网上预审：一次性告知修改"),
    "prereview_not_passed": _("网上预审未通过"),
    "visited": _("到现场办理"),
}


# Events whose note is a code, shown through its choices' label in the reader's language.
CODED_NOTES: dict[str, Any] = {
    "submitted": Channel,
    "paused": CasePause.Kind,
    "decided": Case.Decision,
    "delivered": Case.Delivery,
}


def event_note(kind: str, note: str) -> str:
    choices = CODED_NOTES.get(kind)
    if choices is not None and note in choices.values:
        return str(choices(note).label)
    return note


@dataclass
class MaterialInput:
    """One submitted material: the requirement it answers and either an uploaded file or the
    private storage name of a file already held (e.g. from the applicant's material library; the
    caller has checked it belongs to the applicant)."""

    requirement: MaterialRequirement | None
    file: Any = None
    storage_name: str = ""
    name: str = ""
    paper: bool = False  # the front desk saw the paper original


# --- helpers ----------------------------------------------------------------------------------


def _uuid_or_blank(value: Any) -> str:
    try:
        return str(uuid_lib.UUID(str(value))) if value else ""
    except ValueError:
        return ""


def _clean(value: Any) -> str:
    """Text from a form or the API: stripped, without NUL characters (PostgreSQL refuses them)."""
    return str(value or "").replace("\x00", "").strip()


def _clean_form(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ValidationFailed(_("申请表格式不正确。"), fields={"form_data": [_("须为 JSON 对象。")]})

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return value.replace("\x00", "")
        if isinstance(value, dict):
            return {clean(str(k)): clean(v) for k, v in value.items()}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    return clean(data)  # type: ignore[no-any-return]


def _today() -> datetime.date:
    return timezone.localdate()


def _event(case: Case, kind: str, *, actor: Any = None, department: OrgUnit | None = None, note: str = "") -> None:
    CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        department=department,
        note=note,
    )


def _notify_applicant(case: Case, kind: str) -> None:
    label = EVENT_LABELS.get(kind, kind)
    body = gettext("您的办件 %(number)s（%(title)s）状态更新：%(label)s。查询码 %(code)s。") % {
        "number": case.number,
        "title": case.title,
        "label": label,
        "code": case.check_code,
    }
    applicant = case.applicant
    channel = "sms" if applicant.phone else "site"
    notify(
        channel=channel,
        recipient=applicant.phone or applicant.username,
        user=applicant,
        subject=gettext("办件进度"),
        body=body,
        kind=f"case.{kind}",
    )


def _lock(case: Case) -> Case:
    return Case.objects.select_for_update().select_related("applicant").get(pk=case.pk)


def _require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied()


def _next_number(day: datetime.date) -> str:
    """Per-day counter row incremented under its row lock: no max()+1, no gaps from races."""
    CaseNumberCounter.objects.get_or_create(day=day)
    CaseNumberCounter.objects.filter(day=day).update(last=F("last") + 1)
    last = CaseNumberCounter.objects.filter(day=day).values_list("last", flat=True).get()
    return f"QY{day:%Y%m%d}{last:05d}"


def _check_code() -> str:
    return "".join(secrets.choice(CHECK_ALPHABET) for _ in range(6))


def _versions_of(bundle: Bundle) -> list[MatterVersion]:
    versions = []
    for item in bundle.items.select_related("matter__current_version").order_by("sort_order"):
        if item.matter.current_version is None:
            raise ValidationFailed(_("“一件事”中有事项尚未发布，暂不能申请。"), code="bundle_incomplete")
        versions.append(item.matter.current_version)
    if not versions:
        raise ValidationFailed(_("该“一件事”没有包含事项。"), code="bundle_empty")
    return versions


def case_requirements(case: Case) -> list[MaterialRequirement]:
    """The merged material list: for a bundle, one entry per shared document (shared_key)."""
    if case.matter_version is not None:
        return list(case.matter_version.materials.all())
    return merged_requirements(list(case.bundle_versions.all()))


def merged_form_schema(versions: list[MatterVersion]) -> list[dict[str, Any]]:
    """One application form for a bundle: each field once (by name), the first matter's label."""
    return formschema.merged_schema([v.form_schema or [] for v in versions], fill_default=False)


def case_form_schema(case: Case) -> list[dict[str, Any]]:
    if case.matter_version is not None:
        return list(case.matter_version.form_schema or [])
    return merged_form_schema(list(case.bundle_versions.all()))


def merged_requirements(versions: list[MatterVersion]) -> list[MaterialRequirement]:
    seen: set[str] = set()
    merged: list[MaterialRequirement] = []
    for mv in versions:
        for req in mv.materials.all():
            key = req.shared_key or f"req-{req.pk}"
            if key in seen:
                continue
            seen.add(key)
            merged.append(req)
    return merged


def _intake_unit(*, actor: User, department: OrgUnit, service_area: Any) -> OrgUnit:
    """The clerk's own unit at the counter; otherwise the hall that accepts the matter."""
    clerk_unit = (
        RoleAssignment.objects.filter(user=actor, role__in=selectors.INTAKE_ROLES, org_unit__isnull=False)
        .select_related("org_unit")
        .first()
    )
    if clerk_unit is not None:
        assert clerk_unit.org_unit is not None  # filtered on org_unit__isnull=False
        return clerk_unit.org_unit
    if service_area is not None:
        return service_area.point.org_unit
    return selectors.hall_unit_for(department)


def _validated_form(schema: list[dict[str, Any]], data: dict[str, Any]) -> dict[str, Any]:
    """The form checked against the matter's schema (every error at once, formschema.validate);
    keys the schema does not name are kept as they came (e.g. the demo's markers)."""
    if not schema:
        return data
    names = {f.name for f in formschema.fields_of(schema, fill_default=False)}
    cleaned = formschema.validate(schema, data, fill_default=False)
    return {**{k: v for k, v in data.items() if k not in names}, **cleaned}


def _store_materials(case: Case, materials: list[MaterialInput], allowed: dict[int, MaterialRequirement]) -> None:
    storage = private_storage()
    for m in materials:
        req = m.requirement
        if req is not None and req.pk not in allowed:
            raise ValidationFailed(_("提交的材料不属于该事项：%(name)s") % {"name": req.name}, code="material_not_required")
        name = (_clean(m.name) or (req.name if req else ""))[:200]
        if not name:
            raise ValidationFailed(_("请说明材料名称。"), code="material_unnamed")
        storage_name, size = "", 0
        if m.file is not None:
            storage_name = store_private(m.file, folder=f"cases/{case.uuid}", accepts=req.accepts if req else "pdf,image")
            size = storage.size(storage_name)
        elif m.storage_name:
            if ".." in m.storage_name or not storage.exists(m.storage_name):
                raise ValidationFailed(_("引用的材料文件不存在。"), code="material_missing")
            storage_name, size = m.storage_name, storage.size(m.storage_name)
        elif not m.paper:
            raise ValidationFailed(_("材料“%(name)s”没有文件。") % {"name": name}, code="material_empty")
        SubmittedMaterial.objects.create(
            case=case,
            requirement=req,
            name=name,
            storage_name=storage_name,
            content_type=content_type_of(storage_name) if storage_name else "",
            size=size,
            paper=m.paper,
        )


# --- applicants at the front desk -------------------------------------------------------------


def applicant_find_or_create(*, id_number: str, display_name: str, phone: str = "", actor: User) -> User:
    """The front desk finds a person by ID number, or registers them (no password: they can claim
    the account online later by real-name sign-up)."""
    _require(selectors.has_intake_role(actor))
    number = validate_resident_id(_clean(id_number))
    display_name, phone = _clean(display_name), _clean(phone)
    if len(display_name) > 64 or len(phone) > 20:
        raise ValidationFailed(_("姓名或手机号过长。"), fields={"display_name": [_("过长。")]})
    with transaction.atomic():
        user = User.objects.filter(id_number=number).first()
        if user is not None:
            return user
        if not display_name.strip():
            raise ValidationFailed(_("新申请人请填写姓名。"), fields={"display_name": [_("必填项。")]})
        user = User(
            username=f"p{uuid_lib.uuid4().hex[:12]}",
            display_name=display_name,
            id_number=number,
            id_type=User.IdType.RESIDENT,
            phone=phone,
        )
        user.set_unusable_password()
        user.save()
        RoleAssignment.objects.create(user=user, role=Role.CITIZEN)
        audit(actor=actor, action="applicant.create_at_counter", target=user)
        return user


# --- submission and intake --------------------------------------------------------------------


def case_submit(
    *,
    applicant: User,
    matter_version: MatterVersion | None = None,
    bundle: Bundle | None = None,
    channel: str,
    form_data: dict[str, Any],
    materials: list[MaterialInput],
    agent: User | None = None,
    enterprise: Enterprise | None = None,
    actor: User,
    received_at: datetime.datetime | None = None,
    ticket_uuid: uuid_lib.UUID | None = None,
) -> Case:
    """File an application from any channel. The intake clock (5 working days) starts from the
    working day after it is received (a weekend or holiday counts as the next working day)."""
    if (matter_version is None) == (bundle is None):
        raise ValidationFailed(_("请选择一个事项或一件事。"), code="matter_or_bundle")
    if channel not in Channel.values:
        raise ValidationFailed(_("未知的申请渠道。"), fields={"channel": [_("未知的申请渠道。")]})
    # Who may file: the applicant, the agent on their behalf, or front-desk staff.
    if actor.pk != applicant.pk:
        if agent is not None and actor.pk == agent.pk:
            _require(actor.has_role(Role.AGENT))
        else:
            _require(selectors.has_intake_role(actor))
    if channel == Channel.AGENT and agent is None:
        raise ValidationFailed(_("代办申请须注明代办员。"), code="agent_required")
    if enterprise is not None and not enterprise.handlers.filter(user=applicant).exists():
        raise PermissionDenied(_("申请人不是该企业的法定代表人或经办人。"))

    if matter_version is not None:
        if matter_version.status != MatterVersion.Status.PUBLISHED:
            raise ValidationFailed(_("该事项版本未发布，不能申请。"), code="matter_not_published")
        versions = [matter_version]
        matter = matter_version.matter
        title = matter_version.name
        department = matter.department
        service_area = matter.service_area
        statutory = matter_version.statutory_days
        committed = matter_version.committed_days
        schema = matter_version.form_schema
    else:
        assert bundle is not None
        if not bundle.is_active:
            raise ValidationFailed(_("该“一件事”已停用。"), code="bundle_inactive")
        versions = _versions_of(bundle)
        title = bundle.name
        # The lead department (牵头部门) decides and concludes; by default the first matter's.
        department = bundle.lead_department or versions[0].matter.department
        service_area = bundle.service_area or versions[0].matter.service_area
        statutory = JOINT_STATUTORY_DAYS
        committed = min(JOINT_STATUTORY_DAYS, max(v.committed_days for v in versions))
        schema = merged_form_schema(versions)
    # 帮你办: an agent applies only for matters the catalog marks agent-eligible (the mandate itself
    # is checked by the assistance app before it calls this).
    if channel == Channel.AGENT and not all(v.agent_eligible for v in versions):
        raise ValidationFailed(_("该事项不可代办，须由本人申请。"), code="not_agent_eligible")
    form_data = _validated_form(schema, _clean_form(form_data or {}))
    # 网上预审 (cases.prereview): an online application of a matter that asks for it waits for
    # the department's check before the front desk may accept it.
    prereview = Case.PreReview.PENDING if channel in PREREVIEW_CHANNELS and any(v.online_prereview for v in versions) else ""
    allowed = {r.pk: r for r in (merged_requirements(versions) if bundle else list(matter_version.materials.all()))}  # type: ignore[union-attr]

    received_at = received_at or timezone.now()
    received_day = timezone.localdate(received_at)
    # Day 1 of the intake period is the first working day after the day of receipt, whether that
    # day was a working day or not (民法典 art. 201 with 行政许可法 art. 82): `add_workdays` is that rule.
    start = received_day
    counter = routing.counter_unit(actor)
    route = routing.route_submission(
        applicant=applicant,
        # The lead department's matter first: routing takes the deciding unit from it.
        matters=sorted((v.matter for v in versions), key=lambda m: m.department_id != department.pk),
        intake_unit=counter or _intake_unit(actor=actor, department=department, service_area=service_area),
        at_counter=counter is not None,
        agent=agent,
        on=received_day,
        is_bundle=bundle is not None,
    )
    with collect_stored(), transaction.atomic():
        case = Case.objects.create(
            number=_next_number(received_day),
            check_code=_check_code(),
            channel=channel,
            applicant=applicant,
            agent=agent,
            enterprise=enterprise,
            matter_version=matter_version,
            bundle=bundle,
            is_joint=bundle is not None,
            title=title,
            department=route.department,
            intake_unit=route.intake_unit,
            ticket_uuid=ticket_uuid,
            form_data=form_data or {},
            prereview=prereview,
            received_at=received_at,
            received_on=start,
            intake_due=workdays.add_workdays(start, INTAKE_DAYS),
            committed_days=committed,
            statutory_days=statutory,
        )
        if bundle is not None:
            case.bundle_versions.set(versions)
        if route.delegations:
            case.delegations.set(route.delegations)
        _store_materials(case, materials, allowed)
        if channel in IN_PERSON_CHANNELS and actor.pk not in (applicant.pk, getattr(agent, "pk", None)):
            _record_visit(case, CaseVisit.Kind.SUBMIT, day=received_day, ticket_uuid=ticket_uuid)
        _event(case, "submitted", actor=actor, note=channel)
        audit(actor=actor, action="case.submit", target=case, data={"number": case.number, "channel": channel})
        _notify_applicant(case, "submitted")
    return case


def missing_requirements(case: Case) -> list[MaterialRequirement]:
    """Required materials with no acceptable submission (a file or a paper original)."""
    have = set(
        case.materials.exclude(status__in=[SubmittedMaterial.Status.FAULTY, SubmittedMaterial.Status.REPLACED])
        .exclude(requirement__isnull=True)
        .values_list("requirement_id", flat=True)
    )
    keys_have = set(MaterialRequirement.objects.filter(pk__in=have).exclude(shared_key="").values_list("shared_key", flat=True))
    out = []
    for req in case_requirements(case):
        if req.need != MaterialRequirement.Need.REQUIRED:
            continue
        if req.pk in have or (req.shared_key and req.shared_key in keys_have):
            continue
        if provided_online(req, form_data=case.form_data, applicant=case.applicant, enterprise=case.enterprise):
            continue  # the form or the platform already holds it: never asked for as an upload
        out.append(req)
    return out


def uploadable_requirements(case: Case) -> list[MaterialRequirement]:
    """The lines a supplement notice may ask to upload again (not those the form stands for)."""
    return [r for r in case_requirements(case) if not never_uploaded(r)]


def case_accept(*, case: Case, actor: User) -> Case:
    """受理: the decision clock starts; the route is copied into steps and its first stage opens."""
    _require(selectors.can_intake(actor, case))
    with transaction.atomic():
        case = _lock(case)
        if case.status != Case.Status.SUBMITTED:
            raise WrongStatus(case.get_status_display())
        _require_prereview_done(case)
        missing = missing_requirements(case)
        if missing:
            raise ValidationFailed(
                _("必需材料不齐全，不能受理：%(names)s。请出具补正材料通知书。") % {"names": "、".join(r.name for r in missing)},
                code="materials_incomplete",
            )
        now = timezone.now()
        case.accepted_at = now
        case.status = Case.Status.IN_REVIEW
        case.route = _route_for(case)
        _recompute_dues(case)
        case.save()
        case.materials.filter(status=SubmittedMaterial.Status.SUBMITTED).update(status=SubmittedMaterial.Status.ACCEPTED)
        _materialize_steps(case)
        _event(case, "accepted", actor=actor)
        _advance(case, actor=actor)
        audit(actor=actor, action="case.accept", target=case, data={"committed_due": str(case.committed_due)})
        _notify_applicant(case, "accepted")
    return case


def case_refuse(*, case: Case, actor: User, reasons: str) -> Case:
    """不予受理, with the written reasons the refusal notice prints."""
    reasons = _clean(reasons)
    _require(selectors.can_intake(actor, case))
    if not (reasons or "").strip():
        raise ValidationFailed(_("不予受理必须写明理由。"), fields={"reasons": [_("必填项。")]})
    with transaction.atomic():
        case = _lock(case)
        if case.status != Case.Status.SUBMITTED:
            raise WrongStatus(case.get_status_display())
        case.status = Case.Status.REFUSED
        case.refusal_reasons = reasons.strip()
        case.concluded_at = timezone.now()
        case.save()
        _event(case, "refused", actor=actor, note=case.refusal_reasons)
        audit(actor=actor, action="case.refuse", target=case, data={"reasons": case.refusal_reasons})
        _notify_applicant(case, "refused")
    return case


def _require_prereview_done(case: Case) -> None:
    if case.prereview in (Case.PreReview.PENDING, Case.PreReview.FIX_REQUESTED):
        raise PreReviewOpen()
    if case.prereview == Case.PreReview.NOT_PASSED:
        raise ValidationFailed(_("网上预审未通过，不能受理；请依预审意见出具不予受理通知书。"), code="prereview_not_passed")


def supplement_items_clean(case: Case, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The notice's items, checked: a material line the online form stands for is never asked for
    as an upload (ask for its form fields instead); a field item names a field of the form."""
    fields = {f.name: f for f in formschema.fields_of(case_form_schema(case), fill_default=False)}
    requirements = {r.pk: r for r in case_requirements(case)}
    clean: list[dict[str, Any]] = []
    for item in items or []:
        field_name = _clean(item.get("field", ""))
        if field_name:
            if field_name not in fields:
                raise ValidationFailed(_("申请表没有这一项：%(f)s") % {"f": field_name[:60]}, code="unknown_field")
            clean.append(
                {"name": fields[field_name].label_zh, "reason": _clean(item.get("reason", ""))[:500], "field": field_name}
            )
            continue
        name = _clean(item.get("name", ""))[:200]
        if not name:
            continue
        req_pk = item.get("requirement") or None
        req = requirements.get(req_pk) if isinstance(req_pk, int) else None
        if req is not None and never_uploaded(req):
            raise ValidationFailed(
                _("“%(name)s”由网上填写的申请表生成，不能要求重复上传；请改为要求修改申请表中的相应内容。") % {"name": req.name},
                code="requirement_filled_online",
            )
        clean.append(
            {
                "name": name,
                "reason": _clean(item.get("reason", ""))[:500],
                "requirement": req_pk,
                "material": _uuid_or_blank(item.get("material")),
            }
        )
    if not clean:
        raise ValidationFailed(_("补正通知须列明需补正的全部材料。"), fields={"items": [_("必填项。")]})
    return clean


def issue_supplement_notice(*, case: Case, actor: User, items: list[dict[str, Any]]) -> Case:
    """Write the one notice (called inside the caller's transaction, case row locked, permission
    checked): mark faulty materials, pause the intake clock, status 待补正."""
    if case.status != Case.Status.SUBMITTED:
        raise WrongStatus(case.get_status_display())
    if case.pauses.filter(kind=CasePause.Kind.SUPPLEMENT).exists():
        raise ValidationFailed(_("补正材料应一次性告知，本申请已出具过补正通知，不能再次要求补正。"), code="supplement_once")
    if _today() > case.intake_due:
        # 行政许可法 art. 32: what is not asked for within 5 working days of receipt can no longer be
        # asked for; the application counts as accepted from the day the materials were received.
        raise ValidationFailed(
            _(
                "收到申请材料已超过 5 个工作日（受理期限 %(due)s），依《行政许可法》第三十二条，逾期不告知补正的，"
                "自收到申请材料之日起即为受理，不能再出具补正通知。请受理本申请。"
            )
            % {"due": case.intake_due.isoformat()},
            code="supplement_too_late",
        )
    for item in items:
        if item.get("material"):
            case.materials.filter(uuid=item["material"]).update(status=SubmittedMaterial.Status.FAULTY, note=item["reason"][:200])
    CasePause.objects.create(case=case, kind=CasePause.Kind.SUPPLEMENT, started_on=_today(), items=items)
    case.status = Case.Status.SUPPLEMENT
    case.save(update_fields=["status", "updated_at"])
    return case


def case_request_supplement(*, case: Case, actor: User, items: list[dict[str, Any]]) -> Case:
    """一次性告知: ONE notice listing every missing or faulty material (and form field). The intake
    clock pauses until the applicant resubmits. A second notice for the same application is
    refused by law; while the department's 网上预审 is open, the notice is theirs to give."""
    _require(selectors.can_intake(actor, case))
    clean = supplement_items_clean(case, items)
    with transaction.atomic():
        case = _lock(case)
        if case.prereview in (Case.PreReview.PENDING, Case.PreReview.FIX_REQUESTED):
            raise PreReviewOpen()
        issue_supplement_notice(case=case, actor=actor, items=clean)
        _event(case, "supplement_requested", actor=actor, note="；".join(i["name"] for i in clean))
        audit(actor=actor, action="case.request_supplement", target=case, data={"items": clean})
        _notify_applicant(case, "supplement_requested")
    return case


def case_resubmit(*, case: Case, actor: User, materials: list[MaterialInput], form_data: dict[str, Any] | None = None) -> Case:
    """The applicant answers the supplement notice; the intake clock resumes where it stopped."""
    _require(selectors.is_party(actor, case) or selectors.can_intake(actor, case))
    form_data = _clean_form(form_data or {})
    if not materials and not form_data:
        raise ValidationFailed(_("请上传需补正的材料。"), fields={"materials": [_("必填项。")]})
    versions: list[MatterVersion] = [case.matter_version] if case.matter_version is not None else list(case.bundle_versions.all())
    allowed = (
        {r.pk: r for r in merged_requirements(versions)} if case.bundle_id else {r.pk: r for r in versions[0].materials.all()}
    )
    with collect_stored(), transaction.atomic():
        case = _lock(case)
        if case.status != Case.Status.SUPPLEMENT:
            raise WrongStatus(case.get_status_display())
        replaced = [m.requirement.pk for m in materials if m.requirement is not None]
        case.materials.filter(requirement_id__in=replaced).update(status=SubmittedMaterial.Status.REPLACED)
        case.materials.filter(status=SubmittedMaterial.Status.FAULTY).update(status=SubmittedMaterial.Status.REPLACED)
        _store_materials(case, materials, allowed)
        pause = case.pauses.get(ended_on__isnull=True)
        if form_data:
            case.form_data = _corrected_form(case, pause, form_data)
        if case.prereview == Case.PreReview.FIX_REQUESTED:
            case.prereview = Case.PreReview.PENDING  # back to the department that asked
        pause.ended_on = max(_today(), pause.started_on)
        pause.save(update_fields=["ended_on", "updated_at"])
        intake_paused = 0
        for p in case.pauses.filter(kind=CasePause.Kind.SUPPLEMENT, ended_on__isnull=False):
            assert p.ended_on is not None  # filtered on ended_on__isnull=False
            intake_paused += workdays.workdays_between(p.started_on, p.ended_on)
        case.intake_due = workdays.add_workdays(case.received_on, INTAKE_DAYS + intake_paused)
        case.status = Case.Status.SUBMITTED
        case.save()
        if selectors.can_intake(actor, case) and not selectors.is_party(actor, case):
            _record_visit(case, CaseVisit.Kind.SUPPLEMENT, day=_today())  # brought to the window
        _event(case, "resubmitted", actor=actor)
        audit(actor=actor, action="case.resubmit", target=case)
        _notify_applicant(case, "resubmitted")
    return case


def _corrected_form(case: Case, pause: CasePause, form_data: dict[str, Any]) -> dict[str, Any]:
    """The form with the applicant's corrections: only the fields the notice names may change
    (what was checked stays as checked), and the whole form must still be valid."""
    listed = {i["field"] for i in pause.items or [] if i.get("field")}
    extra = sorted(set(form_data) - listed)
    if extra:
        raise ValidationFailed(
            _("只能修改补正通知中列出的申请表内容。"),
            code="field_not_in_notice",
            fields={k: [_("补正通知没有要求修改这一项。")] for k in extra[:20]},
        )
    return _validated_form(case_form_schema(case), {**case.form_data, **form_data})


# --- routing ----------------------------------------------------------------------------------


def _route_for(case: Case) -> Any:
    if case.matter_version is not None:
        return selectors.published_route(matter=case.matter_version.matter)
    return selectors.published_route(bundle=case.bundle)


def _materialize_steps(case: Case) -> None:
    """Copy the route (or a default one: each department once, all in parallel) into the case."""
    rows: list[CaseStep] = []
    units = routing.step_units(case)
    if case.route is not None:
        for stage in case.route.stages.prefetch_related("steps").order_by("order"):
            for step in stage.steps.all():
                rows.append(
                    CaseStep(
                        case=case,
                        route_step=step,
                        stage_order=stage.order,
                        stage_name=stage.name,
                        department_id=units.for_department(step.department_id),
                        name=step.name,
                        kind=step.kind,
                        limit_days=step.limit_days,
                        limit_unit=step.limit_unit,
                    )
                )
    else:
        versions: list[MatterVersion] = (
            [case.matter_version] if case.matter_version is not None else list(case.bundle_versions.select_related("matter"))
        )
        for mv in versions:
            rows.append(
                CaseStep(
                    case=case,
                    stage_order=1,
                    stage_name=gettext("审查"),
                    department_id=units.for_matter(mv.matter),
                    name=gettext("%(name)s 审查") % {"name": mv.name},
                    limit_days=max(1, min(mv.committed_days, case.committed_days) or 1),
                )
            )
    if not rows:
        raise ValidationFailed(_("该事项的审批流程没有环节，请管理员先配置流程。"), code="route_empty")
    CaseStep.objects.bulk_create(rows)


def step_due(*, limit_days: int, unit: str, opened: datetime.date, counts_from: datetime.date | None = None) -> datetime.date:
    """The last day of a step opened on `opened`. The day it opens is not counted (day 1 is the
    next one). `counts_from`: the last day of the public notice before it, when a notice ended the
    previous stage — the next stage counts from the notice's last day, not from the day the sweep
    noticed the end, so a notice never costs an extra working day."""
    if unit == LimitUnit.CALENDAR:
        return (counts_from or opened) + datetime.timedelta(days=limit_days)
    start = counts_from if counts_from is not None else opened
    return workdays.add_workdays(start, limit_days)


def _open_step(step: CaseStep, today: datetime.date, *, counts_from: datetime.date | None = None) -> None:
    step.status = CaseStep.Status.OPEN
    step.opened_on = today
    step.due_on = step_due(limit_days=step.limit_days, unit=step.limit_unit, opened=today, counts_from=counts_from)
    step.save(update_fields=["status", "opened_on", "due_on", "fields_to_fix", "rounds", "updated_at"])


def _advance(case: Case, *, actor: Any, counts_from: datetime.date | None = None) -> None:
    """Called with the case row locked. If nothing of the current stage is open, open the next
    stage; if there is none, the review is complete (exactly once). `counts_from`: see step_due."""
    if case.steps.filter(stage_order=case.current_stage, status=CaseStep.Status.OPEN).exists():
        return
    nxt = (
        case.steps.filter(status=CaseStep.Status.WAITING, stage_order__gt=case.current_stage)
        .order_by("stage_order")
        .values_list("stage_order", flat=True)
        .first()
    )
    if nxt is None:
        case.status = Case.Status.REVIEWED
        case.save(update_fields=["status", "updated_at"])
        _event(case, "reviewed", actor=actor)
        _notify_applicant(case, "reviewed")
        return
    today = _today()
    opened = list(case.steps.filter(stage_order=nxt, status=CaseStep.Status.WAITING))
    for step in opened:
        _open_step(step, today, counts_from=counts_from)
    case.current_stage = nxt
    case.save(update_fields=["current_stage", "updated_at"])
    _event(case, "stage_opened", actor=actor, note=opened[0].stage_name if opened else "")


def _step_for_update(step: CaseStep, actor: User) -> tuple[Case, CaseStep]:
    _require(selectors.can_act_on_step(actor, step))
    case = _lock(step.case)
    step = CaseStep.objects.get(pk=step.pk)
    if case.status != Case.Status.IN_REVIEW:
        raise WrongStatus(case.get_status_display())
    if step.status != CaseStep.Status.OPEN:
        raise StepAlreadyHandled()
    return case, step


def _close_step(step: CaseStep, *, status: str, actor: Any, comment: str) -> None:
    # Conditional update: only an open step can be closed, whatever another request did.
    n = CaseStep.objects.filter(pk=step.pk, status=CaseStep.Status.OPEN).update(
        status=status,
        acted_by=actor if getattr(actor, "is_authenticated", False) else None,
        acted_at=timezone.now(),
        comment=comment,
    )
    if n != 1:
        raise StepAlreadyHandled()


def step_claim(*, step: CaseStep, actor: User) -> CaseStep:
    _require(selectors.can_act_on_step(actor, step))
    with transaction.atomic():
        n = CaseStep.objects.filter(pk=step.pk, status=CaseStep.Status.OPEN, claimed_by__isnull=True).update(claimed_by=actor)
        if n != 1:
            raise StepAlreadyHandled()
        step.refresh_from_db()
        _event(step.case, "step_claimed", actor=actor, department=step.department)
        audit(actor=actor, action="case.step_claim", target=step)
    return step


def step_assign(*, step: CaseStep, actor: User, assignee: User) -> CaseStep:
    _require(selectors.can_act_on_step(actor, step))
    if not selectors.can_act_on_step(assignee, step):
        raise ValidationFailed(_("被指派人不是该部门的审批人员。"), code="assignee_not_in_department")
    with transaction.atomic():
        n = CaseStep.objects.filter(pk=step.pk, status=CaseStep.Status.OPEN).update(claimed_by=assignee)
        if n != 1:
            raise StepAlreadyHandled()
        step.refresh_from_db()
        audit(actor=actor, action="case.step_assign", target=step, data={"assignee": assignee.username})
    return step


def step_approve(*, step: CaseStep, actor: User, comment: str = "") -> CaseStep:
    comment = _clean(comment)
    with transaction.atomic():
        case, step = _step_for_update(step, actor)
        if step.kind == StepKind.PUBLIC_NOTICE and step.due_on and _today() <= step.due_on:
            raise ValidationFailed(
                _("公示期至 %(date)s 届满，期满前不能结束公示。") % {"date": step.due_on}, code="notice_running"
            )
        _close_step(step, status=CaseStep.Status.APPROVED, actor=actor, comment=comment)
        _event(case, "step_approved", actor=actor, department=step.department, note=step.name)
        audit(actor=actor, action="case.step_approve", target=step, data={"case": case.number})
        if step.kind == StepKind.PUBLIC_NOTICE:
            signals.public_notice_ended.send(sender=CaseStep, step=step, case=case)
        # A notice ended by hand after it expired: the next stage still counts from its last day.
        _advance(case, actor=actor, counts_from=step.due_on if step.kind == StepKind.PUBLIC_NOTICE else None)
    step.refresh_from_db()
    return step


def step_reject(*, step: CaseStep, actor: User, reasons: str) -> CaseStep:
    """A department finds the application does not qualify: the review ends; the decision must be
    a refusal with these reasons."""
    reasons = _clean(reasons)
    if not (reasons or "").strip():
        raise ValidationFailed(_("审查不通过必须写明理由。"), fields={"reasons": [_("必填项。")]})
    with transaction.atomic():
        case, step = _step_for_update(step, actor)
        _close_step(step, status=CaseStep.Status.REJECTED, actor=actor, comment=reasons.strip())
        case.steps.filter(status__in=[CaseStep.Status.OPEN, CaseStep.Status.WAITING]).update(status=CaseStep.Status.CANCELLED)
        case.status = Case.Status.REVIEWED
        case.save(update_fields=["status", "updated_at"])
        _event(case, "step_rejected", actor=actor, department=step.department, note=reasons.strip())
        audit(actor=actor, action="case.step_reject", target=step, data={"case": case.number, "reasons": reasons})
        _notify_applicant(case, "reviewed")
    step.refresh_from_db()
    return step


def step_return(*, step: CaseStep, actor: User, to_step: CaseStep, fields_to_fix: list[str], reason: str = "") -> CaseStep:
    """Send the case back to an earlier step with the fields to fix; every later stage runs again."""
    fields = [_clean(f)[:100] for f in fields_to_fix or [] if _clean(f)]
    reason = _clean(reason)
    if not fields:
        raise ValidationFailed(_("退回须列明需修改的内容。"), fields={"fields_to_fix": [_("必填项。")]})
    with transaction.atomic():
        case, step = _step_for_update(step, actor)
        target = CaseStep.objects.filter(pk=to_step.pk, case=case).first()
        if target is None or target.stage_order >= step.stage_order:
            raise ValidationFailed(_("只能退回到之前的环节。"), code="return_not_earlier")
        _close_step(step, status=CaseStep.Status.RETURNED, actor=actor, comment=reason)
        later = case.steps.filter(stage_order__gt=target.stage_order).exclude(status=CaseStep.Status.CANCELLED)
        later.update(status=CaseStep.Status.WAITING, opened_on=None, due_on=None, claimed_by=None, rounds=F("rounds") + 1)
        target.fields_to_fix = fields
        target.rounds += 1
        target.claimed_by = None
        target.save(update_fields=["claimed_by"])
        _open_step(target, _today())
        case.current_stage = target.stage_order
        case.save(update_fields=["current_stage", "updated_at"])
        _event(
            case,
            "step_returned",
            actor=actor,
            department=step.department,
            note=gettext("退回至“%(step)s”：%(fields)s") % {"step": target.name, "fields": "、".join(fields)},
        )
        audit(actor=actor, action="case.step_return", target=step, data={"to": str(target.uuid), "fields": fields})
    step.refresh_from_db()
    return step


def public_notice_close_due(*, today: datetime.date | None = None) -> int:
    """Ends public-notice steps whose period is over (no objection recorded): the sweep's job."""
    today = today or _today()
    done = 0
    for step in CaseStep.objects.filter(status=CaseStep.Status.OPEN, kind=StepKind.PUBLIC_NOTICE, due_on__lt=today):
        with transaction.atomic():
            case = _lock(step.case)
            if case.status != Case.Status.IN_REVIEW:
                continue
            if not CaseStep.objects.filter(pk=step.pk, status=CaseStep.Status.OPEN).update(
                status=CaseStep.Status.APPROVED, acted_at=timezone.now(), comment=gettext("公示期满无异议")
            ):
                continue
            _event(case, "step_approved", department=step.department, note=step.name)
            audit(actor=None, action="case.public_notice_end", target=step)
            signals.public_notice_ended.send(sender=CaseStep, step=step, case=case)
            # The sweep runs the day after the notice's last day (or later, after a holiday);
            # the next stage counts from that last day, so the notice costs no extra working day.
            _advance(case, actor=None, counts_from=step.due_on)
            done += 1
    return done


def public_notice_object(*, step: CaseStep, reason: str, actor: Any = None, today: datetime.date | None = None) -> Case:
    """An objection while a public notice (公示) runs: the notice ends at once and the case goes
    back to its first stage (the check), which runs again with every later stage — the notice too,
    in full. Anyone may object (the caller decides who records it); called inside the caller's
    transaction, which records the objection itself.

    Exactly one outcome against the sweep closing the notice: both lock the case row and change
    the step with a conditional update; an objection after the notice's last day, or after an
    earlier objection ended it, is `NoticeClosed`."""
    today = today or _today()
    with transaction.atomic():
        case = _lock(step.case)
        step = CaseStep.objects.get(pk=step.pk)
        if step.kind != StepKind.PUBLIC_NOTICE:
            raise ValidationFailed(_("该环节不是公示环节。"), code="not_a_notice")
        if case.status != Case.Status.IN_REVIEW or step.status != CaseStep.Status.OPEN:
            raise NoticeClosed()
        if step.due_on is not None and today > step.due_on:
            raise NoticeClosed()
        if not CaseStep.objects.filter(pk=step.pk, status=CaseStep.Status.OPEN).update(
            status=CaseStep.Status.RETURNED, acted_at=timezone.now(), comment=_clean(reason)[:2000]
        ):
            raise NoticeClosed()
        first = (
            case.steps.exclude(status=CaseStep.Status.CANCELLED).order_by("stage_order").values_list("stage_order", flat=True)[0]
        )
        case.steps.filter(stage_order__gte=first).exclude(status=CaseStep.Status.CANCELLED).update(
            status=CaseStep.Status.WAITING, opened_on=None, due_on=None, claimed_by=None, rounds=F("rounds") + 1
        )
        for target in case.steps.filter(stage_order=first):
            _open_step(target, today)
        case.current_stage = first
        case.save(update_fields=["current_stage", "updated_at"])
        _event(case, "notice_objected", actor=actor, department=step.department, note=step.name)
        audit(actor=actor, action="case.public_notice_objection", target=step, data={"case": case.number})
        _notify_applicant(case, "notice_objected")
    return case


# --- the clock --------------------------------------------------------------------------------


def _recompute_dues(case: Case) -> None:
    if case.accepted_at is None:
        return
    base = timezone.localdate(case.accepted_at)
    extra = case.extension_days + case.paused_days
    case.committed_due = workdays.add_workdays(base, case.committed_days + extra)
    case.statutory_due = workdays.add_workdays(base, case.statutory_days + extra)


def case_pause(*, case: Case, actor: User, kind: str, reason: str) -> Case:
    """Hearings, expert review, inspections (and supplements during review) stop the clock."""
    reason = _clean(reason)
    _require(selectors.can_act_on_clock(actor, case))
    if kind not in CasePause.Kind.values:
        raise ValidationFailed(_("未知的中止类型。"), fields={"kind": [_("未知的中止类型。")]})
    if not (reason or "").strip():
        raise ValidationFailed(_("中止计时须写明原因。"), fields={"reason": [_("必填项。")]})
    with transaction.atomic():
        case = _lock(case)
        if case.status != Case.Status.IN_REVIEW:
            raise WrongStatus(case.get_status_display())
        CasePause.objects.create(case=case, kind=kind, reason=reason.strip(), started_on=_today())
        case.status_before_pause = case.status
        case.status = Case.Status.PAUSED
        case.save(update_fields=["status", "status_before_pause", "updated_at"])
        _event(case, "paused", actor=actor, note=kind)
        audit(actor=actor, action="case.pause", target=case, data={"kind": kind, "reason": reason})
        _notify_applicant(case, "paused")
    return case


def case_resume(*, case: Case, actor: User) -> Case:
    _require(selectors.can_act_on_clock(actor, case))
    with transaction.atomic():
        case = _lock(case)
        if case.status != Case.Status.PAUSED:
            raise WrongStatus(case.get_status_display())
        pause = case.pauses.get(ended_on__isnull=True)
        pause.ended_on = max(_today(), pause.started_on)
        pause.save(update_fields=["ended_on", "updated_at"])
        days = workdays.workdays_between(pause.started_on, pause.ended_on)
        case.paused_days += days
        case.status = case.status_before_pause or Case.Status.IN_REVIEW
        case.status_before_pause = ""
        _recompute_dues(case)
        case.save()
        # Open steps get the same days back.
        for step in case.steps.filter(status=CaseStep.Status.OPEN, due_on__isnull=False):
            assert step.due_on is not None  # filtered on due_on__isnull=False
            step.due_on = workdays.add_workdays(step.due_on, days)
            step.save(update_fields=["due_on", "updated_at"])
        _event(case, "resumed", actor=actor)
        audit(actor=actor, action="case.resume", target=case, data={"paused_days": days})
        _notify_applicant(case, "resumed")
    return case


def extension_record(*, case: Case, actor: User, days: int, reason: str, approver: User) -> Case:
    """Write an extension whose limits and approver the caller has checked (cases.extensions, where
    a leader approves a request; the 低保 process, where the township leader records it himself)."""
    reason = _clean(reason)
    if not reason:
        raise ValidationFailed(_("延长期限须写明理由。"), fields={"reason": [_("必填项。")]})
    with transaction.atomic():
        case = _lock(case)
        if case.status not in (Case.Status.IN_REVIEW, Case.Status.PAUSED):
            raise WrongStatus(case.get_status_display())
        if case.extensions.exists():
            raise ValidationFailed(_("办理期限只能延长一次。"), code="extension_once")
        CaseExtension.objects.create(case=case, days=days, reason=reason, approver=approver)
        case.extension_days = days
        _recompute_dues(case)
        case.save()
        _event(case, "extended", actor=actor, note=gettext("延长 %(days)s 个工作日") % {"days": days})
        audit(actor=actor, action="case.extend", target=case, data={"days": days, "approver": approver.username})
        _notify_applicant(case, "extended")
    return case


# --- decision, conclusion, delivery -----------------------------------------------------------


def case_decide(*, case: Case, actor: User, approved: bool, reason: str = "") -> Case:
    reason = _clean(reason)
    _require(selectors.can_decide(actor, case))
    with transaction.atomic():
        case = _lock(case)
        if case.status != Case.Status.REVIEWED:
            raise WrongStatus(case.get_status_display())
        rejected = case.steps.filter(status=CaseStep.Status.REJECTED).exists()
        if approved and rejected:
            raise ValidationFailed(_("有部门审查不通过，不能作出准予许可的决定。"), code="rejected_step")
        if not approved and not (reason or "").strip():
            raise ValidationFailed(_("不予许可须写明理由。"), fields={"reason": [_("必填项。")]})
        case.decision = Case.Decision.APPROVED if approved else Case.Decision.DENIED
        case.decision_reason = (reason or "").strip()
        case.decided_at = timezone.now()
        case.status = Case.Status.DECIDED
        case.save()
        _event(case, "decided", actor=actor, note=case.decision)
        audit(actor=actor, action="case.decide", target=case, data={"decision": case.decision})
        _notify_applicant(case, "decided")
    return case


def case_conclude(*, case: Case, actor: User) -> Case:
    """办结: once, after the decision."""
    _require(selectors.can_decide(actor, case) or selectors.can_intake(actor, case))
    with transaction.atomic():
        case = _lock(case)
        if case.status != Case.Status.DECIDED:
            raise WrongStatus(case.get_status_display())
        case.status = Case.Status.CONCLUDED
        case.concluded_at = timezone.now()
        case.save(update_fields=["status", "concluded_at", "updated_at"])
        case.warnings.filter(resolved_at__isnull=True).update(resolved_at=case.concluded_at)
        _event(case, "concluded", actor=actor)
        audit(actor=actor, action="case.conclude", target=case)
        _notify_applicant(case, "concluded")
    return case


def case_deliver(*, case: Case, actor: User, method: str, tracking_number: str = "") -> Case:
    """送达. By post or as an electronic licence the result reaches the applicant now (已送达); for
    collection at the window it waits there for them (待领取) until `case_hand_over`."""
    tracking_number = _clean(tracking_number)[:40]
    # An agent case's result is handed over at the agent point of the applicant's village, by one
    # of its agents (assistance app: the resident signs for it there).
    by_agent = (
        method == Case.Delivery.AGENT_POINT
        and case.channel == Channel.AGENT
        and case.applicant.home_unit is not None
        and actor.has_role(Role.AGENT, case.applicant.home_unit)
    )
    if method == Case.Delivery.AGENT_POINT:
        _require(by_agent)  # staff hand results over at their own window; the point's signed hand-over is the agent's
    _require(by_agent or selectors.can_decide(actor, case) or selectors.can_intake(actor, case))
    if method not in Case.Delivery.values:
        raise ValidationFailed(_("未知的送达方式。"), fields={"method": [_("未知的送达方式。")]})
    if method == Case.Delivery.POST and not (tracking_number or "").strip():
        raise ValidationFailed(_("邮寄送达须填写邮件单号。"), fields={"tracking_number": [_("必填项。")]})
    with transaction.atomic():
        case = _lock(case)
        if case.status != Case.Status.CONCLUDED:
            raise WrongStatus(case.get_status_display())
        case.delivery_method = method
        case.tracking_number = (tracking_number or "").strip()
        if method == Case.Delivery.WINDOW:
            case.status = Case.Status.READY
            case.save()
            _event(case, "ready", actor=actor)
            audit(actor=actor, action="case.ready", target=case)
            _notify_applicant(case, "ready")
            return case
        case.status = Case.Status.DELIVERED
        case.delivered_at = timezone.now()
        case.save()
        _event(case, "delivered", actor=actor, note=method)
        audit(actor=actor, action="case.deliver", target=case, data={"method": method})
        _notify_applicant(case, "delivered")
    return case


def case_hand_over(*, case: Case, actor: User, ticket_uuid: uuid_lib.UUID | None = None) -> Case:
    """The applicant collected the result at the window (待领取 -> 已送达): one more trip."""
    _require(selectors.can_intake(actor, case))
    with transaction.atomic():
        case = _lock(case)
        if case.status != Case.Status.READY:
            raise WrongStatus(case.get_status_display())
        case.status = Case.Status.DELIVERED
        case.delivered_at = timezone.now()
        case.save(update_fields=["status", "delivered_at", "updated_at"])
        _record_visit(case, CaseVisit.Kind.COLLECT, day=_today(), ticket_uuid=ticket_uuid)
        _event(case, "delivered", actor=actor, note=Case.Delivery.WINDOW)
        audit(actor=actor, action="case.hand_over", target=case)
        _notify_applicant(case, "delivered")
    return case


def _record_visit(case: Case, kind: str, *, day: datetime.date, ticket_uuid: uuid_lib.UUID | None = None) -> None:
    """One trip per case and day (the unique constraint keeps it so under concurrency too)."""
    from django.db import IntegrityError

    try:
        with transaction.atomic():
            CaseVisit.objects.get_or_create(case=case, day=day, defaults={"kind": kind, "ticket_uuid": ticket_uuid})
    except IntegrityError:  # the same trip recorded at the same moment by another request
        pass


def case_record_visit(*, case: Case, actor: User, ticket_uuid: uuid_lib.UUID) -> Case:
    """A hall ticket served at a window for this case (the person came, e.g. to ask or bring paper)."""
    _require(selectors.can_intake(actor, case))
    with transaction.atomic():
        _record_visit(case, CaseVisit.Kind.TICKET, day=_today(), ticket_uuid=ticket_uuid)
        # On the timeline too: the dashboard's rollups find changed cases through their events.
        _event(case, "visited", actor=actor)
        audit(actor=actor, action="case.visit", target=case, data={"ticket": str(ticket_uuid)})
    return case


def step_by_uuid(step_uuid: Any) -> CaseStep:
    step = CaseStep.objects.select_related("case", "department").filter(uuid=step_uuid).first()
    if step is None:
        raise NotFound()
    return step
