from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from onewindow.catalog.importexport import ImportInvalid, import_catalog


class Command(BaseCommand):
    help = (
        "Import a catalog workbook (.xlsx, the export's layout). Every row is validated first; if any "
        "row is bad, every error is listed and nothing is written."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", help="the .xlsx file")

    def handle(self, *args: Any, path: str, **options: Any) -> None:
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"no such file: {path}")
        try:
            report = import_catalog(data=file.read_bytes(), actor=None)
        except ImportInvalid as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(str(exc.message)) from None
        self.stdout.write(f"created {len(report.created)}, updated {len(report.updated)}, unchanged {len(report.unchanged)}")
