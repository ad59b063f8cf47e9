"""Deadline arithmetic throughput: OneWindow's bisect over WorkCalendarDay (core.workdays) against
chinesecalendar's own find_workday, on the same inputs, in one run; prints the ratio.

The calendar is loaded from chinesecalendar's data into core.workdays' in-process cache (exactly
what the WorkCalendarDay table holds after seeding), so no database is needed and only the
arithmetic is measured. Every answer is checked against find_workday before timing.

    .venv/bin/python bench/deadlines.py [N]
"""

from __future__ import annotations

import datetime
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hygiene

hygiene.own_var_dir("deadlines", os.environ.get("BENCH_VAR_DIR", ""))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.config.settings")
print(f"[deadlines] start: {hygiene.uptime()}", flush=True)

import django  # noqa: E402

django.setup()

import chinese_calendar  # noqa: E402

from onewindow.core import workdays  # noqa: E402
from onewindow.core.calendar_seed import known_years  # noqa: E402


def load_cache() -> None:
    lo, hi = known_years()
    day, last = datetime.date(lo, 1, 1), datetime.date(hi, 12, 31)
    work = []
    while day <= last:
        if chinese_calendar.is_workday(day):
            work.append(day)
        day += datetime.timedelta(days=1)
    national = workdays._Calendar(first=datetime.date(lo, 1, 1), last=last, workdays=tuple(work), rest_names={})
    # A county with a dozen days of its own (closures on working days, two worked Saturdays), to
    # time the per-county answers and the merge (docs/cases.md, "A county's own days").
    rng = random.Random(17)
    closures = rng.sample([d for d in work if d.year == hi - 1], 10)
    saturdays = [datetime.date(hi - 1, 6, 6) + datetime.timedelta(days=7 * k) for k in range(2)]
    overrides = {COUNTY: {**dict.fromkeys(closures, (False, "closed")), **dict.fromkeys(saturdays, (True, "worked"))}}
    workdays._cache = workdays._Loaded(national=national, overrides=overrides, merged={})
    workdays._loaded_at = time.monotonic()
    workdays.CACHE_SECONDS = 1e9


COUNTY = "360821"


def reference(start: datetime.date, n: int) -> datetime.date:
    # Day 1 of our periods is the first working day after `start`; find_workday(0, d) is the first
    # working day on or after d, so a rest-day start needs one step less.
    if chinese_calendar.is_workday(start):
        return chinese_calendar.find_workday(n, start)
    return chinese_calendar.find_workday(n - 1, start)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    load_cache()
    lo, hi = known_years()
    rng = random.Random(2021)
    span = (datetime.date(hi, 9, 30) - datetime.date(lo, 1, 1)).days
    inputs = [
        (datetime.date(lo, 1, 1) + datetime.timedelta(days=rng.randrange(span)), rng.choice([5, 10, 20, 30, 45, 60]))
        for _ in range(n)
    ]
    for start, days in inputs[:2000]:
        assert workdays.add_workdays(start, days) == reference(start, days), (start, days)

    t0 = time.perf_counter()
    for start, days in inputs:
        workdays.add_workdays(start, days)
    ours = time.perf_counter() - t0

    t0 = time.perf_counter()
    for start, days in inputs:
        reference(start, days)
    theirs = time.perf_counter() - t0

    t0 = time.perf_counter()
    for start, days in inputs:
        workdays.workdays_between(start, start + datetime.timedelta(days=days))
    between = time.perf_counter() - t0

    t0 = time.perf_counter()
    workdays._calendar(COUNTY)  # the county's merge, once per load
    merge = time.perf_counter() - t0
    t0 = time.perf_counter()
    for start, days in inputs:
        workdays.add_workdays(start, days, COUNTY)
    county = time.perf_counter() - t0

    print(f"inputs: {n} (start in {lo}-{hi}, 5..60 working days), answers checked equal on 2000")
    print(f"core.workdays.add_workdays       {n / ours:12,.0f} deadlines/s")
    print(f"chinese_calendar.find_workday    {n / theirs:12,.0f} deadlines/s")
    print(f"core.workdays.workdays_between   {n / between:12,.0f} counts/s")
    print(
        f"add_workdays with a county       {n / county:12,.0f} deadlines/s (12 overrides; merge once per load: {merge * 1000:.1f} ms)"
    )
    hygiene.result(
        "deadline arithmetic (add_workdays)", n / ours, "deadlines/s", ratio=theirs / ours, note="ratio: x chinesecalendar"
    )
    print(f"[deadlines] end: {hygiene.uptime()}", flush=True)
    print(f"ratio (ours / find_workday)      {theirs / ours:12.1f}x")


if __name__ == "__main__":
    main()
