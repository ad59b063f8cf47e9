"""Delete scans under the private "cases/" folder that no SubmittedMaterial references and that are
older than --hours (default 24): files left behind by a process killed between writing a file and
committing its case. Files written inside a failed transaction are already removed by the services
(core.uploads.collect_stored); this is the net for crashes."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from onewindow.cases.models import SubmittedMaterial
from onewindow.core.uploads import private_storage


def orphan_files(*, older_than: datetime.timedelta) -> list[str]:
    storage = private_storage()
    cutoff = timezone.now() - older_than
    found: list[str] = []

    def walk(folder: str) -> None:
        try:
            dirs, files = storage.listdir(folder)
        except FileNotFoundError:
            return
        for d in dirs:
            walk(f"{folder}/{d}")
        for f in files:
            name = f"{folder}/{f}"
            if storage.get_modified_time(name) < cutoff:
                found.append(name)

    walk("cases")
    referenced = set(SubmittedMaterial.objects.filter(storage_name__in=found).values_list("storage_name", flat=True))
    return [n for n in found if n not in referenced]


class Command(BaseCommand):
    help = "Delete unreferenced case scans in private storage older than --hours (default 24)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--hours", type=int, default=24)
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        names = orphan_files(older_than=datetime.timedelta(hours=options["hours"]))
        if not options["dry_run"]:
            storage = private_storage()
            for name in names:
                storage.delete(name)
        self.stdout.write(f"{len(names)} orphan file(s) {'found' if options['dry_run'] else 'deleted'}")
