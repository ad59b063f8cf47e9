"""A fresh database gets a working calendar: every day of the years the chinesecalendar package
knows (holidays and 调休 make-up days), without the demo. Days already present (an administrator's
import) are kept. Years after the package's last one are imported from the State Council's
schedule (admin "工作日历" page, or `manage.py calendar_import`)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import migrations


def seed(apps: Any, schema_editor: Any) -> None:
    import chinese_calendar
    from chinese_calendar import constants

    from onewindow.core.calendar_seed import HOLIDAY_NAMES_ZH

    Day = apps.get_model("core", "WorkCalendarDay")
    db = schema_editor.connection.alias
    first, last = min(constants.holidays).year, max(constants.holidays).year
    existing = set(Day.objects.using(db).values_list("date", flat=True))
    rows = []
    day, end = datetime.date(first, 1, 1), datetime.date(last, 12, 31)
    while day <= end:
        if day not in existing:
            on_holiday, name = chinese_calendar.get_holiday_detail(day)
            rows.append(
                Day(
                    date=day,
                    is_workday=not on_holiday,
                    holiday_name=HOLIDAY_NAMES_ZH.get(name or "", name or "") if on_holiday else "",
                    source="chinesecalendar",
                )
            )
        day += datetime.timedelta(days=1)
    Day.objects.using(db).bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("core", "0008_service_heartbeat")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
