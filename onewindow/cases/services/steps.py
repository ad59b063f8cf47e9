"""The approval route: steps made from the route when a case is accepted, their due dates, claim / assign /
approve / reject / return, the parallel join, and the public-notice step."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import User
from onewindow.catalog.models import MatterVersion
from onewindow.core import workdays
from onewindow.core.audit import audit
from onewindow.core.errors import NotFound, ValidationFailed

from .. import routing, selectors, signals
from ..errors import NoticeClosed, StepAlreadyHandled, WrongStatus
from ..models import (
    Case,
    CaseStep,
    LimitUnit,
    RouteStep,
    StepKind,
)
from ._common import _clean, _county, _event, _lock, _notify_applicant, _require, _today


def _route_for(case: Case) -> Any:
    # By key: the matter or bundle row itself is not needed to find its route.
    if case.matter_version is not None:
        return selectors.published_route(matter=case.matter_version.matter_id)
    return selectors.published_route(bundle=case.bundle_id)


def _materialize_steps(case: Case) -> str | None:
    """Copy the route (or a default one: each department once, all in parallel) into the case.

    The first stage is written already open (what `_advance` would do next, without reading the
    steps back and updating them one by one) and `case.current_stage` set to it, for the caller to
    save; returns that stage's name, or None when no stage comes after `case.current_stage` (the
    caller then leaves it to `_advance`)."""
    rows: list[CaseStep] = []
    units = routing.step_units(case)
    if case.route is not None:
        steps = (
            RouteStep.objects.filter(stage__route=case.route).select_related("stage").order_by("stage__order", "sort_order", "id")
        )
        for step in steps:
            stage = step.stage
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
    later = [r.stage_order for r in rows if r.stage_order > case.current_stage]
    first = min(later) if later else None
    opened: list[CaseStep] = [r for r in rows if r.stage_order == first]
    today = _today()
    for row in opened:
        row.status = CaseStep.Status.OPEN
        row.opened_on = today
        row.due_on = step_due(limit_days=row.limit_days, unit=row.limit_unit, opened=today, county=_county(case))
    CaseStep.objects.bulk_create(rows)
    if first is None:
        return None
    case.current_stage = first
    return opened[0].stage_name


def step_due(
    *, limit_days: int, unit: str, opened: datetime.date, county: str | None, counts_from: datetime.date | None = None
) -> datetime.date:
    """The last day of a step opened on `opened`. The day it opens is not counted (day 1 is the
    next one). `counts_from`: the last day of the public notice before it, when a notice ended the
    previous stage — the next stage counts from the notice's last day, not from the day the sweep
    noticed the end, so a notice never costs an extra working day. `county`: the case's (its
    calendar's overrides); None only for a national figure."""
    if unit == LimitUnit.CALENDAR:
        return (counts_from or opened) + datetime.timedelta(days=limit_days)
    start = counts_from if counts_from is not None else opened
    return workdays.add_workdays(start, limit_days, county)


def _open_step(step: CaseStep, today: datetime.date, *, county: str, counts_from: datetime.date | None = None) -> None:
    step.status = CaseStep.Status.OPEN
    step.opened_on = today
    step.due_on = step_due(limit_days=step.limit_days, unit=step.limit_unit, opened=today, county=county, counts_from=counts_from)
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
        _open_step(step, today, county=_county(case), counts_from=counts_from)
    case.current_stage = nxt
    case.save(update_fields=["current_stage", "updated_at"])
    _event(case, "stage_opened", actor=actor, note=opened[0].stage_name if opened else "")


def _step_for_update(step: CaseStep, actor: User) -> tuple[Case, CaseStep]:
    _require(selectors.can_act_on_step(actor, step))
    case = _lock(step.case)
    step = CaseStep.objects.select_related("department").get(pk=step.pk)  # the timeline names the department
    if case.status != Case.Status.IN_REVIEW:
        raise WrongStatus(case.get_status_display())
    if step.status != CaseStep.Status.OPEN:
        raise StepAlreadyHandled()
    return case, step


def _close_step(step: CaseStep, *, status: str, actor: Any, comment: str) -> None:
    # Conditional update: only an open step can be closed, whatever another request did. The
    # instance gets the same values, so a caller that only returns it needs no read-back.
    changes = {
        "status": status,
        "acted_by": actor if getattr(actor, "is_authenticated", False) else None,
        "acted_at": timezone.now(),
        "comment": comment,
    }
    n = CaseStep.objects.filter(pk=step.pk, status=CaseStep.Status.OPEN).update(**changes)
    if n != 1:
        raise StepAlreadyHandled()
    for name, value in changes.items():
        setattr(step, name, value)


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
    if step.kind == StepKind.PUBLIC_NOTICE:
        step.refresh_from_db()  # the notice's receivers may have written to it
    # Otherwise the step holds what _close_step wrote (the only write to this row here): no read-back.
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
        _open_step(target, _today(), county=_county(case))
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
            _open_step(target, today, county=_county(case))
        case.current_stage = first
        case.save(update_fields=["current_stage", "updated_at"])
        _event(case, "notice_objected", actor=actor, department=step.department, note=step.name)
        audit(actor=actor, action="case.public_notice_objection", target=step, data={"case": case.number})
        _notify_applicant(case, "notice_objected")
    return case


def step_by_uuid(step_uuid: Any) -> CaseStep:
    step = CaseStep.objects.select_related("case", "department").filter(uuid=step_uuid).first()
    if step is None:
        raise NotFound()
    return step
