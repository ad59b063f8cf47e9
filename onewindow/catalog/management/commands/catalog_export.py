from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from onewindow.catalog.importexport import export_catalog
from onewindow.catalog.models import Matter, MatterVersion


class Command(BaseCommand):
    help = "Export every published matter (current version) and its materials to an .xlsx workbook."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", help="where to write the .xlsx file")

    def handle(self, *args: Any, path: str, **options: Any) -> None:
        Path(path).write_bytes(export_catalog())
        n = Matter.objects.filter(current_version__status=MatterVersion.Status.PUBLISHED).count()
        self.stdout.write(f"exported {n} matters to {path}")
