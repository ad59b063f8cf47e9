"""The hall's figures. Counted from the ticket event log, but read from rollups.

What each figure counts (per ticket, under the service area it was issued in; a transfer does not
move its figures):
- waiting time: from issue to the first call;
- service time: from the start of service (the "started" event, else the last call) to finished;
- service level: share of tickets first called within the area's service level (15 min by
  default; per area or per point), among tickets that were called or abandoned while waiting;
- no-show rate: no-shows / tickets called;
- tickets per window and per clerk: finished events by window and by actor.

`hall.rollups` replays one business day of one service point at a time into `HallDay` /
`HallMonth` / `HallWindowDay` / `HallWindowMonth` rows; `figures()` adds those rows up. `recount()` replays the whole
log for a period: the reference the tests compare the rollups with, never used by a page. The
replay itself (what each ticket adds to the sums) is `hall.counting`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.core.rollups import summed
from onewindow.core.stats import Chart, Figure, Section, Table
from onewindow.core.tenancy import county_q, for_county

from .counting import SUM_FIELDS, K, Sums, events_of, replay, track_sums
from .days import business_date
from .models import HallDay, HallMonth, HallWindowDay, HallWindowMonth, ServiceArea, ServicePoint, Window

# Narrowed to a township reader's halls (see sections()).
REMIT = True


@dataclass
class Figures:
    issued: int = 0
    called: int = 0
    finished: int = 0
    no_show: int = 0
    abandoned: int = 0
    avg_wait_minutes: float | None = None
    avg_service_minutes: float | None = None
    within_service_level: float | None = None  # 0..1
    no_show_rate: float | None = None  # 0..1
    per_window: dict[int, int] = field(default_factory=dict)  # window id -> finished
    per_clerk: dict[int, int] = field(default_factory=dict)  # user id -> finished
    per_area: dict[int, dict[str, Any]] = field(default_factory=dict)
    per_day: dict[date, dict[str, Any]] = field(default_factory=dict)
    per_hour: dict[int, dict[str, Any]] = field(default_factory=dict)  # only when asked: figures(hours=True)

    def as_dict(self) -> dict[str, Any]:
        return {
            "issued": self.issued,
            "called": self.called,
            "finished": self.finished,
            "no_show": self.no_show,
            "abandoned": self.abandoned,
            "avg_wait_minutes": _r(self.avg_wait_minutes),
            "avg_service_minutes": _r(self.avg_service_minutes),
            "within_service_level": _r(self.within_service_level, 3),
            "no_show_rate": _r(self.no_show_rate, 3),
        }


def _r(v: float | None, nd: int = 1) -> float | None:
    return None if v is None else round(v, nd)


def service_levels(area_ids: Iterable[int]) -> dict[int, int]:
    return {a.pk: a.effective_service_level for a in ServiceArea.objects.filter(pk__in=set(area_ids)).select_related("point")}


def recount(*, point: ServicePoint | None = None, area: ServiceArea | None = None, date_from: date, date_to: date) -> Figures:
    """The figures replayed from the raw event log (the reference for the rollups; slow, linear in
    the history: no page calls it)."""
    q = Q(business_date__gte=date_from, business_date__lte=date_to)
    if point is not None:
        q &= Q(point=point)
    events, area_of = events_of(q)
    tracks = {tid: v for tid, v in replay(events, area_of).items() if area is None or v[0].area_id == area.pk}
    levels = service_levels(t.area_id for t, _d in tracks.values())
    total, by_area, by_day = Sums(), defaultdict[int, Sums](Sums), defaultdict[date, Sums](Sums)
    by_hour_sums = defaultdict[int, Sums](Sums)
    out = Figures()
    for t, day in tracks.values():
        s = track_sums(t, levels.get(t.area_id, 15))
        total.add(s)
        by_area[t.area_id].add(s)
        by_day[day].add(s)
        by_hour_sums[timezone.localtime(t.issued).hour if t.issued else 0].add(s)
        if t.end_kind == K.FINISHED:
            if t.end_window:
                out.per_window[t.end_window] = out.per_window.get(t.end_window, 0) + 1
            if t.end_actor:
                out.per_clerk[t.end_actor] = out.per_clerk.get(t.end_actor, 0) + 1
    _fill(out, total, by_area, by_day)
    out.per_hour = {h: by_hour_sums[h].summary() for h in sorted(by_hour_sums)}
    return out


def _fill(out: Figures, total: Sums, by_area: dict[int, Sums], by_day: dict[date, Sums]) -> None:
    for k, v in total.summary().items():
        setattr(out, k, v)
    out.per_area = {a: s.summary() for a, s in by_area.items()}
    out.per_day = {d: s.summary() for d, s in sorted(by_day.items())}


SHORT_PERIOD_DAYS = 62
MEASURES: dict[str, Any] = {f: Sum(f) for f in SUM_FIELDS}


def _day_cells(scope: Q, date_from: date, date_to: date, group: list[str]) -> dict[tuple[Any, ...], dict[str, int]]:
    rows = (
        HallDay.objects.filter(scope, business_date__gte=date_from, business_date__lte=date_to)
        .values(*group)
        .annotate(**{f"s_{m}": agg for m, agg in MEASURES.items()})
        .order_by()
    )
    return {tuple(r[g] for g in group): {m: int(r[f"s_{m}"] or 0) for m in MEASURES} for r in rows}


def figures(
    *,
    point: ServicePoint | None = None,
    area: ServiceArea | None = None,
    date_from: date,
    date_to: date,
    refresh: bool = True,
    hours: bool = False,
    county: Any = None,
) -> Figures:
    """Figures for tickets of business days date_from..date_to (inclusive), for one point, one area
    or (both None) every point, added up from the rollups (brought up to date first, unless the
    caller just did: `refresh=False`). `per_day` is filled for periods up to SHORT_PERIOD_DAYS days;
    `per_hour` (as `by_hour` gives it) with `hours=True`, from the same read: the rows are read
    grouped by area and hour (at most areas × hours groups) and added up both ways here, one
    statement instead of two over the same rows."""
    from . import rollups

    if refresh:
        rollups.refresh()
    scope = Q()
    if point is not None:
        scope &= Q(point_id=point.pk)
    if area is not None:
        scope &= Q(area_id=area.pk)
    county_scope = Q()
    if county is not None and point is None and area is None:  # every point of the county
        county_scope = county_q(HallDay, county)
        scope &= county_scope
    total, by_area, by_day = Sums(), defaultdict[int, Sums](Sums), defaultdict[date, Sums](Sums)
    by_hour_sums = defaultdict[int, Sums](Sums)
    short = (date_to - date_from).days < SHORT_PERIOD_DAYS
    group = ["area_id", "hour"] if hours else ["area_id"]
    if short:  # per day too: read the day rows only
        cells = _day_cells(scope, date_from, date_to, ["business_date", *group])
        keyed = [((area_id, *rest), day, c) for (day, area_id, *rest), c in cells.items()]
    else:
        cells = summed(
            HallDay,
            HallMonth,
            day_field="business_date",
            scope=scope,
            date_from=date_from,
            date_to=date_to,
            group=group,
            measures=MEASURES,
        )
        keyed = [(k, None, c) for k, c in cells.items()]
    for (area_id, *rest), day, c in keyed:
        s = Sums.of(c)
        by_area[area_id].add(s)
        total.add(s)
        if day is not None:
            by_day[day].add(s)
        if rest:
            by_hour_sums[rest[0]].add(s)
    out = Figures()
    _fill(out, total, by_area, by_day)
    out.per_hour = {h: by_hour_sums[h].summary() for h in sorted(by_hour_sums)}
    if area is None:  # finished tickets per window are not kept per area
        # Whole months from the month rows, the ends from the day rows (not every day of a long period).
        windows = summed(
            HallWindowDay,
            HallWindowMonth,
            day_field="business_date",
            scope=Q(point_id=point.pk) if point is not None else county_scope,
            date_from=date_from,
            date_to=date_to,
            group=["window_id", "clerk_id"],
            measures={"finished": Sum("finished")},
        )
        for (w, c), cell in windows.items():
            n = cell["finished"]
            out.per_window[w] = out.per_window.get(w, 0) + n
            if c:
                out.per_clerk[c] = out.per_clerk.get(c, 0) + n
    return out


def day_figures(*, point: ServicePoint, day: date | None = None) -> Figures:
    day = day or business_date()
    return figures(point=point, date_from=day, date_to=day)


def by_hour(
    *, point: ServicePoint | None = None, area: ServiceArea | None = None, date_from: date, date_to: date
) -> dict[int, dict[str, Any]]:
    """Tickets issued per hour of the day, with their waiting figures, over the period."""
    scope = Q()
    if point is not None:
        scope &= Q(point_id=point.pk)
    if area is not None:
        scope &= Q(area_id=area.pk)
    rows = summed(
        HallDay,
        HallMonth,
        day_field="business_date",
        scope=scope,
        date_from=date_from,
        date_to=date_to,
        group=["hour"],
        measures=MEASURES,
    )
    return {h: Sums.of(rows[(h,)]).summary() for (h,) in sorted(rows)}


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{v * 100:.1f}%"


def _min(v: float | None) -> str:
    return "-" if v is None else f"{v:.1f}"


def sections(*, user: Any, params: dict[str, Any]) -> list[Section]:
    """Dashboard section: every service point (or params point / area), the whole ticket history
    by default, or params date_from/date_to."""
    from . import rollups

    rollups.refresh()
    params = params or {}
    point, area = params.get("point"), params.get("area")
    if area is not None:
        point = area.point
    remit = params.get("remit")
    if remit is not None:
        # A township's reader sees the township's halls; a department has no hall figures of its own.
        if remit.kind not in ("township", "subdistrict"):
            return []
        mine = ServicePoint.objects.filter(org_unit__path__startswith=remit.path).order_by("code")
        if point is None or not mine.filter(pk=point.pk).exists():
            point, area = mine.first(), None
        if point is None:
            return []
    date_to = params.get("date_to") or business_date()
    first = HallDay.objects.order_by("business_date").values_list("business_date", flat=True).first()
    date_from = params.get("date_from") or first or (date_to - timedelta(days=29))
    county = params.get("county")
    # Refreshed above; every point of the reader's county when none is chosen.
    f = figures(point=point, area=area, date_from=date_from, date_to=date_to, refresh=False, hours=True, county=county)
    where = area.name if area is not None else (point.name if point is not None else str(_("各服务场所")))
    sec = Section(
        key="hall",
        title=str(_("服务大厅排队")),
        order=40,
        note=str(_("%(where)s，%(a)s – %(b)s 取的号，按取号时的服务区统计（转窗不改变归属）。"))
        % {"where": where, "a": date_from, "b": date_to},
    )
    sec.figures = [
        Figure(str(_("取号")), f.issued, str(_("张")), fact="F4", note=str(_("取号机、手机、预约签到和窗口代取的号"))),
        Figure(str(_("平均等候时间")), _min(f.avg_wait_minutes), str(_("分钟")), note=str(_("从取号到第一次叫号"))),
        Figure(
            str(_("平均办理时间")),
            _min(f.avg_service_minutes),
            str(_("分钟")),
            note=str(_("从开始办理（没有记录时从最后一次叫号）到办结")),
        ),
        Figure(
            str(_("服务水平内叫号占比")),
            _pct(f.within_service_level),
            note=str(_("在服务区规定时间（默认15分钟）内叫到的号，占已叫号和等候中作废的号")),
        ),
        Figure(str(_("过号率")), _pct(f.no_show_rate), note=str(_("叫号后未到、被过号的号，占已叫号的号"))),
    ]
    area_rows = ServiceArea.objects.select_related("point")
    if county is not None:
        area_rows = for_county(area_rows, county)
    areas = {a.pk: a for a in area_rows}
    ordered = sorted(
        (kv for kv in f.per_area.items() if kv[0] in areas),
        key=lambda kv: (areas[kv[0]].point.code, areas[kv[0]].sort_order),
    )
    rows = []
    for area_id, s in ordered:
        a = areas[area_id]
        rows.append(
            [
                a.point.name,
                a.name,
                s["issued"],
                _min(s["avg_wait_minutes"]),
                _min(s["avg_service_minutes"]),
                _pct(s["within_service_level"]),
                _pct(s["no_show_rate"]),
            ]
        )
    names = [f"{areas[a].name}" if point is not None else f"{areas[a].point.name[:6]}·{areas[a].name}" for a, _s in ordered]
    links = [f"area={areas[a].code}" for a, _s in ordered]
    waits = [_round(s["avg_wait_minutes"]) for _a, s in ordered]
    sec.charts.append(
        Chart(
            key="hall-areas",
            title=str(_("各服务区等候与办理时间")),
            kind="hbar",
            categories=names,
            series=[
                (str(_("平均等候（分钟）")), waits),
                (str(_("平均办理（分钟）")), [_round(s["avg_service_minutes"]) for _a, s in ordered]),
            ],
            unit=str(_("分钟")),
            links=links,
            note=str(_("每个服务区从取号到叫号、从开始办理到办结的平均分钟数")),
            text=_text(str(_("各服务区平均等候")), names, waits, str(_("分钟"))),
        )
    )
    levels = [round(100 * s["within_service_level"], 1) if s["within_service_level"] is not None else None for _a, s in ordered]
    sec.charts.append(
        Chart(
            key="hall-level",
            title=str(_("各服务区服务水平")),
            kind="hbar",
            categories=names,
            series=[
                (str(_("服务水平内叫号占比（%）")), levels),
                (str(_("过号率（%）")), [_pct_num(s["no_show_rate"]) for _a, s in ordered]),
            ],
            unit="%",
            links=links,
            note=str(_("在规定时间内叫到的号所占的百分比，以及过号的百分比")),
            text=_text(str(_("各服务区服务水平")), names, levels, "%"),
        )
    )
    hours = f.per_hour
    hour_names = [f"{h}:00" for h in hours]
    issued = [s["issued"] for s in hours.values()]
    sec.charts.append(
        Chart(
            key="hall-hours",
            title=str(_("各时段取号与等候")),
            kind="line",
            categories=hour_names,
            series=[
                (str(_("取号")), issued),
                (str(_("平均等候（分钟）")), [_round(s["avg_wait_minutes"]) for s in hours.values()]),
                (str(_("平均办理（分钟）")), [_round(s["avg_service_minutes"]) for s in hours.values()]),
            ],
            unit=str(_("张")),
            note=str(_("按取号的钟点统计：几点取的号最多，那时等了多久、办了多久")),
            text=_text(str(_("各时段取号")), hour_names, issued, str(_("张"))),
        )
    )
    sec.tables.append(
        Table(
            title=str(_("各服务区")),
            columns=[
                str(_("服务场所")),
                str(_("服务区")),
                str(_("取号")),
                str(_("平均等候（分钟）")),
                str(_("平均办理（分钟）")),
                str(_("服务水平内占比")),
                str(_("过号率")),
            ],
            rows=rows,
        )
    )
    windows = {w.pk: w for w in Window.objects.select_related("point")}
    sec.tables.append(
        Table(
            title=str(_("各窗口办结量")),
            columns=[str(_("服务场所")), str(_("窗口")), str(_("办结"))],
            rows=[
                [windows[w].point.name, str(windows[w]), n]
                for w, n in sorted(
                    ((w, n) for w, n in f.per_window.items() if w in windows),
                    key=lambda kv: (windows[kv[0]].point.code, windows[kv[0]].number),
                )
            ],
        )
    )
    from onewindow.accounts.models import Role, User

    if getattr(user, "is_authenticated", False) and (
        user.role_names() & {Role.HALL_MANAGER, Role.LEADER, Role.ADMIN}  # one read for the three
    ):
        names_by_pk = {u.pk: str(u) for u in User.objects.filter(pk__in=f.per_clerk)}
        sec.tables.append(
            Table(
                title=str(_("各工作人员办结量")),
                columns=[str(_("工作人员")), str(_("办结"))],
                rows=[[names_by_pk.get(u, "?"), n] for u, n in sorted(f.per_clerk.items(), key=lambda kv: -kv[1])],
            )
        )
    return [sec]


def _round(v: float | None) -> float | None:
    return None if v is None else round(v, 1)


def _pct_num(v: float | None) -> float | None:
    return None if v is None else round(100 * v, 1)


def _text(title: str, cats: list[str], values: list[Any], unit: str) -> str:
    """A sentence for screen readers: how many, and the three largest."""
    pairs = sorted(((c, v) for c, v in zip(cats, values, strict=True) if v is not None), key=lambda p: -p[1])[:3]
    if not pairs:
        return str(_("%(t)s：所选范围内没有数据。")) % {"t": title}
    return str(_("%(t)s：共 %(n)d 项，最多的是 %(top)s。")) % {
        "t": title,
        "n": len(cats),
        "top": "，".join(f"{c} {v}{unit}" for c, v in pairs),
    }


def by_county(codes: list[str], *, date_from: date, date_to: date) -> dict[str, dict[str, int]]:
    """Per county (by code): tickets issued and their summed waiting (ms and count) over the
    period's business days, from the rollups (one statement grouped by service point, folded to the
    point's county). For the roll-up above the counties."""
    from . import rollups

    rollups.refresh()
    points = dict(ServicePoint.objects.filter(org_unit__county_id__in=codes).values_list("pk", "org_unit__county_id"))
    rows = summed(
        HallDay,
        HallMonth,
        day_field="business_date",
        scope=Q(point_id__in=list(points)),
        date_from=date_from,
        date_to=date_to,
        group=["point_id"],
        measures={m: Sum(m) for m in ("issued", "wait_ms", "wait_n")},
    )
    out = {code: {"issued": 0, "wait_ms": 0, "wait_n": 0} for code in codes}
    for (point_id,), s in rows.items():
        cell = out[points[point_id]]
        for m, v in s.items():
            cell[m] += v
    return out
