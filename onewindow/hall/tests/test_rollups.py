"""The hall's rollups equal a replay of the whole event log (`stats.recount`), whatever happened in
between: random days of tickets issued, called, recalled, served, finished, marked no-show and
closed at the end of the day, at two service points, with incremental refreshes at random moments."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import make_user
from onewindow.accounts.models import Role
from onewindow.core.errors import ApplicationError
from onewindow.hall import rollups, services
from onewindow.hall.counting import SUM_FIELDS
from onewindow.hall.models import HallDay, HallMonth, HallWindowDay, HallWindowMonth
from onewindow.hall.services import SHANGHAI
from onewindow.hall.stats import figures, recount

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 10, 29, 8, 30, tzinfo=SHANGHAI)  # across a month's end

OPS = st.lists(
    st.tuples(
        st.sampled_from(
            ["issue", "issue", "issue", "call", "call", "start", "finish", "finish", "no_show", "next_day", "refresh"]
        ),
        st.integers(0, 3),  # which area / window
        st.integers(1, 50),  # minutes to move on before the operation
    ),
    min_size=1,
    max_size=40,
)


@pytest.fixture
def staffed(hall: dict[str, Any], org: Any) -> dict[str, Any]:
    clerks = [make_user(f"hclerk{i}", Role.CLERK, org["XZSP"]) for i in range(3)]
    clerks.append(make_user("hclerk_t", Role.TOWNSHIP_OFFICER, org["ZXZ"]))
    return {
        "areas": [hall["A"], hall["F"], hall["A"], hall["T"]],
        "windows": [hall["w1"], hall["w2"], hall["w3"], hall["tw"]],
        "clerks": clerks,
    }


def run(staffed: dict[str, Any], ops: list[tuple[str, int, int]]) -> dt.datetime:
    now = START
    signed: set[int] = set()
    for op, i, minutes in ops:
        now += dt.timedelta(minutes=minutes)
        if op == "next_day":
            now = (now + dt.timedelta(days=1)).replace(hour=8, minute=30)
        window, clerk = staffed["windows"][i], staffed["clerks"][i]
        with time_machine.travel(now, tick=False):
            try:
                if op == "issue":
                    services.ticket_issue(area=staffed["areas"][i], source="kiosk")
                elif op == "next_day":
                    services.close_day()
                    signed.clear()
                elif op == "refresh":
                    rollups.refresh()
                else:
                    if i not in signed:
                        services.window_sign_in(window=window, actor=clerk)
                        signed.add(i)
                    if op == "call":
                        services.call_next(window=window, actor=clerk)
                    elif op == "start":
                        services.start_serving(window=window, actor=clerk)
                    elif op == "finish":
                        services.finish(window=window, actor=clerk)
                    elif op == "no_show":
                        services.recall(window=window, actor=clerk)
                        services.recall(window=window, actor=clerk)
                        services.mark_no_show(window=window, actor=clerk)
            except ApplicationError:
                pass  # nobody called at this window, a recall too many...: changes nothing
    return now


def rows() -> tuple[Any, ...]:
    day = sorted((r.business_date, r.area_id, r.hour, *(getattr(r, f) for f in SUM_FIELDS)) for r in HallDay.objects.all())
    month = sorted((r.month, r.area_id, r.hour, *(getattr(r, f) for f in SUM_FIELDS)) for r in HallMonth.objects.all())
    win = sorted(HallWindowDay.objects.values_list("business_date", "window_id", "clerk_id", "finished"))
    win_month = sorted(HallWindowMonth.objects.values_list("month", "point_id", "window_id", "clerk_id", "finished"))
    # The month rows are their days added up.
    added: dict[tuple[Any, ...], int] = {}
    for d, p, w, c, n in HallWindowDay.objects.values_list("business_date", "point_id", "window_id", "clerk_id", "finished"):
        key = (d.replace(day=1), p, w, c)
        added[key] = added.get(key, 0) + n
    assert win_month == sorted((*k, n) for k, n in added.items())
    return day, month, win, win_month


def same(a: Any, b: Any, *, windows: bool = True, days: bool = True) -> None:
    """`a` read from the rollups (with hours=True), `b` replayed."""
    keys = ("issued", "called", "finished", "no_show", "abandoned") + (("per_window", "per_clerk") if windows else ())
    for key in keys:
        assert getattr(a, key) == getattr(b, key), key
    for key in ("avg_wait_minutes", "avg_service_minutes", "within_service_level", "no_show_rate"):
        x, y = getattr(a, key), getattr(b, key)
        assert (x is None and y is None) or x == pytest.approx(y, abs=1e-4), key
    assert a.per_area.keys() == b.per_area.keys()
    if days:  # per day only for short periods
        assert a.per_day.keys() == b.per_day.keys()
    for area, s in a.per_area.items():
        assert s["issued"] == b.per_area[area]["issued"] and s["no_show"] == b.per_area[area]["no_show"]
    # Per hour of issue, from the same read as the areas (figures(hours=True)).
    assert a.per_hour.keys() == b.per_hour.keys()
    for hour, s in a.per_hour.items():
        for key, v in s.items():
            w = b.per_hour[hour][key]
            assert (v is None and w is None) or v == pytest.approx(w, abs=1e-4), (hour, key)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=OPS)
@example(
    ops=[
        ("issue", 0, 1),
        ("issue", 1, 1),
        ("issue", 3, 1),
        ("refresh", 0, 1),
        ("call", 0, 20),
        ("start", 0, 1),
        ("finish", 0, 9),
        ("call", 1, 1),
        ("no_show", 1, 3),
        ("call", 3, 2),
        ("finish", 3, 5),
        ("issue", 0, 5),
        ("next_day", 0, 1),
        ("issue", 2, 1),
        ("call", 2, 30),
    ]
)
def test_rollups_equal_a_replay_of_the_log_under_random_histories(staffed: dict[str, Any], ops: list[Any]) -> None:
    with transaction.atomic():
        end = run(staffed, ops)
        lo, hi = START.date(), end.date()
        with time_machine.travel(end + dt.timedelta(minutes=1), tick=False):
            same(figures(date_from=lo, date_to=hi, hours=True), recount(date_from=lo, date_to=hi))
            for area in {a.pk: a for a in staffed["areas"]}.values():
                # finished tickets per window are kept per point and day, not per area
                same(
                    figures(area=area, date_from=lo, date_to=hi, hours=True),
                    recount(area=area, date_from=lo, date_to=hi),
                    windows=False,
                )
            point = staffed["areas"][0].point
            same(figures(point=point, date_from=lo, date_to=lo, hours=True), recount(point=point, date_from=lo, date_to=lo))
            incremental = rows()
            rollups.refresh(overlap=10_000)
            assert rows() == incremental
            rollups.rebuild()
            assert rows() == incremental
        transaction.set_rollback(True)


def test_a_long_period_reads_months_and_matches_the_replay(staffed: dict[str, Any]) -> None:
    ops = [("issue", 0, 1), ("call", 0, 5), ("finish", 0, 5), ("next_day", 0, 1)] * 3
    end = run(staffed, ops * 1)
    with time_machine.travel(end, tick=False):
        lo, hi = dt.date(2026, 9, 1), dt.date(2026, 12, 31)  # whole months inside: October, November
        same(figures(date_from=lo, date_to=hi, hours=True), recount(date_from=lo, date_to=hi), days=False)
        assert HallMonth.objects.filter(month=dt.date(2026, 10, 1)).exists()
        assert HallWindowMonth.objects.filter(month=dt.date(2026, 10, 1)).exists()


def test_nothing_new_is_one_query(staffed: dict[str, Any], django_assert_max_num_queries: Any) -> None:
    run(staffed, [("issue", 0, 1)])
    rollups.refresh()
    with django_assert_max_num_queries(2):
        assert rollups.refresh() == 0
