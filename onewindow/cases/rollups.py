"""Keeps the cases' rollups (`CaseDay`, `CaseMonth`, `CaseYear`) equal to a recount of the cases. The unit of
work is a day of receipt: its cases are read and its rows replaced whole, so counting a day twice
gives the same rows. `refresh()` finds the days of the cases that have timeline events above the
mark (every service writes one in the same transaction as its change, a trip in person too); `rebuild()` recounts every
day. What each column counts is `case_counts` (and docs/dashboard.md)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Max
from django.db.models.functions import TruncDate
from django.utils import timezone

from onewindow.accounts.models import OrgUnit
from onewindow.core import workdays
from onewindow.core.rollups import claim, pending

from .models import Case, CaseDay, CaseEvent, CaseMonth, CasePause, CaseStep, CaseVisit, CaseYear
from .rollup_models import (
    DIMENSIONS,
    MATTER_DIMENSIONS,
    UNIT_DIMENSIONS,
    CaseMatterMonth,
    CaseMatterYear,
    CaseUnitMonth,
    CaseUnitYear,
)

NAME = "cases"
# (month rows, year rows, their dimensions): the full rows and the coarser copies (rollup_models).
CUBES: list[tuple[Any, Any, list[str]]] = [
    (CaseMonth, CaseYear, DIMENSIONS),
    (CaseUnitMonth, CaseUnitYear, UNIT_DIMENSIONS),
    (CaseMatterMonth, CaseMatterYear, MATTER_DIMENSIONS),
]
MEASURES = [
    "received",
    "joint",
    "accepted",
    "refused",
    "supplemented",
    "concluded",
    "on_time",
    "timed",
    "workdays",
    "committed",
    "statutory",
    "joint_saved",
    "approved",
    "denied",
    "done",
    "zero_trips",
    "one_trip",
    "trips",
]
# Finished for 一次不跑: delivered, or refused at intake (nothing more will bring the person in).
DONE_STATUSES = (Case.Status.DELIVERED, Case.Status.REFUSED)
FIELDS = [
    "id",
    "channel",
    "department_id",
    "department__county_id",  # the calendar the case's working days are counted on (its county's)
    "intake_unit_id",
    "matter_version__matter_id",
    "bundle_id",
    "status",
    "accepted_at",
    "concluded_at",
    "committed_due",
    "committed_days",
    "statutory_days",
    "paused_days",
    "decision",
]


def township_map() -> dict[int, int]:
    """Every unit's township (乡镇 / 街道) at or above it; units outside any township map to 0."""
    units = list(OrgUnit.objects.values_list("id", "path", "kind"))
    towns = {path: pk for pk, path, kind in units if kind in (OrgUnit.Kind.TOWNSHIP, OrgUnit.Kind.SUBDISTRICT)}
    out = {}
    for pk, path, _kind in units:
        out[pk] = next((t for p, t in towns.items() if path.startswith(p)), 0)
    return out


def joint_saving(steps: Iterable[tuple[int, int]]) -> int:
    """Working days a parallel route saves: its steps' limits one after another, minus the limits
    along its longest path (steps of one stage run at the same time)."""
    total, longest = 0, defaultdict[int, int](int)
    for stage, limit in steps:
        total += limit
        longest[stage] = max(longest[stage], limit)
    return total - sum(longest.values())


def case_counts(row: dict[str, Any], *, supplemented: bool, saving: int, trips: int = 0) -> dict[str, int]:
    """One case's contribution to the measures of its day of receipt (`trips`: its `CaseVisit` rows)."""
    out = dict.fromkeys(MEASURES, 0)
    out["received"] = 1
    out["joint"] = int(bool(row["bundle_id"]))
    if row["status"] in DONE_STATUSES:
        out["done"] = 1
        out["zero_trips"] = int(trips == 0)
        out["one_trip"] = int(trips <= 1)
        out["trips"] = trips
    out["accepted"] = int(row["accepted_at"] is not None)
    out["refused"] = int(row["status"] == Case.Status.REFUSED)
    out["supplemented"] = int(supplemented)
    out["approved"] = int(row["decision"] == Case.Decision.APPROVED)
    out["denied"] = int(row["decision"] == Case.Decision.DENIED)
    if row["bundle_id"] and row["accepted_at"] is not None:
        out["joint_saved"] = saving
    if row["concluded_at"] is not None:
        out["concluded"] = 1
        done = timezone.localdate(row["concluded_at"])
        due = row["committed_due"]
        out["on_time"] = int(due is not None and done <= due)
        if row["accepted_at"] is not None:
            try:
                start = timezone.localdate(row["accepted_at"])  # days in (accepted, done]: core.workdays' rule
                taken = max(0, workdays.workdays_between(start, done, row["department__county_id"]) - row["paused_days"])
            except workdays.CalendarNotCovered:
                taken = None
            if taken is not None:
                out["timed"] = 1
                out["workdays"] = taken
                out["committed"] = row["committed_days"]
                out["statutory"] = row["statutory_days"]
    return out


def _bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)
    return start, start + datetime.timedelta(days=1)


def day_rows(day: datetime.date, towns: dict[int, int]) -> dict[tuple[Any, ...], dict[str, int]]:
    """The rollup rows of one day of receipt, recounted from its cases."""
    start, end = _bounds(day)
    rows = list(Case.objects.filter(received_at__gte=start, received_at__lt=end).values(*FIELDS))
    ids = [r["id"] for r in rows]
    supplemented = set(
        CasePause.objects.filter(case_id__in=ids, kind=CasePause.Kind.SUPPLEMENT).values_list("case_id", flat=True)
    )
    done = [r["id"] for r in rows if r["status"] in DONE_STATUSES]
    trips = dict(CaseVisit.objects.filter(case_id__in=done).values("case_id").annotate(n=Count("id")).values_list("case_id", "n"))
    joint = [r["id"] for r in rows if r["bundle_id"]]
    steps: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for case_id, stage, limit in CaseStep.objects.filter(case_id__in=joint).values_list("case_id", "stage_order", "limit_days"):
        steps[case_id].append((stage, limit))
    cells: dict[tuple[Any, ...], dict[str, int]] = {}
    for r in rows:
        key = (
            r["department_id"],
            towns.get(r["intake_unit_id"]) or towns.get(r["department_id"]) or 0,
            r["matter_version__matter_id"] or 0,
            r["bundle_id"] or 0,
            r["channel"],
        )
        counts = case_counts(
            r,
            supplemented=r["id"] in supplemented,
            saving=joint_saving(steps.get(r["id"], [])),
            trips=trips.get(r["id"], 0),
        )
        cell = cells.setdefault(key, dict.fromkeys(MEASURES, 0))
        for k, v in counts.items():
            cell[k] += v
    return cells


def _next_month(m: datetime.date) -> datetime.date:
    return datetime.date(m.year + (m.month == 12), m.month % 12 + 1, 1)


def _resum(
    target: Any, period: str, start: datetime.date, source: Any, source_period: str, end: datetime.date, dimensions: list[str]
) -> None:
    """target's rows of the period starting `start`: source's rows start <= period < end, added up
    per combination of `dimensions`. One INSERT ... SELECT: a rebuild of a province's history
    spends its time on the day rows, not on carrying sums through Python twice more."""
    q = connection.ops.quote_name
    dims = ", ".join(q(d) for d in dimensions)
    sums = ", ".join(f"SUM({q(m)})" for m in MEASURES)
    with connection.cursor() as cur:
        cur.execute(
            # Only quoted names of our own tables and columns are formatted in; the values are parameters.
            f"INSERT INTO {q(target._meta.db_table)} ({q(period)}, {dims}, {', '.join(q(m) for m in MEASURES)}) "  # noqa: S608
            f"SELECT %s, {dims}, {sums} FROM {q(source._meta.db_table)} "
            f"WHERE {q(source_period)} >= %s AND {q(source_period)} < %s GROUP BY {dims}",
            [start, start, end],
        )


def _count(days: set[datetime.date]) -> int:
    towns = township_map()
    for day in sorted(days):
        cells = day_rows(day, towns)
        CaseDay.objects.filter(day=day).delete()
        CaseDay.objects.bulk_create(
            (CaseDay(day=day, **dict(zip(DIMENSIONS, key, strict=True)), **counts) for key, counts in cells.items()),
            batch_size=1000,
        )
    for m in sorted({d.replace(day=1) for d in days}):
        for month_model, _year_model, dims in CUBES:
            month_model.objects.filter(month=m).delete()
            _resum(month_model, "month", m, CaseDay, "day", _next_month(m), dims)
    for y in sorted({datetime.date(d.year, 1, 1) for d in days}):
        for month_model, year_model, dims in CUBES:
            year_model.objects.filter(year=y).delete()
            _resum(year_model, "year", y, month_model, "month", y.replace(year=y.year + 1), dims)
    return len(days)


def _days_of(case_ids: Any) -> set[datetime.date]:
    return set(Case.objects.filter(id__in=case_ids).annotate(d=TruncDate("received_at")).values_list("d", flat=True).distinct())


def refresh(*, overlap: int = 0) -> int:
    """Recount the days of receipt of cases changed since the last refresh (cheap when none)."""
    if overlap:
        newest = CaseEvent.objects.aggregate(m=Max("id"))["m"] or 0
    else:
        found = pending(NAME, CaseEvent)
        if found is None:
            return 0
        newest = found
    with claim(NAME) as mark:
        if mark is None:
            return 0
        since = max(0, mark.last_id - overlap)
        changed = CaseEvent.objects.filter(id__gt=since, id__lte=newest).values("case_id")
        n = _count(_days_of(changed))
        mark.last_id = max(mark.last_id, newest)
        return n


def rebuild() -> int:
    with claim(NAME) as mark:
        if mark is None:
            return 0
        newest = CaseEvent.objects.aggregate(m=Max("id"))["m"] or 0
        with transaction.atomic():
            CaseDay.objects.all().delete()
            for month_model, year_model, _dims in CUBES:
                month_model.objects.all().delete()
                year_model.objects.all().delete()
            days = set(Case.objects.annotate(d=TruncDate("received_at")).values_list("d", flat=True).distinct())
            n = _count(days)
        mark.last_id = newest
        return n
