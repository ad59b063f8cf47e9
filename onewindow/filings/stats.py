"""Filing figures for the dashboard (F10), computed from the database."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from onewindow.core.stats import Figure, Section, Table

from .models import Filing

RESUMPTION = "企业复工经营备案"
WINDOW = (datetime.date(2021, 2, 17), datetime.date(2021, 3, 31))


def resumption_figures() -> dict[str, int]:
    qs = Filing.objects.filter(matter_version__name=RESUMPTION, signed_at__date__gte=WINDOW[0], signed_at__date__lte=WINDOW[1])
    agg = qs.aggregate(
        total=Count("id"),
        enterprises=Count("id", filter=Q(enterprise__is_sole_trader=False)),
        sole_traders=Count("id", filter=Q(enterprise__is_sole_trader=True)),
        revoked=Count("id", filter=Q(status=Filing.Status.REVOKED)),
    )
    return {k: int(v or 0) for k, v in agg.items()}


def sections(*, user: Any = None, params: Any = None) -> list[Section]:
    f = resumption_figures()
    by_matter = (
        Filing.objects.values("title")
        .annotate(n=Count("id"), revoked=Count("id", filter=Q(status=Filing.Status.REVOKED)))
        .order_by("-n")[:10]
    )
    return [
        Section(
            key="filings",
            title=str(_("告知承诺备案")),
            order=60,
            figures=[
                Figure(str(_("企业复工经营备案（2021-02-17至2021-03-31）")), f["total"], str(_("件")), fact="F10"),
                Figure(str(_("其中企业")), f["enterprises"], str(_("件"))),
                Figure(str(_("其中个体工商户")), f["sole_traders"], str(_("件"))),
                Figure(str(_("事后核查撤销")), f["revoked"], str(_("件"))),
            ],
            tables=[
                Table(
                    columns=[str(_("事项")), str(_("备案数")), str(_("撤销"))],
                    rows=[[r["title"], r["n"], r["revoked"]] for r in by_matter],
                    title=str(_("各事项备案数")),
                )
            ],
        )
    ]
