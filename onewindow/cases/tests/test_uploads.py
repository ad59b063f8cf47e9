"""core.uploads: type by content, size limit, private storage, cleanup on failure."""

from __future__ import annotations

import pathlib
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from onewindow.core.errors import ValidationFailed
from onewindow.core.uploads import collect_stored, private_storage, store_private, validate_upload

from .conftest import PDF_BYTES, PNG_BYTES

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 20


def f(data: bytes, name: str = "x.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def test_detects_by_content_not_name() -> None:
    assert validate_upload(f(PDF_BYTES, "scan.jpg")) == "pdf"
    assert validate_upload(f(PNG_BYTES, "a.pdf")) == "png"
    assert validate_upload(f(JPEG, "a.txt")) == "jpeg"
    with pytest.raises(ValidationFailed) as exc:
        validate_upload(f(b"MZ\x90\x00 not a scan", "scan.pdf"))
    assert exc.value.code == "upload_wrong_type"


def test_accepts_and_size() -> None:
    with pytest.raises(ValidationFailed) as invalid:
        validate_upload(f(PNG_BYTES), accepts="pdf")
    assert invalid.value.code == "upload_wrong_type"
    assert validate_upload(f(PDF_BYTES), accepts="pdf") == "pdf"
    with pytest.raises(ValidationFailed) as exc:
        validate_upload(f(PDF_BYTES + b"0" * 100), max_bytes=50)
    assert exc.value.code == "upload_too_large"
    with pytest.raises(ValidationFailed) as invalid:
        validate_upload(f(b""))
    assert invalid.value.code == "upload_empty"


def test_store_private_random_name_and_nothing_on_failure(settings: Any) -> None:
    root = pathlib.Path(settings.STORAGES["private"]["OPTIONS"]["location"])
    name = store_private(f(PDF_BYTES, "../../etc/passwd.pdf"), folder="cases/x")
    assert name.startswith("cases/x/") and name.endswith(".pdf") and "passwd" not in name
    assert private_storage().open(name).read() == PDF_BYTES
    with pytest.raises(ValidationFailed) as invalid:
        store_private(f(b"hello"), folder="cases/x")
    assert invalid.value.code == "upload_wrong_type"
    assert len([p for p in root.rglob("*") if p.is_file()]) == 1


def test_collect_stored_removes_files_when_block_fails(settings: Any) -> None:
    root = pathlib.Path(settings.STORAGES["private"]["OPTIONS"]["location"])
    with pytest.raises(RuntimeError), collect_stored():
        store_private(f(PDF_BYTES), folder="t")
        store_private(f(PNG_BYTES), folder="t")
        raise RuntimeError("rollback")
    assert not [p for p in root.rglob("*") if p.is_file()]
    with collect_stored() as names:
        store_private(f(PDF_BYTES), folder="t")
    assert len(names) == 1 and private_storage().exists(names[0])


def test_purge_orphan_files_keeps_referenced(matter_zjj: Any, citizen: Any, clerk: Any, settings: Any) -> None:
    import io

    from django.core.management import call_command

    from onewindow.cases import services as svc

    from .conftest import all_materials

    case = svc.case_submit(
        applicant=citizen,
        matter_version=matter_zjj,
        channel="online",
        form_data={"address": "1"},
        materials=all_materials(list(matter_zjj.materials.all())),
        actor=citizen,
    )
    orphan = store_private(f(PDF_BYTES), folder=f"cases/{case.uuid}")
    import os

    root = pathlib.Path(settings.STORAGES["private"]["OPTIONS"]["location"])
    for p in root.rglob("*"):
        os.utime(p, (1_600_000_000, 1_600_000_000))  # written long ago
    out = io.StringIO()
    call_command("purge_orphan_files", "--hours", "0", stdout=out)
    assert "1 orphan" in out.getvalue()
    assert not private_storage().exists(orphan)
    for m in case.materials.all():
        assert private_storage().exists(m.storage_name)
