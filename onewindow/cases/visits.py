"""一次不跑 measured from cases (F2): how many times each applicant came in person for a finished case
(`CaseVisit`: handing in at a window, bringing a supplement, collecting the result, a hall ticket
served for it; one per case and day; an agent's trips are not the applicant's). Not from the
catalog's `max_visits` promises: from what happened."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from onewindow.core.stats import Figure, Section, Table

from .models import Case, CaseVisit, Channel

DONE = [Case.Status.DELIVERED, Case.Status.REFUSED]


def _finished(date_from: datetime.date | None = None, date_to: datetime.date | None = None) -> Any:
    """Finished cases (delivered, or refused at intake), by the day they finished."""
    qs = Case.objects.filter(status__in=DONE)
    if date_from:
        qs = qs.filter(Q(delivered_at__date__gte=date_from) | Q(status=Case.Status.REFUSED, updated_at__date__gte=date_from))
    if date_to:
        qs = qs.filter(Q(delivered_at__date__lte=date_to) | Q(status=Case.Status.REFUSED, updated_at__date__lte=date_to))
    return qs


def _done(date_from: datetime.date | None = None, date_to: datetime.date | None = None) -> Any:
    """Finished cases with their number of trips in person (a subquery, so it can be filtered on
    inside aggregates)."""
    per_case = CaseVisit.objects.filter(case=OuterRef("pk")).order_by().values("case").annotate(n=Count("id")).values("n")
    return _finished(date_from, date_to).annotate(trips=Coalesce(Subquery(per_case), 0))


def visit_figures(date_from: datetime.date | None = None, date_to: datetime.date | None = None) -> dict[str, Any]:
    """{"done", "zero", "at_most_one", "zero_share", "at_most_one_share", "mean"} (shares in %)."""
    agg = _done(date_from, date_to).aggregate(
        done=Count("id"),
        zero=Count("id", filter=Q(trips=0)),
        at_most_one=Count("id", filter=Q(trips__lte=1)),
    )
    done = agg["done"] or 0
    trips = CaseVisit.objects.filter(case__in=_finished(date_from, date_to)).count() if done else 0
    return {
        "done": done,
        "zero": agg["zero"] or 0,
        "at_most_one": agg["at_most_one"] or 0,
        "zero_share": round(100 * (agg["zero"] or 0) / done, 1) if done else None,
        "at_most_one_share": round(100 * (agg["at_most_one"] or 0) / done, 1) if done else None,
        "mean": round(trips / done, 2) if done else None,
    }


def by_channel(date_from: datetime.date | None = None, date_to: datetime.date | None = None) -> list[list[Any]]:
    rows = (
        _done(date_from, date_to)
        .order_by()
        .values("channel")
        .annotate(n=Count("id"), zero=Count("id", filter=Q(trips=0)), one=Count("id", filter=Q(trips__lte=1)))
        .order_by("-n")
    )
    labels = dict(Channel.choices)
    return [
        [
            str(labels.get(r["channel"], r["channel"])),
            r["n"],
            f"{100 * r['zero'] / r['n']:.1f}%",
            f"{100 * r['one'] / r['n']:.1f}%",
        ]
        for r in rows
        if r["n"]
    ]


def visit_section(params: Any = None) -> Section:
    """The 一次不跑 section of the dashboard (listed by cases.stats.sections)."""
    params = params or {}
    date_from, date_to = params.get("date_from"), params.get("date_to")
    f = visit_figures(date_from, date_to)
    pct = str(_("%"))
    return Section(
        key="visits",
        title=str(_("一次不跑：群众到现场次数")),
        order=25,
        figures=[
            Figure(str(_("办结的办件")), f["done"], str(_("件")), note=str(_("已送达或不予受理的办件"))),
            Figure(str(_("一次不跑（到现场 0 次）")), f["zero_share"], pct, fact="F2"),
            Figure(str(_("最多跑一次（到现场不超过 1 次）")), f["at_most_one_share"], pct, fact="F2"),
            Figure(str(_("平均到现场次数")), f["mean"], str(_("次"))),
        ],
        tables=[
            Table(
                columns=[str(_("申请渠道")), str(_("办结件数")), str(_("0 次")), str(_("不超过 1 次"))],
                rows=by_channel(date_from, date_to),
                title=str(_("按申请渠道")),
            )
        ],
    )
