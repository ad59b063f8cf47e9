"""就近办 figures for the dashboard (F13, F14), computed from the cases and delegations."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.cases.models import Case
from onewindow.catalog.models import Matter, MatterVersion
from onewindow.catalog.selectors import delegations_in_force
from onewindow.core.stats import Chart, Figure, Section, Table, describe_chart

from .selectors import townships


def township_figures() -> list[dict[str, Any]]:
    """Per township: matters delegated to it and in force today, the matters it handles (its
    township-level ones and those delegated, as cases.routing sends them), matters it has decided cases of,
    cases decided there (any matter it is the deciding unit of), and those concluded on time."""
    today = timezone.localdate()
    units = list(townships())
    # What a township can handle (cases.routing): the catalog's township-level matters, which every
    # township handles for its residents, plus the matters delegated to it and in force today.
    own = set(
        Matter.objects.filter(
            current_version__status=MatterVersion.Status.PUBLISHED,
            current_version__handling_level=MatterVersion.Level.TOWNSHIP,
        ).values_list("pk", flat=True)
    )
    held: dict[int, set[int]] = {t.pk: set(own) for t in units}
    delegated: dict[int, set[int]] = {t.pk: set() for t in units}  # the matters delegated and in force, per township
    for township_id, matter_id in delegations_in_force(on=today).filter(township__in=units).values_list("township", "matter"):
        held[township_id].add(matter_id)
        delegated[township_id].add(matter_id)
    decided = Case.objects.filter(department__in=units, decided_at__isnull=False)
    per = {
        row["department"]: row
        for row in decided.values("department").annotate(
            cases=Count("pk"),
            matters=Count("matter_version__matter", distinct=True),
            concluded=Count("pk", filter=Q(concluded_at__isnull=False)),
        )
    }
    out = []
    for t in units:
        row = per.get(t.pk, {})
        out.append(
            {
                "code": t.code,
                "name": t.name,
                "delegated": len(delegated[t.pk]),
                "handled": len(held[t.pk]),
                "matters_decided": row.get("matters", 0),
                "cases_decided": row.get("cases", 0),
                "concluded": row.get("concluded", 0),
            }
        )
    return out


# A township's reader sees its own row; a department's reader has no township figures.
REMIT = True


def sections(*, user: Any = None, params: Any = None) -> list[Section]:
    remit = (params or {}).get("remit")
    rows = township_figures()
    if remit is not None:
        rows = [r for r in rows if r["code"] == remit.code]
    if not rows:
        return []
    decided = sum(r["cases_decided"] for r in rows)
    active = sum(1 for r in rows if r["cases_decided"])
    delegated = [r["delegated"] for r in rows]
    handled = [r["handled"] for r in rows]
    figures = [
        Figure(_("乡镇（街道）作出决定的办件"), decided, _("件"), fact="F14", note=_("%(n)d 个乡镇（街道）") % {"n": active}),
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
        columns=[_("乡镇（街道）"), _("就近办理的事项"), _("承接赋权事项"), _("已办理的事项"), _("作出决定的办件"), _("已办结")],
        rows=[[r["name"], r["handled"], r["delegated"], r["matters_decided"], r["cases_decided"], r["concluded"]] for r in rows],
    )
    names = [r["name"] for r in rows]
    chart = Chart(
        key="townships-cases",
        title=_("各乡镇（街道）就近办"),
        kind="hbar",
        categories=names,
        series=[
            (_("作出决定的办件"), [r["cases_decided"] for r in rows]),
            (_("已办结"), [r["concluded"] for r in rows]),
        ],
        unit=_("件"),
        links=[f"township={r['code']}" for r in rows],
        note=_("由乡镇（街道）作出决定的办件，及其中已办结的件数（点击看该乡镇的办件）"),
        text=describe_chart(_("各乡镇（街道）作出决定的办件"), names, [r["cases_decided"] for r in rows], _("件")),
    )
    table.links = [f"township={r['code']}" for r in rows]
    return [Section(key="townships", title=_("赋权与就近办"), figures=figures, tables=[table], charts=[chart], order=15)]
