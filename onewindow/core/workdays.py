"""Working-day arithmetic over the WorkCalendarDay table.

The sorted list of workdays is loaded once per process (and reloaded when the table changes here,
or after CACHE_SECONDS for changes made by another process), so every operation is a bisect:
O(log n) whatever the distance.

A county may override the national table on single days (accounts.CalendarOverride: a local rest
day or 调休 working day). Every function takes an optional `county` (its 6-digit code): the
national calendar with that county's days put over it, merged once per load and kept per county.
A clock of something that belongs to a county (a case: its deciding department's county) passes
it; None is the national calendar.

Convention (行政许可法 and 民法典 on periods): the day an event happens is not counted; day 1 is
the first working day after it. So an application received on a Saturday, or on a Friday, both
count from the next Monday that is a working day.
"""

from __future__ import annotations

import bisect
import datetime
import time
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .errors import ApplicationError

CACHE_SECONDS = 60.0


class CalendarNotCovered(ApplicationError):
    status = 503
    code = "calendar_not_covered"

    def __init__(self, year: int):
        self.year = year
        super().__init__(
            _("工作日历缺少 %(year)s 年的数据，请管理员先录入该年度的法定节假日安排。") % {"year": year},
        )


@dataclass(frozen=True)
class _Calendar:
    first: datetime.date
    last: datetime.date
    workdays: tuple[datetime.date, ...]
    rest_names: dict[datetime.date, str]
    provisional_years: frozenset[int] = frozenset()


@dataclass
class _Loaded:
    """The national calendar and every county's overrides, read together; a county's merged
    calendar is built the first time it is asked for and kept until the next load."""

    national: _Calendar
    overrides: dict[str, dict[datetime.date, tuple[bool, str]]]
    merged: dict[str, _Calendar]


_cache: _Loaded | None = None
_loaded_at = 0.0


def invalidate(**_: object) -> None:
    global _cache
    _cache = None


# A county's calendar overrides are county data, which core does not know (it imports no app): the
# app that keeps them (accounts.CalendarOverride) provides this hook, a queryset of rows shaped as
# the national table's below, `(date, is_workday, name, source, county code)`. Core reads both in
# one UNION ALL statement, so a cold load of the calendar costs what it cost before counties had
# overrides (the case intake and step budgets count it: cases/tests/test_statement_budget.py).
OVERRIDES_HOOK = "core.calendar_overrides"


def _load() -> _Loaded:
    from django.db.models import CharField, Value

    from .calendar_seed import PROVISIONAL
    from .hooks import provider
    from .models import WorkCalendarDay

    rows_qs = WorkCalendarDay.objects.order_by().values_list(
        "date", "is_workday", "holiday_name", "source", Value("", output_field=CharField())
    )
    hook = provider(OVERRIDES_HOOK)
    if hook is not None:
        rows_qs = rows_qs.union(hook(), all=True)
    national_rows: list[tuple[datetime.date, bool, str, str]] = []
    overrides: dict[str, dict[datetime.date, tuple[bool, str]]] = {}
    for day, is_work, name, source, county in rows_qs:
        if county:
            overrides.setdefault(county, {})[day] = (is_work, name)
        else:
            national_rows.append((day, is_work, name, source))
    if not national_rows:
        raise CalendarNotCovered(datetime.date.today().year)
    national_rows.sort()
    national = _Calendar(
        first=national_rows[0][0],
        last=national_rows[-1][0],
        workdays=tuple(d for d, w, _n, _s in national_rows if w),
        rest_names={d: n for d, w, n, _s in national_rows if not w and n},
        provisional_years=frozenset(d.year for d, _w, _n, s in national_rows if s == PROVISIONAL),
    )
    return _Loaded(national=national, overrides=overrides, merged={})


def _merge(national: _Calendar, overrides: dict[datetime.date, tuple[bool, str]]) -> _Calendar:
    """The national calendar with a county's days put over it. An override outside the national
    table's years is left out (the service refuses one; a year deleted since leaves it behind):
    the county's calendar covers what the national one covers."""
    inside = {d: v for d, v in overrides.items() if national.first <= d <= national.last}
    workdays = set(national.workdays)
    rest_names = dict(national.rest_names)
    for day, (is_work, name) in inside.items():
        if is_work:
            workdays.add(day)
            rest_names.pop(day, None)
        else:
            workdays.discard(day)
            rest_names[day] = name
    return _Calendar(
        first=national.first,
        last=national.last,
        workdays=tuple(sorted(workdays)),
        rest_names=rest_names,
        provisional_years=national.provisional_years,
    )


def _calendar(county: str | None = None) -> _Calendar:
    """The calendar of `county` (a county's 6-digit code): the national one with the county's
    overrides; the national one for None or a county without overrides. Loaded once per process
    (and after CACHE_SECONDS, for changes another process made); a county's merge once per load."""
    global _cache, _loaded_at
    if _cache is None or time.monotonic() - _loaded_at > CACHE_SECONDS:
        _cache = _load()
        _loaded_at = time.monotonic()
    loaded = _cache
    if county is None or county not in loaded.overrides:
        return loaded.national
    cal = loaded.merged.get(county)
    if cal is None:
        cal = loaded.merged[county] = _merge(loaded.national, loaded.overrides[county])
    return cal


def _check(cal: _Calendar, day: datetime.date) -> None:
    if day < cal.first:
        raise CalendarNotCovered(day.year)
    if day > cal.last:
        raise CalendarNotCovered(day.year)


def is_workday(day: datetime.date, county: str | None = None) -> bool:
    cal = _calendar(county)
    _check(cal, day)
    i = bisect.bisect_left(cal.workdays, day)
    return i < len(cal.workdays) and cal.workdays[i] == day


def is_provisional(day: datetime.date | None) -> bool:
    """True when `day` lies in a year whose schedule is provisional (not yet published by the State
    Council): a due date there may still move when the official schedule is imported. National by
    nature, so it takes no county: a county's override is entered as final, only the State
    Council's year is provisional."""
    if day is None:
        return False
    try:
        return day.year in _calendar().provisional_years
    except CalendarNotCovered:
        return False


def holiday_name(day: datetime.date, county: str | None = None) -> str:
    """The name of a rest day (the national holiday's, or the county's override's), else ""."""
    return _calendar(county).rest_names.get(day, "")


def next_workday(day: datetime.date, county: str | None = None) -> datetime.date:
    """The first working day on or after `day`."""
    cal = _calendar(county)
    _check(cal, day)
    i = bisect.bisect_left(cal.workdays, day)
    if i >= len(cal.workdays):
        raise CalendarNotCovered(cal.last.year + 1)
    return cal.workdays[i]


def add_workdays(start: datetime.date, days: int, county: str | None = None) -> datetime.date:
    """The date on which a period of `days` working days starting after `start` ends."""
    if days < 0:
        raise ValueError("days must be >= 0")
    cal = _calendar(county)
    _check(cal, start)
    if days == 0:
        return start
    i = bisect.bisect_right(cal.workdays, start) + days - 1
    if i >= len(cal.workdays):
        raise CalendarNotCovered(cal.last.year + 1)
    return cal.workdays[i]


def workdays_between(start: datetime.date, end: datetime.date, county: str | None = None) -> int:
    """Working days in (start, end]; negative when end is before start."""
    cal = _calendar(county)
    _check(cal, start)
    _check(cal, end)
    if end < start:
        return -workdays_between(end, start, county)
    return bisect.bisect_right(cal.workdays, end) - bisect.bisect_right(cal.workdays, start)


def workdays_between_excluding(
    start: datetime.date,
    end: datetime.date,
    pauses: Iterable[tuple[datetime.date, datetime.date | None]],
    county: str | None = None,
) -> int:
    """Working days in (start, end] that fall outside every paused interval (pause_start, pause_end].

    A pause still open (end None) runs to `end`. Overlapping pauses are merged so no day is taken
    out twice.
    """
    used = workdays_between(start, end, county)
    merged: list[list[datetime.date]] = []
    for p_start, p_end in sorted((a, b or end) for a, b in pauses):
        lo, hi = max(p_start, start), min(p_end, end)
        if hi <= lo:
            continue
        if merged and lo <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    return used - sum(workdays_between(lo, hi, county) for lo, hi in merged)


def most_workdays_in(calendar_days: int, county: str | None = None) -> int:
    """The most working days any run of `calendar_days` consecutive days holds in the calendar
    (a week with a 调休 make-up day holds six): what a period counted in calendar days, such as a
    public notice, can cost on a working-day clock at worst."""
    if calendar_days <= 0:
        return 0
    cal = _calendar(county)
    # Only the calendar from last year on: a period counted now runs in the present and the future,
    # and the years long past (2004-2008 had seven-day working weeks around the golden weeks, seeded
    # on every database since core migration 0009) say nothing about it.
    since = datetime.date(timezone.localdate().year - 1, 1, 1)
    days = [d for d in cal.workdays if d >= since]
    best, lo = 0, 0
    for hi in range(len(days)):
        while days[hi] - days[lo] >= datetime.timedelta(days=calendar_days):
            lo += 1
        best = max(best, hi - lo + 1)
    return best


def covered_years() -> list[int]:
    """The years the national table covers; a county's calendar covers the same."""
    cal = _calendar()
    return list(range(cal.first.year, cal.last.year + 1))


def _connect() -> None:
    from .models import WorkCalendarDay

    post_save.connect(invalidate, sender=WorkCalendarDay, dispatch_uid="workdays-invalidate-save")
    post_delete.connect(invalidate, sender=WorkCalendarDay, dispatch_uid="workdays-invalidate-delete")
