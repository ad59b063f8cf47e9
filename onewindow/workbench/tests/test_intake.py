"""Front-desk intake is one service in one transaction (cases.services.case_intake): a refused file
leaves no registered person, no case, no audit row and no stored file. A bundle with a matter that
is not published is refused the same way by the page and the service (catalog.versions)."""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from onewindow.accounts.demo import resident_id
from onewindow.accounts.models import User
from onewindow.cases import services as svc
from onewindow.cases.models import Case, SubmittedMaterial
from onewindow.cases.tests.conftest import PDF_BYTES
from onewindow.catalog.models import MatterVersion
from onewindow.catalog.versions import bundle_versions
from onewindow.core.errors import ValidationFailed
from onewindow.core.models import AuditEntry
from onewindow.core.uploads import private_storage
from onewindow.materials import selectors as material_selectors


def _stored_files() -> set[str]:
    root = private_storage().location
    return {os.path.join(d, f) for d, _dirs, files in os.walk(root) for f in files} if os.path.isdir(root) else set()


def _counts() -> tuple[int, int, int, int]:
    return User.objects.count(), Case.objects.count(), SubmittedMaterial.objects.count(), AuditEntry.objects.count()


def test_a_bad_file_at_intake_leaves_nothing(client: Any, matter_zjj: Any, clerk: Any) -> None:
    client.force_login(clerk)
    reqs = list(matter_zjj.materials.all())
    data = {
        "matter": str(matter_zjj.matter.uuid),
        "id_number": resident_id("19800101", 456),  # a person the system does not know yet
        "display_name": "赵新来",
        "phone": "13900000010",
        "channel": "counter",
        "form_address": "河东街道8号",
        # the first file is good and is stored before the second is refused
        f"file_{reqs[0].pk}": SimpleUploadedFile("a.pdf", PDF_BYTES),
        f"file_{reqs[1].pk}": SimpleUploadedFile("b.pdf", b"not a pdf"),
    }
    before, files_before = _counts(), _stored_files()
    resp = client.post("/workbench/intake/", data)
    assert resp.status_code == 422
    assert _counts() == before  # no new person, no case, no material, no audit row
    assert _stored_files() == files_before


def test_the_intake_service_rolls_back_the_new_applicant(matter_zjj: Any, clerk: Any) -> None:
    reqs = list(matter_zjj.materials.all())
    before = _counts()
    with pytest.raises(ValidationFailed) as exc:
        svc.case_intake(
            actor=clerk,
            id_number=resident_id("19800101", 457),
            display_name="钱新来",
            matter_version=matter_zjj,
            channel="counter",
            form_data={"address": "河东街道8号"},
            materials=[svc.MaterialInput(requirement=reqs[0], file=SimpleUploadedFile("a.pdf", b"not a pdf"))],
        )
    assert exc.value.code == "upload_wrong_type"
    assert _counts() == before
    case = svc.case_intake(
        actor=clerk,
        id_number=resident_id("19800101", 457),
        display_name="钱新来",
        matter_version=matter_zjj,
        channel="counter",
        form_data={"address": "河东街道8号"},
        materials=[svc.MaterialInput(requirement=reqs[0], file=SimpleUploadedFile("a.pdf", PDF_BYTES))],
    )
    assert case.applicant.display_name == "钱新来" and User.objects.count() == before[0] + 1


def test_a_bundle_with_an_unpublished_matter_is_refused_alike(client: Any, estate_bundle: Any, clerk: Any, citizen: Any) -> None:
    assert len(bundle_versions(estate_bundle)) == 3
    item = estate_bundle.items.order_by("sort_order").last()
    MatterVersion.objects.filter(pk=item.matter.current_version_id).update(status=MatterVersion.Status.RETIRED)

    with pytest.raises(ValidationFailed) as exc:
        bundle_versions(estate_bundle)
    assert exc.value.code == "bundle_incomplete"
    # the service refuses it ...
    with pytest.raises(ValidationFailed) as exc:
        svc.case_submit(applicant=citizen, bundle=estate_bundle, channel="counter", form_data={}, materials=[], actor=clerk)
    assert exc.value.code == "bundle_incomplete"
    # ... the front-desk page says so instead of offering the other two matters' form ...
    client.force_login(clerk)
    page = client.get("/workbench/intake/", {"bundle": str(estate_bundle.uuid)})
    assert page.status_code == 422
    assert "尚未发布" in page.content.decode()
    assert "房屋买卖合同" not in page.content.decode()
    # ... and the online list does not offer it.
    assert not material_selectors.bundle_is_online(estate_bundle)
