"""网上预审: the department checks an online application before the front desk accepts it.

How it relates to the law (行政许可法 art. 32) and to the intake clock:
- The 5-working-day intake period starts when the application is received (`case_submit` sets
  `intake_due` as for every channel); pre-review does not start a clock of its own and does not
  move the start. It is the department's part of examining the application inside that period,
  so its queue is ordered by `intake_due` and the usual warnings apply to it.
- Pre-review is not acceptance: no 受理通知书, no decision clock. Passing it hands the case to the
  front desk, which accepts (or refuses) it formally (`case_accept` refuses while pre-review is
  open or failed).
- Asking for a fix IS the one-time notice of art. 32(4) (一次性告知): one notice listing every form
  field and every material to fix, issued as the 补正材料通知书 with the case number; it pauses the
  intake clock until the applicant resubmits (as the front desk's notice does), and, the law
  allowing one notice, no second notice can follow. The applicant fixes online (only the listed
  fields, the listed materials) and resubmits; the case comes back to the department.
- After a fix the department passes it, or records that it does not pass (with reasons); the
  front desk then refuses it in writing (不予受理通知书), the only lawful end of a failed intake.

Who holds the case while it waits: the lead department (`case.department`) while pre-review is
pending; the applicant after a fix request (status 待补正); the intake unit once passed or failed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import User
from onewindow.accounts.tenancy import scoped
from onewindow.catalog import formschema
from onewindow.catalog.models import MaterialRequirement
from onewindow.core.audit import audit
from onewindow.core.errors import PermissionDenied, ValidationFailed

from . import selectors
from . import services as svc
from .errors import PreReviewNotOpen
from .models import Case, CasePause


def can_prereview(user: User, case: Case) -> bool:
    """Approvers of the lead department (or administrators) pre-review its online applications."""
    return bool(case.prereview) and selectors.can_decide(user, case)


def prereview_queue(user: User) -> QuerySet[Case]:
    """Online applications waiting for the user's departments' pre-review, nearest intake limit first."""
    qs = Case.objects.filter(status=Case.Status.SUBMITTED, prereview=Case.PreReview.PENDING)
    qs = scoped(qs, user) if selectors.is_admin(user) else qs.filter(department__in=selectors.approver_units(user))
    # Back after the applicant's correction: the one notice has been used, so check it once more.
    corrected = Exists(CasePause.objects.filter(case=OuterRef("pk"), kind=CasePause.Kind.SUPPLEMENT))
    return qs.annotate(corrected=corrected).select_related("applicant", "department").order_by("intake_due", "received_at")


def prereview_case_for(user: User, case_uuid: Any) -> Case:
    case = selectors.case_for(user, case_uuid)
    if not can_prereview(user, case):
        raise PermissionDenied()
    return case


@dataclass
class Checklist:
    """What the department looks at and may ask to fix: the form (bound) and the materials."""

    fields: list[formschema.Field]
    requirements: list[tuple[MaterialRequirement, str, list[Any]]]  # (line, provided-online reason, submissions)


def checklist(case: Case) -> Checklist:
    from onewindow.catalog.prefilled import provided_online

    submitted = list(case.materials.exclude(status="replaced").select_related("requirement"))
    lines = []
    for req in svc.case_requirements(case):
        reason = provided_online(req, form_data=case.form_data, applicant=case.applicant, enterprise=case.enterprise)
        lines.append((req, reason, [m for m in submitted if m.requirement_id == req.pk]))
    schema = svc.case_form_schema(case)
    return Checklist(fields=formschema.bound(schema, case.form_data) if schema else [], requirements=lines)


def _locked_pending(case: Case, actor: User) -> Case:
    if not can_prereview(actor, case):
        raise PermissionDenied()
    locked = svc._lock(case)
    if locked.status != Case.Status.SUBMITTED or locked.prereview != Case.PreReview.PENDING:
        raise PreReviewNotOpen()
    return locked


def _set(case: Case, value: str, note: str) -> None:
    # Conditional on the state we locked: a second reviewer's click cannot overwrite the first's.
    n = Case.objects.filter(pk=case.pk, prereview=Case.PreReview.PENDING).update(prereview=value, prereview_note=note)
    if n != 1:
        raise PreReviewNotOpen()
    case.prereview, case.prereview_note = value, note


def prereview_pass(*, case: Case, actor: User, note: str = "") -> Case:
    """The application is complete and correct: the front desk may now accept it formally."""
    note = svc._clean(note)[:1000]
    with transaction.atomic():
        case = _locked_pending(case, actor)
        _set(case, Case.PreReview.PASSED, note)
        svc._event(case, "prereview_passed", actor=actor, department=case.department, note=note)
        audit(actor=actor, action="case.prereview_pass", target=case, data={"note": note})
        svc._notify_applicant(case, "prereview_passed")
    return case


def prereview_request_fix(
    *,
    case: Case,
    actor: User,
    fields: dict[str, str] | None = None,
    materials: dict[int, str] | None = None,
    other: list[tuple[str, str]] | None = None,
) -> Case:
    """One notice listing every field (name -> what is wrong) and material (requirement id -> what
    is wrong) to fix, plus materials the list does not name (other: (name, reason)). It is the
    art. 32 一次性告知: the intake clock pauses until the applicant resubmits."""
    items: list[dict[str, Any]] = [{"field": name, "reason": reason} for name, reason in (fields or {}).items()]
    requirements = {r.pk: r for r in svc.case_requirements(case)}
    for pk, reason in (materials or {}).items():
        req = requirements.get(pk)
        if req is None:
            raise ValidationFailed(_("提交的材料不属于该事项。"), code="material_not_required")
        submitted = case.materials.filter(requirement=req).exclude(status="replaced").first()
        items.append(
            {"name": req.name, "reason": reason, "requirement": pk, "material": str(submitted.uuid) if submitted else ""}
        )
    items += [{"name": name, "reason": reason} for name, reason in other or [] if name.strip()]
    if not items:
        raise ValidationFailed(_("请列明需要修改的全部内容。"), code="nothing_to_fix", fields={"items": [_("必填项。")]})
    clean = svc.supplement_items_clean(case, items)
    with transaction.atomic():
        case = _locked_pending(case, actor)
        _set(case, Case.PreReview.FIX_REQUESTED, "")
        svc.issue_supplement_notice(case=case, actor=actor, items=clean)
        svc._event(
            case, "prereview_fix_requested", actor=actor, department=case.department, note="；".join(i["name"] for i in clean)
        )
        audit(actor=actor, action="case.prereview_request_fix", target=case, data={"items": clean})
        svc._notify_applicant(case, "prereview_fix_requested")
    return case


def prereview_fail(*, case: Case, actor: User, reasons: str) -> Case:
    """The application does not pass (after the one fix, or plainly outside the matter): the
    front desk refuses it in writing with these reasons (不予受理通知书)."""
    reasons = svc._clean(reasons)[:1000]
    if not reasons:
        raise ValidationFailed(_("预审不通过须写明理由。"), fields={"reasons": [_("必填项。")]})
    with transaction.atomic():
        case = _locked_pending(case, actor)
        _set(case, Case.PreReview.NOT_PASSED, reasons)
        svc._event(case, "prereview_not_passed", actor=actor, department=case.department, note=reasons)
        audit(actor=actor, action="case.prereview_fail", target=case, data={"reasons": reasons})
        svc._notify_applicant(case, "prereview_not_passed")
    return case
