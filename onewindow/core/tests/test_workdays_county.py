"""A county's overrides of the national calendar (accounts.CalendarOverride) in core.workdays: every
function answers per county, the national answer stays without one, and the whole calendar is
still read in one statement (docs/cases.md, "Work calendar")."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest

from onewindow.accounts.models import CalendarOverride, County
from onewindow.core import workdays

pytestmark = pytest.mark.django_db

B = "360802"
FLOOD = datetime.date(2026, 4, 8)  # a Wednesday, a working day nationally
SATURDAY = datetime.date(2026, 4, 11)  # a rest day nationally


@pytest.fixture
def county_b(calendar: Any) -> Iterator[County]:
    workdays.invalidate()
    yield County.objects.create(code=B, name="吉州区", city_code="360800", case_prefix="JZ")
    workdays.invalidate()


def _override(county: County, day: datetime.date, is_workday: bool, name: str) -> CalendarOverride:
    # Written directly (the service's checks and recompute are tested in cases/tests/test_calendar_overrides.py).
    return CalendarOverride.objects.create(county=county, date=day, is_workday=is_workday, name=name, reason="测试")


def test_every_function_answers_per_county_and_nationally_without_one(county_b: County) -> None:
    _override(county_b, FLOOD, False, "防汛停止办公")
    _override(county_b, SATURDAY, True, "调休上班")
    default = County.default().pk

    assert workdays.is_workday(FLOOD) and workdays.is_workday(FLOOD, default)
    assert not workdays.is_workday(FLOOD, B)
    assert not workdays.is_workday(SATURDAY) and workdays.is_workday(SATURDAY, B)
    assert workdays.holiday_name(FLOOD) == "" and workdays.holiday_name(FLOOD, B) == "防汛停止办公"
    assert workdays.holiday_name(SATURDAY, B) == ""
    assert workdays.next_workday(FLOOD) == FLOOD and workdays.next_workday(FLOOD, B) == datetime.date(2026, 4, 9)
    assert workdays.next_workday(SATURDAY) == datetime.date(2026, 4, 13) and workdays.next_workday(SATURDAY, B) == SATURDAY

    tuesday = datetime.date(2026, 4, 7)
    # 8, 9, 10, 13, 14 nationally; B: (8 off) 9, 10, (11 on) 13, 14 - the closure and the 调休 cancel out
    assert workdays.add_workdays(tuesday, 5) == datetime.date(2026, 4, 14)
    assert workdays.add_workdays(tuesday, 5, B) == datetime.date(2026, 4, 14)
    assert workdays.add_workdays(tuesday, 3) == datetime.date(2026, 4, 10)
    assert workdays.add_workdays(tuesday, 3, B) == datetime.date(2026, 4, 11)
    assert workdays.workdays_between(tuesday, datetime.date(2026, 4, 10)) == 3
    assert workdays.workdays_between(tuesday, datetime.date(2026, 4, 10), B) == 2
    assert workdays.workdays_between(datetime.date(2026, 4, 10), tuesday, B) == -2
    pauses = [(tuesday, datetime.date(2026, 4, 9))]
    assert workdays.workdays_between_excluding(tuesday, datetime.date(2026, 4, 14), pauses) == 5 - 2
    assert workdays.workdays_between_excluding(tuesday, datetime.date(2026, 4, 14), pauses, B) == 5 - 1
    assert workdays.covered_years()[-1] == 2026  # a county's calendar covers the national years


def test_a_county_week_worked_through_costs_a_calendar_period_more(county_b: County) -> None:
    """most_workdays_in: Saturday and Sunday worked in B make seven working days in a row (7-13
    April), which no national week of 2025-2026 holds."""
    _override(county_b, SATURDAY, True, "调休上班")
    _override(county_b, SATURDAY + datetime.timedelta(days=1), True, "调休上班")
    assert workdays.most_workdays_in(7) < 7
    assert workdays.most_workdays_in(7, B) == 7


def test_a_county_without_overrides_and_an_unknown_code_get_the_national_calendar(county_b: County) -> None:
    _override(county_b, FLOOD, False, "防汛停止办公")
    assert workdays.is_workday(FLOOD, "360821")
    assert workdays.add_workdays(FLOOD, 2, "360821") == workdays.add_workdays(FLOOD, 2)


def test_an_override_outside_the_table_is_left_out_and_the_coverage_is_the_nations(county_b: County) -> None:
    _override(county_b, datetime.date(2031, 5, 6), False, "远期")
    assert workdays.is_workday(FLOOD, B)
    with pytest.raises(workdays.CalendarNotCovered) as exc:
        workdays.is_workday(datetime.date(2031, 5, 6), B)
    assert exc.value.code == "calendar_not_covered"


def test_a_change_of_an_override_is_seen_at_once_in_this_process(county_b: County) -> None:
    assert workdays.is_workday(FLOOD, B)  # loaded and cached
    row = _override(county_b, FLOOD, False, "防汛停止办公")
    assert not workdays.is_workday(FLOOD, B)  # the save's signal emptied the cache
    row.delete()
    assert workdays.is_workday(FLOOD, B)


def test_the_whole_calendar_is_one_statement(county_b: County, django_assert_num_queries: Any) -> None:
    """The national table and every county's overrides in one UNION ALL: a cold load costs what it
    did before counties had overrides (the case budgets count a cold load)."""
    _override(county_b, FLOOD, False, "防汛停止办公")
    default = County.default().pk
    workdays.invalidate()
    with django_assert_num_queries(1):
        assert not workdays.is_workday(FLOOD, B)
        assert workdays.is_workday(FLOOD)
        assert workdays.add_workdays(FLOOD, 1, default) == datetime.date(2026, 4, 9)
