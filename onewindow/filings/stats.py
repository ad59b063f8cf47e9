"""Filing figures for the dashboard (F10), computed from the database."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from onewindow.core.stats import Chart, Figure, Section, Table, describe_chart

from .models import Filing

RESUMPTION = "企业复工经营备案"
WINDOW = (datetime.date(2021, 2, 17), datetime.date(2021, 3, 31))


def _in_county(county: Any) -> dict[str, Any]:
    """One county's filings, through the matter's department (explicit: Filing has no county_lookup yet)."""
    return {} if county is None else {"matter_version__matter__department__county_id": getattr(county, "pk", county)}


def resumption_figures(county: Any = None) -> dict[str, int]:
    qs = Filing.objects.filter(
        matter_version__name=RESUMPTION, signed_at__date__gte=WINDOW[0], signed_at__date__lte=WINDOW[1], **_in_county(county)
    )
    agg = qs.aggregate(
        total=Count("id"),
        enterprises=Count("id", filter=Q(enterprise__is_sole_trader=False)),
        sole_traders=Count("id", filter=Q(enterprise__is_sole_trader=True)),
        revoked=Count("id", filter=Q(status=Filing.Status.REVOKED)),
    )
    return {k: int(v or 0) for k, v in agg.items()}


def sections(*, user: Any = None, params: Any = None) -> list[Section]:
    county = (params or {}).get("county")
    f = resumption_figures(county)
    by_matter = (
        Filing.objects.filter(**_in_county(county))
        .values("title")
        .annotate(n=Count("id"), revoked=Count("id", filter=Q(status=Filing.Status.REVOKED)))
        .order_by("-n")[:10]
    )
    matters = list(by_matter)
    titles = [r["title"] for r in matters]
    chart = Chart(
        key="filings-matters",
        title=str(_("备案最多的事项")),
        kind="hbar",
        categories=titles,
        series=[
            (str(_("备案数")), [r["n"] for r in matters]),
            (str(_("撤销")), [r["revoked"] for r in matters]),
        ],
        unit=str(_("件")),
        note=str(_("告知承诺制备案最多的 10 个事项，及事后核查发现不实而撤销的件数")),
        text=describe_chart(str(_("各事项备案数")), titles, [r["n"] for r in matters], str(_("件"))),
    )
    return [
        Section(
            key="filings",
            charts=[chart],
            title=str(_("告知承诺备案")),
            order=60,
            figures=[
                Figure(
                    str(_("企业复工经营备案（2021-02-17至2021-03-31）")),
                    f["total"],
                    str(_("件")),
                    fact="F10",
                    note=str(_("这段期间签署的企业复工经营告知承诺备案")),
                ),
                Figure(
                    str(_("其中企业")), f["enterprises"], str(_("件")), note=str(_("上述备案中由企业（不含个体工商户）提交的"))
                ),
                Figure(str(_("其中个体工商户")), f["sole_traders"], str(_("件")), note=str(_("上述备案中由个体工商户提交的"))),
                Figure(str(_("事后核查撤销")), f["revoked"], str(_("件")), note=str(_("事后核查发现承诺不实、被撤销的上述备案"))),
            ],
            tables=[
                Table(
                    columns=[str(_("事项")), str(_("备案数")), str(_("撤销"))],
                    rows=[[r["title"], r["n"], r["revoked"]] for r in matters],
                    title=str(_("各事项备案数")),
                )
            ],
        )
    ]
