"""The townships section's case figures (cases decided by a township, and of those concluded) are
read from the case rollups by the dashboard's period: under random histories of delegated and
township-level cases handled at two townships' windows, for random periods, they equal a recount
from the cases themselves (by the day received, in the style of cases/tests/test_rollups.py); and
the period filter changes them."""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import make_user
from onewindow.accounts.models import OrgUnit, Role
from onewindow.cases import services as svc
from onewindow.cases.models import Case, CaseStep
from onewindow.cases.rollups import refresh
from onewindow.cases.tests.conftest import all_materials, make_matter
from onewindow.catalog.models import Delegation, MatterVersion
from onewindow.core.errors import ApplicationError
from onewindow.townships import stats

pytestmark = pytest.mark.django_db
TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
START = datetime.datetime(2025, 12, 22, 9, tzinfo=TZ)  # across a year end and month ends


@pytest.fixture
def world(org: dict[str, OrgUnit], cal: Any) -> dict[str, Any]:
    delegated = make_matter("MZJ-201", "临时救助", org["MZJ"], committed=3)
    own = make_matter("MZJ-202", "乡镇级事项", org["MZJ"], committed=2)
    MatterVersion.objects.filter(pk=own.pk).update(handling_level=MatterVersion.Level.TOWNSHIP)
    own.refresh_from_db()
    for t in ("ZXZ", "FTZ"):
        Delegation.objects.create(matter=delegated.matter, township=org[t], effective_on=datetime.date(2021, 5, 20))
    people: dict[str, Any] = {}
    for t, village in (("ZXZ", "ZXSQ"), ("FTZ", "FTC")):
        officer = make_user(f"officer_{t}", Role.TOWNSHIP_OFFICER, org[t])
        resident = make_user(f"resident_{t}", Role.CITIZEN, home_unit=org[village], phone=f"139000001{len(people)}")
        people[t] = (officer, resident)
    return {"org": org, "matters": [delegated, own], "people": people}


OPS = st.lists(
    st.tuples(
        st.sampled_from(["submit", "submit", "accept", "refuse", "approve", "decide", "conclude", "refresh"]),
        st.integers(0, 3),  # which case
        st.integers(0, 12),  # days to move on before the operation
        st.booleans(),  # which township (submit) / approve or deny (decide)
    ),
    min_size=1,
    max_size=30,
)


def run(world: dict[str, Any], ops: list[tuple[str, int, int, bool]]) -> None:
    cases: list[tuple[Case, Any]] = []
    now = START
    for op, i, days, flag in ops:
        now += datetime.timedelta(days=days, minutes=7)
        with time_machine.travel(now, tick=False):
            try:
                if op == "submit":
                    officer, resident = world["people"]["ZXZ" if flag else "FTZ"]
                    mv = world["matters"][i % 2]
                    case = svc.case_submit(
                        applicant=resident,
                        matter_version=mv,
                        channel="counter",
                        form_data={"address": "x"},
                        materials=all_materials(list(mv.materials.all())),
                        actor=officer,
                    )
                    cases.append((case, officer))
                    continue
                if not cases or op == "refresh":
                    refresh()
                    continue
                case, officer = cases[i % len(cases)]
                case.refresh_from_db()
                if op == "accept":
                    svc.case_accept(case=case, actor=officer)
                elif op == "refuse":
                    svc.case_refuse(case=case, actor=officer, reasons="不属于本机关管辖")
                elif op == "approve":
                    for step in case.steps.filter(status=CaseStep.Status.OPEN):
                        svc.step_approve(step=step, actor=officer)
                elif op == "decide":
                    svc.case_decide(case=case, actor=officer, approved=flag, reason="" if flag else "不符合条件")
                elif op == "conclude":
                    svc.case_conclude(case=case, actor=officer)
            except ApplicationError:
                pass  # an operation the case's state does not allow changes nothing


def recount(lo: datetime.date, hi: datetime.date) -> dict[str, dict[str, int]]:
    """Per township code, from the cases: received in [lo, hi] (local day), decided by the
    township, and of those concluded; the matters with a decision."""
    out: dict[str, dict[str, Any]] = {}
    for case in Case.objects.select_related("department", "matter_version"):
        if case.department.kind not in (OrgUnit.Kind.TOWNSHIP, OrgUnit.Kind.SUBDISTRICT):
            continue
        if not lo <= case.received_at.astimezone(TZ).date() <= hi:
            continue
        cell = out.setdefault(case.department.code, {"received": 0, "decided": 0, "concluded": 0, "matters": set()})
        cell["received"] += 1
        if case.decided_at is not None:
            cell["decided"] += 1
            cell["matters"].add(case.matter_version.matter_id if case.matter_version else 0)
            cell["concluded"] += case.concluded_at is not None
    return {k: {**v, "matters": len(v["matters"])} for k, v in out.items()}


def shown(params: dict[str, Any]) -> dict[str, dict[str, int]]:
    return {
        r["code"]: {
            "received": r["received"],
            "decided": r["cases_decided"],
            "concluded": r["concluded"],
            "matters": r["matters_decided"],
        }
        for r in stats.township_figures(params)
        if r["received"]
    }


PERIODS = st.lists(
    st.tuples(st.dates(datetime.date(2025, 11, 1), datetime.date(2026, 6, 1)), st.integers(0, 400)).map(
        lambda p: (p[0], p[0] + datetime.timedelta(days=p[1]))
    ),
    min_size=1,
    max_size=3,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=OPS, periods=PERIODS)
@example(
    ops=[
        ("submit", 0, 0, True),
        ("submit", 1, 1, False),
        ("submit", 0, 0, True),
        ("accept", 0, 0, False),
        ("approve", 0, 1, False),
        ("decide", 0, 1, True),
        ("conclude", 0, 0, False),
        ("refuse", 2, 0, False),
        ("accept", 1, 30, False),
        ("approve", 1, 1, False),
        ("decide", 1, 1, False),
    ],
    periods=[
        (datetime.date(2025, 12, 1), datetime.date(2026, 12, 31)),
        (datetime.date(2025, 12, 23), datetime.date(2025, 12, 31)),
    ],
)
def test_township_figures_equal_a_recount_from_the_cases(
    world: dict[str, Any], ops: list[Any], periods: list[tuple[datetime.date, datetime.date]]
) -> None:
    with transaction.atomic():
        run(world, ops)
        with time_machine.travel(START + datetime.timedelta(days=200), tick=False):
            for lo, hi in periods:
                assert shown({"date_from": lo, "date_to": hi}) == recount(lo, hi), (lo, hi)
            # A channel filter (every case here is "counter") changes nothing; another empties it.
            lo, hi = periods[0]
            assert shown({"date_from": lo, "date_to": hi, "channel": "counter"}) == recount(lo, hi)
            assert shown({"date_from": lo, "date_to": hi, "channel": "online"}) == {}
        transaction.set_rollback(True)


def test_the_period_filter_changes_the_section(world: dict[str, Any]) -> None:
    """Two decided cases at 值夏镇, received in January and in March: each month's page counts its
    own, the quarter both; the section's figure, table and chart follow."""
    officer, resident = world["people"]["ZXZ"]
    mv = world["matters"][0]
    for month in (1, 3):
        with time_machine.travel(datetime.datetime(2026, month, 12, 10, tzinfo=TZ), tick=False):
            case = svc.case_submit(
                applicant=resident,
                matter_version=mv,
                channel="counter",
                form_data={"address": "x"},
                materials=all_materials(list(mv.materials.all())),
                actor=officer,
            )
            case = svc.case_accept(case=case, actor=officer)
            for step in case.steps.all():
                svc.step_approve(step=step, actor=officer)
            case = svc.case_decide(case=case, actor=officer, approved=True)
            if month == 1:
                svc.case_conclude(case=case, actor=officer)

    def section(lo: datetime.date, hi: datetime.date, **more: Any) -> Any:
        return stats.sections(params={"date_from": lo, "date_to": hi, **more})[0]

    jan = section(datetime.date(2026, 1, 1), datetime.date(2026, 1, 31))
    mar = section(datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
    quarter = section(datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))
    feb = section(datetime.date(2026, 2, 1), datetime.date(2026, 2, 28))
    assert (jan.figures[0].value, mar.figures[0].value, quarter.figures[0].value, feb.figures[0].value) == (1, 1, 2, 0)
    zxz = next(r for r in quarter.tables[0].rows if r[0] == "值夏镇")
    assert zxz[3:] == [2, 1, 2, 1]  # received, matters decided, decided, of those concluded
    chart = quarter.charts[0]
    at = chart.categories.index("值夏镇")
    assert [(name, values[at]) for name, values in chart.series] == [("作出决定的办件", 2), ("其中已办结", 1)]
    assert "2026-01-01 – 2026-03-31" in quarter.note
    # Drilled into 富滩镇: its row only (none of these cases).
    ft = section(datetime.date(2026, 1, 1), datetime.date(2026, 3, 31), township=world["org"]["FTZ"])
    assert [r[0] for r in ft.tables[0].rows] == ["富滩镇"] and ft.figures[0].value == 0
