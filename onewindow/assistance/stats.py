"""F15 (帮你办) from the data: agent points and their agents, residents served, cases filed by
agents (by matter), fees collected for residents, follow-ups. Optional `date_from` / `date_to`
params narrow the activity figures (cases by the day received, fees by the till's day)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Avg, Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from onewindow.accounts.models import OrgUnit, Role, RoleAssignment
from onewindow.cases.models import Channel
from onewindow.catalog.models import Matter
from onewindow.core.stats import Figure, Section, Table, counts

from .models import AgentApplication, AgentPoint, CollectionKind, FollowUp, LedgerEntry, Mandate, MaterialForwarding
from .services import yuan

EARLIEST = datetime.date(2000, 1, 1)
TOP_MATTERS = 20  # the agents' cases per matter: the matters with most


@dataclass
class AgentFigures:
    points: int = 0
    villages: int = 0
    points_with_agents: int = 0
    agents: int = 0
    mandates_active: int = 0
    residents_served: int = 0
    agent_cases: int = 0
    cases_by_matter: list[tuple[str, str, int]] = field(default_factory=list)  # (code, name, count)
    fees_fen: dict[str, int] = field(default_factory=dict)  # collection kind -> net fen
    fee_payers: int = 0
    follow_ups: int = 0
    satisfaction: float | None = None
    forwardings: int = 0
    forwardings_late: int = 0


def agent_figures(
    *, date_from: datetime.date | None = None, date_to: datetime.date | None = None, county: Any = None
) -> AgentFigures:
    """Seven queries: every count in one statement (core.stats.counts), the follow-ups' average, the
    fees per kind, the agents' cases per matter from the cases' rollups (and the check that they
    are current), and the names of those matters."""
    f = AgentFigures()
    # One county's (`county`, a County or its code), through each row's agent point's village; every
    # county's without one. Explicit lookups: these models carry no county_lookup yet (docs/tenancy.md).
    c: dict[str, Any] = {} if county is None else {"county_id": getattr(county, "pk", county)}

    def via(prefix: str) -> dict[str, Any]:
        return {f"{prefix}__{k}": v for k, v in c.items()}

    apps = AgentApplication.objects.filter(**via("point__village"))
    entries = LedgerEntry.objects.filter(**via("till__point__village"))
    if date_from:
        apps = apps.filter(created_at__date__gte=date_from)
        entries = entries.filter(till__day__gte=date_from)
    if date_to:
        apps = apps.filter(created_at__date__lte=date_to)
        entries = entries.filter(till__day__lte=date_to)
    agent_roles = RoleAssignment.objects.filter(role=Role.AGENT, **via("org_unit"))
    agent_units = agent_roles.values("org_unit")
    fwd = MaterialForwarding.objects.filter(application__in=apps)
    payers = entries.values("resident_id").order_by().distinct()
    n = counts(
        points=AgentPoint.objects.filter(**via("village")),
        villages=OrgUnit.objects.filter(kind__in=[OrgUnit.Kind.VILLAGE, OrgUnit.Kind.COMMUNITY], **c),
        points_with_agents=AgentPoint.objects.filter(village__in=agent_units),
        agents=agent_roles.values("user").distinct(),
        mandates_active=Mandate.objects.filter(status=Mandate.Status.ACTIVE, **via("point__village")),
        residents_served=payers.union(apps.values("resident_id").order_by()),  # UNION: each resident once
        fee_payers=payers,
        forwardings=fwd,
        forwardings_late=fwd.filter(Q(warning="red") | Q(received_at__isnull=False, received_at__date__gt=F("due_on"))),
    )
    for name, value in n.items():
        setattr(f, name, value)

    # Cases filed by agents, by the day received: from the cases' rollups, not a scan of the cases.
    from onewindow.cases.models import CaseDay, CaseMonth, CaseYear
    from onewindow.cases.rollups import refresh
    from onewindow.core.rollups import summed
    from onewindow.core.tenancy import county_q

    refresh()
    cells = summed(
        CaseDay,
        CaseMonth,
        year_model=CaseYear,
        day_field="day",
        scope=Q(channel=Channel.AGENT) & (county_q(CaseDay, county) if county is not None else Q()),
        date_from=date_from or EARLIEST,
        date_to=date_to or timezone.localdate(),
        group=["matter_id"],
        measures={"received": Sum("received")},
    )
    rows = [(k, s["received"]) for k, s in cells.items() if s["received"]]
    f.agent_cases = sum(n for _k, n in rows)
    names = {
        pk: (code, name)
        for pk, code, name in Matter.objects.filter(pk__in={k[0] for k, _n in rows}).values_list("pk", "code", "search_name")
    }
    f.cases_by_matter = sorted(((*names.get(k[0], ("", "")), n) for k, n in rows), key=lambda r: (-r[2], r[1]))
    f.fees_fen = {r["collection_kind"]: r["s"] or 0 for r in entries.values("collection_kind").annotate(s=Sum("amount_fen"))}
    agg = FollowUp.objects.filter(application__in=apps).aggregate(n=Count("id"), avg=Avg("satisfaction"))
    f.follow_ups = agg["n"] or 0
    f.satisfaction = round(float(agg["avg"]), 2) if agg["avg"] is not None else None
    return f


def sections(*, user: Any = None, params: Any = None) -> list[Section]:
    params = params or {}
    f = agent_figures(date_from=params.get("date_from"), date_to=params.get("date_to"), county=params.get("county"))
    fees_total = sum(f.fees_fen.values())
    figures = [
        Figure(
            _("村（社区）代办点"),
            f.points,
            pgettext("unit: agent points", "个"),
            fact="F15",
            note=_("覆盖 %(v)d 个村（社区），%(a)d 个点有代办员") % {"v": f.villages, "a": f.points_with_agents},
        ),
        Figure(_("代办员"), f.agents, _("人"), fact="F15", note=_("被指定为村（社区）代办员的人（一人算一次）")),
        Figure(_("有效委托"), f.mandates_active, _("份"), fact="F15", note=_("群众委托代办员办事、现在仍有效的委托书")),
        Figure(_("服务群众"), f.residents_served, _("人"), fact="F15", note=_("代办申请或代收缴费的群众")),
        Figure(_("代办办件"), f.agent_cases, _("件"), fact="F15", note=_("代办员代为提交的申请，按收件日期")),
        Figure(
            _("代收代缴"),
            yuan(fees_total),
            _("元"),
            fact="F15",
            note=_("代办点为群众代收的费用，扣除冲正")
            + "".join(f"；{CollectionKind(k).label} {yuan(v)}" for k, v in sorted(f.fees_fen.items())),
        ),
        Figure(
            _("回访满意度"),
            f.satisfaction if f.satisfaction is not None else "—",
            "/5",
            fact="F15",
            note=_("回访 %(n)d 次") % {"n": f.follow_ups},
        ),
        Figure(
            _("纸质材料按时送达"),
            f"{(f.forwardings - f.forwardings_late) * 100 // f.forwardings}%" if f.forwardings else "—",
            "",
            fact="F15",
            note=_("移交 %(n)d 次，超期 %(late)d 次") % {"n": f.forwardings, "late": f.forwardings_late},
        ),
    ]
    tables = [
        Table(
            title=_("代办办件（按事项）"),
            columns=[_("事项编码"), _("事项"), _("件数")],
            rows=[[code or "", name, n] for code, name, n in f.cases_by_matter[:TOP_MATTERS]],
        )
    ]
    return [Section(key="assistance", title=str(_("帮你办：村（社区）代办")), figures=figures, tables=tables, order=70)]
