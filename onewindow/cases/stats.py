"""Case figures for the dashboard, added up from the rollups (`CaseDay` / `CaseMonth`, kept by
`cases.rollups`), never by reading every case. The only figures read from the cases themselves are
the "now" ones (open cases past or near their limit), through an index.

Every figure counts the applications received in the chosen period (by the day received), so the
numbers of one period never change because of what happens to other periods' cases.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.accounts.models import OrgUnit
from onewindow.accounts.selectors import subtree_ids
from onewindow.catalog.models import Bundle, Matter, MatterVersion
from onewindow.core.rollups import summed
from onewindow.core.stats import Chart, Figure, Section, Table

from .models import Case as CaseModel
from .models import CaseDay, CasePause, CaseVisit, Channel
from .rollups import CUBES, DONE_STATUSES, MEASURES, refresh

# The figures follow params["department"] / params["township"], which the dashboard sets to the
# reader's remit (onewindow.dashboard.discovery.honours_remit).
REMIT = True
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
    """The chosen department / township / matter / bundle / channel, on the rollup columns."""
    q = Q()
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


def _sum(params: dict[str, Any], period: Period, group: list[str]) -> dict[tuple[Any, ...], dict[str, int]]:
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
        measures=SUMS,
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


def breakdown(params: dict[str, Any], period: Period, *group: str) -> list[tuple[tuple[Any, ...], dict[str, int]]]:
    """Measures per value of `group` (e.g. "department_id"), most applications first."""
    rows = _sum(params, period, list(group))
    return sorted(rows.items(), key=lambda kv: (-kv[1]["received"], kv[0]))


def monthly(
    params: dict[str, Any], last_month: datetime.date, months: int = 12
) -> list[tuple[datetime.date, dict[str, int], dict[str, int]]]:
    """(month, its measures, the same month a year earlier) for `months` months up to `last_month`."""
    first = last_month
    for _i in range(months - 1):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    year_before = first.replace(year=first.year - 1)
    month_model, _year_model = cube(params)
    rows = {
        r["month"]: {m: int(r[f"s_{m}"] or 0) for m in SUMS}
        for r in month_model.objects.filter(rollup_scope(params), month__gte=year_before, month__lte=last_month)
        .values("month")
        .annotate(**{f"s_{m}": agg for m, agg in SUMS.items()})
    }
    empty = dict.fromkeys(SUMS, 0)
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


def _names(model: Any, ids: set[int], field: str = "name") -> dict[int, tuple[str, str]]:
    return {pk: (name, code) for pk, name, code in model.objects.filter(pk__in=ids).values_list("pk", field, "code")}


def _unit_names(ids: set[int]) -> dict[int, tuple[str, str, str]]:
    """(name, code, kind); short names where there are any (a phone's chart has room for 8
    characters, not 12)."""
    rows = OrgUnit.objects.filter(pk__in=ids).values_list("pk", "short_name", "name", "code", "kind")
    return {pk: (short or name, code, kind) for pk, short, name, code, kind in rows}


def _matter_names(keys: list[tuple[Any, ...]]) -> dict[tuple[int, int], tuple[str, str]]:
    """(matter id, bundle id) -> (name, drill filter)."""
    matters = _names(Matter, {m for m, _b in keys if m}, "search_name")
    bundles = _names(Bundle, {b for _m, b in keys if b})
    out = {}
    for m, b in keys:
        if b:
            name, code = bundles.get(b, ("?", ""))
            out[(m, b)] = (_("一件事：%(name)s") % {"name": name}, f"bundle={code}")
        else:
            name, code = matters.get(m, ("?", ""))
            out[(m, b)] = (name, f"matter={code}")
    return out


def _row(s: dict[str, int]) -> list[Any]:
    return [
        s["received"],
        s["concluded"],
        pct(rate(s["on_time"], s["concluded"])),
        avg(s["workdays"], s["timed"]),
        s["supplemented"],
        s["refused"],
    ]


def _columns(first: str) -> list[str]:
    return [first, _("收件"), _("办结"), _("按时办结率"), _("平均用时（工作日）"), _("补正"), _("不予受理")]


def sections(*, user: Any, params: dict[str, Any]) -> list[Section]:
    refresh()
    params = params or {}
    period = Period.of(params)
    # One read for the channel, department and township breakdowns (and the totals): at most
    # departments × townships × channels groups, folded in Python; the matters take a second read.
    units = breakdown(params, period, *UNIT_GROUP)
    by_channel = fold(units, "channel")
    t = added(by_channel)
    now = now_figures(params)
    case_list = "view=cases"
    sec = Section(
        key="cases",
        title=_("办件"),
        order=10,
        note=_("%(p)s 收到的申请（按收件日期），包括后来不予受理的。") % {"p": period},
    )
    sec.figures = [
        Figure(_("收件"), t["received"], _("件"), note=_("所选期间收到的申请，各渠道合计"), link=case_list),
        Figure(
            _("按时办结率"),
            pct(rate(t["on_time"], t["concluded"])),
            note=_("已办结的 %(n)d 件中，在承诺期限内办结的比例") % {"n": t["concluded"]},
            link="view=cases&counts=concluded",
        ),
        Figure(
            _("现在已超期"),
            now["red"],
            _("件"),
            note=_("此刻仍在办理、已超过承诺办结期限的办件（红牌），不限收件日期"),
            link="view=cases&late=red",
        ),
        Figure(
            _("现在临近超期"),
            now["yellow"],
            _("件"),
            note=_("此刻仍在办理、离期限不到两个工作日的办件（黄牌），不限收件日期"),
            link="view=cases&late=yellow",
        ),
        Figure(
            _("平均办理用时"),
            avg(t["workdays"], t["timed"]),
            _("个工作日"),
            note=_(
                "从受理后第一个工作日到办结，补正、听证、专家评审等中止的日子不算；承诺时限平均 %(c)s、法定时限平均 %(s)s 个工作日"
            )
            % {"c": avg(t["committed"], t["timed"]), "s": avg(t["statutory"], t["timed"])},
            link="view=cases&counts=timed",
        ),
        Figure(
            _("联合办理（一件事）"),
            t["joint"],
            _("件"),
            note=_("多个部门联合受理、并联审批的办件；并联比逐个部门依次审批共少用 %(d)d 个工作日（按各环节时限计）")
            % {"d": t["joint_saved"]},
            link="view=cases&counts=joint",
        ),
        Figure(
            _("一次告知补正"),
            t["supplemented"],
            _("件"),
            note=_("受理前出具过补正材料通知书的办件，占收件 %(r)s") % {"r": pct(rate(t["supplemented"], t["received"]))},
            link="view=cases&counts=supplemented",
        ),
        Figure(
            _("不予受理"),
            t["refused"],
            _("件"),
            note=_("书面说明理由不予受理的申请，占收件 %(r)s") % {"r": pct(rate(t["refused"], t["received"]))},
            link="view=cases&counts=refused",
        ),
    ]

    # By channel.
    labels = dict(Channel.choices)
    sec.charts.append(
        Chart(
            key="cases-channel",
            title=_("各渠道收件"),
            kind="pie",
            categories=[str(labels.get(k[0], k[0])) for k, _s in by_channel],
            series=[(_("收件"), [s["received"] for _k, s in by_channel])],
            unit=_("件"),
            links=[f"channel={k[0]}" for k, _s in by_channel],
            note=_("窗口、网上、掌上、代办、预约、延时错时各渠道收到的申请"),
            text=_describe(
                _("各渠道收件"),
                [str(labels.get(k[0], k[0])) for k, _s in by_channel],
                [s["received"] for _k, s in by_channel],
                _("件"),
            ),
        )
    )

    # By department and by township (the two ways down from the district).
    names = _unit_names({k[0] for k, _s in units} | {k[1] for k, _s in units})  # one read for both
    for dim, title, key in (
        ("department_id", _("各部门"), "department"),
        ("township_id", _("各乡镇（街道）"), "township"),
    ):
        rows = [(k, s) for k, s in fold(units, dim) if k[0]]
        if key == "department":  # a delegated matter decided by a township is counted under townships
            rows = [(k, s) for k, s in rows if k[0] in names and names[k[0]][2] == OrgUnit.Kind.DEPARTMENT]
        cats = [names[k[0]][0] if k[0] in names else "?" for k, _s in rows]
        links = [f"{key}={names[k[0]][1]}" if k[0] in names else "" for k, _s in rows]
        if key == "township" and not rows:
            continue
        sec.charts.append(
            Chart(
                key=f"cases-{key}",
                title=_("%(who)s收件与按时办结率") % {"who": title},
                kind="hbar",
                categories=cats,
                series=[
                    (_("收件"), [s["received"] for _k, s in rows]),
                    (_("按时办结"), [s["on_time"] for _k, s in rows]),
                ],
                unit=_("件"),
                links=links,
                note=_("主办部门收到的申请与其中按时办结的件数")
                if key == "department"
                else _("在乡镇（街道）便民服务中心受理或由乡镇办理的申请"),
                text=_describe(title, cats, [s["received"] for _k, s in rows], _("件")),
            )
        )
        sec.tables.append(
            Table(
                title=_("%(who)s办件") % {"who": title},
                columns=_columns(_("名称")),
                rows=[[c, *_row(s)] for c, (_k, s) in zip(cats, rows, strict=True)],
                links=links,
            )
        )

    # By matter (the level above the list of cases).
    rows = breakdown(params, period, "matter_id", "bundle_id")
    matter_names = _matter_names([k for k, _s in rows])
    top = rows[:TOP_MATTERS]
    sec.charts.append(
        Chart(
            key="cases-matter",
            title=_("收件最多的事项"),
            kind="hbar",
            categories=[matter_names[k][0] for k, _s in top],
            series=[(_("收件"), [s["received"] for _k, s in top])],
            unit=_("件"),
            links=[matter_names[k][1] for k, _s in top],
            note=_("所选范围内收件最多的 %(n)d 个事项（含一件事）") % {"n": TOP_MATTERS},
            text=_describe(_("各事项收件"), [matter_names[k][0] for k, _s in top], [s["received"] for _k, s in top], _("件")),
        )
    )
    sec.tables.append(
        Table(
            title=_("各事项办件"),
            columns=_columns(_("事项")),
            rows=[[matter_names[k][0], *_row(s)] for k, s in rows[:100]],
            links=[matter_names[k][1] for k, _s in rows[:100]],
        )
    )

    # Time taken against the limits.
    sec.charts.append(
        Chart(
            key="cases-time",
            title=_("平均用时与时限"),
            kind="bar",
            categories=[_("实际用时"), _("承诺时限"), _("法定时限")],
            series=[
                (
                    _("工作日"),
                    [
                        round(t["workdays"] / t["timed"], 1) if t["timed"] else 0,
                        round(t["committed"] / t["timed"], 1) if t["timed"] else 0,
                        round(t["statutory"] / t["timed"], 1) if t["timed"] else 0,
                    ],
                )
            ],
            unit=_("个工作日"),
            links=["view=cases&counts=timed"] * 3,
            note=_("已办结办件的平均实际用时，与它们的承诺时限、法定时限的平均值比较"),
            text=_("已办结的 %(n)d 件平均用 %(w)s 个工作日，承诺时限平均 %(c)s、法定时限平均 %(s)s 个工作日。")
            % {
                "n": t["timed"],
                "w": avg(t["workdays"], t["timed"]),
                "c": avg(t["committed"], t["timed"]),
                "s": avg(t["statutory"], t["timed"]),
            },
        )
    )

    # Trend by month, with the same months a year earlier.
    trend = monthly(params, period.date_to.replace(day=1))
    cats = [f"{m:%Y-%m}" for m, _a, _b in trend]
    this_year = [a["received"] for _m, a, _b in trend]
    month_links = [f"date_from={m:%Y-%m-%d}&date_to={_month_end(m):%Y-%m-%d}" for m, _a, _b in trend]
    sec.charts.append(
        Chart(
            key="cases-trend",
            title=_("每月收件（与上年同期比较）"),
            kind="line",
            categories=cats,
            series=[
                (_("本期"), this_year),
                (_("上年同期"), [b["received"] for _m, _a, b in trend]),
                (
                    _("按时办结率（%）"),
                    [round(100 * a["on_time"] / a["concluded"], 1) if a["concluded"] else None for _m, a, _b in trend],
                ),
            ],
            unit=_("件"),
            links=month_links,
            note=_("截至所选结束日期的 12 个月，每月收到的申请，与上一年同月比较"),
            text=_("近 12 个月收件 %(a)d 件，上年同期 %(b)d 件。")
            % {"a": sum(this_year), "b": sum(b["received"] for _m, _a, b in trend)},
        )
    )
    from .visits import visit_section

    return [sec, visit_section(params, by_channel=by_channel)]


def _month_end(m: datetime.date) -> datetime.date:
    return (m + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)


def _describe(title: str, cats: list[str], values: list[Any], unit: str) -> str:
    """A sentence for screen readers: the total and the three largest."""
    if not cats:
        return _("%(t)s：所选范围内没有数据。") % {"t": title}
    pairs = sorted(zip(cats, values, strict=True), key=lambda p: -(p[1] or 0))[:3]
    top = "，".join(f"{c} {v}{unit}" for c, v in pairs)
    return _("%(t)s：共 %(n)d 项，最多的是 %(top)s。") % {"t": title, "n": len(cats), "top": top}
