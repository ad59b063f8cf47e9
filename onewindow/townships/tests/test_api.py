"""/api/v1/townships/: every operation called, outsiders refused."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from onewindow.accounts.models import OrgUnit, User
from onewindow.cases import services as cs
from onewindow.cases.tests.conftest import all_materials
from onewindow.catalog.models import Delegation
from onewindow.townships.models import SupervisionReview

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
BASE = "/api/v1/townships"


def test_batch_lifecycle_over_the_api(
    client: Any, dibao: Any, officer_mzj: User, township_officer: User, resident: User, org: dict[str, OrgUnit]
) -> None:
    client.force_login(officer_mzj)
    body = {
        "title": "低保审批权限下放",
        "legal_basis": "青府发〔2026〕3号",
        "effective_on": "2026-04-01",
        "matters": [str(dibao.matter.uuid)],
        "townships": ["ZXZ"],
    }
    r = client.post(f"{BASE}/batches", body, content_type="application/json")
    assert r.status_code == 201, r.content
    uuid = r.json()["uuid"]
    r = client.put(f"{BASE}/batches/{uuid}", {**body, "townships": ["ZXZ", "FTZ"]}, content_type="application/json")
    assert r.status_code == 200 and sorted(r.json()["townships"]) == ["FTZ", "ZXZ"]
    bad = client.put(f"{BASE}/batches/{uuid}", {**body, "townships": ["NOPE"]}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["code"] == "validation_failed"
    r = client.post(f"{BASE}/batches/{uuid}/documents", {"kind": "handover", "file": SimpleUploadedFile("交接清单.pdf", PDF)})
    assert r.status_code == 201, r.content
    doc = r.json()["uuid"]
    f = client.get(f"{BASE}/batches/{uuid}/documents/{doc}")
    assert f.status_code == 200 and b"".join(f.streaming_content) == PDF and f["Cache-Control"] == "private, no-store"
    r = client.post(f"{BASE}/batches/{uuid}/documents", {"kind": "training", "file": SimpleUploadedFile("t.pdf", PDF)})
    assert client.delete(f"{BASE}/batches/{uuid}/documents/{r.json()['uuid']}").status_code == 204
    assert client.get(f"{BASE}/batches").json()["items"][0]["documents"][0]["kind"] == "handover"
    r = client.post(f"{BASE}/batches/{uuid}/publish")
    assert r.status_code == 200 and r.json()["status"] == "published" and r.json()["delegations"] == 2
    again = client.post(f"{BASE}/batches/{uuid}/publish")
    assert again.status_code == 409 and again.json()["code"] == "batch_published"
    assert client.get(f"{BASE}/batches/{uuid}").json()["status"] == "published"
    # the township officer reads what their township received, and cannot publish or revoke
    client.force_login(township_officer)
    assert client.get(f"{BASE}/batches/{uuid}").status_code == 200
    rows = client.get(f"{BASE}/delegations", {"in_force": True}).json()["items"]
    assert [d["township"] for d in rows] == ["ZXZ"]
    d_uuid = rows[0]["uuid"]
    assert client.post(f"{BASE}/delegations/{d_uuid}/revoke", {"reason": "x"}, content_type="application/json").status_code == 403
    # revoke by the department
    client.force_login(officer_mzj)
    r = client.post(f"{BASE}/delegations/{d_uuid}/revoke", {"reason": ""}, content_type="application/json")
    assert r.status_code == 422
    r = client.post(f"{BASE}/delegations/{d_uuid}/revoke", {"reason": "人员不足，暂收回"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["in_force"] is False and r.json()["revoke_reason"] == "人员不足，暂收回"
    assert client.get(f"{BASE}/delegations", {"township": "ZXZ", "in_force": True}).json()["items"] == []


def test_supervision_over_the_api(
    client: Any, dibao: Any, officer_mzj: User, township_officer: User, resident: User, approver: User, org: dict[str, OrgUnit]
) -> None:
    d = Delegation.objects.create(matter=dibao.matter, township=org["ZXZ"], effective_on=datetime.date(2026, 1, 1))
    assert d
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
    figures = {f["township"]: f for f in client.get(f"{BASE}/supervision").json()["items"]}
    assert figures["ZXZ"]["cases"] == 1 and figures["ZXZ"]["on_time_rate"] == 100.0
    r = client.post(f"{BASE}/reviews", {"department": "MZJ", "count": 3, "township": "ZXZ"}, content_type="application/json")
    assert r.status_code == 201 and len(r.json()) == 1 and r.json()[0]["case"]["number"] == case.number
    review = r.json()[0]["uuid"]
    assert client.get(f"{BASE}/reviews").json()["items"][0]["uuid"] == review
    r = client.post(f"{BASE}/reviews/{review}/result", {"result": "compliant"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["result"] == "compliant"
    assert SupervisionReview.objects.get().reviewed_by == officer_mzj
    bad = client.post(f"{BASE}/reviews", {"department": "ZJJ", "count": 1}, content_type="application/json")
    assert bad.status_code == 403
    # another department's officer sees none of it
    client.force_login(approver)
    assert client.get(f"{BASE}/supervision").json()["items"][0]["cases"] == 0
    assert (
        client.post(
            f"{BASE}/reviews/{review}/result", {"result": "issues", "finding": "x"}, content_type="application/json"
        ).status_code
        == 404
    )


def test_outsiders_are_refused(client: Any, dibao: Any, officer_mzj: User, outsider: User, org: dict[str, OrgUnit]) -> None:
    from onewindow.townships import services

    batch = services.batch_create(
        actor=officer_mzj,
        title="b",
        legal_basis="l",
        effective_on=datetime.date(2026, 4, 1),
        matters=[dibao.matter],
        townships=[org["ZXZ"]],
    )
    doc = services.batch_document_add(batch=batch, actor=officer_mzj, kind="training", file=SimpleUploadedFile("a.pdf", PDF))
    d = Delegation.objects.create(matter=dibao.matter, township=org["FTZ"], effective_on=datetime.date(2026, 1, 1))
    review_uuid = "00000000-0000-0000-0000-000000000001"
    calls = [
        ("get", f"{BASE}/batches", None),
        ("post", f"{BASE}/batches", {"title": "x", "legal_basis": "y", "effective_on": "2026-04-01"}),
        ("get", f"{BASE}/batches/{batch.uuid}", None),
        ("put", f"{BASE}/batches/{batch.uuid}", {"title": "x", "legal_basis": "y", "effective_on": "2026-04-01"}),
        ("post", f"{BASE}/batches/{batch.uuid}/documents", None),
        ("get", f"{BASE}/batches/{batch.uuid}/documents/{doc.uuid}", None),
        ("delete", f"{BASE}/batches/{batch.uuid}/documents/{doc.uuid}", None),
        ("post", f"{BASE}/batches/{batch.uuid}/publish", None),
        ("get", f"{BASE}/delegations", None),
        ("post", f"{BASE}/delegations/{d.uuid}/revoke", {"reason": "x"}),
        ("get", f"{BASE}/supervision", None),
        ("get", f"{BASE}/reviews", None),
        ("post", f"{BASE}/reviews", {"department": "MZJ", "count": 1}),
        ("post", f"{BASE}/reviews/{review_uuid}/result", {"result": "compliant"}),
    ]
    for who in (None, outsider):
        if who is not None:
            client.force_login(who)
        for method, url, body in calls:
            if method == "post" and url.endswith("/documents"):
                r = client.post(url, {"kind": "training", "file": SimpleUploadedFile("a.pdf", PDF)})
            elif body is not None:
                r = getattr(client, method)(url, body, content_type="application/json")
            else:
                r = getattr(client, method)(url)
            expected = {401} if who is None else {403, 404}
            assert r.status_code in expected, (who, method, url, r.status_code, r.content[:200])
    assert Delegation.objects.count() == 1 and batch.documents.count() == 1
