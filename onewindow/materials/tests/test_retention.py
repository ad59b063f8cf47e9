"""Drafts abandoned or left untouched for RETENTION_DRAFT_DAYS are deleted with the files uploaded for
them (core/retention.py); library items kept from before, and newer drafts, stay."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine

from onewindow.core import retention
from onewindow.core.models import AuditEntry
from onewindow.materials import selectors, services
from onewindow.materials.models import ApplicationDraft, LibraryItem
from onewindow.materials.retention import SETTING, purge_batch, sweep_draft_retention
from onewindow.portal.testing import pdf_file

from .test_drafts import ready_draft

pytestmark = pytest.mark.django_db


def test_an_old_abandoned_draft_goes_with_its_files(
    online_matter: Any, citizen: Any, private_storage: Path, django_capture_on_commit_callbacks: Any
) -> None:
    old = ready_draft(online_matter, citizen)
    id_card = LibraryItem.objects.get(shared_key="id_card")  # in the library before the draft began
    uploaded = LibraryItem.objects.exclude(pk=id_card.pk).get()  # uploaded for the draft
    assert (private_storage / uploaded.storage_name).exists()
    services.draft_abandon(draft=old, actor=citizen)
    later = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=80)
    with time_machine.travel(later, tick=False):
        fresh = services.draft_start(applicant=citizen, matter=online_matter)
        fresh = services.draft_confirm_conditions(draft=fresh, actor=citizen, confirmed=True)
    with time_machine.travel(later + datetime.timedelta(days=11), tick=False):
        with django_capture_on_commit_callbacks(execute=True):  # the files go once the rows are gone
            assert sweep_draft_retention() == 1 + 1  # the draft and its one uploaded file
        assert retention.run_all_batches("drafts", SETTING, purge_batch) == 0
    assert not ApplicationDraft.objects.filter(pk=old.pk).exists()
    assert not LibraryItem.objects.filter(pk=uploaded.pk).exists()
    assert not (private_storage / uploaded.storage_name).exists()
    assert (private_storage / id_card.storage_name).exists() and LibraryItem.objects.filter(pk=id_card.pk).exists()
    assert ApplicationDraft.objects.filter(pk=fresh.pk).exists()  # 11 days old
    entry = AuditEntry.objects.get(action="retention.drafts")
    assert (entry.data["drafts"], entry.data["files"], entry.data["days"]) == (1, 1, 90)


def test_files_a_case_was_submitted_with_and_older_library_items_stay(
    online_matter: Any, citizen: Any, private_storage: Path
) -> None:
    submitted = ready_draft(online_matter, citizen)
    services.draft_to_review(draft=submitted, actor=citizen)
    services.draft_submit(draft=submitted, actor=citizen)
    left = services.draft_start(applicant=citizen, matter=online_matter)
    left = services.draft_confirm_conditions(draft=left, actor=citizen, confirmed=True)
    left = services.draft_save_form(draft=left, actor=citizen, data={"address": "值夏镇值夏村1号", "members": "3"})
    left, n = services.draft_reuse_all(draft=left, actor=citizen)  # the ID card, from the library
    assert n == 1
    files = sorted(LibraryItem.objects.values_list("storage_name", flat=True))
    key = selectors.missing_materials(left)[0].key
    left = services.draft_upload(draft=left, actor=citizen, key=key, file=pdf_file())  # goes with the draft
    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=91), tick=False):
        assert retention.run_all_batches("drafts", SETTING, purge_batch) == 1 + 1  # the open draft, its upload
    assert ApplicationDraft.objects.filter(pk=submitted.pk, status="submitted").exists()
    assert not ApplicationDraft.objects.filter(pk=left.pk).exists()
    assert sorted(LibraryItem.objects.values_list("storage_name", flat=True)) == files
    assert all((private_storage / f).exists() for f in files)
