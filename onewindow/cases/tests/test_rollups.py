"""The cases' rollups equal a full recount, whatever happened in between: random histories of
applications (matters and joint bundles, from the hall and from a township, on random days) going
through the services (accept, refuse, supplement, approve, pause, resume, decide, conclude), with
incremental refreshes at random moments; and the list of cases behind each figure (the dashboard's
drill-down) is the cases the figure counts. The recount below is written independently of
cases.rollups (case by case, through the ORM relations)."""

from __future__ import annotations

import datetime
import uuid
import zoneinfo
from collections import defaultdict
from typing import Any

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import make_user
from onewindow.accounts.models import OrgUnit, Role
from onewindow.cases import figures, rollups
from onewindow.cases import services as svc
from onewindow.cases.models import Case, CaseDay, CaseMonth, CaseStep, CaseYear
from onewindow.cases.rollup_models import DIMENSIONS
from onewindow.core import workdays
from onewindow.core.errors import ApplicationError

from .conftest import all_materials, make_matter

pytestmark = pytest.mark.django_db
TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
# Spans a year end (the year rows), month ends and the spring festival.
START = datetime.datetime(2025, 12, 22, 9, tzinfo=TZ)


def recount() -> dict[tuple[Any, ...], dict[str, int]]:
    out: dict[tuple[Any, ...], dict[str, int]] = defaultdict(lambda: dict.fromkeys(rollups.MEASURES, 0))
    for case in Case.objects.select_related("intake_unit", "department", "matter_version"):
        town = 0
        for unit in (case.intake_unit, case.department):
            u: OrgUnit | None = unit
            while u is not None and not town:
                if u.kind in (OrgUnit.Kind.TOWNSHIP, OrgUnit.Kind.SUBDISTRICT):
                    town = u.pk
                u = u.parent
        key = (
            datetime.datetime.fromtimestamp(case.received_at.timestamp(), TZ).date(),
            case.department_id,
            town,
            case.matter_version.matter_id if case.matter_version else 0,
            case.bundle_id or 0,
            case.channel,
        )
        c = out[key]
        c["received"] += 1
        c["joint"] += case.bundle_id is not None
        c["accepted"] += case.accepted_at is not None
        c["refused"] += case.status == "refused"
        c["supplemented"] += case.pauses.filter(kind="supplement").exists()
        c["approved"] += case.decision == "approved"
        c["denied"] += case.decision == "denied"
        if case.status in ("delivered", "refused"):
            trips = case.visits.count()
            c["done"] += 1
            c["zero_trips"] += trips == 0
            c["one_trip"] += trips <= 1
            c["trips"] += trips
        if case.is_joint and case.accepted_at:
            by_stage: dict[int, list[int]] = defaultdict(list)
            for s in case.steps.all():
                by_stage[s.stage_order].append(s.limit_days)
            c["joint_saved"] += sum(sum(v) - max(v) for v in by_stage.values())
        if case.concluded_at:
            done = case.concluded_at.astimezone(TZ).date()
            c["concluded"] += 1
            c["on_time"] += bool(case.committed_due and done <= case.committed_due)
            if case.accepted_at is not None:
                start = case.accepted_at.astimezone(TZ).date()  # day 1: first working day after it
                used = sum(
                    1 for i in range(1, (done - start).days + 1) if workdays.is_workday(start + datetime.timedelta(days=i))
                )
                c["timed"] += 1
                c["workdays"] += max(0, used - case.paused_days)
                c["committed"] += case.committed_days
                c["statutory"] += case.statutory_days
    return {k: dict(v) for k, v in out.items()}


def rollup_rows() -> dict[tuple[Any, ...], dict[str, int]]:
    return {
        (r.day, r.department_id, r.township_id, r.matter_id, r.bundle_id, r.channel): {m: getattr(r, m) for m in rollups.MEASURES}
        for r in CaseDay.objects.all()
    }


def month_rows() -> dict[tuple[Any, ...], dict[str, int]]:
    return {
        (r.month, r.department_id, r.township_id, r.matter_id, r.bundle_id, r.channel): {
            m: getattr(r, m) for m in rollups.MEASURES
        }
        for r in CaseMonth.objects.all()
    }


def year_rows() -> dict[tuple[Any, ...], dict[str, int]]:
    return {
        (r.year, r.department_id, r.township_id, r.matter_id, r.bundle_id, r.channel): {
            m: getattr(r, m) for m in rollups.MEASURES
        }
        for r in CaseYear.objects.all()
    }


def cube_rows(model: Any, period: str) -> dict[tuple[Any, ...], dict[str, int]]:
    """A coarser rollup's rows (the unit or matter rows), keyed by (period, its dimensions)."""
    dims = next(d for m, y, d in rollups.CUBES if model in (m, y))
    return {
        (getattr(r, period), *(getattr(r, d) for d in dims)): {m: getattr(r, m) for m in rollups.MEASURES}
        for r in model.objects.all()
    }


def coarser(rows: dict[tuple[Any, ...], dict[str, int]], dims: list[str]) -> dict[tuple[Any, ...], dict[str, int]]:
    """Full rows (period, *DIMENSIONS) added up to (period, *dims)."""
    out: dict[tuple[Any, ...], dict[str, int]] = defaultdict(lambda: dict.fromkeys(rollups.MEASURES, 0))
    for (period, *rest), counts in rows.items():
        key = (period, *(rest[DIMENSIONS.index(d)] for d in dims))
        for m, v in counts.items():
            out[key][m] += v
    return {k: dict(v) for k, v in out.items()}


def assert_cubes(expected: dict[tuple[Any, ...], dict[str, int]]) -> None:
    """Every coarser rollup equals the recount added up by its dimensions, per month and year."""
    for month_model, year_model, dims in rollups.CUBES:
        assert cube_rows(month_model, "month") == coarser(months_of(expected), dims), month_model
        assert cube_rows(year_model, "year") == coarser(months_of(expected, years=True), dims), year_model


def months_of(days: dict[tuple[Any, ...], dict[str, int]], *, years: bool = False) -> dict[tuple[Any, ...], dict[str, int]]:
    out: dict[tuple[Any, ...], dict[str, int]] = defaultdict(lambda: dict.fromkeys(rollups.MEASURES, 0))
    for (day, *rest), counts in days.items():
        cell = out[(day.replace(month=1, day=1) if years else day.replace(day=1), *rest)]
        for m, v in counts.items():
            cell[m] += v
    return {k: dict(v) for k, v in out.items()}


OPS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "submit",
                "submit",
                "submit_bundle",
                "accept",
                "accept",
                "refuse",
                "supplement",
                "approve",
                "approve",
                "pause",
                "resume",
                "decide",
                "conclude",
                "deliver",
                "visit",
                "refresh",
            ]
        ),
        st.integers(0, 2),  # which case (few, so that some go all the way)
        st.integers(0, 3),  # days to move on before the operation
        st.sampled_from(["counter", "online", "mobile", "agent_less"]),
        st.booleans(),  # at the township hall / approve or deny
    ),
    min_size=1,
    max_size=40,
)


@pytest.fixture
def world(
    org: dict[str, OrgUnit],
    calendar: Any,
    estate_bundle: Any,
    parallel_route: Any,
    citizen: Any,
    clerk: Any,
    township_officer: Any,
    approver: Any,
    approver_sw: Any,
    approver_bdc: Any,
) -> dict[str, Any]:
    return {
        "matters": [
            make_matter("ZJJ-101", "公共租赁住房保障", org["ZJJ"], committed=2, statutory=20),
            make_matter("MZJ-101", "临时救助", org["MZJ"], committed=3),
        ],
        "bundle": estate_bundle,
        "citizen": citizen,
        "clerk": clerk,
        "township": township_officer,
        "approvers": {
            "ZJJ": approver,
            "SW": approver_sw,
            "BDC": approver_bdc,
            "MZJ": make_user("approver_mzj", Role.APPROVER, org["MZJ"]),
        },
    }


def run(world: dict[str, Any], ops: list[tuple[str, int, int, str, bool]]) -> None:
    cases: list[Case] = []
    now = START
    for op, i, days, channel, flag in ops:
        now += datetime.timedelta(days=days, minutes=7)
        with time_machine.travel(now, tick=False):
            case = cases[i % len(cases)] if cases else None
            if case is not None:
                case.refresh_from_db()
            try:
                if op in ("submit", "submit_bundle"):
                    actor = world["township"] if flag else world["clerk"]
                    ch = "counter" if channel == "agent_less" else channel
                    if op == "submit_bundle":
                        b = world["bundle"]
                        reqs = svc.merged_requirements([it.matter.current_version for it in b.items.all()])
                        kw: dict[str, Any] = {"bundle": b, "form_data": {"address": "x"}, "materials": all_materials(reqs)}
                    else:
                        mv = world["matters"][i % 2]
                        kw = {
                            "matter_version": mv,
                            "form_data": {"address": "x"},
                            "materials": all_materials(list(mv.materials.all())),
                        }
                    cases.append(svc.case_submit(applicant=world["citizen"], channel=ch, actor=actor, **kw))
                elif case is None or op == "refresh":
                    rollups.refresh()
                elif op == "accept":
                    svc.case_accept(case=case, actor=world["clerk"])
                elif op == "refuse":
                    svc.case_refuse(case=case, actor=world["clerk"], reasons="不属于本机关管辖")
                elif op == "supplement":
                    svc.case_request_supplement(case=case, actor=world["clerk"], items=[{"name": "身份证明", "reason": "不清晰"}])
                elif op == "approve":
                    for step in case.steps.filter(status=CaseStep.Status.OPEN).select_related("department"):
                        who = world["approvers"].get(step.department.code)
                        if who is not None:
                            svc.step_approve(step=step, actor=who)
                elif op == "pause":
                    svc.case_pause(case=case, actor=world["approvers"]["ZJJ"], kind="expert", reason="专家评审")
                elif op == "resume":
                    svc.case_resume(case=case, actor=world["approvers"]["ZJJ"])
                elif op == "decide":
                    svc.case_decide(
                        case=case, actor=world["approvers"]["ZJJ"], approved=flag, reason="" if flag else "不符合条件"
                    )
                elif op == "conclude":
                    svc.case_conclude(case=case, actor=world["clerk"])
                elif op == "deliver":  # at the window (another trip when collected) or electronically
                    method = "window" if flag else "electronic"
                    case = svc.case_deliver(case=case, actor=world["clerk"], method=method)
                    if case.status == Case.Status.READY:
                        svc.case_hand_over(case=case, actor=world["clerk"])
                elif op == "visit":  # a hall ticket served for the case
                    svc.case_record_visit(case=case, actor=world["clerk"], ticket_uuid=uuid.uuid4())
                elif op == "finish":
                    finish(world, case, now, days, flag)
            except ApplicationError:
                pass  # an operation the case's state does not allow changes nothing  # an operation the case's state does not allow changes nothing


def finish(world: dict[str, Any], case: Case, now: datetime.datetime, days: int, approved: bool) -> None:
    """Take a case all the way to its conclusion, `days` working-ish days per stage (some late)."""
    if case.status == Case.Status.SUBMITTED:
        case = svc.case_accept(case=case, actor=world["clerk"])
    for _round in range(3):
        now += datetime.timedelta(days=days)
        with time_machine.travel(now, tick=False):
            for step in case.steps.filter(status=CaseStep.Status.OPEN).select_related("department"):
                svc.step_approve(step=step, actor=world["approvers"][step.department.code])
    now += datetime.timedelta(days=days)
    with time_machine.travel(now, tick=False):
        case.refresh_from_db()
        case = svc.case_decide(
            case=case, actor=world["approvers"][case.department.code], approved=approved, reason="" if approved else "不符合条件"
        )
        svc.case_conclude(case=case, actor=world["clerk"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    ops=OPS,
    periods=st.lists(
        st.tuples(st.dates(datetime.date(2024, 11, 1), datetime.date(2026, 8, 1)), st.integers(0, 700)).map(
            lambda p: (p[0], p[0] + datetime.timedelta(days=p[1]))
        ),
        max_size=3,
    ),
)
@example(
    periods=[(datetime.date(2024, 12, 1), datetime.date(2026, 6, 30))],
    ops=[
        ("submit", 0, 0, "counter", False),
        ("submit_bundle", 1, 1, "online", True),
        ("refresh", 0, 0, "counter", False),
        ("finish", 0, 4, "counter", True),
        ("finish", 1, 1, "counter", False),
        ("submit", 2, 2, "mobile", True),
        ("supplement", 2, 0, "counter", False),
    ],
)
def test_rollups_equal_a_recount_under_random_histories(
    world: dict[str, Any], ops: list[Any], periods: list[tuple[datetime.date, datetime.date]]
) -> None:
    with transaction.atomic():
        run(world, ops)
        with time_machine.travel(START + datetime.timedelta(days=200), tick=False):
            rollups.refresh()
            expected = recount()
            assert rollup_rows() == expected
            assert month_rows() == months_of(expected)
            assert year_rows() == months_of(expected, years=True)
            assert_cubes(expected)
            # Any period read through the year, month and day rows adds up to the recount's days,
            # whichever rollup the filters and grouping pick (unit, matter or full rows).
            for lo, hi in periods:
                for params, group in reads(world, expected):
                    got = figures._sum(params, figures.Period(lo, hi), list(group))
                    want: dict[tuple[Any, ...], dict[str, int]] = {}
                    for (day, *rest), counts in expected.items():
                        key = dict(zip(DIMENSIONS, rest, strict=True))
                        if lo <= day <= hi and all(key[c] == v for c, v in selected(params).items()):
                            cell = want.setdefault(tuple(key[g] for g in group), dict.fromkeys(rollups.MEASURES, 0))
                            for m, v in counts.items():
                                cell[m] += v
                    if not group:  # a total is a row of zeros when nothing was received
                        want.setdefault((), dict.fromkeys(rollups.MEASURES, 0))
                    assert {k: {m: c[m] for m in rollups.MEASURES} for k, c in got.items()} == want, (lo, hi, params, group)
                    # The breakdown table's read sums only the measures its rows show: the same numbers.
                    some = figures._sum(params, figures.Period(lo, hi), list(group), figures.ROW_MEASURES)
                    assert some == {k: {m: c[m] for m in figures.ROW_MEASURES} for k, c in want.items()}, (lo, hi, params)
                    # The monthly trend (the 12 months up to the period's end, each with a year earlier), all
                    # measures or the trend's three.
                    full = figures.monthly(params, hi.replace(day=1))
                    short = figures.monthly(params, hi.replace(day=1), measures=figures.TREND_MEASURES)
                    assert [
                        (m, {k: a[k] for k in figures.TREND_MEASURES}, {k: b[k] for k in figures.TREND_MEASURES})
                        for m, a, b in full
                    ] == short
            rollups.refresh(overlap=10_000)  # the sweep's look back changes nothing
            assert rollup_rows() == expected
            rollups.rebuild()
            assert rollup_rows() == expected and month_rows() == months_of(expected)
            assert year_rows() == months_of(expected, years=True)
            assert_cubes(expected)
        transaction.set_rollback(True)


def selected(params: dict[str, Any]) -> dict[str, Any]:
    """The rollup columns the filters pin, and their values."""
    return {
        col: (params[key] if key == "channel" else params[key].pk)
        for key, col in figures.FILTER_COLUMNS.items()
        if params.get(key) is not None
    }


def reads(world: dict[str, Any], expected: dict[tuple[Any, ...], dict[str, int]]) -> list[tuple[dict[str, Any], tuple[str, ...]]]:
    """The dashboard's reads (filters and groupings), each picking its rollup."""
    from onewindow.accounts.models import OrgUnit as Unit

    towns = {k[2] for k in expected if k[2]}
    town = Unit.objects.filter(pk__in=towns).first()
    matter = world["matters"][0].matter
    dept = world["matters"][0].matter.department
    out: list[tuple[dict[str, Any], tuple[str, ...]]] = [
        ({}, ()),
        ({}, ("department_id", "township_id", "channel")),
        ({}, ("matter_id", "bundle_id")),
        ({"department": dept}, ("matter_id", "bundle_id")),
        ({"channel": "online"}, ("matter_id",)),
        ({"matter": matter}, ("department_id", "township_id", "channel")),
        ({"bundle": world["bundle"]}, ("channel",)),
    ]
    if town is not None:
        out += [({"township": town}, ("matter_id", "bundle_id")), ({"township": town, "channel": "counter"}, ())]
    return out


def test_refresh_with_nothing_new_writes_nothing(world: dict[str, Any], django_assert_max_num_queries: Any) -> None:
    rollups.refresh()
    with django_assert_max_num_queries(2):
        assert rollups.refresh() == 0


@given(st.dates(datetime.date(2019, 1, 1), datetime.date(2027, 12, 31)), st.integers(0, 3000))
def test_a_period_is_covered_once_by_years_months_and_days(date_from: datetime.date, length: int) -> None:
    from onewindow.core.rollups import month_split, year_split

    date_to = date_from + datetime.timedelta(days=length)
    months, day_ranges = month_split(date_from, date_to)
    covered: list[datetime.date] = []
    for lo, hi in day_ranges:
        covered += [lo + datetime.timedelta(days=i) for i in range((hi - lo).days + 1)]
    if months:
        years, month_ranges = year_split(*months)
        firsts = [m for lo, hi in month_ranges for m in _months(lo, hi)]
        if years:
            assert years[0].month == years[0].day == 1 == years[1].month == years[1].day
            firsts += [
                m
                for y in range(years[0].year, years[1].year + 1)
                for m in _months(datetime.date(y, 1, 1), datetime.date(y, 12, 1))
            ]
        for m in firsts:
            nxt = (m + datetime.timedelta(days=32)).replace(day=1)
            covered += [m + datetime.timedelta(days=i) for i in range((nxt - m).days)]
    assert sorted(covered) == [date_from + datetime.timedelta(days=i) for i in range(length + 1)]


def _months(lo: datetime.date, hi: datetime.date) -> list[datetime.date]:
    out = []
    while lo <= hi:
        out.append(lo)
        lo = (lo + datetime.timedelta(days=32)).replace(day=1)
    return out


# The list of cases behind each figure (the dashboard's drill-down, `figures.counted`) is exactly the
# cases the figure adds up: for every measure a list exists for, every filter and random periods.

FINISHING = st.lists(
    st.tuples(st.just("finish"), st.integers(0, 2), st.integers(0, 6), st.just("counter"), st.booleans()),
    max_size=3,
)


def listed(params: dict[str, Any], period: figures.Period, measure: str) -> int:
    """How many cases the drill-down lists for `measure` (selectors.case_list without the role's scope)."""
    lo = datetime.datetime.combine(period.date_from, datetime.time.min, tzinfo=START.tzinfo)
    hi = datetime.datetime.combine(period.date_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=START.tzinfo)
    qs = Case.objects.filter(figures.case_scope(params), received_at__gte=lo, received_at__lt=hi)
    return figures.counted(qs, measure).count()


def filters(world: dict[str, Any]) -> list[dict[str, Any]]:
    town = OrgUnit.objects.filter(kind=OrgUnit.Kind.TOWNSHIP).order_by("code").first()
    return [
        {},
        {"department": world["matters"][0].matter.department},
        {"township": town},
        {"matter": world["matters"][1].matter},
        {"bundle": world["bundle"]},
        {"channel": "online"},
        {"township": town, "channel": "counter"},
    ]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    ops=OPS,
    finishing=FINISHING,
    period=st.tuples(st.dates(datetime.date(2025, 12, 1), datetime.date(2026, 3, 1)), st.integers(0, 400)).map(
        lambda p: (p[0], p[0] + datetime.timedelta(days=p[1]))
    ),
)
@example(
    ops=[
        ("submit", 0, 0, "counter", False),
        ("submit_bundle", 1, 1, "online", True),
        ("submit", 2, 2, "mobile", True),
        ("supplement", 2, 0, "counter", False),
        ("refuse", 2, 0, "counter", False),
    ],
    finishing=[("finish", 0, 4, "counter", True), ("finish", 1, 0, "counter", False)],
    period=(datetime.date(2025, 12, 1), datetime.date(2026, 12, 31)),
)
def test_each_figures_list_is_what_it_counts(
    world: dict[str, Any], ops: list[Any], finishing: list[Any], period: tuple[datetime.date, datetime.date]
) -> None:
    with transaction.atomic():
        run(world, ops + finishing + [("deliver", i, 1, "counter", i == 1) for i in range(3)])
        with time_machine.travel(START + datetime.timedelta(days=200), tick=False):
            rollups.refresh()
            p = figures.Period(*period)
            for params in filters(world):
                t = figures.totals(params, p)
                for measure in figures.COUNTED:
                    want = t["concluded"] - t["on_time"] if measure == "late_done" else t[measure]
                    assert listed(params, p, measure) == want, (measure, params, period)
        transaction.set_rollback(True)
