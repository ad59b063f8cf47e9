"""The roll-up above the counties (/dashboard/counties/): each county's key figures side by side, the
sum, the comparison and the rank, for a province's or a city's reader (models.RegionReader) and
the platform's administrator. Every figure is a count read per county from the apps' roll-ups and
tables (each app's `by_county` in its stats.py: a handful of grouped statements, whatever the
number of counties), never a case: the page names no person.

Rates of the total are the summed numerators over the summed denominators (a province's on-time
rate is not the mean of its counties' rates)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.accounts.models import County
from onewindow.appointments import stats as appointments_stats
from onewindow.cases import stats as case_stats
from onewindow.cases.figures import Period
from onewindow.catalog import stats as catalog_stats
from onewindow.core.stats import Chart, Figure, Section, Table, describe_chart
from onewindow.hall import stats as hall_stats
from onewindow.ratings import stats as ratings_stats
from onewindow.welfare import stats as welfare_stats

# The counts kept per county (all summed for the total).
COUNTS = (
    "received",
    "concluded",
    "on_time",
    "done",
    "zero_trips",
    "one_trip",
    "issued",
    "wait_ms",
    "wait_n",
    "off_hours",
    "delegated",
    "dibao_households",
    "ratings",
    "good",
)


@dataclass
class Row:
    code: str
    name: str
    counts: dict[str, int] = field(default_factory=dict)

    def ratio(self, part: str, whole: str) -> float | None:
        return self.counts[part] / self.counts[whole] if self.counts[whole] else None

    @property
    def metrics(self) -> dict[str, float | int | None]:
        """The figures shown, by key (the keys `?sort=` takes)."""
        c = self.counts
        return {
            "received": c["received"],
            "on_time": self.ratio("on_time", "concluded"),
            "zero_trips": self.ratio("zero_trips", "done"),
            "one_trip": self.ratio("one_trip", "done"),
            "wait": c["wait_ms"] / c["wait_n"] / 60000 if c["wait_n"] else None,
            "off_hours": c["off_hours"],
            "delegated": c["delegated"],
            "dibao": c["dibao_households"],
            "ratings": c["ratings"],
            "good_rate": self.ratio("good", "ratings"),
        }


def metric_labels() -> dict[str, tuple[str, str, str]]:
    """key -> (column label, unit, what it counts)."""
    return {
        "received": (_("收件"), _("件"), _("所选期间收到的申请（按收件日期），各渠道合计")),
        "on_time": (_("按时办结率"), "", _("所选期间收件中已办结的，在承诺期限内办结的比例")),
        "zero_trips": (_("零跑动占比"), "", _("所选期间收件中已送达或不予受理的，申请人一次也没到现场的比例")),
        "one_trip": (_("最多跑一次占比"), "", _("同上，到现场不超过一次的比例")),
        "wait": (_("大厅平均等候"), _("分钟"), _("所选期间各服务大厅取号到第一次叫号的平均分钟数")),
        "off_hours": (_("延时错时服务"), _("件"), _("所选期间已签到办理的午间、晚间、周末、节假日预约")),
        "delegated": (_("赋权事项"), _("项"), _("现在仍有效、下放到至少一个乡镇（街道）的事项")),
        "dibao": (_("在保低保家庭"), _("户"), _("所选结束日期当天在保（已确认、未退出）的低保家庭")),
        "ratings": (_("评价"), _("条"), _("所选期间的好差评（每次服务只算最新一条，申诉成立的不算）")),
        "good_rate": (_("好评率"), "", _("非常满意、满意和基本满意占评价的比例")),
    }


# Lower is better for these (the rank puts the smallest first).
LOWER_IS_BETTER = {"wait"}


def county_rows(counties: list[County], params: dict[str, Any]) -> list[Row]:
    """Each county's counts for the dashboard's period (default: the last twelve months)."""
    codes = [c.code for c in counties]
    period = Period.of(params)
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(period.date_from, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(period.date_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    cases = case_stats.by_county(codes, params)
    hall = hall_stats.by_county(codes, date_from=period.date_from, date_to=period.date_to)
    off = appointments_stats.by_county(codes, date_from=period.date_from, date_to=period.date_to)
    delegated = catalog_stats.delegated_by_county(codes)
    dibao = welfare_stats.households_by_county(codes, on=min(period.date_to, timezone.localdate()))
    ratings = ratings_stats.by_county(codes, start, end)
    rows = []
    for c in counties:
        counts = {
            **cases[c.code],
            **hall[c.code],
            "off_hours": off[c.code],
            "delegated": delegated[c.code],
            "dibao_households": dibao[c.code],
            **ratings[c.code],
        }
        rows.append(Row(c.code, c.name, {k: int(counts.get(k, 0)) for k in COUNTS}))
    return rows


def total(rows: list[Row], name: str) -> Row:
    """The sum of the counties' counts (the rates follow from the sums)."""
    return Row("", name, {k: sum(r.counts[k] for r in rows) for k in COUNTS})


def ranked(rows: list[Row], key: str) -> list[tuple[int | None, Row]]:
    """(rank, row) by `key`, best first (largest, or smallest for a waiting time); a county without
    the figure (no denominator) comes last, unranked."""
    have = [r for r in rows if r.metrics[key] is not None]
    sign = 1 if key in LOWER_IS_BETTER else -1
    have.sort(key=lambda r: (sign * float(r.metrics[key] or 0), r.code))
    out: list[tuple[int | None, Row]] = [(i + 1, r) for i, r in enumerate(have)]
    return out + [(None, r) for r in rows if r.metrics[key] is None]


def _show(key: str, value: float | int | None) -> Any:
    if value is None:
        return "—"
    if key in ("on_time", "zero_trips", "one_trip", "good_rate"):
        return f"{value * 100:.1f}%"
    if key == "wait":
        return f"{value:.1f}"
    return value


def _chart_value(key: str, value: float | int | None) -> Any:
    if value is None:
        return None
    if key in ("on_time", "zero_trips", "one_trip", "good_rate"):
        return round(100 * value, 1)
    return round(value, 1) if isinstance(value, float) else value


def section(counties: list[County], params: dict[str, Any], *, sort: str) -> tuple[Section, list[Row]]:
    """The roll-up as a dashboard Section (rendered by the dashboard's section template and
    exported by exports.figure_sheets): the totals as figures, the counties as a ranked table and
    the sorted figure as a chart. The table's and chart's links are each county's code."""
    labels = metric_labels()
    rows = county_rows(counties, params)
    whole = total(rows, _("合计"))
    period = Period.of(params)
    sec = Section(
        key="counties",
        title=_("各区县汇总"),
        note=_("%(p)s；%(n)d 个区县。只有汇总数字，不含办件清单和个人信息。") % {"p": period, "n": len(rows)},
        order=0,
    )
    sec.figures = [
        Figure(labels[k][0], _show(k, whole.metrics[k]), labels[k][1], note=labels[k][2])
        for k in (
            "received",
            "on_time",
            "zero_trips",
            "one_trip",
            "wait",
            "off_hours",
            "delegated",
            "dibao",
            "ratings",
            "good_rate",
        )
    ]
    keys = list(labels)
    order = ranked(rows, sort)
    sec.tables.append(
        Table(
            title=_("各区县比较（按%(m)s排名）") % {"m": labels[sort][0]},
            # The name first: a row's link (to the county's dashboard) is on its first cell.
            columns=[_("区县"), _("排名"), *[labels[k][0] for k in keys]],
            rows=[[r.name, rank or "—", *[_show(k, r.metrics[k]) for k in keys]] for rank, r in order]
            + [[whole.name, "", *[_show(k, whole.metrics[k]) for k in keys]]],
            links=[f"county={r.code}" for _rank, r in order],
        )
    )
    names = [r.name for _rank, r in order]
    values = [_chart_value(sort, r.metrics[sort]) for _rank, r in order]
    unit = labels[sort][1] or "%"
    sec.charts.append(
        Chart(
            key="counties-rank",
            title=_("各区县%(m)s") % {"m": labels[sort][0]},
            kind="hbar",
            categories=names,
            series=[(labels[sort][0], values)],
            unit=unit,
            links=[f"county={r.code}" for _rank, r in order],
            note=labels[sort][2],
            text=describe_chart(labels[sort][0], names, [v or 0 for v in values], unit),
        )
    )
    return sec, rows
