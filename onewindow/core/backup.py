"""Backup and restore of the database and the private files, as one archive (docs/ops.md).

`make_backup()` writes `onewindow-<UTC time>.tar` holding:
- `manifest.json`: format, time, database engine, and the SHA-256 and size of every member;
- `database.dump` (PostgreSQL, `pg_dump --format=custom`: one snapshot of the whole database) or
  `database.sqlite3` (SQLite, the online backup API: a consistent copy while others write);
- `private/…`: the private file store (scans, signatures, photos).

Consistency: the database is copied first, the files after it. Every service writes its file
before it commits the row that names it, so every file a row in the copy names is already on disk
when the files are copied; files written after the database copy are orphans after a restore and
the sweep deletes them after the grace period (core/orphans.py). The archive is written under a
`.partial` name and renamed when complete, so a crash never leaves a half archive that looks whole.

`restore_backup()` checks every member against the manifest first (a damaged archive changes
nothing), then replaces the database (`pg_restore --clean --single-transaction`: all or nothing;
SQLite: the backup API in the other direction) and swaps the private store, keeping the old one
beside it as `<root>.before-restore-<time>` until an operator deletes it.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections

FORMAT = 1


class BackupError(Exception):
    pass


def _db() -> dict[str, Any]:
    return connections["default"].settings_dict


def _engine() -> str:
    vendor = connections["default"].vendor
    if vendor not in ("postgresql", "sqlite"):
        raise BackupError(f"unsupported database: {vendor}")
    return vendor


def _pg_env() -> tuple[list[str], dict[str, str]]:
    db = _db()
    args = ["--dbname", str(db["NAME"])]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} not found: install the PostgreSQL client (apt-get install postgresql-client)")
    return found


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _private_root() -> Path:
    from .uploads import private_storage

    return Path(str(private_storage().location))


def _dump_database(work: Path) -> Path:
    if _engine() == "postgresql":
        out = work / "database.dump"
        args, env = _pg_env()
        run = subprocess.run(  # noqa: S603 (fixed program, arguments from settings)
            [_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", "--file", str(out), *args],
            env=env,
            capture_output=True,
            text=True,
        )
        if run.returncode != 0:
            raise BackupError(f"pg_dump failed: {run.stderr.strip()}")
        return out
    out = work / "database.sqlite3"
    src = sqlite3.connect(str(_db()["NAME"]), timeout=30)
    dst = sqlite3.connect(str(out))
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    return out


def make_backup(*, dest: Path | None = None, now: datetime.datetime | None = None) -> Path:
    dest = Path(dest or settings.BACKUP_DIR)
    dest.mkdir(parents=True, exist_ok=True)
    now = now or datetime.datetime.now(datetime.UTC)
    final = dest / f"onewindow-{now:%Y%m%dT%H%M%SZ}.tar"
    partial = final.with_name(final.name + ".partial")
    with tempfile.TemporaryDirectory(dir=dest) as tmp:
        work = Path(tmp)
        db_file = _dump_database(work)
        members: dict[str, dict[str, Any]] = {db_file.name: {"sha256": _sha256(db_file), "size": db_file.stat().st_size}}
        root = _private_root()
        files: list[tuple[Path, str]] = []
        if root.exists():
            for p in sorted(root.rglob("*")):
                if p.is_file():
                    arc = "private/" + p.relative_to(root).as_posix()
                    try:
                        members[arc] = {"sha256": _sha256(p), "size": p.stat().st_size}
                    except FileNotFoundError:  # deleted while we walked (an orphan purge)
                        continue
                    files.append((p, arc))
        manifest = {
            "format": FORMAT,
            "created_at": now.isoformat(),
            "engine": _engine(),
            "database": db_file.name,
            "members": members,
        }
        with tarfile.open(partial, "w") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            info.mtime = int(now.timestamp())
            tar.addfile(info, io.BytesIO(data))
            tar.add(db_file, arcname=db_file.name)
            for p, arc in files:
                tar.add(p, arcname=arc)
    os.replace(partial, final)
    return final


def read_manifest(archive: Path) -> dict[str, Any]:
    with tarfile.open(archive, "r") as tar:
        f = tar.extractfile("manifest.json")
        if f is None:
            raise BackupError("no manifest in the archive")
        manifest: dict[str, Any] = json.loads(f.read())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown archive format {manifest.get('format')!r}")
    return manifest


def check_archive(archive: Path, into: Path) -> dict[str, Any]:
    manifest = read_manifest(archive)
    members = manifest["members"]
    with tarfile.open(archive, "r") as tar:
        names = {m.name for m in tar.getmembers() if m.isfile()} - {"manifest.json"}
        if names != set(members):
            raise BackupError("archive members do not match the manifest")
        tar.extractall(into, filter="data")
    for name, meta in members.items():
        if _sha256(into / name) != meta["sha256"]:
            raise BackupError(f"checksum mismatch: {name}")
    return manifest


def _restore_database(manifest: dict[str, Any], work: Path) -> None:
    engine = _engine()
    if manifest["engine"] != engine:
        raise BackupError(f"archive holds a {manifest['engine']} database; this site runs {engine}")
    for conn in connections.all():
        conn.close()
    dump = work / manifest["database"]
    if engine == "postgresql":
        args, env = _pg_env()
        run = subprocess.run(  # noqa: S603 (fixed program, arguments from settings)
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                *args,
                str(dump),
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        if run.returncode != 0:
            raise BackupError(f"pg_restore failed (nothing changed): {run.stderr.strip()}")
        return
    src = sqlite3.connect(str(dump))
    dst = sqlite3.connect(str(_db()["NAME"]), timeout=30)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def restore_backup(archive: Path, *, now: datetime.datetime | None = None) -> dict[str, Any]:
    """Replace the database and the private files with the archive's. Returns the manifest."""
    archive = Path(archive)
    now = now or datetime.datetime.now(datetime.UTC)
    root = _private_root()
    root.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root.parent, prefix=".restore-") as tmp:
        work = Path(tmp)
        manifest = check_archive(archive, work)
        _restore_database(manifest, work)
        fresh = work / "private"
        fresh.mkdir(exist_ok=True)
        if root.exists():
            os.replace(root, root.with_name(f"{root.name}.before-restore-{now:%Y%m%dT%H%M%SZ}"))
        shutil.move(str(fresh), str(root))
    from . import workdays

    workdays.invalidate()
    return manifest
