"""The hall's figures, computed from the ticket event log (never stored totals).

- waiting time: issued -> first call;
- service time: start of service (the "started" event, else the last call) -> finished;
- service level: share of tickets first called within the area's service level (15 min by
  default; per area or per point), among tickets that were called or abandoned while waiting;
- no-show rate: no-shows / tickets called;
- tickets per window and per clerk: finished events by window and by actor.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import mean
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onewindow.core.stats import Figure, Section, Table

from .models import ServiceArea, ServicePoint, TicketEvent, Window
from .services import business_date

K = TicketEvent.Kind


@dataclass
class _Track:
    area_id: int
    issued: datetime | None = None
    first_call: datetime | None = None
    last_call: datetime | None = None
    started: datetime | None = None
    end: datetime | None = None
    end_kind: str = ""
    end_window: int | None = None
    end_actor: int | None = None


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


def _summarise(tracks: list[_Track], levels: dict[int, int]) -> dict[str, Any]:
    waits = [(t.first_call - t.issued).total_seconds() / 60 for t in tracks if t.issued and t.first_call]
    services = []
    for t in tracks:
        begin = t.started or t.last_call
        if t.end_kind == K.FINISHED and begin and t.end and t.end >= begin:
            services.append((t.end - begin).total_seconds() / 60)
    judged = within = 0
    for t in tracks:
        if not t.issued:
            continue
        if t.first_call:
            judged += 1
            within += (t.first_call - t.issued).total_seconds() <= levels.get(t.area_id, 15) * 60
        elif t.end_kind == K.ABANDONED:
            judged += 1
    called = sum(1 for t in tracks if t.first_call)
    no_show = sum(1 for t in tracks if t.end_kind == K.NO_SHOW)
    return {
        "issued": sum(1 for t in tracks if t.issued),
        "called": called,
        "finished": sum(1 for t in tracks if t.end_kind == K.FINISHED),
        "no_show": no_show,
        "abandoned": sum(1 for t in tracks if t.end_kind == K.ABANDONED),
        "avg_wait_minutes": mean(waits) if waits else None,
        "avg_service_minutes": mean(services) if services else None,
        "within_service_level": within / judged if judged else None,
        "no_show_rate": no_show / called if called else None,
    }


def figures(*, point: ServicePoint | None = None, area: ServiceArea | None = None, date_from: date, date_to: date) -> Figures:
    """Figures for tickets of business days date_from..date_to (inclusive), for one point, one area
    or (both None) every point."""
    q = Q(business_date__gte=date_from, business_date__lte=date_to)
    if point is not None:
        q &= Q(point=point)
    qs = (
        TicketEvent.objects.filter(q)
        .order_by("id")
        .values_list("ticket_id", "kind", "at", "window_id", "actor_id", "business_date")
    )
    tracks: dict[int, _Track] = {}
    days: dict[int, date] = {}
    area_of: dict[int, int] = {}
    # The issue area is what a ticket is counted under (a transfer does not move its figures).
    for ticket_id, area_id in (
        TicketEvent.objects.filter(q, kind=K.ISSUED).values_list("ticket_id", "area_id").iterator(chunk_size=5000)
    ):
        area_of[ticket_id] = area_id
    for ticket_id, kind, at, window_id, actor_id, bd in qs.iterator(chunk_size=5000):
        a = area_of.get(ticket_id)
        if a is None or (area is not None and a != area.pk):
            continue
        t = tracks.get(ticket_id)
        if t is None:
            t = tracks[ticket_id] = _Track(area_id=a)
            days[ticket_id] = bd
        if kind == K.ISSUED:
            t.issued = at
        elif kind in (K.CALLED, K.RECALLED):
            if t.first_call is None:
                t.first_call = at
            if kind == K.CALLED:
                t.last_call, t.started = at, None
        elif kind in (K.STARTED, K.RESUMED):
            t.started = t.started or at
        elif kind in (K.FINISHED, K.NO_SHOW, K.ABANDONED):
            t.end, t.end_kind, t.end_window, t.end_actor = at, kind, window_id, actor_id
    area_ids = {t.area_id for t in tracks.values()}
    levels = {a.pk: a.effective_service_level for a in ServiceArea.objects.filter(pk__in=area_ids).select_related("point")}
    all_tracks = list(tracks.values())
    out = Figures(**_summarise(all_tracks, levels))
    for t in all_tracks:
        if t.end_kind == K.FINISHED:
            if t.end_window:
                out.per_window[t.end_window] = out.per_window.get(t.end_window, 0) + 1
            if t.end_actor:
                out.per_clerk[t.end_actor] = out.per_clerk.get(t.end_actor, 0) + 1
    by_area: dict[int, list[_Track]] = defaultdict(list)
    by_day: dict[date, list[_Track]] = defaultdict(list)
    for tid, t in tracks.items():
        by_area[t.area_id].append(t)
        by_day[days[tid]].append(t)
    out.per_area = {a: _summarise(ts, levels) for a, ts in by_area.items()}
    out.per_day = {d: _summarise(ts, levels) for d, ts in sorted(by_day.items())}
    return out


def day_figures(*, point: ServicePoint, day: date | None = None) -> Figures:
    day = day or business_date()
    return figures(point=point, date_from=day, date_to=day)


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{v * 100:.1f}%"


def _min(v: float | None) -> str:
    return "-" if v is None else f"{v:.1f}"


def sections(*, user: Any, params: dict[str, Any]) -> list[Section]:
    """Dashboard section for every service point: the whole ticket history by default, or params
    date_from/date_to."""
    params = params or {}
    date_to = params.get("date_to") or business_date()
    first = TicketEvent.objects.order_by("business_date").values_list("business_date", flat=True).first()
    date_from = params.get("date_from") or first or (date_to - timedelta(days=29))
    f = figures(date_from=date_from, date_to=date_to)
    sec = Section(key="hall", title=str(_("服务大厅排队")), order=40)
    sec.figures = [
        Figure(str(_("取号")), f.issued, str(_("张")), fact="F4", note=f"{date_from} – {date_to}"),
        Figure(str(_("平均等候时间")), _min(f.avg_wait_minutes), str(_("分钟"))),
        Figure(str(_("平均办理时间")), _min(f.avg_service_minutes), str(_("分钟"))),
        Figure(str(_("服务水平内叫号占比")), _pct(f.within_service_level), note=str(_("按各服务区服务水平（默认15分钟）"))),
        Figure(str(_("过号率")), _pct(f.no_show_rate)),
    ]
    areas = {a.pk: a for a in ServiceArea.objects.select_related("point")}
    rows = []
    for area_id, s in sorted(f.per_area.items(), key=lambda kv: (areas[kv[0]].point.code, areas[kv[0]].sort_order)):
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
                for w, n in sorted(f.per_window.items(), key=lambda kv: (windows[kv[0]].point.code, windows[kv[0]].number))
            ],
        )
    )
    from onewindow.accounts.models import Role, User

    if getattr(user, "is_authenticated", False) and (
        user.has_role(Role.HALL_MANAGER) or user.has_role(Role.LEADER) or user.has_role(Role.ADMIN)
    ):
        names = {u.pk: str(u) for u in User.objects.filter(pk__in=f.per_clerk)}
        sec.tables.append(
            Table(
                title=str(_("各工作人员办结量")),
                columns=[str(_("工作人员")), str(_("办结"))],
                rows=[[names.get(u, "?"), n] for u, n in sorted(f.per_clerk.items(), key=lambda kv: -kv[1])],
            )
        )
    return [sec]
