"""Private files that no row refers to: found and deleted after a grace period.

A service writes its file before it commits the row that names it (core.uploads); a process killed
in between (kill -9, a lost machine) leaves the file behind, and a restore of an older backup leaves
the files written since. `collect_stored` already removes the files of transactions that fail; this
is the net for crashes.

Only the folders listed in REFERENCES are walked, each with the columns that may name a file in it.
A file in any other folder is never touched (a new kind of upload must be registered here first;
`test_orphans.test_every_storage_column_is_registered` fails until it is). A file younger than
ORPHAN_FILE_GRACE_HOURS is kept: its transaction may still be open.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.utils import timezone

from .uploads import private_storage

log = logging.getLogger("onewindow.orphans")


@dataclass(frozen=True)
class Ref:
    model: str  # "app_label.Model"
    field: str
    is_list: bool = False  # a JSON list of storage names


# top-level folder of private storage -> the columns that can name a file in it
REFERENCES: dict[str, list[Ref]] = {
    "cases": [Ref("cases.SubmittedMaterial", "storage_name")],
    "library": [Ref("materials.LibraryItem", "storage_name"), Ref("cases.SubmittedMaterial", "storage_name")],
    "townships": [Ref("townships.BatchDocument", "storage_name")],
    "welfare": [Ref("welfare.HomeVisit", "photos", is_list=True)],
    "assistance": [
        Ref("assistance.Mandate", "signature_file"),
        Ref("assistance.Mandate", "countersign_file"),
        Ref("assistance.ResultDelivery", "signature_file"),
    ],
}

SWEEP_EVERY = datetime.timedelta(hours=1)


def _walk(folder: str, cutoff: datetime.datetime) -> list[str]:
    storage = private_storage()
    found: list[str] = []
    stack = [folder]
    while stack:
        here = stack.pop()
        try:
            dirs, files = storage.listdir(here)
        except FileNotFoundError:
            continue
        stack.extend(f"{here}/{d}" for d in dirs)
        for f in files:
            name = f"{here}/{f}"
            try:
                if storage.get_modified_time(name) < cutoff:
                    found.append(name)
            except FileNotFoundError:
                continue
    return found


def _referenced(refs: list[Ref], names: list[str]) -> set[str]:
    wanted = set(names)
    seen: set[str] = set()
    for ref in refs:
        model = apps.get_model(ref.model)
        if ref.is_list:
            # JSON lists cannot be searched the same way on SQLite and PostgreSQL; these lists are
            # short and few (home-visit photos), so read them.
            for values in model.objects.exclude(**{ref.field: []}).values_list(ref.field, flat=True).iterator():
                seen |= wanted & set(values or [])
        else:
            for i in range(0, len(names), 500):
                chunk = names[i : i + 500]
                seen |= set(model.objects.filter(**{f"{ref.field}__in": chunk}).values_list(ref.field, flat=True))
    return seen


def orphan_files(*, older_than: datetime.timedelta | None = None) -> list[str]:
    if older_than is None:
        older_than = datetime.timedelta(hours=float(getattr(settings, "ORPHAN_FILE_GRACE_HOURS", 24)))
    cutoff = timezone.now() - older_than
    out: list[str] = []
    for folder, refs in REFERENCES.items():
        names = _walk(folder, cutoff)
        if names:
            used = _referenced(refs, names)
            out.extend(n for n in names if n not in used)
    return sorted(out)


def purge_orphan_files(*, older_than: datetime.timedelta | None = None, dry_run: bool = False) -> list[str]:
    names = orphan_files(older_than=older_than)
    if not dry_run:
        storage = private_storage()
        for name in names:
            try:
                storage.delete(name)
            except OSError:
                log.warning("orphan file %s could not be deleted", name)
        if names:
            log.info("%s orphan private file(s) deleted", len(names))
    return names


def sweep_orphan_files() -> int:
    """In the periodic sweep: at most once per SWEEP_EVERY (walking the store is not free)."""
    from .models import ServiceHeartbeat

    now = timezone.now()
    last = ServiceHeartbeat.objects.filter(key="sweep:orphan-files").values_list("beat_at", flat=True).first()
    if last is not None and now - last < SWEEP_EVERY:
        return 0
    ServiceHeartbeat.objects.update_or_create(
        key="sweep:orphan-files", defaults={"kind": "sweep", "beat_at": now, "started_at": now, "pid": 0}
    )
    return len(purge_orphan_files())
