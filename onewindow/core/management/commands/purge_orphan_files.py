"""Delete private files that no row refers to and that are older than --hours (core/orphans.py).
The periodic sweep runs the same purge once an hour with ORPHAN_FILE_GRACE_HOURS."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand

from onewindow.core.orphans import purge_orphan_files


class Command(BaseCommand):
    help = "Delete unreferenced private files older than --hours (default: ORPHAN_FILE_GRACE_HOURS)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--hours", type=float, default=None)
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, hours: float | None, dry_run: bool, **options: Any) -> None:
        older = None if hours is None else datetime.timedelta(hours=hours)
        names = purge_orphan_files(older_than=older, dry_run=dry_run)
        if options.get("verbosity", 1) > 1:
            for name in names:
                self.stdout.write(f"  {name}")
        self.stdout.write(f"{len(names)} orphan file(s) {'found' if dry_run else 'deleted'}")
