"""Working-day arithmetic against a slow day-by-day reference count (property tests), the missing
year, and the yearly schedule import with its administrator warning."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onewindow.core import workdays
from onewindow.core.calendar_seed import PROVISIONAL, import_year, next_year_warning, parse_schedule
from onewindow.core.errors import ValidationFailed
from onewindow.core.models import WorkCalendarDay

FIRST = datetime.date(2019, 1, 1)
LAST = datetime.date(2026, 12, 31)
dates = st.dates(min_value=FIRST, max_value=datetime.date(2026, 9, 30))
fixture_ok = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def table(calendar: Any) -> Any:
    from django.utils import translation

    workdays.invalidate()
    with translation.override("zh-hans"):  # messages are checked in the source language
        yield dict(WorkCalendarDay.objects.values_list("date", "is_workday"))
    workdays.invalidate()  # the rolled-back test data must not stay in the process cache


def slow_add(table: dict[datetime.date, bool], start: datetime.date, n: int) -> datetime.date:
    day = start
    while n > 0:
        day += datetime.timedelta(days=1)
        if table[day]:
            n -= 1
    return day


def slow_count(
    table: dict[datetime.date, bool],
    a: datetime.date,
    b: datetime.date,
    pauses: Sequence[tuple[datetime.date, datetime.date]] = (),
) -> int:
    n, day = 0, a
    while day < b:
        day += datetime.timedelta(days=1)
        if table[day] and not any(p < day <= q for p, q in pauses):
            n += 1
    return n


@fixture_ok
@given(start=dates, n=st.integers(min_value=0, max_value=60))
def test_add_workdays_matches_reference(table: dict[datetime.date, bool], start: datetime.date, n: int) -> None:
    assert workdays.add_workdays(start, n) == slow_add(table, start, n)


@fixture_ok
@given(a=dates, b=dates)
def test_workdays_between_matches_reference(table: dict[datetime.date, bool], a: datetime.date, b: datetime.date) -> None:
    expected = slow_count(table, a, b) if a <= b else -slow_count(table, b, a)
    assert workdays.workdays_between(a, b) == expected


@fixture_ok
@given(
    a=dates,
    span=st.integers(min_value=0, max_value=90),
    raw=st.lists(st.tuples(st.integers(-10, 100), st.integers(0, 30)), max_size=4),
)
def test_pauses_taken_out_once(table: dict[datetime.date, bool], a: datetime.date, span: int, raw: list[tuple[int, int]]) -> None:
    b = a + datetime.timedelta(days=span)
    pauses = [(a + datetime.timedelta(days=s), a + datetime.timedelta(days=s + length)) for s, length in raw]
    pauses = [(p, min(q, LAST)) for p, q in pauses if FIRST <= p <= LAST]
    assert workdays.workdays_between_excluding(a, b, pauses) == slow_count(table, a, b, pauses)


@fixture_ok
@given(start=dates, n=st.integers(min_value=1, max_value=40))
def test_add_then_count_round_trip(table: dict[datetime.date, bool], start: datetime.date, n: int) -> None:
    end = workdays.add_workdays(start, n)
    assert workdays.workdays_between(start, end) == n
    assert workdays.is_workday(end)


def test_known_holidays(table: dict[datetime.date, bool]) -> None:
    assert not workdays.is_workday(datetime.date(2026, 10, 1))  # National Day
    assert workdays.is_workday(datetime.date(2026, 9, 20))  # make-up Sunday before National Day 2026
    assert workdays.is_workday(datetime.date(2026, 10, 10))  # make-up Saturday after it
    assert workdays.holiday_name(datetime.date(2026, 10, 1)) == "国庆节"
    # Friday before the May Day holiday of 2026 (May 1-5): day 1 is May 6
    assert workdays.add_workdays(datetime.date(2026, 4, 30), 1) == datetime.date(2026, 5, 6)


def test_missing_year_is_a_clear_error_naming_it(table: dict[datetime.date, bool]) -> None:
    with pytest.raises(workdays.CalendarNotCovered) as exc:
        workdays.add_workdays(datetime.date(2026, 12, 1), 45)
    assert exc.value.code == "calendar_not_covered"
    assert exc.value.year == 2027 and "2027" in str(exc.value.message)
    with pytest.raises(workdays.CalendarNotCovered) as exc:
        workdays.workdays_between(datetime.date(2026, 12, 1), datetime.date(2027, 1, 5))
    assert exc.value.code == "calendar_not_covered"
    assert exc.value.year == 2027
    with pytest.raises(workdays.CalendarNotCovered) as calendar_not_covered:
        workdays.is_workday(datetime.date(2003, 6, 1))  # before every known year
    assert calendar_not_covered.value.code == "calendar_not_covered"


def test_import_year_and_november_warning(table: dict[datetime.date, bool]) -> None:
    assert next_year_warning(datetime.date(2026, 10, 31)) == ""  # not before November
    assert "2027" in next_year_warning(datetime.date(2026, 11, 1))
    rows = parse_schedule("2027-01-01,rest,元旦\n# comment\n2027-02-07,work,春节调休\n2027-02-08,rest,春节\n")
    assert import_year(year=2027, exceptions=rows, source=PROVISIONAL) == 365
    workdays.invalidate()
    assert not workdays.is_workday(datetime.date(2027, 1, 1))
    assert workdays.is_workday(datetime.date(2027, 2, 7))  # Sunday make-up day
    assert workdays.add_workdays(datetime.date(2026, 12, 31), 1) == datetime.date(2027, 1, 4)
    # still flagged: provisional is not the official schedule
    assert "临时" in next_year_warning(datetime.date(2026, 11, 15))
    import_year(year=2027, exceptions=rows, source="国务院办公厅")
    assert next_year_warning(datetime.date(2026, 11, 15)) == ""


def test_bad_schedule_lines_are_reported(table: dict[datetime.date, bool]) -> None:
    with pytest.raises(ValidationFailed) as exc:
        parse_schedule("2027-13-01,rest,x\n2027-01-02,holiday")
    assert len(exc.value.fields["schedule"]) == 2
    with pytest.raises(ValidationFailed) as invalid:
        import_year(year=2027, exceptions=[(datetime.date(2028, 1, 1), False, "x")], source="x")
    assert invalid.value.code == "validation_failed" and set(invalid.value.fields) == {"schedule"}
    assert not WorkCalendarDay.objects.filter(date__year=2027).exists()


def test_admin_import_page_and_warning(table: dict[datetime.date, bool], admin_user: Any, client: Any, citizen: Any) -> None:
    import time_machine

    client.force_login(citizen)
    assert client.get("/admin/core/workcalendarday/import/").status_code == 302  # not staff: to login
    client.force_login(admin_user)
    with time_machine.travel(datetime.datetime(2026, 11, 20, 9), tick=False):
        page = client.get("/admin/core/workcalendarday/")
        assert "2027" in page.content.decode()
    # The session saved while the clock stood at 2026-11-20 ends SESSION_COOKIE_AGE later, which is
    # before today's real date: sign in again at the real time for the import.
    client.force_login(admin_user)
    resp = client.post(
        "/admin/core/workcalendarday/import/",
        {"year": 2027, "source": "国务院办公厅", "schedule": "2027-01-01,rest,元旦"},
    )
    assert resp.status_code == 302
    assert WorkCalendarDay.objects.filter(date__year=2027).count() == 365
    bad = client.post("/admin/core/workcalendarday/import/", {"year": 2027, "source": "x", "schedule": "nonsense"})
    assert bad.status_code == 200 and "格式不正确" in bad.content.decode()


def test_admin_index_shows_the_november_warning(table: dict[datetime.date, bool], admin_user: Any, client: Any) -> None:
    import time_machine

    client.force_login(admin_user)
    with time_machine.travel(datetime.datetime(2026, 11, 2, 9), tick=False):
        assert "2027" in client.get("/admin/").content.decode()
    with time_machine.travel(datetime.datetime(2026, 6, 2, 9), tick=False):
        assert "导入国务院公布" not in client.get("/admin/").content.decode()
