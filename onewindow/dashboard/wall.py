"""The wall screen (大屏) of a hall: today's queue and service figures per area, tickets per hour,
and the cases late now. Everything comes from the rollups (brought up to date on each refresh)
and from indexed reads of today's open tickets."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.cases.figures import now_figures
from onewindow.core.tenancy import for_county
from onewindow.hall import stats as hall_stats
from onewindow.hall.models import ServiceArea, ServicePoint, Ticket
from onewindow.hall.services import business_date

REFRESH_SECONDS = 60


def context(params: dict[str, Any]) -> dict[str, Any]:
    points = ServicePoint.objects.order_by("code")
    if params.get("county") is not None:  # the reader's county's halls (core.tenancy)
        points = for_county(points, params["county"])
    if params.get("township") is not None:  # a township's reader: the township's hall
        points = points.filter(org_unit__path__startswith=params["township"].path)
    point: ServicePoint | None = params.get("point") or points.first()
    today = business_date()
    # With the hours from the same read (one statement for both).
    f = hall_stats.figures(point=point, date_from=today, date_to=today, hours=True) if point else hall_stats.Figures()
    waiting = dict(
        Ticket.objects.filter(point=point, business_date=today, status=Ticket.Status.WAITING)
        .values("area_id")
        .annotate(n=Count("id"))
        .values_list("area_id", "n")
    )
    areas = []
    for a in ServiceArea.objects.filter(point=point).order_by("sort_order", "code"):
        s = f.per_area.get(a.pk, {})
        areas.append(
            {
                "name": a.name,
                "waiting": waiting.get(a.pk, 0),
                "issued": s.get("issued", 0),
                "avg_wait": _num(s.get("avg_wait_minutes")),
                "level": _pct(s.get("within_service_level")),
            }
        )
    hours = f.per_hour
    cats = [f"{h}:00" for h in sorted(hours)]
    late = now_figures({k: params[k] for k in ("county", "department", "township") if params.get(k) is not None})
    chart = {
        "kind": "bar",
        "categories": cats,
        "series": [{"name": str(_("取号")), "data": [hours[h]["issued"] for h in sorted(hours)]}],
        "unit": str(_("张")),
        "links": [],
    }
    return {
        "point": point,
        "points": for_county(ServicePoint.objects.order_by("code"), params["county"])
        if params.get("county") is not None
        else ServicePoint.objects.order_by("code"),
        "today": today,
        "now": timezone.localtime(),
        "f": f,
        "avg_wait": _num(f.avg_wait_minutes),
        "avg_service": _num(f.avg_service_minutes),
        "level": _pct(f.within_service_level),
        "waiting_total": sum(waiting.values()),
        "areas": areas,
        "late": late,
        "charts": {"wall-hours": chart},
        "hours_text": _("今天各小时取号：%(t)s。")
        % {"t": "，".join(f"{c} {hours[h]['issued']}" for c, h in zip(cats, sorted(hours), strict=True)) or "—"},
        "refresh": REFRESH_SECONDS,
    }


def _num(v: float | None) -> str:
    return "—" if v is None else f"{v:.1f}"


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v * 100:.0f}%"
