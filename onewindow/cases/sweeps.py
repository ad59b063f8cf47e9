"""Electronic supervision (电子监察): the periodic sweep that raises yellow and red warnings.

- yellow: a case or an open step is within YELLOW_MARGIN working days of its own limit, or past a
  step limit; an application still not answered near the end of the 5-day intake period;
- red: a case is past its committed limit.

Idempotent: the unique constraints on Warning keep one row per case/step/level, so two sweeps
running at once, or every minute, never duplicate a warning.
"""

from __future__ import annotations

import datetime
import logging

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext

from onewindow.core import workdays

from .models import Case, CaseStep, Warning
from .services import public_notice_close_due

logger = logging.getLogger("onewindow.cases")
YELLOW_MARGIN = 2
PREFILTER_DAYS = 16


def _raise(case: Case, level: str, reason: str, step: CaseStep | None = None) -> bool:
    try:
        with transaction.atomic():
            _w, created = Warning.objects.get_or_create(case=case, step=step, level=level, defaults={"reason": reason[:200]})
    except IntegrityError:  # another sweep raised it at the same moment
        return False
    return created


def _remaining(today: datetime.date, due: datetime.date, county: str) -> int:
    return workdays.workdays_between(today, due, county)


def sweep_warnings(*, today: datetime.date | None = None) -> int:
    today = today or timezone.localdate()
    raised = public_notice_close_due(today=today)
    open_statuses = [Case.Status.SUBMITTED, Case.Status.IN_REVIEW, Case.Status.REVIEWED, Case.Status.DECIDED]
    # Cheap prefilter: nothing due within PREFILTER_DAYS calendar days can need a card yet (two
    # working days never span more than the longest holiday plus weekends).
    horizon = today + datetime.timedelta(days=PREFILTER_DAYS)
    near = (
        Q(status=Case.Status.SUBMITTED, intake_due__lte=horizon)
        | Q(committed_due__lte=horizon)
        | Q(steps__status=CaseStep.Status.OPEN, steps__due_on__lte=horizon)
    )
    # Each case's days are counted on its county's calendar (its deciding department's county).
    candidates = Case.objects.filter(status__in=open_statuses).filter(near).annotate(county=F("department__county_id")).distinct()
    for case in candidates.iterator():
        county: str = case.county
        try:
            level = ""
            if case.status == Case.Status.SUBMITTED:
                if _remaining(today, case.intake_due, county) <= 1:
                    raised += _raise(case, Warning.Level.YELLOW, gettext("受理期限将至或已过"))
                    level = "yellow"
            elif case.committed_due is not None:
                left = _remaining(today, case.committed_due, county)
                if left < 0:
                    raised += _raise(case, Warning.Level.RED, gettext("已超过承诺办结时限"))
                    level = "red"
                elif left <= YELLOW_MARGIN:
                    raised += _raise(case, Warning.Level.YELLOW, gettext("临近承诺办结时限"))
                    level = "yellow"
                for step in case.steps.filter(status=CaseStep.Status.OPEN, due_on__isnull=False):
                    if step.kind == "public_notice":
                        continue
                    if step.due_on is not None and _remaining(today, step.due_on, county) <= 1:  # filtered: never None
                        raised += _raise(
                            case, Warning.Level.YELLOW, gettext("环节临近或超过时限：%(s)s") % {"s": step.name}, step
                        )
                        level = level or "yellow"
            if level and _rank(level) > _rank(case.warning_level):
                Case.objects.filter(pk=case.pk).update(warning_level=level)
        except workdays.CalendarNotCovered:
            logger.warning("work calendar does not cover the deadline of case %s", case.number)
    return raised


def _rank(level: str) -> int:
    return {"": 0, "yellow": 1, "red": 2}.get(level or "", 0)
