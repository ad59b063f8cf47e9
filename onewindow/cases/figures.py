"""Case figures added up from the rollups (`CaseDay` / `CaseMonth` and their coarser copies, kept by
`cases.rollups`): the period, the scope a reader's filters and remit make, the smallest rollup that
answers, totals, breakdowns and months; and the "now" figures read from the open cases through an
index. The dashboard's section of them is `cases.stats`; its lists of cases behind a figure use
`case_scope` and `counted`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from onewindow.accounts.models import OrgUnit
from onewindow.accounts.selectors import subtree_ids
from onewindow.catalog.models import MatterVersion
from onewindow.core.rollups import summed
from onewindow.core.tenancy import county_q

from .models import Case as CaseModel
from .models import CaseDay, CasePause, CaseVisit, Channel
from .rollups import CUBES, DONE_STATUSES, MEASURES

OPEN_STATUSES = ["submitted", "in_review", "paused", "reviewed", "decided"]
SUMS: dict[str, Any] = {m: Sum(m) for m in MEASURES}
TOP_MATTERS = 15


@dataclass
class Period:
    date_from: datetime.date
    date_to: datetime.date

    @classmethod
    def of(cls, params: dict[str, Any]) -> Period:
        """The chosen period; the last twelve months by default."""
        date_to = params.get("date_to") or timezone.localdate()
        date_from = params.get("date_from") or (date_to.replace(day=1) - datetime.timedelta(days=335)).replace(day=1)
        return cls(date_from, date_to)

    def __str__(self) -> str:
        return f"{self.date_from:%Y-%m-%d} – {self.date_to:%Y-%m-%d}"


# The rollup column each filter narrows.
FILTER_COLUMNS = {
    "department": "department_id",
    "township": "township_id",
    "matter": "matter_id",
    "bundle": "bundle_id",
    "channel": "channel",
}


def filtered_columns(params: dict[str, Any]) -> set[str]:
    return {
        col
        for key, col in FILTER_COLUMNS.items()
        if (params.get(key) in Channel.values if key == "channel" else params.get(key) is not None)
    }


def cube(params: dict[str, Any], group: Any = ()) -> tuple[Any, Any]:
    """The (month, year) rollup with fewest rows that has every column the read filters or groups
    by: the unit rows (no matter), the matter rows (no township or channel), else the full ones."""
    needed = filtered_columns(params) | set(group)
    for month_model, year_model, dims in sorted(CUBES, key=lambda c: len(c[2])):
        if needed <= set(dims):
            return month_model, year_model
    raise ValueError(needed)  # the full rows have every column: not reached


def rollup_scope(params: dict[str, Any]) -> Q:
    """The reader's county and the chosen department / township / matter / bundle / channel, on
    the rollup columns (the county through the deciding unit: core.tenancy.county_q)."""
    q = Q()
    if params.get("county") is not None:
        q &= county_q(CaseDay, params["county"])
    if params.get("department") is not None:
        q &= Q(department_id=params["department"].pk)
    if params.get("township") is not None:
        q &= Q(township_id=params["township"].pk)
    if params.get("matter") is not None:
        q &= Q(matter_id=params["matter"].pk)
    if params.get("bundle") is not None:
        q &= Q(bundle_id=params["bundle"].pk)
    if params.get("channel") in Channel.values:
        q &= Q(channel=params["channel"])
    return q


def case_scope(params: dict[str, Any]) -> Q:
    """The same choice on the cases themselves (for the "now" figures and the list of cases)."""
    q = Q()
    if params.get("county") is not None:  # as the rollups: the deciding unit's county
        q &= Q(department__county_id=getattr(params["county"], "pk", params["county"]))
    if params.get("department") is not None:
        q &= Q(department_id=params["department"].pk)
    if params.get("township") is not None:
        # As the rollups place a case (rollups.day_rows): under the township of its intake unit, else
        # under its deciding unit's. Ids first: the cases' indexes serve the filter.
        ids = subtree_ids(params["township"].path)
        q &= Q(intake_unit_id__in=ids) | (Q(department_id__in=ids) & ~Q(intake_unit_id__in=_township_unit_ids()))
    if params.get("matter") is not None:
        # The matter's versions first: the index (matter_version, received_at) serves the list and its count.
        versions = list(MatterVersion.objects.filter(matter_id=params["matter"].pk).values_list("pk", flat=True))
        q &= Q(matter_version_id__in=versions)
    if params.get("bundle") is not None:
        q &= Q(bundle_id=params["bundle"].pk)
    if params.get("channel") in Channel.values:
        q &= Q(channel=params["channel"])
    return q


# The lists behind the figures (the dashboard's drill-down, `?view=cases&counts=<name>`): each is
# exactly the cases whose `rollups.case_counts` adds 1 to that measure (tested equal), plus
# "late_done", the concluded cases that are not on time (the rest of the on-time rate).
COUNTED = (
    "received",
    "concluded",
    "on_time",
    "late_done",
    "timed",
    "supplemented",
    "refused",
    "joint",
    "done",
    "zero_trips",
    "one_trip",
)


def counted(qs: QuerySet[CaseModel], measure: str) -> QuerySet[CaseModel]:
    """`qs` narrowed to the cases a figure counts (`measure` in COUNTED; anything else: unchanged).
    "timed" leaves out cases whose working days could not be counted because the work calendar
    does not cover their dates (the rollup skips those too, but cannot be asked which they are)."""
    if measure in ("concluded", "on_time", "late_done", "timed"):
        qs = qs.filter(concluded_at__isnull=False)
    if measure in ("on_time", "late_done"):
        on_time = Q(committed_due__isnull=False, done_on__lte=F("committed_due"))
        qs = qs.annotate(done_on=TruncDate("concluded_at"))
        qs = qs.filter(on_time) if measure == "on_time" else qs.exclude(on_time)
    elif measure == "timed":
        qs = qs.filter(accepted_at__isnull=False)
    elif measure == "supplemented":
        qs = qs.filter(Exists(CasePause.objects.filter(case=OuterRef("pk"), kind=CasePause.Kind.SUPPLEMENT)))
    elif measure == "refused":
        qs = qs.filter(status=CaseModel.Status.REFUSED)
    elif measure == "joint":
        qs = qs.filter(bundle_id__isnull=False)
    elif measure in ("done", "zero_trips", "one_trip"):
        qs = qs.filter(status__in=DONE_STATUSES)
        visits = CaseVisit.objects.filter(case=OuterRef("pk"))
        if measure == "zero_trips":
            qs = qs.filter(~Exists(visits))
        elif measure == "one_trip":
            n = Subquery(visits.order_by().values("case").annotate(n=Count("id")).values("n"), output_field=IntegerField())
            qs = qs.annotate(trips_n=Coalesce(n, Value(0))).filter(trips_n__lte=1)
    return qs


def _township_unit_ids() -> list[int]:
    """Every unit inside some township (乡镇 / 街道): the small unit table, read once per request."""
    paths = OrgUnit.objects.filter(kind__in=[OrgUnit.Kind.TOWNSHIP, OrgUnit.Kind.SUBDISTRICT]).values_list("path", flat=True)
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(path__startswith=path)
    return list(OrgUnit.objects.filter(q).values_list("pk", flat=True))


# The measures a row of a breakdown table shows (cases.stats._row), and the monthly trend's: a read
# that sums only these adds up 7 (or 3) columns per rollup row instead of 18 (the whole-history
# matter breakdown at 1,000,000 cases reads some 17,000 rows).
ROW_MEASURES = ("received", "concluded", "on_time", "workdays", "timed", "supplemented", "refused")
TREND_MEASURES = ("received", "concluded", "on_time")


def _sums(measures: Any = None) -> dict[str, Any]:
    return SUMS if measures is None else {m: SUMS[m] for m in measures}


def _sum(params: dict[str, Any], period: Period, group: list[str], measures: Any = None) -> dict[tuple[Any, ...], dict[str, int]]:
    month_model, year_model = cube(params, group)
    return summed(
        CaseDay,
        month_model,
        year_model=year_model,
        day_field="day",
        scope=rollup_scope(params),
        date_from=period.date_from,
        date_to=period.date_to,
        group=group,
        measures=_sums(measures),
    )


def totals(params: dict[str, Any], period: Period) -> dict[str, int]:
    return _sum(params, period, []).get((), dict.fromkeys(SUMS, 0))


UNIT_GROUP = ("department_id", "township_id", "channel")


def fold(rows: list[tuple[tuple[Any, ...], dict[str, int]]], dim: str) -> list[tuple[tuple[Any, ...], dict[str, int]]]:
    """A breakdown by (department, township, channel) added up to one of them, as `breakdown` would
    have returned it (most applications first)."""
    i = UNIT_GROUP.index(dim)
    out: dict[tuple[Any, ...], dict[str, int]] = {}
    for k, s in rows:
        cell = out.setdefault((k[i],), dict.fromkeys(SUMS, 0))
        for m, v in s.items():
            cell[m] += v
    return sorted(out.items(), key=lambda kv: (-kv[1]["received"], kv[0]))


def added(rows: list[tuple[tuple[Any, ...], dict[str, int]]]) -> dict[str, int]:
    """The totals of a breakdown (every row counted once in exactly one group): saves a read."""
    out = dict.fromkeys(SUMS, 0)
    for _k, s in rows:
        for m, v in s.items():
            out[m] += v
    return out


def breakdown(
    params: dict[str, Any], period: Period, *group: str, measures: Any = None
) -> list[tuple[tuple[Any, ...], dict[str, int]]]:
    """Measures (all, or those named in `measures`, which must include "received") per value of
    `group` (e.g. "department_id"), most applications first."""
    rows = _sum(params, period, list(group), measures)
    return sorted(rows.items(), key=lambda kv: (-kv[1]["received"], kv[0]))


def monthly(
    params: dict[str, Any], last_month: datetime.date, months: int = 12, measures: Any = None
) -> list[tuple[datetime.date, dict[str, int], dict[str, int]]]:
    """(month, its measures, the same month a year earlier) for `months` months up to `last_month`
    (every measure, or those named in `measures`)."""
    sums = _sums(measures)
    first = last_month
    for _i in range(months - 1):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    year_before = first.replace(year=first.year - 1)
    month_model, _year_model = cube(params)
    rows = {
        r["month"]: {m: int(r[f"s_{m}"] or 0) for m in sums}
        for r in month_model.objects.filter(rollup_scope(params), month__gte=year_before, month__lte=last_month)
        .values("month")
        .annotate(**{f"s_{m}": agg for m, agg in sums.items()})
        .order_by()
    }
    empty = dict.fromkeys(sums, 0)
    out = []
    m = first
    for _i in range(months):
        out.append((m, rows.get(m, empty), rows.get(m.replace(year=m.year - 1), empty)))
        m = (m + datetime.timedelta(days=32)).replace(day=1)
    return out


def now_figures(params: dict[str, Any]) -> dict[str, int]:
    """Open cases past their committed limit (red) or near it (yellow), as the warning sweep marks them."""
    qs = CaseModel.objects.filter(case_scope(params), status__in=OPEN_STATUSES).exclude(warning_level="")
    got = qs.aggregate(red=Count("pk", filter=Q(warning_level="red")), yellow=Count("pk", filter=Q(warning_level="yellow")))
    return {"red": got["red"] or 0, "yellow": got["yellow"] or 0}


def rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def pct(v: float | None) -> str:
    return "—" if v is None else f"{v * 100:.1f}%"


def avg(total: int, n: int) -> str:
    return "—" if not n else f"{total / n:.1f}"
