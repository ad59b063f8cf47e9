"""The case clock: pauses (suspended days do not count), resumption and approved extensions."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import User
from onewindow.core import workdays
from onewindow.core.audit import audit
from onewindow.core.errors import ValidationFailed

from .. import selectors
from ..errors import WrongStatus
from ..models import (
    Case,
    CaseExtension,
    CasePause,
    CaseStep,
)
from ._common import _clean, _county, _event, _lock, _notify_applicant, _require, _today


def clock_start(case: Case) -> datetime.date | None:
    """The day the decision clock counts from: the day of acceptance, except when the application
    was accepted after its intake limit without a supplement notice. 行政许可法 art. 32: not told
    within 5 working days what to supplement, the application is accepted from the day the
    materials were received, so the clock counts from receipt (the late acceptance costs the
    department, not the applicant)."""
    if case.accepted_at is None:
        return None
    accepted_on = timezone.localdate(case.accepted_at)
    if (
        case.received_on is not None
        and case.intake_due is not None
        and accepted_on > case.intake_due
        and not case.pauses.filter(kind=CasePause.Kind.SUPPLEMENT).exists()
    ):
        return case.received_on
    return accepted_on


def _recompute_dues(case: Case) -> None:
    base = clock_start(case)
    if base is None:
        return
    extra = case.extension_days + case.paused_days
    county = _county(case)
    case.committed_due = workdays.add_workdays(base, case.committed_days + extra, county)
    case.statutory_due = workdays.add_workdays(base, case.statutory_days + extra, county)


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
        days = workdays.workdays_between(pause.started_on, pause.ended_on, _county(case))
        case.paused_days += days
        case.status = case.status_before_pause or Case.Status.IN_REVIEW
        case.status_before_pause = ""
        _recompute_dues(case)
        case.save()
        # Open steps get the same days back.
        for step in case.steps.filter(status=CaseStep.Status.OPEN, due_on__isnull=False):
            assert step.due_on is not None  # filtered on due_on__isnull=False
            step.due_on = workdays.add_workdays(step.due_on, days, _county(case))
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
