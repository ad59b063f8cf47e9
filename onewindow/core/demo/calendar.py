"""Demo step: the work calendar.

chinesecalendar knows the official schedules up to its last published year (2026 for the pinned
version). The demo runs at the end of 2026, when cases accepted today have deadlines in 2027, so it
adds a PROVISIONAL 2027 schedule: the fixed-date holidays and the lunar holidays on their 2027
dates, without make-up workdays (调休), which only the State Council's notice can give. Every row is
marked source="provisional"; the administrators' warning keeps flagging the year until the official
schedule is imported (admin: 工作日历 > 导入年度节假日安排). Real deployments never get this step.
"""

from __future__ import annotations

import datetime

from onewindow.core.calendar_seed import PROVISIONAL, import_year, known_years, seed_from_chinesecalendar
from onewindow.core.demo import DemoContext
from onewindow.core.models import WorkCalendarDay

# 2027: Spring Festival falls on Feb 6, Qingming on Apr 5, Dragon Boat on Jun 9, Mid-autumn on Sep 15.
PROVISIONAL_2027: list[tuple[str, str]] = [
    ("2027-01-01", "元旦"),
    *[(f"2027-02-{d:02d}", "春节") for d in range(5, 12)],
    ("2027-04-05", "清明节"),
    *[(f"2027-05-{d:02d}", "劳动节") for d in range(1, 6)],
    ("2027-06-09", "端午节"),
    ("2027-09-15", "中秋节"),
    *[(f"2027-10-{d:02d}", "国庆节") for d in range(1, 8)],
]


def build(ctx: DemoContext) -> None:
    added = seed_from_chinesecalendar()
    ctx.say(f"  work calendar: {added} days added from chinesecalendar")
    _lo, hi = known_years()
    nxt = hi + 1
    if nxt == 2027 and not WorkCalendarDay.objects.filter(date__year=nxt).exists():
        rows = [(datetime.date.fromisoformat(d), False, name) for d, name in PROVISIONAL_2027]
        import_year(year=nxt, exceptions=rows, source=PROVISIONAL)
        ctx.say(f"  work calendar: PROVISIONAL {nxt} schedule added (no make-up days; replace with the official one)")
