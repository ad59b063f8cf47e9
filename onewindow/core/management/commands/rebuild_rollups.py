"""Recount every rollup (figures per day and month) from the source rows: after a restore, an
import, or a change to how a figure is counted."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from onewindow.core import rollups


class Command(BaseCommand):
    help = "Recount every rollup table from the source rows."

    def handle(self, *args: Any, **options: Any) -> None:
        for label, module in rollups.modules():
            n = module.rebuild()  # type: ignore[attr-defined]  # each app's rollups module defines rebuild()
            self.stdout.write(f"{label}: {n} days recounted")
