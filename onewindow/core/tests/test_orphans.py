"""Orphan-file purge (issue 13): private files no row names, older than the grace period, are
deleted by the sweep; referenced files, young files and unknown folders are never touched."""

from __future__ import annotations

import io
import os
import time
from typing import Any

import pytest
from django.apps import apps
from django.db import models

from onewindow.core import orphans
from onewindow.core.uploads import private_storage

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def _put(name: str, age_hours: float) -> str:
    stored = private_storage().save(name, io.BytesIO(PNG))
    t = time.time() - age_hours * 3600
    os.utime(private_storage().path(stored), (t, t))
    return str(stored)


@pytest.fixture
def store(settings: Any, tmp_path: Any) -> Any:
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {**settings.STORAGES["private"], "OPTIONS": {"location": str(tmp_path), "base_url": None}},
    }
    return tmp_path


def test_sweep_deletes_old_unreferenced_files_only(store: Any, settings: Any) -> None:
    from onewindow.core.models import ServiceHeartbeat
    from onewindow.welfare.models import HomeVisit

    settings.ORPHAN_FILE_GRACE_HOURS = 24
    old_orphans = [
        _put("cases/x/a.pdf", 48),
        _put("library/b.png", 30),
        _put("welfare/u/visits/c.png", 25),
        _put("assistance/mandates/m/d.png", 99),
    ]
    young = _put("cases/y/young.pdf", 1)
    unknown = _put("elsewhere/e.png", 500)
    photo = _put("welfare/v/visits/kept.png", 48)
    from unittest import mock

    assert photo in orphans.orphan_files()  # nothing names it yet
    # A home visit naming the photo in its JSON list (the rows come from the welfare process; the
    # query is stood in for here, the real rows are covered by the cases upload test).
    with mock.patch.object(HomeVisit.objects, "exclude") as exclude:
        exclude.return_value.values_list.return_value.iterator.return_value = iter([[photo]])
        names = orphans.orphan_files()
    assert photo not in names

    assert orphans.sweep_orphan_files() == len(old_orphans) + 1  # the unreferenced photo too
    for n in [*old_orphans, photo]:
        assert not private_storage().exists(n)
    assert private_storage().exists(young) and private_storage().exists(unknown)
    # at most once an hour
    again = _put("cases/z/again.pdf", 48)
    assert orphans.sweep_orphan_files() == 0 and private_storage().exists(again)
    ServiceHeartbeat.objects.filter(key="sweep:orphan-files").delete()
    assert orphans.sweep_orphan_files() == 1


def test_every_storage_column_is_registered() -> None:
    """A column that names private files must be listed in orphans.REFERENCES, or the purge
    would delete the files it names."""
    registered = {(r.model.lower(), r.field) for refs in orphans.REFERENCES.values() for r in refs}
    found = set()
    for model in apps.get_models():
        for f in model._meta.get_fields():
            if isinstance(f, (models.CharField, models.JSONField)) and (
                f.name in ("storage_name", "photos") or f.name.endswith("_file")
            ):
                found.add((f"{model._meta.app_label}.{model.__name__}".lower(), f.name))
    assert found <= registered, found - registered
