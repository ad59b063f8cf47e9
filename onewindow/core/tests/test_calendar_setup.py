"""A fresh database has a working calendar without the demo (issue 13): a migration seeds every
year chinesecalendar knows; a later year is imported from the official schedule by the admin page
or `manage.py calendar_import`."""

from __future__ import annotations

import datetime
import importlib
import io
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from onewindow.core import workdays
from onewindow.core.calendar_seed import known_years
from onewindow.core.models import AuditEntry, WorkCalendarDay

pytestmark = pytest.mark.django_db


def test_migration_seeds_every_known_year_and_keeps_admin_edits() -> None:
    assert ("core", "0009_seed_work_calendar") in MigrationLoader(connection).graph.nodes
    seed = importlib.import_module("onewindow.core.migrations.0009_seed_work_calendar").seed
    WorkCalendarDay.objects.all().delete()
    edited = datetime.date(2026, 6, 1)
    WorkCalendarDay.objects.create(date=edited, is_workday=False, holiday_name="区里的安排", source="admin")

    class Editor:
        connection = connection

    seed(apps, Editor())
    lo, hi = known_years()
    days = (datetime.date(hi, 12, 31) - datetime.date(lo, 1, 1)).days + 1
    assert WorkCalendarDay.objects.count() == days
    assert WorkCalendarDay.objects.get(date=edited).holiday_name == "区里的安排"
    workdays.invalidate()
    # Saturday 2026-05-02 in the Labour Day break: day 1 is Wednesday 05-06, day 5 Monday 05-11.
    assert workdays.add_workdays(datetime.date(2026, 5, 2), 5) == datetime.date(2026, 5, 11)
    seed(apps, Editor())  # again: nothing doubled
    assert WorkCalendarDay.objects.count() == days
    workdays.invalidate()


def test_calendar_import_command(tmp_path: Path, admin_user: Any) -> None:
    schedule = tmp_path / "2027.txt"
    schedule.write_text(
        "# 国务院办公厅关于2027年部分节假日安排的通知\n2027-01-01,rest,元旦\n2027-02-07,work,春节调休\n", encoding="utf-8"
    )
    out = io.StringIO()
    call_command("calendar_import", "2027", str(schedule), stdout=out)
    assert "365 days" in out.getvalue()
    assert not WorkCalendarDay.objects.get(date=datetime.date(2027, 1, 1)).is_workday
    assert WorkCalendarDay.objects.get(date=datetime.date(2027, 2, 7)).is_workday  # a Sunday worked
    assert WorkCalendarDay.objects.get(date=datetime.date(2027, 1, 4)).source == "国务院办公厅"
    assert AuditEntry.objects.filter(action="calendar.import_year").exists()
    schedule.write_text("2027-13-01,rest,x\n", encoding="utf-8")
    with pytest.raises(CommandError, match="2027-13-01"):
        call_command("calendar_import", "2027", str(schedule), stdout=io.StringIO())
    workdays.invalidate()
