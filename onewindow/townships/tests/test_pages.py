"""Pages: a district officer drafts, uploads, publishes, revokes and supervises; outsiders refused."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from onewindow.accounts.models import OrgUnit, User
from onewindow.catalog.models import Delegation
from onewindow.townships.models import DelegationBatch, SupervisionReview

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_officer_drafts_publishes_and_revokes_in_pages(
    client: Any, dibao: Any, officer_mzj: User, township_officer: User, org: dict[str, OrgUnit]
) -> None:
    client.force_login(officer_mzj)
    assert client.get("/townships/batches/").status_code == 200
    bad = client.post("/townships/batches/", {"title": "第一批", "legal_basis": "", "effective_on": "2026-04-01"})
    assert bad.status_code == 422 and not DelegationBatch.objects.exists()
    r = client.post("/townships/batches/", {"title": "第一批", "legal_basis": "青府发〔2026〕3号", "effective_on": "2026-04-01"})
    batch = DelegationBatch.objects.get()
    assert r.status_code == 302 and r["Location"].endswith(f"/townships/batches/{batch.uuid}/")
    page = client.get(f"/townships/batches/{batch.uuid}/", {"q": "最低生活"})
    assert page.status_code == 200 and "最低生活保障审核确认" in page.content.decode()
    r = client.post(
        f"/townships/batches/{batch.uuid}/",
        {
            "action": "save",
            "title": "第一批",
            "legal_basis": "青府发〔2026〕3号",
            "effective_on": "2026-04-01",
            "matters": [str(dibao.matter.uuid)],
            "townships": ["ZXZ", "FTZ"],
        },
    )
    assert r.status_code == 302 and batch.matters.count() == 1 and batch.townships.count() == 2
    r = client.post(
        f"/townships/batches/{batch.uuid}/",
        {"action": "document", "kind": "training", "file": SimpleUploadedFile("培训.pdf", PDF)},
    )
    assert r.status_code == 302
    doc = batch.documents.get()
    assert client.get(f"/townships/batches/{batch.uuid}/documents/{doc.uuid}/").status_code == 200
    assert client.post(f"/townships/batches/{batch.uuid}/", {"action": "publish"}).status_code == 302
    assert Delegation.objects.count() == 2
    assert "已发布" in client.get(f"/townships/batches/{batch.uuid}/").content.decode()
    listing = client.get("/townships/delegations/", {"township": "ZXZ"})
    assert listing.status_code == 200 and "收回该乡镇的此项赋权" in listing.content.decode()
    d = Delegation.objects.get(township=org["ZXZ"])
    r = client.post(f"/townships/delegations/{d.uuid}/revoke/", {"reason": ""})
    assert r.status_code == 302 and Delegation.objects.get(pk=d.pk).revoked_on is None
    r = client.post(f"/townships/delegations/{d.uuid}/revoke/", {"reason": "承接能力不足"})
    assert Delegation.objects.get(pk=d.pk).revoked_on == datetime.date(2026, 4, 1)
    assert "承接能力不足" in client.get("/townships/delegations/", {"show": "revoked"}).content.decode()
    # the township officer reads the batch and its documents; no forms to change them
    client.force_login(township_officer)
    page = client.get(f"/townships/batches/{batch.uuid}/")
    assert page.status_code == 200 and "发布批次" not in page.content.decode()
    assert client.post(f"/townships/batches/{batch.uuid}/", {"action": "publish"}).status_code == 403
    assert client.get("/townships/supervision/").status_code == 403


def test_supervision_page_draws_and_records(
    client: Any, dibao: Any, officer_mzj: User, township_officer: User, resident: User, org: dict[str, OrgUnit]
) -> None:
    from onewindow.cases import services as cs
    from onewindow.cases.tests.conftest import all_materials

    Delegation.objects.create(matter=dibao.matter, township=org["ZXZ"], effective_on=datetime.date(2026, 1, 1))
    case = cs.case_submit(
        applicant=resident,
        matter_version=dibao,
        channel="counter",
        form_data={"address": "x"},
        materials=all_materials(list(dibao.materials.all())),
        actor=township_officer,
    )
    case = cs.case_accept(case=case, actor=township_officer)
    cs.step_approve(step=case.steps.get(), actor=township_officer)
    cs.case_decide(case=case, actor=township_officer, approved=True)
    cs.case_conclude(case=case, actor=township_officer)
    client.force_login(officer_mzj)
    page = client.get("/townships/supervision/")
    assert page.status_code == 200 and "值夏镇" in page.content.decode() and "100.0%" in page.content.decode()
    assert client.post("/townships/supervision/", {"department": "MZJ", "count": "x"}).status_code == 422
    assert client.post("/townships/supervision/", {"department": "MZJ", "count": "3"}).status_code == 302
    review = SupervisionReview.objects.get()
    assert client.get(f"/workbench/cases/{case.uuid}/").status_code == 200  # read-only view of the township case
    assert client.post(f"/townships/reviews/{review.uuid}/", {"result": "issues", "finding": ""}).status_code == 422
    assert client.post(f"/townships/reviews/{review.uuid}/", {"result": "compliant", "finding": "规范"}).status_code == 302
    assert SupervisionReview.objects.get().result == "compliant"


def test_outsiders_are_refused(client: Any, dibao: Any, officer_mzj: User, outsider: User, org: dict[str, OrgUnit]) -> None:
    from onewindow.townships import services

    batch = services.batch_create(actor=officer_mzj, title="b", legal_basis="l", effective_on=datetime.date(2026, 4, 1))
    doc = services.batch_document_add(batch=batch, actor=officer_mzj, kind="training", file=SimpleUploadedFile("a.pdf", PDF))
    d = Delegation.objects.create(matter=dibao.matter, township=org["FTZ"], effective_on=datetime.date(2026, 1, 1))
    gets = [
        "/townships/batches/",
        f"/townships/batches/{batch.uuid}/",
        f"/townships/batches/{batch.uuid}/documents/{doc.uuid}/",
        "/townships/delegations/",
        "/townships/supervision/",
        "/townships/reviews/00000000-0000-0000-0000-000000000001/",
    ]
    for url in gets:
        r = client.get(url)
        assert r.status_code == 302 and "/login" in r["Location"], url
    client.force_login(outsider)
    for url in gets:
        assert client.get(url).status_code in (403, 404), url
    assert client.post("/townships/batches/", {"title": "x", "legal_basis": "y", "effective_on": "2026-04-01"}).status_code == 403
    assert client.post(f"/townships/batches/{batch.uuid}/", {"action": "publish"}).status_code == 404
    assert client.post(f"/townships/delegations/{d.uuid}/revoke/", {"reason": "x"}).status_code == 404
    assert client.post("/townships/supervision/", {"department": "MZJ", "count": "1"}).status_code == 403
    assert DelegationBatch.objects.get().status == "draft" and Delegation.objects.get().revoked_on is None
