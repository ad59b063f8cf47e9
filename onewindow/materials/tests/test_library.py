"""The material library: uploads checked by content, nothing stored on failure, files served only
to the owner, their enterprise's handlers and staff handling a case that uses them."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import login
from onewindow.core.errors import NotFound, PermissionDenied, ValidationFailed
from onewindow.materials import selectors, services
from onewindow.materials.models import LibraryItem
from onewindow.portal.testing import PDF_BYTES, pdf_file, png_file, stored_files

pytestmark = pytest.mark.django_db


def test_upload_stores_privately_with_random_name(citizen: Any, private_storage: Any) -> None:
    item = services.library_upload(actor=citizen, file=pdf_file("我的身份证.pdf"), name="居民身份证", shared_key="id_card")
    assert item.owner == citizen and item.shared_key == "id_card" and item.content_type == "application/pdf"
    assert "身份证" not in item.storage_name and item.storage_name.startswith("library/")
    assert len(item.sha256) == 64 and item.size == len(PDF_BYTES)
    assert len(stored_files(private_storage)) == 1


@pytest.mark.parametrize(
    ("content", "accepts", "code"),
    [
        (b"MZ\x90\x00 an exe renamed to pdf", "pdf,image", "upload_wrong_type"),
        (b"", "pdf,image", "upload_empty"),
        (PDF_BYTES, "image", "upload_wrong_type"),
    ],
)
def test_bad_file_is_refused_and_nothing_is_stored(
    citizen: Any, private_storage: Any, content: bytes, accepts: str, code: str
) -> None:
    with pytest.raises(ValidationFailed) as err:
        services.library_upload(actor=citizen, file=SimpleUploadedFile("scan.pdf", content), name="x", accepts=accepts)
    assert err.value.code == code and "file" in err.value.fields
    assert LibraryItem.objects.count() == 0 and stored_files(private_storage) == []


def test_too_large_is_refused(citizen: Any, private_storage: Any) -> None:
    big = SimpleUploadedFile("big.pdf", PDF_BYTES + b"0" * 2048)
    with pytest.raises(ValidationFailed) as err:
        services.library_upload(actor=citizen, file=big, name="x", max_bytes=1024)
    assert err.value.code == "upload_too_large" and stored_files(private_storage) == []


def test_enterprise_items_shared_with_handlers_only(enterprise_user: Any, citizen: Any) -> None:
    ent = enterprise_user.enterprise_roles.get().enterprise
    item = services.library_upload(
        actor=enterprise_user, file=png_file(), name="营业执照", shared_key="business-licence", enterprise=ent
    )
    assert item in selectors.library_for(enterprise_user)
    assert item not in selectors.library_for(citizen)
    with pytest.raises(PermissionDenied) as denied:
        services.library_upload(actor=citizen, file=png_file(), name="营业执照", enterprise=ent)
    assert denied.value.code == "permission_denied"


def test_outsider_cannot_see_download_or_remove(client: Any, citizen: Any, outsider: Any) -> None:
    item = services.library_upload(actor=citizen, file=pdf_file(), name="居民身份证", shared_key="id_card")
    assert selectors.library_for(outsider).count() == 0
    with pytest.raises(NotFound) as missing:
        selectors.item_for_file(outsider, item.uuid)
    assert missing.value.code == "not_found"
    with pytest.raises(NotFound) as missing:
        services.library_remove(actor=outsider, item=item)
    assert missing.value.code == "not_found"
    login(client, outsider)
    assert client.get(f"/materials/{item.uuid}/file/").status_code == 404
    assert client.post(f"/materials/{item.uuid}/remove/").status_code == 404
    assert str(item.uuid) not in client.get("/materials/").content.decode()
    item.refresh_from_db()
    assert item.removed_at is None


def test_owner_downloads_and_anonymous_is_sent_to_login(client: Any, citizen: Any) -> None:
    item = services.library_upload(actor=citizen, file=pdf_file(), name="居民身份证", shared_key="id_card")
    anon = client.get(f"/materials/{item.uuid}/file/")
    assert anon.status_code == 302 and "/accounts/login/" in anon["Location"]
    login(client, citizen)
    response = client.get(f"/materials/{item.uuid}/file/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Cache-Control"] == "private, no-store"


def test_library_page_upload_and_bad_file_message(client: Any, citizen: Any, private_storage: Any) -> None:
    login(client, citizen)
    ok = client.post("/materials/", {"shared_key": "id_card", "name": "", "owner": "", "file": pdf_file()})
    assert ok.status_code == 302
    assert LibraryItem.objects.get().name == "居民身份证"
    bad = client.post(
        "/materials/", {"shared_key": "", "name": "合同", "owner": "", "file": SimpleUploadedFile("a.pdf", b"hello")}
    )
    assert bad.status_code == 422 and "文件类型不符合要求" in bad.content.decode()
    assert LibraryItem.objects.count() == 1 and len(stored_files(private_storage)) == 1
    client.post(f"/materials/{LibraryItem.objects.get().uuid}/remove/")
    assert selectors.library_for(citizen).count() == 0
