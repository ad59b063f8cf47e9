"""`manage.py backup [--dest DIR]`: the database and the private files in one archive (docs/ops.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from onewindow.core.backup import BackupError, make_backup, read_manifest


class Command(BaseCommand):
    help = "Back up the database (pg_dump / SQLite backup API) and the private files into one .tar archive."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dest", type=Path, default=None, help="folder for the archive (default: BACKUP_DIR)")

    def handle(self, *args: Any, dest: Path | None, **options: Any) -> None:
        try:
            path = make_backup(dest=dest)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = read_manifest(path)
        files = sum(1 for name in manifest["members"] if name.startswith("private/"))
        self.stdout.write(f"{path} ({manifest['engine']} database, {files} private file(s), {path.stat().st_size} bytes)")
