"""就近办 figures for the dashboard (F13, F14): what each township handles, from the catalog and its
delegations (as of today), and the cases it decided, from the case rollups (by the dashboard's period)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.cases.figures import Period, cube, rollup_scope
from onewindow.cases.models import CaseDay
from onewindow.cases.rollups import refresh
from onewindow.catalog.models import Matter, MatterVersion
from onewindow.catalog.selectors import delegations_in_force
from onewindow.core.rollups import summed
from onewindow.core.stats import Chart, Figure, Section, Table, describe_chart

from .selectors import townships

# The measures of the case rollups this section reads (cases.rollup_models.Measures): all counted on
# the day the application was received, like every case figure of the dashboard.
MEASURES = ("received", "approved", "denied", "concluded", "refused", "on_time")


def decided_cases(params: dict[str, Any], units: list[Any]) -> dict[int, dict[str, int]]:
    """Per township (by id): of the applications received in the dashboard's period whose deciding
    unit (`Case.department`) is the township, with the page's matter, bundle and channel filters,
    those received, decided (准予 + 不予许可: `decided_at` set), decided and concluded, and the
    matters with a decision. Read from the case rollups (`cases.figures`), never from the cases.

    "Decided and concluded" is `concluded - refused`: an application is concluded (`concluded_at`)
    either by a refusal at intake (不予受理, no decision) or by 办结 after its decision
    (`case_conclude` requires one); the test recounts it from the cases."""
    if not units:
        return {}
    period = Period.of(params)
    # The section's own township scope replaces the page's department / township filters: the
    # deciding unit of a township's case is the township itself.
    narrowed = {k: params.get(k) for k in ("matter", "bundle", "channel")}
    group = ["department_id", "matter_id", "bundle_id"]
    month_model, year_model = cube(narrowed, group)
    rows = summed(
        CaseDay,
        month_model,
        year_model=year_model,
        day_field="day",
        scope=rollup_scope(narrowed) & Q(department_id__in=[u.pk for u in units]),
        date_from=period.date_from,
        date_to=period.date_to,
        group=group,
        measures={m: Sum(m) for m in MEASURES},
    )
    out: dict[int, dict[str, int]] = {}
    for (unit_id, matter_id, _bundle_id), s in rows.items():
        cell = out.setdefault(unit_id, {"received": 0, "decided": 0, "concluded": 0, "on_time": 0, "matters": 0})
        decided = s["approved"] + s["denied"]
        cell["received"] += s["received"]
        cell["decided"] += decided
        cell["concluded"] += s["concluded"] - s["refused"]
        cell["on_time"] += s["on_time"]
        cell["matters"] += int(bool(decided and matter_id))
    return out


def township_figures(params: dict[str, Any] | None = None, *, county: Any = None) -> list[dict[str, Any]]:
    """Per township (of `county`, else every county): matters delegated to it and in force today,
    the matters it handles (its township-level ones and those delegated, as cases.routing sends
    them) — both as of today, from the catalog — and, for the applications received in the
    dashboard's period (`decided_cases`), the matters it decided cases of, the cases it decided
    and of those the concluded ones."""
    params = params or {}
    refresh()  # the case rollups up to date (once per page: core.rollups.checked_once)
    today = timezone.localdate()
    found = townships()
    if county is not None:
        found = found.filter(county_id=getattr(county, "pk", county))
    units = list(found)
    # What a township can handle (cases.routing): the catalog's township-level matters, which every
    # township handles for its residents, plus the matters delegated to it and in force today.
    own_qs = Matter.objects.filter(
        current_version__status=MatterVersion.Status.PUBLISHED,
        current_version__handling_level=MatterVersion.Level.TOWNSHIP,
    )
    own_by_county: dict[Any, set[int]] = {}
    for pk, county_id in own_qs.values_list("pk", "department__county_id"):
        own_by_county.setdefault(county_id, set()).add(pk)
    held: dict[int, set[int]] = {t.pk: set(own_by_county.get(t.county_id, set())) for t in units}
    delegated: dict[int, set[int]] = {t.pk: set() for t in units}  # the matters delegated and in force, per township
    for township_id, matter_id in delegations_in_force(on=today).filter(township__in=units).values_list("township", "matter"):
        held[township_id].add(matter_id)
        delegated[township_id].add(matter_id)
    per = decided_cases(params, units)
    out = []
    for t in units:
        row = per.get(t.pk, {})
        out.append(
            {
                "code": t.code,
                "name": t.name,
                "delegated": len(delegated[t.pk]),
                "handled": len(held[t.pk]),
                "received": row.get("received", 0),
                "matters_decided": row.get("matters", 0),
                "cases_decided": row.get("decided", 0),
                "concluded": row.get("concluded", 0),
            }
        )
    return out


# A township's reader sees its own row; a department's reader has no township figures.
REMIT = True


def sections(*, user: Any = None, params: Any = None) -> list[Section]:
    params = params or {}
    remit = params.get("remit")
    rows = township_figures(params, county=params.get("county"))
    # A township chosen (drilled into, or the reader's own) narrows the section to its row; a
    # department's reader has none (their remit is not a township).
    only = remit if remit is not None else params.get("township")
    if only is not None:
        rows = [r for r in rows if r["code"] == only.code]
    if not rows:
        return []
    period = Period.of(params)
    received = sum(r["received"] for r in rows)
    decided = sum(r["cases_decided"] for r in rows)
    concluded = sum(r["concluded"] for r in rows)
    active = sum(1 for r in rows if r["cases_decided"])
    delegated = [r["delegated"] for r in rows]
    handled = [r["handled"] for r in rows]
    figures = [
        Figure(
            _("乡镇（街道）作出决定的办件"),
            decided,
            _("件"),
            fact="F14",
            note=_(
                "所选期间收到、由乡镇（街道）作出准予或不予许可决定的申请（按收件日期），%(n)d 个乡镇（街道）；其中已办结 %(c)d 件，乡镇办理的申请共 %(r)d 件"
            )
            % {"n": active, "c": concluded, "r": received},
        ),
        Figure(
            _("每个乡镇（街道）承接的赋权事项"),
            f"{min(delegated)}–{max(delegated)}" if min(delegated) != max(delegated) else delegated[0],
            _("项"),
            fact="F14",
            note=_("区里下放给各乡镇（街道）、现在仍有效的事项，最少到最多"),
        ),
        Figure(
            _("每个乡镇（街道）就近办理的事项"),
            f"{min(handled)}–{max(handled)}" if min(handled) != max(handled) else handled[0],
            _("项"),
            fact="F14",
            note=_("乡镇级事项与赋权事项，办件由乡镇（街道）受理和决定"),
        ),
    ]
    table = Table(
        title=_("就近办：各乡镇（街道）办件"),
        columns=[
            _("乡镇（街道）"),
            _("就近办理的事项"),
            _("承接赋权事项"),
            _("乡镇办理的申请"),
            _("已作出决定的事项"),
            _("作出决定的办件"),
            _("其中已办结"),
        ],
        rows=[
            [r["name"], r["handled"], r["delegated"], r["received"], r["matters_decided"], r["cases_decided"], r["concluded"]]
            for r in rows
        ],
    )
    names = [r["name"] for r in rows]
    chart = Chart(
        key="townships-cases",
        title=_("各乡镇（街道）就近办"),
        kind="hbar",
        categories=names,
        series=[
            (_("作出决定的办件"), [r["cases_decided"] for r in rows]),
            (_("其中已办结"), [r["concluded"] for r in rows]),
        ],
        unit=_("件"),
        links=[f"township={r['code']}" for r in rows],
        note=_("所选期间收到、由乡镇（街道）作出决定的申请，及其中已办结的件数（点击看该乡镇的办件）"),
        text=describe_chart(_("各乡镇（街道）作出决定的办件"), names, [r["cases_decided"] for r in rows], _("件")),
    )
    table.links = [f"township={r['code']}" for r in rows]
    return [
        Section(
            key="townships",
            title=_("赋权与就近办"),
            figures=figures,
            tables=[table],
            charts=[chart],
            order=15,
            note=_("办件数：%(p)s 收到、由乡镇（街道）决定的申请（按收件日期）；事项数：现在的目录与赋权。") % {"p": period},
        )
    ]
