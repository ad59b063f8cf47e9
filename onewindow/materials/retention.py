"""Retention of online application drafts (core/retention.py says how long and how often).

A draft that was abandoned, or left open and untouched, for RETENTION_DRAFT_DAYS is deleted with the
form data it holds. The files uploaded for it go too: a library item attached to the draft that was
uploaded while the draft was open (at or after its start), that no submitted case material names and
no remaining draft has attached. Items the applicant had in the library before, or used elsewhere,
stay. The files are deleted from storage after the transaction commits. Submitted drafts are not
touched: they became cases, which keep their own records.
"""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.db.models import Q

from onewindow.core import retention
from onewindow.core.uploads import private_storage

from .models import ApplicationDraft, LibraryItem

log = logging.getLogger("onewindow.retention")

SETTING = "RETENTION_DRAFT_DAYS"

_STALE = (ApplicationDraft.Status.OPEN, ApplicationDraft.Status.ABANDONED)


def _library_refs(draft: ApplicationDraft) -> set[str]:
    return {
        str(att.get("ref"))
        for att in (draft.materials or {}).values()
        if isinstance(att, dict) and att.get("source") == "library" and att.get("ref")
    }


def _files_of(drafts: list[ApplicationDraft]) -> list[LibraryItem]:
    """The library items uploaded for these drafts that nothing else uses."""
    from onewindow.cases.models import SubmittedMaterial

    going = {d.pk for d in drafts}
    # One query for the whole batch (not one per draft); each item then counts for a draft that
    # names it only if it was uploaded while that draft was open.
    refs = {d.pk: _library_refs(d) for d in drafts}
    named = set().union(*refs.values())
    if not named:
        return []
    by_uuid = {str(i.uuid): i for i in LibraryItem.objects.filter(uuid__in=named)}
    candidates = [
        by_uuid[ref] for d in drafts for ref in refs[d.pk] if ref in by_uuid and by_uuid[ref].created_at >= d.created_at
    ]
    if not candidates:
        return []
    owners = {d.applicant_id for d in drafts}
    still_attached: set[str] = set()
    for other in ApplicationDraft.objects.filter(applicant_id__in=owners).exclude(pk__in=going).only("materials"):
        still_attached |= _library_refs(other)
    submitted = set(
        SubmittedMaterial.objects.filter(storage_name__in=[i.storage_name for i in candidates]).values_list(
            "storage_name", flat=True
        )
    )
    unique = {i.pk: i for i in candidates}
    return [i for i in unique.values() if str(i.uuid) not in still_attached and i.storage_name not in submitted]


def purge_batch(before: datetime.datetime, limit: int) -> dict[str, int]:
    drafts = list(
        ApplicationDraft.objects.filter(status__in=_STALE, updated_at__lt=before).order_by("id").select_for_update()[:limit]
    )
    if not drafts:
        return {"drafts": 0, "files": 0}
    items = _files_of(drafts)
    names = [i.storage_name for i in items]
    LibraryItem.objects.filter(pk__in=[i.pk for i in items]).delete()
    n, _ = ApplicationDraft.objects.filter(Q(pk__in=[d.pk for d in drafts]), status__in=_STALE).delete()

    def delete_files() -> None:
        storage = private_storage()
        for name in names:
            try:
                storage.delete(name)
            except OSError:
                # The orphan-file sweep (core/orphans.py) deletes it later: no row names it now.
                log.warning("draft file %s could not be deleted", name)

    transaction.on_commit(delete_files)
    return {"drafts": n, "files": len(names)}


def sweep_draft_retention() -> int:
    return retention.run("drafts", SETTING, purge_batch)
