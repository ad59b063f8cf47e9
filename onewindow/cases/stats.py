"""Case figures for the dashboard, added up from the rollups (`CaseDay` / `CaseMonth`, kept by
`cases.rollups`), never by reading every case. The only figures read from the cases themselves are
the "now" ones (open cases past or near their limit), through an index.

Every figure counts the applications received in the chosen period (by the day received), so the
numbers of one period never change because of what happens to other periods' cases. The reading
of the rollups (periods, scopes, sums) is `cases.figures`; this module is the dashboard's section.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext as _

from onewindow.accounts.models import OrgUnit
from onewindow.catalog.models import Bundle, Matter
from onewindow.core.stats import Chart, Figure, Section, Table

from .figures import (
    ROW_MEASURES,
    TOP_MATTERS,
    TREND_MEASURES,
    UNIT_GROUP,
    Period,
    added,
    avg,
    breakdown,
    fold,
    monthly,
    now_figures,
    pct,
    rate,
)
from .models import Channel
from .rollups import refresh

# The figures follow params["department"] / params["township"], which the dashboard sets to the
# reader's remit (onewindow.dashboard.discovery.honours_remit).
REMIT = True


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
    rows = breakdown(params, period, "matter_id", "bundle_id", measures=ROW_MEASURES)
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
    trend = monthly(params, period.date_to.replace(day=1), measures=TREND_MEASURES)
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


# The measures a county's row of the province's and cities' roll-up shows (dashboard.rollup).
COUNTY_MEASURES = ("received", "concluded", "on_time", "done", "zero_trips", "one_trip")


def by_county(codes: list[str], params: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Per county (by code): the case measures of `COUNTY_MEASURES` for the applications received
    in the dashboard's period, from the unit rollups (one statement, grouped by the deciding unit,
    folded to its county here). For the roll-up above the counties: counts, never a case."""
    from django.db.models import Q, Sum

    from onewindow.core.rollups import summed

    from .figures import cube
    from .models import CaseDay

    refresh()
    period = Period.of(params)
    units = dict(OrgUnit.objects.filter(county_id__in=codes).values_list("pk", "county_id"))
    month_model, year_model = cube({}, ["department_id"])
    rows = summed(
        CaseDay,
        month_model,
        year_model=year_model,
        day_field="day",
        scope=Q(department_id__in=list(units)),
        date_from=period.date_from,
        date_to=period.date_to,
        group=["department_id"],
        measures={m: Sum(m) for m in COUNTY_MEASURES},
    )
    out = {code: dict.fromkeys(COUNTY_MEASURES, 0) for code in codes}
    for (unit_id,), s in rows.items():
        cell = out[units[unit_id]]
        for m, v in s.items():
            cell[m] += v
    return out
