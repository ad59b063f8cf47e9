"""Catalog figures (F3, F4, F8, F9, F12, F14, F15), computed from the database only.

`catalog_figures()` returns the raw numbers (tests and the /catalog/stats/ page use them);
`sections()` is the dashboard contract of onewindow.core.stats.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from onewindow.accounts.models import OrgUnit
from onewindow.accounts.tenancy import staff_county
from onewindow.core import hooks
from onewindow.core.stats import Chart, Figure, Section, Table, counts, describe_chart
from onewindow.core.tenancy import for_county
from onewindow.hall.models import ServiceArea

from .models import ONLINE_CAPABLE_DEPTH, Delegation, Matter, MatterVersion


def _rate(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


@dataclass
class AreaFigure:
    code: str
    name: str
    theme: str
    departments: list[str]
    windows: int


@dataclass
class TownshipFigure:
    code: str
    name: str
    own: int  # matters exercised at township level
    delegated: int  # district matters delegated to it (active)
    total: int  # distinct matters it can handle


@dataclass
class CatalogFigures:
    departments: int = 0
    matters: int = 0
    on_one_window: int = 0
    online_deployed: int = 0
    online_capable: int = 0
    mobile: int = 0
    off_hours: int = 0
    agent_eligible: int = 0
    zero_trip: int = 0
    all_mobile_departments: list[tuple[str, int]] = field(default_factory=list)
    delegation_batches: list[tuple[str, int]] = field(default_factory=list)  # ("2021-05", matters)
    latest_batch: tuple[str, int] = ("", 0)
    townships: list[TownshipFigure] = field(default_factory=list)
    comprehensive: AreaFigure | None = None
    themed: list[AreaFigure] = field(default_factory=list)
    agent_points: int = 0
    villages: int = 0

    @property
    def one_window_rate(self) -> int:
        return _rate(self.on_one_window, self.matters)

    @property
    def online_rate(self) -> int:
        return _rate(self.online_capable, self.matters)

    @property
    def themed_departments(self) -> int:
        return len({d for a in self.themed for d in a.departments})


def catalog_figures(county: str | None = None) -> CatalogFigures:
    """One county's catalog figures (docs/tenancy.md): `county`'s, by default the deployment's
    first county (ONEWINDOW_REGION_CODE, the demo's 青原区)."""
    from django.conf import settings

    code = county or settings.ONEWINDOW_REGION_CODE
    f = CatalogFigures()
    current = for_county(Matter.objects.filter(current_version__status=MatterVersion.Status.PUBLISHED), code)
    v = "current_version__"
    agg = current.aggregate(
        matters=Count("pk"),
        departments=Count("department", distinct=True),
        on_one_window=Count("pk", filter=Q(**{v + "on_one_window": True})),
        online_deployed=Count("pk", filter=Q(**{v + "online_depth__gte": 1})),
        online_capable=Count("pk", filter=Q(**{v + "online_depth__gte": ONLINE_CAPABLE_DEPTH})),
        mobile=Count("pk", filter=Q(**{v + "on_mobile": True})),
        off_hours=Count("pk", filter=Q(**{v + "off_hours_bookable": True})),
        agent_eligible=Count("pk", filter=Q(**{v + "agent_eligible": True})),
        zero_trip=Count("pk", filter=Q(**{v + "max_visits": 0})),
        own=Count("pk", filter=Q(**{v + "handling_level": MatterVersion.Level.TOWNSHIP})),
    )
    own = agg.pop("own") or 0
    for k, val in agg.items():
        setattr(f, k, val or 0)

    per_dept = (
        current.values("department__name", "department__sort_order")
        .annotate(total=Count("pk"), mobile=Count("pk", filter=Q(**{v + "on_mobile": True})))
        .order_by("department__sort_order")
    )
    f.all_mobile_departments = [(d["department__name"], d["total"]) for d in per_dept if d["total"] and d["total"] == d["mobile"]]

    # Delegation batches: distinct matters per month of effect (F14: May 2021).
    batches = (
        for_county(Delegation.objects.filter(revoked_on__isnull=True), code)
        .annotate(month=TruncMonth("effective_on"))
        .values("month")
        .annotate(matters=Count("matter", distinct=True))
        .order_by("month")
    )
    f.delegation_batches = [(b["month"].strftime("%Y-%m"), b["matters"]) for b in batches if b["month"]]
    if f.delegation_batches:
        f.latest_batch = f.delegation_batches[-1]

    # What each township can handle: its own township-level matters (`own`) plus the delegated ones
    # that are not township-level anyway, counted per township in the database.
    delegated = dict(
        for_county(Delegation.objects, code)
        .filter(revoked_on__isnull=True, matter__current_version__status=MatterVersion.Status.PUBLISHED)
        .exclude(matter__current_version__handling_level=MatterVersion.Level.TOWNSHIP)
        .values_list("township_id")
        .annotate(n=Count("matter", distinct=True))
        .order_by()
    )
    towns = for_county(OrgUnit.objects.filter(kind__in=[OrgUnit.Kind.TOWNSHIP, OrgUnit.Kind.SUBDISTRICT]), code)
    for t in towns.order_by("sort_order", "code"):
        d = delegated.get(t.pk, 0)
        f.townships.append(TownshipFigure(t.code, t.name, own, d, own + d))

    # The district hall's areas (F4): the comprehensive area and the themed ones.
    areas = (
        for_county(ServiceArea.objects.filter(point__org_unit__kind=OrgUnit.Kind.GOVERNMENT), code)
        .prefetch_related("departments")
        .annotate(window_count=Count("windows", filter=Q(windows__is_active=True), distinct=True))
        .order_by("sort_order", "code")
    )
    for a in areas:
        fig = AreaFigure(a.code, a.name, a.theme, [d.name for d in a.departments.all()], a.window_count)
        if a.theme == ServiceArea.Theme.COMPREHENSIVE:
            f.comprehensive = fig
        elif a.theme != ServiceArea.Theme.TOWNSHIP:
            f.themed.append(fig)

    # The agent points are assistance's (it builds on the catalog): a hook gives them (core/hooks.py).
    all_points = hooks.provider("catalog.agent_points")
    n = counts(
        villages=for_county(OrgUnit.objects.filter(kind__in=[OrgUnit.Kind.VILLAGE, OrgUnit.Kind.COMMUNITY]), code),
        **({"agent_points": all_points()} if all_points is not None else {}),
    )
    f.agent_points, f.villages = n.get("agent_points", 0), n["villages"]
    return f


def sections(*, user: Any = None, params: Any = None) -> list[Section]:
    # Labels are translated here (non-lazy gettext), within the request that renders them, so they
    # are plain strings as onewindow.core.stats declares.
    # The dashboard's county (the reader's, or the one a province's reader chose); called without
    # one: a county's staff see their county's figures, everyone else the deployment's first county's.
    county = (params or {}).get("county")
    f = catalog_figures(getattr(county, "pk", county) if county is not None else staff_county(user))
    figures = [
        Figure(
            _("实施部门"),
            f.departments,
            pgettext("unit: departments", "个"),
            fact="F3",
            note=_("事项目录中有已发布事项的实施部门"),
        ),
        Figure(_("依申请类政务服务事项"), f.matters, _("项"), fact="F3", note=_("事项目录中已发布、群众和企业可以申请的事项")),
        Figure(_("部署至一窗平台"), f.on_one_window, _("项"), fact="F3", note=_("占比 %(r)d%%") % {"r": f.one_window_rate}),
        Figure(_("一窗受理率"), f.one_window_rate, "%", fact="F3", note=_("部署至一窗平台的事项占全部已发布事项的比例")),
        Figure(
            _("部署至网上办事大厅"), f.online_deployed, _("项"), fact="F8", note=_("网上办事大厅上至少可以网上咨询、查询的事项")
        ),
        Figure(_("网上可办"), f.online_capable, _("项"), fact="F8", note=_("网上可办率 %(r)d%%") % {"r": f.online_rate}),
        Figure(_("网上可办率"), f.online_rate, "%", fact="F8", note=_("网上可以受理或全程网办的事项占全部已发布事项的比例")),
        Figure(
            _("赣服通可办"),
            f.mobile,
            _("项"),
            fact="F9",
            note=_("可以在赣服通（手机）上办理的事项") + "".join(f"；{name} {n}/{n}" for name, n in f.all_mobile_departments),
        ),
        Figure(_("可预约延时错时服务"), f.off_hours, _("项"), fact="F12", note=_("可以预约午间、晚间、周末或节假日办理的事项")),
        Figure(_("零跑腿事项"), f.zero_trip, _("项"), fact="F2", note=_("申请人一次也不用到现场就能办完的事项")),
        Figure(_("可代办事项"), f.agent_eligible, _("项"), fact="F15", note=_("村（社区）代办员可以代为申请的事项")),
    ]
    if f.latest_batch[1]:
        figures.append(Figure(_("最近一批下放乡镇的事项"), f.latest_batch[1], _("项"), fact="F14", note=f.latest_batch[0]))
    if f.townships:
        totals = [t.total for t in f.townships]
        figures.append(
            Figure(
                _("每个乡镇（街道）可办事项"),
                f"{min(totals)}–{max(totals)}" if min(totals) != max(totals) else totals[0],
                _("项"),
                fact="F14",
                note=_("各乡镇（街道）本级事项加上仍有效的赋权事项，最少到最多"),
            )
        )
    if f.comprehensive:
        figures.append(
            Figure(
                _("综合服务区进驻部门"),
                len(f.comprehensive.departments),
                pgettext("unit: departments", "个"),
                fact="F4a",
                note=_("%(w)d 个前台窗口") % {"w": f.comprehensive.windows},
            )
        )
    if f.themed:
        windows = [a.windows for a in f.themed]
        figures.append(
            Figure(
                _("主题服务区进驻部门"),
                f.themed_departments,
                pgettext("unit: departments", "个"),
                fact="F4b",
                note=_("%(n)d 个主题服务区，每区 %(lo)d–%(hi)d 个窗口")
                % {"n": len(f.themed), "lo": min(windows), "hi": max(windows)},
            )
        )
    figures.append(
        Figure(
            _("村（社区）代办点"),
            f.agent_points,
            pgettext("unit: agent points", "个"),
            fact="F15",
            note=_("覆盖 %(v)d 个村（社区）") % {"v": f.villages},
        )
    )

    areas = ([f.comprehensive] if f.comprehensive else []) + f.themed
    return [
        Section(
            key="catalog",
            title=str(_("事项目录与服务渠道")),
            figures=figures,
            tables=_tables(f, areas),
            charts=_charts(f),
            order=10,
        )
    ]


def _charts(f: CatalogFigures) -> list[Chart]:
    item = _("项")
    channels = [
        (_("一窗受理"), f.on_one_window),
        (_("网上可办"), f.online_capable),
        (_("赣服通可办"), f.mobile),
        (_("可预约延时错时"), f.off_hours),
        (_("零跑腿"), f.zero_trip),
        (_("可代办"), f.agent_eligible),
    ]
    cats, values = [str(c) for c, _v in channels], [v for _c, v in channels]
    charts = [
        Chart(
            key="catalog-channels",
            title=_("事项可以怎样办"),
            kind="bar",
            categories=cats,
            series=[(_("事项数"), values)],
            unit=item,
            note=_("%(n)d 项已发布的依申请事项中，各服务方式可办的事项数（一项事项可有多种方式）") % {"n": f.matters},
            text=_("共 %(n)d 项事项：") % {"n": f.matters}
            + _("，").join(f"{c} {v}" for c, v in zip(cats, values, strict=True))
            + "。",
        )
    ]
    if f.townships:
        names = [t.name for t in f.townships]
        charts.append(
            Chart(
                key="catalog-townships",
                title=_("各乡镇（街道）可办事项"),
                kind="hbar",
                categories=names,
                series=[(_("乡镇级事项"), [t.own for t in f.townships]), (_("赋权事项"), [t.delegated for t in f.townships])],
                unit=item,
                links=[f"township={t.code}" for t in f.townships],
                note=_("乡镇（街道）本级事项，加上区里下放、现在仍有效的赋权事项"),
                text=describe_chart(_("各乡镇（街道）可办事项"), names, [t.total for t in f.townships], item),
            )
        )
    if f.delegation_batches:
        months = [m for m, _n in f.delegation_batches]
        counts = [n for _m, n in f.delegation_batches]
        charts.append(
            Chart(
                key="catalog-batches",
                title=_("赋权批次"),
                kind="bar",
                categories=months,
                series=[(_("事项数"), counts)],
                unit=item,
                note=_("按生效月份，仍有效的下放乡镇的事项数"),
                text=describe_chart(_("赋权批次"), months, counts, item),
            )
        )
    return charts


def _tables(f: CatalogFigures, areas: list[AreaFigure]) -> list[Table]:
    return [
        Table(
            title=_("大厅服务区"),
            columns=[_("服务区"), _("窗口数"), _("进驻部门数"), _("进驻部门")],
            rows=[[a.name, a.windows, len(a.departments), "、".join(a.departments)] for a in areas],
        ),
        Table(
            title=_("乡镇（街道）可办事项"),
            columns=[_("乡镇（街道）"), _("乡镇级事项"), _("赋权事项"), _("合计")],
            rows=[[t.name, t.own, t.delegated, t.total] for t in f.townships],
            links=[f"township={t.code}" for t in f.townships],
        ),
        Table(
            title=_("赋权批次"),
            columns=[_("生效月份"), _("事项数")],
            rows=[[month, n] for month, n in f.delegation_batches],
        ),
    ]


def delegated_by_county(codes: list[str]) -> dict[str, int]:
    """Per county (by code): the matters delegated to at least one of its townships and in force
    today. For the roll-up above the counties."""
    from django.db.models import Count
    from django.utils import timezone

    from .selectors import delegations_in_force

    out = dict.fromkeys(codes, 0)
    key = "township__county_id"
    rows = (
        delegations_in_force(on=timezone.localdate())
        .filter(**{f"{key}__in": codes})
        .values(key)
        .annotate(n=Count("matter", distinct=True))
        .order_by()
    )
    for r in rows:
        out[r[key]] = r["n"]
    return out
