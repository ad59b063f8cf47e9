"""`manage.py calendar_import YEAR FILE [--source 国务院办公厅]`: import a year's official holiday
schedule (the same format and the same service as the admin page "工作日历 → 导入年度节假日安排")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from onewindow.core.calendar_seed import PROVISIONAL, import_year, parse_schedule
from onewindow.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Import a year's holiday schedule (lines 'YYYY-MM-DD,rest,name' or 'YYYY-MM-DD,work'); '-' reads standard input."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("year", type=int)
        parser.add_argument("file")
        parser.add_argument(
            "--source", default="国务院办公厅", help=f"where the schedule comes from; '{PROVISIONAL}' marks a guess"
        )

    def handle(self, *args: Any, year: int, file: str, source: str, **options: Any) -> None:
        import sys

        text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
        try:
            n = import_year(year=year, exceptions=parse_schedule(text), source=source.strip()[:32] or "admin")
        except ApplicationError as exc:
            details = "; ".join(str(m) for msgs in exc.fields.values() for m in msgs)
            raise CommandError(f"{exc.message} {details}".strip()) from exc
        self.stdout.write(f"{year}: {n} days imported (source: {source})")
