"""The township's review (乡镇审核, 2021 rules art. 21) and a refusal (art. 23).

- Propose approval: the monthly amount comes from `welfare.allowance` (补差: the standard in force
  minus the per-capita income, times the members, art. 25); an amount of zero cannot be approved.
  The notice (公示) opens in the household's village at once (notice.py).
- Refuse: with written reasons. The decision is the township's (the confirmation power was handed
  down to it, art. 2); the written notice with the reasons (a PDF, documents.py) is issued with
  the decision and sent to the applicant — art. 23 allows 3 working days, kept as
  `refusal_notice_due` and checked by tests and the owners' list.

The article numbers of the 2021 审核确认办法 cited here are unverified (see docs/welfare.md).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import User
from onewindow.cases import services as case_services
from onewindow.cases.models import Case
from onewindow.core import workdays
from onewindow.core.audit import audit
from onewindow.core.errors import ValidationFailed
from onewindow.core.notify import notify
from onewindow.core.parsing import clean_text

from .. import allowance
from ..models import Application, Household
from . import access, conf, notice, route
from .check import check_complete_locked, lock_application
from .errors import WrongStage


def propose_approval(*, application: Application, actor: User, comment: str = "") -> Application:
    """The township proposes approval with the computed amount; the notice opens. From the check
    stage the check is closed first (it needs a home visit on record)."""
    access.require_handles(actor, application.household)
    comment = clean_text(comment, 2000)
    with transaction.atomic():
        app = lock_application(application, Application.Stage.CHECK, Application.Stage.REVIEW)
        today = timezone.localdate()
        amount = allowance.for_household(app.household, on=today)
        if amount.monthly_fen <= 0:
            raise ValidationFailed(
                _("家庭人均收入不低于当地低保标准，保障金额为零，不能拟同意；请拟不同意并说明理由。"), code="no_allowance"
            )
        if app.stage == Application.Stage.CHECK:
            check_complete_locked(app, actor=actor)
        step = route.open_step(app.case, route.REVIEW)
        if step is None:
            raise WrongStage(app.get_stage_display())
        app.proposal = Application.Proposal.APPROVE
        app.proposal_reasons = comment
        app.proposed_amount_fen = amount.monthly_fen
        app.proposed_people = amount.members
        app.proposed_by = actor
        app.proposed_at = timezone.now()
        app.save()
        case_services.step_approve(step=step, actor=actor, comment=comment or gettext("拟同意"))
        notice.open_locked(app)
        app.stage = Application.Stage.NOTICE
        app.save(update_fields=["stage", "updated_at"])
        audit(
            actor=actor,
            action="welfare.propose_approval",
            target=app,
            data={"monthly_fen": amount.monthly_fen, "members": amount.members, "standard_fen": amount.standard_fen},
        )
    return app


def refuse_locked(app: Application, *, actor: User, reasons: str) -> None:
    """End the application with a refusal (inside the caller's transaction, application locked):
    the open step rejected, the township's decision, 办结, the written notice sent."""
    step = app.case.steps.filter(status="open").order_by("stage_order").first()
    if step is None:
        raise WrongStage(app.get_stage_display())
    case_services.step_reject(step=step, actor=actor, reasons=reasons)
    case = case_services.case_decide(case=app.case, actor=actor, approved=False, reason=reasons)
    case = case_services.case_conclude(case=case, actor=actor)
    case_services.case_deliver(case=case, actor=actor, method=Case.Delivery.ELECTRONIC)
    today = timezone.localdate()
    app.proposal = Application.Proposal.REFUSE
    app.proposal_reasons = reasons
    app.proposed_by = actor
    app.proposed_at = timezone.now()
    app.stage = Application.Stage.REFUSED
    # The case's county's calendar (the case's department comes with the concluded case's row).
    app.refusal_notice_due = workdays.add_workdays(today, conf.REFUSAL_NOTICE_DAYS, case.department.county_id)
    app.refusal_notified_at = timezone.now()
    app.save()
    Household.objects.filter(pk=app.household_id).update(status=Household.Status.REFUSED, monthly_amount_fen=0)
    applicant = case.applicant
    notify(
        channel="sms" if applicant.phone else "site",
        recipient=applicant.phone or applicant.username,
        user=applicant,
        subject=gettext("低保审核确认结果"),
        body=gettext("您的低保申请（%(number)s）经审核不予确认，理由：%(reasons)s。书面告知书可在“我的办件”下载。")
        % {"number": case.number, "reasons": reasons[:200]},
        kind="welfare.refused",
    )
    audit(actor=actor, action="welfare.refuse", target=app, data={"reasons": reasons, "notice_due": str(app.refusal_notice_due)})


def refuse(*, application: Application, actor: User, reasons: str) -> Application:
    """Refuse at the check, the review or the confirmation (after the notice), with reasons."""
    access.require_handles(actor, application.household)
    reasons = clean_text(reasons, 2000)
    if not reasons:
        raise ValidationFailed(_("不予确认须写明理由。"), fields={"reasons": [_("必填项。")]})
    with transaction.atomic():
        app = lock_application(application, Application.Stage.CHECK, Application.Stage.REVIEW, Application.Stage.CONFIRMATION)
        refuse_locked(app, actor=actor, reasons=reasons)
    return app
