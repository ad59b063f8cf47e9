"""Asking for missing or corrected material (one supplement notice per case) and the applicant's resubmission."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import User
from onewindow.catalog import formschema
from onewindow.catalog.models import MatterVersion
from onewindow.catalog.prefilled import never_uploaded
from onewindow.core import workdays
from onewindow.core.audit import audit
from onewindow.core.errors import ValidationFailed
from onewindow.core.uploads import collect_stored

from .. import selectors
from ..errors import PreReviewOpen, WrongStatus
from ..models import (
    Case,
    CasePause,
    CaseVisit,
    SubmittedMaterial,
)
from ..selectors import case_form_schema, case_requirements, merged_requirements
from ._common import (
    INTAKE_DAYS,
    MaterialInput,
    _clean,
    _clean_form,
    _county,
    _event,
    _lock,
    _notify_applicant,
    _record_visit,
    _require,
    _today,
    _uuid_or_blank,
    _validated_form,
)
from .intake import _store_materials


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
            intake_paused += workdays.workdays_between(p.started_on, p.ended_on, _county(case))
        case.intake_due = workdays.add_workdays(case.received_on, INTAKE_DAYS + intake_paused, _county(case))
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
