"""Seeds WorkCalendarDay from the chinesecalendar package, for every year the package knows."""

from __future__ import annotations

import datetime

import chinese_calendar
from chinese_calendar import constants
from django.db import transaction

from .models import WorkCalendarDay

HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def known_years() -> tuple[int, int]:
    return min(constants.holidays).year, max(constants.holidays).year


@transaction.atomic
def seed_from_chinesecalendar(*, first_year: int | None = None, last_year: int | None = None) -> int:
    """Insert the days of the known years that the table lacks. Never overwrites an admin's edit."""
    lo, hi = known_years()
    first_year = max(first_year or lo, lo)
    last_year = min(last_year or hi, hi)
    existing = set(
        WorkCalendarDay.objects.filter(
            date__gte=datetime.date(first_year, 1, 1), date__lte=datetime.date(last_year, 12, 31)
        ).values_list("date", flat=True)
    )
    rows = []
    day = datetime.date(first_year, 1, 1)
    end = datetime.date(last_year, 12, 31)
    while day <= end:
        if day not in existing:
            on_holiday, name = chinese_calendar.get_holiday_detail(day)
            rows.append(
                WorkCalendarDay(
                    date=day,
                    is_workday=not on_holiday,
                    holiday_name=HOLIDAY_NAMES_ZH.get(name or "", name or "") if on_holiday else "",
                )
            )
        day += datetime.timedelta(days=1)
    WorkCalendarDay.objects.bulk_create(rows, batch_size=1000)
    from .workdays import invalidate

    invalidate()
    return len(rows)
