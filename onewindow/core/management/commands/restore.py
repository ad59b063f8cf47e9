"""`manage.py restore ARCHIVE --yes`: put back the database and the private files of a backup.

Stop the web server, the worker and the scheduler first (docs/ops.md, restore drill)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from onewindow.core.backup import BackupError, check_archive, read_manifest, restore_backup


class Command(BaseCommand):
    help = "Restore the database and the private files from an archive made by `manage.py backup`."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument("--yes", action="store_true", help="confirm: the current data is replaced")
        parser.add_argument("--check", action="store_true", help="only read the manifest and verify the archive")

    def handle(self, *args: Any, archive: Path, yes: bool, check: bool, **options: Any) -> None:
        try:
            manifest = read_manifest(archive)
            if check:
                with tempfile.TemporaryDirectory() as tmp:
                    check_archive(archive, Path(tmp))
                self.stdout.write(f"{archive}: {len(manifest['members'])} member(s), checksums good")
                return
            if not yes:
                raise CommandError(
                    f"This replaces the database and the private files with the backup of {manifest['created_at']}. "
                    "Stop the web server, worker and scheduler, then run again with --yes."
                )
            restore_backup(archive)
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"restored {archive} (taken {manifest['created_at']})")
