"""The citizen JSON API: a phone signs in for a bearer token and does everything the web does;
errors keep the {code, message, fields} shape; an outsider is refused on every endpoint."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.test import Client

from conftest import PASSWORD
from onewindow.accounts.demo import resident_id
from onewindow.cases import services as case_services
from onewindow.cases.models import Case
from onewindow.filings.models import Filing
from onewindow.portal.testing import COMMITMENT, pdf_file, png_file

pytestmark = pytest.mark.django_db
API = "/api/v1"


def token_for(client: Client, username: str, password: str = PASSWORD) -> str:
    response = client.post(f"{API}/accounts/token", {"username": username, "password": password}, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()["token"]


def bearer(token: str) -> dict[str, Any]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_register_sign_in_and_profile(client: Client) -> None:
    data = {
        "username": "phoneuser",
        "password": "Qingyuan#2021x",
        "display_name": "赵六",
        "id_number": resident_id("19900505", 555),
        "phone": "13800001111",
        "privacy_consent": True,
    }
    created = client.post(f"{API}/accounts/register", data, content_type="application/json")
    # Verified only by a backend that confirms the holder (the offline one does not; test_realname.py).
    assert created.status_code == 201 and not created.json()["verified"] and created.json()["masked_id_number"] == ""
    # The same number again: the same answer (registration tells nobody a number is registered), and
    # the second account goes without it (accounts/tests/test_realname.py).
    again = client.post(f"{API}/accounts/register", {**data, "username": "phoneuser2"}, content_type="application/json")
    assert again.status_code == 201 and again.json()["verified"] is False
    taken = client.post(f"{API}/accounts/register", {**data, "username": "phoneuser2"}, content_type="application/json")
    # A user name already in use is a field error of the form (422), like any other bad field.
    assert taken.status_code == 422 and set(taken.json()) == {"code", "message", "fields"}
    assert "username" in taken.json()["fields"]
    bad = client.post(f"{API}/accounts/register", {**data, "id_number": "123"}, content_type="application/json")
    assert bad.status_code == 422 and {"id_number", "username"} <= set(bad.json()["fields"])
    token = token_for(client, "phoneuser", "Qingyuan#2021x")
    me = client.get(f"{API}/accounts/me", **bearer(token))
    assert me.status_code == 200 and me.json()["display_name"] == "赵六"
    assert client.put(f"{API}/accounts/me/care-mode", {"enabled": True}, content_type="application/json", **bearer(token)).json()[
        "care_mode"
    ]
    assert client.delete(f"{API}/accounts/token", **bearer(token)).status_code == 204
    assert client.get(f"{API}/accounts/me", **bearer(token)).status_code == 401


def test_wrong_password_and_lockout_over_the_api(client: Client, citizen: Any) -> None:
    for _ in range(5):
        r = client.post(f"{API}/accounts/token", {"username": "citizen", "password": "nope"}, content_type="application/json")
        assert r.status_code == 422 and r.json()["code"] == "bad_credentials"
    r = client.post(f"{API}/accounts/token", {"username": "citizen", "password": PASSWORD}, content_type="application/json")
    assert r.status_code == 429 and r.json()["code"] == "locked_out"


def test_phone_applies_with_reuse_and_answers_supplement(client: Client, online_matter: Any, citizen: Any, clerk: Any) -> None:
    h = bearer(token_for(client, "citizen"))
    up = client.post(f"{API}/materials/library", {"file": png_file(), "name": "居民身份证", "shared_key": "id_card"}, **h)
    assert up.status_code == 201, up.content
    bad = client.post(f"{API}/materials/library", {"file": pdf_file().__class__("a.pdf", b"text"), "name": "x"}, **h)
    assert bad.status_code == 422 and bad.json()["code"] == "upload_wrong_type"
    listed = client.get(f"{API}/materials/library?page=1&page_size=1", **h).json()
    assert listed["count"] == 1 and listed["pages"] == 1 and listed["items"][0]["shared_key"] == "id_card"
    matters = client.get(f"{API}/portal/matters?q=医疗").json()
    assert matters["count"] == 1
    d = client.post(f"{API}/materials/drafts", {"matter": matters["items"][0]["uuid"]}, content_type="application/json", **h)
    assert d.status_code == 201
    uuid = d.json()["uuid"]
    assert (
        client.post(
            f"{API}/materials/drafts/{uuid}/conditions", {"confirmed": True}, content_type="application/json", **h
        ).status_code
        == 200
    )
    form = client.put(f"{API}/materials/drafts/{uuid}/form", {"data": {"address": ""}}, content_type="application/json", **h)
    assert form.status_code == 422 and "address" in form.json()["fields"]
    client.put(f"{API}/materials/drafts/{uuid}/form", {"data": {"address": "天玉镇3号"}}, content_type="application/json", **h)
    reused = client.post(f"{API}/materials/drafts/{uuid}/reuse", **h).json()
    assert reused["reused"] == 1
    missing = [r for r in reused["draft"]["requirements"] if r["attached"] is None]
    assert [r["name"] for r in missing] == ["参保登记表"]
    early = client.post(f"{API}/materials/drafts/{uuid}/submit", **h)
    assert early.status_code == 422 and early.json()["code"] == "materials_missing"
    upload = client.post(f"{API}/materials/drafts/{uuid}/materials/{missing[0]['key']}/upload", {"file": pdf_file()}, **h)
    assert upload.status_code == 200, upload.content
    submitted = client.post(f"{API}/materials/drafts/{uuid}/submit", **h)
    assert submitted.status_code == 201
    case = Case.objects.get(uuid=submitted.json()["case"])
    assert case.channel == "mobile"
    listed = client.get(f"{API}/portal/cases", **h).json()
    assert listed["count"] == 1 and listed["items"][0]["number"] == case.number
    req = online_matter.current_version.materials.get(shared_key="id_card")
    case_services.case_request_supplement(
        case=case, actor=clerk, items=[{"name": req.name, "reason": "模糊", "requirement": req.pk}]
    )
    detail = client.get(f"{API}/portal/cases/{case.uuid}", **h).json()
    assert detail["status"] == "supplement" and detail["supplement"][0]["requirement"] == req.pk
    new = client.post(
        f"{API}/materials/library", {"file": png_file(), "name": "居民身份证（清晰）", "shared_key": "id_card"}, **h
    ).json()
    answered = client.post(
        f"{API}/portal/cases/{case.uuid}/supplement",
        {"materials": {str(req.pk): new["uuid"]}},
        content_type="application/json",
        **h,
    )
    assert answered.status_code == 200 and answered.json()["status"] == "submitted"
    notes = client.get(f"{API}/portal/notifications", **h).json()
    assert notes["count"] >= 3


def test_enterprise_files_over_the_api(client: Client, filing_matter: Any, enterprise_user: Any) -> None:
    h = bearer(token_for(client, "enterprise"))
    matters = client.get(f"{API}/filings/matters").json()["items"]
    assert matters[0]["text_sha256"] == hashlib.sha256(COMMITMENT.encode()).hexdigest()
    ent = client.get(f"{API}/accounts/enterprises", **h).json()["items"][0]
    body = {
        "matter": matters[0]["uuid"],
        "enterprise": ent["uuid"],
        "signer_name": "陈志强",
        "signer_id_number": enterprise_user.id_number,
        "text_sha256": matters[0]["text_sha256"],
    }
    signed = client.post(f"{API}/filings/filings", body, content_type="application/json", **h)
    assert signed.status_code == 201 and signed.json()["status"] == "active"
    uuid = signed.json()["uuid"]
    pdf = client.get(f"{API}/filings/filings/{uuid}/certificate", **h)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert client.get(f"{API}/filings/filings", **h).json()["count"] == 1


def test_outsider_refused_on_every_endpoint(
    client: Client, online_matter: Any, filing_matter: Any, citizen: Any, enterprise_user: Any, outsider: Any, clerk: Any
) -> None:
    from onewindow.filings import services as filing_services
    from onewindow.materials import services as ms

    item = ms.library_upload(actor=citizen, file=png_file(), name="居民身份证", shared_key="id_card")
    d = ms.draft_start(applicant=citizen, matter=online_matter)
    ent = enterprise_user.enterprise_roles.get().enterprise
    f = filing_services.filing_sign(
        applicant=enterprise_user,
        matter=filing_matter,
        enterprise=ent,
        signer_name="陈志强",
        signer_id_number=enterprise_user.id_number,
        text_sha256=hashlib.sha256(COMMITMENT.encode()).hexdigest(),
    )
    ms.draft_confirm_conditions(draft=d, actor=citizen, confirmed=True)
    ms.draft_save_form(draft=d, actor=citizen, data={"address": "x"})
    ms.draft_reuse_all(draft=d, actor=citizen)
    ms.draft_upload(
        draft=d, actor=citizen, key=f"req-{online_matter.current_version.materials.get(shared_key='').pk}", file=pdf_file()
    )
    case = ms.draft_submit(draft=d, actor=citizen)
    h = bearer(token_for(client, "outsider"))
    j = "application/json"
    calls: list[tuple[str, str, Any]] = [
        ("get", f"/materials/library/{item.uuid}/file", None),
        ("delete", f"/materials/library/{item.uuid}", None),
        ("get", f"/materials/drafts/{d.uuid}", None),
        ("post", f"/materials/drafts/{d.uuid}/conditions", {"confirmed": True}),
        ("put", f"/materials/drafts/{d.uuid}/form", {"data": {}}),
        ("put", f"/materials/drafts/{d.uuid}/materials/id_card", {"source": "library", "ref": str(item.uuid)}),
        ("delete", f"/materials/drafts/{d.uuid}/materials/id_card", None),
        ("post", f"/materials/drafts/{d.uuid}/reuse", None),
        ("post", f"/materials/drafts/{d.uuid}/submit", None),
        ("delete", f"/materials/drafts/{d.uuid}", None),
        ("get", f"/portal/cases/{case.uuid}", None),
        ("post", f"/portal/cases/{case.uuid}/supplement", {"materials": {"1": str(item.uuid)}}),
        ("get", f"/filings/filings/{f.uuid}", None),
        ("get", f"/filings/filings/{f.uuid}/certificate", None),
        ("post", f"/filings/filings/{f.uuid}/spot-checks", {"result": "false", "note": "x"}),
        ("get", f"/accounts/enterprises/{ent.uuid}/handlers", None),
        ("post", f"/accounts/enterprises/{ent.uuid}/handlers", {"username": "outsider", "id_number": outsider.id_number}),
        ("delete", f"/accounts/enterprises/{ent.uuid}/handlers/enterprise", None),
    ]
    for method, path, body in calls:
        kwargs: dict[str, Any] = {"content_type": j, "data": body} if body is not None else {}
        r = getattr(client, method)(API + path, **kwargs, **h)
        assert r.status_code == 404, (method, path, r.status_code)
        assert set(r.json()) == {"code", "message", "fields"}
        anon = getattr(Client(), method)(API + path, **kwargs)
        assert anon.status_code == 401, (method, path, anon.status_code)
    for path in ["/materials/library", "/materials/drafts", "/portal/cases", "/portal/notifications", "/filings/filings"]:
        assert client.get(API + path, **h).json()["count"] == 0, path
        assert Client().get(API + path).status_code == 401
    assert client.get(f"{API}/accounts/enterprises", **h).json()["items"] == []
    d.refresh_from_db()
    assert Filing.objects.get().status == "active" and case.materials.count() == 2


def test_named_supplement_item_over_the_api(client: Client, online_matter: Any, citizen: Any, clerk: Any) -> None:
    from onewindow.materials import services as ms

    h = bearer(token_for(client, "citizen"))
    ms.library_upload(actor=citizen, file=png_file(), name="居民身份证", shared_key="id_card")
    d = ms.draft_start(applicant=citizen, matter=online_matter)
    ms.draft_confirm_conditions(draft=d, actor=citizen, confirmed=True)
    ms.draft_save_form(draft=d, actor=citizen, data={"address": "x"})
    ms.draft_reuse_all(draft=d, actor=citizen)
    ms.draft_upload(
        draft=d, actor=citizen, key=f"req-{online_matter.current_version.materials.get(shared_key='').pk}", file=pdf_file()
    )
    case = ms.draft_submit(draft=d, actor=citizen)
    case_services.case_request_supplement(case=case, actor=clerk, items=[{"name": "家庭收入证明", "reason": "缺"}])
    proof = client.post(f"{API}/materials/library", {"file": pdf_file(), "name": "家庭收入证明"}, **h).json()
    wrong = client.post(
        f"{API}/portal/cases/{case.uuid}/supplement", {"named": {"别的材料": proof["uuid"]}}, content_type="application/json", **h
    )
    assert wrong.status_code == 404
    ok = client.post(
        f"{API}/portal/cases/{case.uuid}/supplement",
        {"named": {"家庭收入证明": proof["uuid"]}},
        content_type="application/json",
        **h,
    )
    assert ok.status_code == 200 and ok.json()["status"] == "submitted"
    assert case.materials.filter(name="家庭收入证明").exists()
