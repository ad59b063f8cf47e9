"""Due dates of open cases and steps when a year's working calendar is replaced (the official
schedule replacing a provisional one, or an administrator's correction).

Every working-day due date is "the n-th working day after its base day". `prepare_year` counts n
under the calendar in force (before the replacement); the function it returns re-adds n under the
new calendar, saves what moved, writes an audit entry per moved date and tells the applicant (a
case's dates) or the step's holder (a step's date). Calendar-day periods do not move. Run by
`core.calendar_seed.import_year` inside its transaction (core.calendar_seed.RECOMPUTE_ON_IMPORT),
and by `accounts.calendar` when a county's override is entered, changed or removed (`county`
given: that county's cases only). Each case is counted on its own county's calendar (its deciding
department's county), before and after.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext

from onewindow.core import workdays
from onewindow.core.audit import audit
from onewindow.core.notify import notify

from ..models import Case, CaseStep, LimitUnit
from ._common import _event, _notify_applicant
from .clock import clock_start

OPEN_CASE = [Case.Status.SUBMITTED, Case.Status.SUPPLEMENT, Case.Status.IN_REVIEW, Case.Status.PAUSED, Case.Status.REVIEWED]
INTAKE_STATUSES = {Case.Status.SUBMITTED, Case.Status.SUPPLEMENT}


def prepare_year(*, year: int, county: str | None = None) -> Callable[..., int]:
    """`county`: only that county's cases and steps (its override changed); None: every county's
    (the national year changed)."""
    lo, hi = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    plans: list[tuple[str, int, str, datetime.date, int, datetime.date, str]] = []
    cases = (
        Case.objects.filter(status__in=OPEN_CASE)
        .filter(Q(intake_due__gte=lo) | Q(committed_due__gte=lo) | Q(statutory_due__gte=lo))
        .select_related("department")
    )
    if county is not None:
        cases = cases.filter(department__county_id=county)
    for case in cases.iterator():
        where = case.department.county_id
        fields: list[tuple[str, datetime.date | None]] = []
        if case.status in INTAKE_STATUSES:
            fields.append(("intake_due", case.received_on))
        else:
            start = clock_start(case)
            fields += [("committed_due", start), ("statutory_due", start)]
        for field, base in fields:
            due = getattr(case, field)
            if due is not None and base is not None and due >= lo and base <= hi:
                plans.append(("case", case.pk, field, base, workdays.workdays_between(base, due, where), due, where))
    # A step runs on its case's clock: its case's county (a township's step is in the same county).
    steps = CaseStep.objects.filter(
        status=CaseStep.Status.OPEN, limit_unit=LimitUnit.WORKDAYS, due_on__gte=lo, opened_on__isnull=False, opened_on__lte=hi
    )
    if county is not None:
        steps = steps.filter(case__department__county_id=county)
    for step_pk, opened, due, where in steps.values_list("pk", "opened_on", "due_on", "case__department__county_id"):
        if opened is not None and due is not None:
            plans.append(("step", step_pk, "due_on", opened, workdays.workdays_between(opened, due, where), due, where))

    def apply(*, actor: Any = None) -> int:
        moved = 0
        for kind, pk, field, base, n, old, where in plans:
            new = workdays.add_workdays(base, n, where)
            if new == old:
                continue
            moved += 1
            data: dict[str, Any] = {"field": field, "from": str(old), "to": str(new), "calendar_year": year}
            if county is not None:
                data["county"] = county
            if kind == "case":
                case = Case.objects.select_for_update(of=("self",)).select_related("applicant").get(pk=pk)
                setattr(case, field, new)
                case.save(update_fields=[field, "updated_at"])
                audit(actor=actor, action="case.due_recomputed", target=case, data=data)
                _event(case, "due_recomputed", actor=actor, note=f"{field}: {old} → {new}")
                _notify_applicant(case, "due_recomputed")
            else:
                step = CaseStep.objects.select_for_update(of=("self",)).select_related("case", "claimed_by").get(pk=pk)
                step.due_on = new
                step.save(update_fields=["due_on"])
                audit(actor=actor, action="case.step_due_recomputed", target=step.case, data={**data, "step": step.name})
                if step.claimed_by is not None:
                    notify(
                        channel="site",
                        recipient=step.claimed_by.username,
                        user=step.claimed_by,
                        subject=gettext("环节期限变更"),
                        body=gettext("办件 %(number)s 的环节“%(step)s”期限因工作日历更新由 %(old)s 改为 %(new)s。")
                        % {"number": step.case.number, "step": step.name, "old": old, "new": new},
                        kind="case.step_due_recomputed",
                    )
        return moved

    return apply
