"""Seeds WorkCalendarDay from the chinesecalendar package, for every year the package knows."""

from __future__ import annotations

import datetime
from typing import Any

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


PROVISIONAL = "provisional"

# Called when a year that already had days is replaced, or a county's override of a day in it is
# entered, changed or removed: each `prepare_year(year=..., county=...)` counts its due dates under
# the calendar in force and returns a function that re-adds them under the new one (returns how
# many dates moved). `county` None: every county's dates; a code: that county's only. Apps own
# their due dates; core only calls them.
RECOMPUTE_ON_IMPORT: list[str] = ["onewindow.cases.services.recalendar.prepare_year"]


def prepare_recompute(*, year: int, county: str | None = None) -> list[Any]:
    """The appliers of every app's due dates for `year` (see RECOMPUTE_ON_IMPORT), counted now on
    the calendar in force: call it before the change, and each applier after it."""
    from django.utils.module_loading import import_string

    return [import_string(path)(year=year, county=county) for path in RECOMPUTE_ON_IMPORT]


def parse_schedule(text: str) -> list[tuple[datetime.date, bool, str]]:
    """Parse an official schedule as the State Council publishes it, one exception per line:

        2027-01-01,rest,元旦
        2027-02-07,work,春节调休

    `rest` marks a holiday (with its name), `work` a make-up working day (调休上班). Every other day
    of the year follows the week (Monday-Friday work). Blank lines and `#` comments are ignored.
    """
    from django.utils.translation import gettext as _

    from .errors import ValidationFailed

    out: list[tuple[datetime.date, bool, str]] = []
    errors: list[str] = []
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = [p.strip() for p in line.replace("，", ",").split(",")]
        try:
            day = datetime.date.fromisoformat(parts[0])
            kind = parts[1].lower() if len(parts) > 1 else ""
            if kind not in ("rest", "work"):
                raise ValueError(kind)
        except (ValueError, IndexError):
            errors.append(_("第 %(n)s 行格式不正确：%(line)s") % {"n": n, "line": raw.strip()})
            continue
        out.append((day, kind == "work", parts[2] if len(parts) > 2 else ""))
    if errors:
        raise ValidationFailed(_("日程格式不正确。"), fields={"schedule": errors})
    return out


def import_year(*, year: int, exceptions: list[tuple[datetime.date, bool, str]], source: str, actor: object = None) -> int:
    """Write the whole of `year`: weekdays work, weekends rest, then the official exceptions.

    Replaces what the table holds for that year (an administrator correcting a schedule, or the
    official schedule replacing a provisional one). Returns the number of days written.
    """
    from django.utils.translation import gettext as _

    from .audit import audit
    from .errors import ValidationFailed

    wrong = [d for d, _w, _n in exceptions if d.year != year]
    if wrong:
        raise ValidationFailed(
            _("日期不属于 %(year)s 年：%(d)s") % {"year": year, "d": wrong[0]}, fields={"schedule": [str(wrong[0])]}
        )
    special = {d: (w, name) for d, w, name in exceptions}
    rows = []
    day = datetime.date(year, 1, 1)
    while day.year == year:
        if day in special:
            is_work, name = special[day]
            rows.append(WorkCalendarDay(date=day, is_workday=is_work, holiday_name="" if is_work else name, source=source))
        else:
            rows.append(WorkCalendarDay(date=day, is_workday=day.weekday() < 5, holiday_name="", source=source))
        day += datetime.timedelta(days=1)
    from .workdays import invalidate

    with transaction.atomic():
        old = WorkCalendarDay.objects.filter(date__year=year)
        old_sources = sorted(set(old.values_list("source", flat=True)))
        invalidate()
        appliers = prepare_recompute(year=year) if old_sources else []
        old.delete()
        WorkCalendarDay.objects.bulk_create(rows)
        invalidate()  # the dates below are counted on the new calendar
        moved = sum(apply(actor=actor) for apply in appliers)
        audit(
            actor=actor,
            action="calendar.import_year",
            target=rows[0],
            data={"year": year, "source": source, "exceptions": len(exceptions), "replaced": old_sources, "dates_moved": moved},
        )
        transaction.on_commit(invalidate)
    invalidate()
    return len(rows)


def next_year_warning(today: datetime.date | None = None) -> str:
    """From November on, administrators are told when next year's schedule is missing or only
    provisional; deadlines crossing the new year depend on it. Empty string when all is well."""
    from django.utils.translation import gettext as _

    today = today or datetime.date.today()
    if today.month < 11:
        return ""
    nxt = today.year + 1
    sources = set(WorkCalendarDay.objects.filter(date__year=nxt).values_list("source", flat=True).distinct())
    days = WorkCalendarDay.objects.filter(date__year=nxt).count()
    if days < (366 if _is_leap(nxt) else 365):
        return _(
            "工作日历尚未录入 %(year)s 年的法定节假日安排：跨年的办理期限将无法计算。请在“工作日历”中导入国务院公布的 %(year)s 年安排。"
        ) % {"year": nxt}
    if PROVISIONAL in sources:
        return _("%(year)s 年的工作日历是临时安排（未经国务院公布），请在官方安排公布后重新导入。") % {"year": nxt}
    return ""


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
