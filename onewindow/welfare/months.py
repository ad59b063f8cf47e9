"""Months as the register counts them: a month is its first day (a `date` with day 1)."""

from __future__ import annotations

import datetime


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(month: datetime.date, n: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)


def add_months_to_day(day: datetime.date, n: int) -> datetime.date:
    """The same day n months later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    first = add_months(day.replace(day=1), n)
    last = (add_months(first, 1) - datetime.timedelta(days=1)).day
    return first.replace(day=min(day.day, last))


def month_end(month: datetime.date) -> datetime.date:
    return add_months(month_start(month), 1) - datetime.timedelta(days=1)


def parse_month(value: str) -> datetime.date:
    """'2026-05' or '2026-05-01' -> 2026-05-01; ValueError otherwise."""
    value = (value or "").strip()
    if len(value) == 7:
        value += "-01"
    day = datetime.date.fromisoformat(value)
    if day.day != 1:
        raise ValueError(value)
    return day
