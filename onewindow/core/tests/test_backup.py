"""Backup and restore (issue 13): one command backs up the database and the private files, one
restores them. The drill: back up, change data and files, restore, find the original. On
PostgreSQL (pg_dump / pg_restore; CI runs it) and on SQLite (the backup API)."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from onewindow.core.models import RateLimitHit, WorkCalendarDay
from onewindow.core.uploads import private_storage

PNG = b"\x89PNG\r\n\x1a\n" + b"\1" * 64


@pytest.fixture
def store(settings: Any, tmp_path: Path) -> Any:
    root = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {**settings.STORAGES["private"], "OPTIONS": {"location": str(root), "base_url": None}},
    }
    return root


@pytest.mark.django_db(transaction=True)
def test_backup_change_restore_finds_the_original(store: Path, tmp_path: Path) -> None:
    import datetime

    day = datetime.date(2031, 5, 2)  # a year the migration does not seed
    WorkCalendarDay.objects.create(date=day, is_workday=False, holiday_name="劳动节")
    kept = private_storage().save("cases/c1/scan.png", io.BytesIO(PNG))

    out = io.StringIO()
    call_command("backup", "--dest", str(tmp_path / "backups"), stdout=out)
    archive = Path(out.getvalue().split(" ")[0])
    assert archive.exists() and archive.suffix == ".tar"
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
    assert {"manifest.json", f"private/{kept}"} <= names
    assert names & {"database.dump", "database.sqlite3"}

    # What happens after the backup: a row changed, one added, a file replaced, one added.
    WorkCalendarDay.objects.filter(date=day).update(holiday_name="changed", is_workday=True)
    WorkCalendarDay.objects.create(date=day + datetime.timedelta(days=1), is_workday=True)
    private_storage().delete(kept)
    private_storage().save(kept, io.BytesIO(b"\x89PNG\r\n\x1a\nOTHER"))
    later = private_storage().save("library/later.png", io.BytesIO(PNG))

    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(archive), stdout=io.StringIO())
    assert WorkCalendarDay.objects.get(date=day).holiday_name == "changed"  # nothing done without --yes

    call_command("restore", str(archive), "--yes", stdout=io.StringIO())
    row = WorkCalendarDay.objects.get(date=day)
    assert (row.is_workday, row.holiday_name) == (False, "劳动节")
    assert not WorkCalendarDay.objects.filter(date=day + datetime.timedelta(days=1)).exists()
    assert private_storage().open(kept).read() == PNG
    assert not private_storage().exists(later)
    # the replaced store is kept beside, for the operator to delete after the drill
    assert [
        p.name.startswith("private.before-restore-")
        for p in store.parent.iterdir()
        if p.name != "private" and p.name.startswith("private.")
    ] == [True]


@pytest.mark.django_db(transaction=True)
def test_damaged_archive_changes_nothing(store: Path, tmp_path: Path) -> None:
    RateLimitHit.objects.all().delete()
    private_storage().save("library/a.png", io.BytesIO(PNG))
    out = io.StringIO()
    call_command("backup", "--dest", str(tmp_path / "b"), stdout=out)
    archive = Path(out.getvalue().split(" ")[0])
    # flip the content of the file inside the archive (same size, so the tar stays readable)
    data = bytearray(archive.read_bytes())
    at = data.find(b"\x89PNG\r\n\x1a\n\1\1\1")
    data[at + 10] ^= 0xFF
    archive.write_bytes(bytes(data))
    private_storage().save("library/new.png", io.BytesIO(PNG))
    with pytest.raises(CommandError, match="checksum"):
        call_command("restore", str(archive), "--yes", stdout=io.StringIO())
    assert private_storage().exists("library/new.png")  # untouched
    with pytest.raises(CommandError, match="checksum"):
        call_command("restore", str(archive), "--check", stdout=io.StringIO())
