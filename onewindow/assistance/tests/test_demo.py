"""The demo step on a small district (two villages): an agent per point, mandates, agent cases
routed by cases.routing, collections in balanced tills and signed batches; idempotent; F15's
figures are computed from what it built."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from onewindow.accounts.models import Role, RoleAssignment
from onewindow.assistance import demo, services
from onewindow.assistance.models import (
    AgentApplication,
    AgentPoint,
    FollowUp,
    HandoverBatch,
    LedgerEntry,
    Mandate,
    MaterialForwarding,
    TillDay,
)
from onewindow.assistance.stats import agent_figures, sections
from onewindow.cases.models import Case
from onewindow.catalog.models import Delegation
from onewindow.core.demo import DemoContext

pytestmark = pytest.mark.django_db


def test_demo_builds_balanced_data_and_is_idempotent(
    org: Any, depts: Any, matters: Any, citizen: Any, agent: Any, clerk: Any
) -> None:
    from conftest import make_user

    from .conftest import make_matter

    make_user("approver_ybj", Role.APPROVER, depts["YBJ"])
    citizen.home_unit = org["ZXSQ"]
    citizen.save(update_fields=["home_unit"])
    # A matter delegated to 值夏镇 only (F14): its agent cases from 值夏镇's villages go to the
    # township, from 富滩镇's to the district.
    delegated = make_matter("RSJ-002", "就业困难人员认定", depts["RSJ"])
    Delegation.objects.create(matter=delegated, township=org["ZXZ"], effective_on=datetime.date(2021, 5, 20))
    ctx = DemoContext(quiet=True)
    demo.build(ctx)
    points = AgentPoint.objects.count()
    assert points == 2
    # An agent at every point; the persona keeps 值夏社区.
    assert set(RoleAssignment.objects.filter(role=Role.AGENT).values_list("org_unit__code", flat=True)) == {"ZXZ-V01", "FTZ-V01"}
    assert RoleAssignment.objects.get(role=Role.AGENT, org_unit=org["ZXSQ"]).user == agent
    assert Mandate.objects.filter(resident=citizen, point__village=org["ZXSQ"]).exists()
    assert Case.objects.filter(channel="agent").count() == AgentApplication.objects.count() > 0
    routed = {"township": 0, "district": 0}
    for c in Case.objects.filter(channel="agent").select_related("matter_version__matter", "agent_application__point__village"):
        assert c.matter_version.agent_eligible  # type: ignore[union-attr]
        assert c.applicant.home_unit_id == c.agent_application.point.village_id
        township = c.agent_application.point.village.parent
        if c.matter_version.matter_id == delegated.pk and township == org["ZXZ"]:  # type: ignore[union-attr]
            assert c.department == c.intake_unit == org["ZXZ"]
            routed["township"] += 1
        else:
            assert c.department == c.matter_version.matter.department  # type: ignore[union-attr]
            assert c.intake_unit == org["gov"]
            routed["district"] += 1
    assert routed["township"] > 0 and routed["district"] > 0, routed
    # Money: every till replays to its totals, closed ones balance, batches equal their entries.
    for t in TillDay.objects.all():
        assert services.till_replay(t) == {"cash_fen": t.cash_fen, "transfer_fen": t.transfer_fen, "entry_count": t.entry_count}
        assert t.status == "closed" and t.counted_cash_fen == t.cash_fen
    for b in HandoverBatch.objects.all():
        assert b.entries.aggregate(s=Sum("amount_fen"))["s"] == b.total_fen and b.entries.count() == b.entry_count
    assert LedgerEntry.objects.exists()
    counts = (Mandate.objects.count(), Case.objects.count(), LedgerEntry.objects.count(), HandoverBatch.objects.count())
    demo.build(ctx)
    assert (Mandate.objects.count(), Case.objects.count(), LedgerEntry.objects.count(), HandoverBatch.objects.count()) == counts
    # F15 from the data.
    f = agent_figures()
    assert (f.points, f.points_with_agents, f.agents) == (2, 2, 2)
    assert f.agent_cases == Case.objects.filter(channel="agent").count()
    assert sum(n for _c, _n, n in f.cases_by_matter) == f.agent_cases
    assert sum(f.fees_fen.values()) == LedgerEntry.objects.aggregate(s=Sum("amount_fen"))["s"]
    assert f.residents_served > 0
    # The counts taken in one statement equal the plain counts.
    payers = set(LedgerEntry.objects.values_list("resident_id", flat=True))
    assert f.fee_payers == len(payers)
    assert f.residents_served == len(payers | set(AgentApplication.objects.values_list("resident_id", flat=True)))
    assert f.mandates_active == Mandate.objects.filter(status=Mandate.Status.ACTIVE).count()
    assert f.forwardings == MaterialForwarding.objects.count()
    assert f.follow_ups == FollowUp.objects.count()
    with CaptureQueriesContext(connection) as queries:
        agent_figures()
    assert len(queries.captured_queries) <= 7
    section = sections(user=None, params={})[0]
    assert section.key == "assistance" and any(fig.fact == "F15" for fig in section.figures)
