"""The hall's business day: the calendar date in Asia/Shanghai (read by services, selectors and figures)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

SHANGHAI = ZoneInfo("Asia/Shanghai")


def business_date(now: datetime | None = None) -> date:
    """The hall's business day: the calendar date in Asia/Shanghai."""
    return (now or timezone.now()).astimezone(SHANGHAI).date()
