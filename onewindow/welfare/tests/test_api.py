"""The 低保 process API: the whole process by JSON, bad input, and every operation refused to
outsiders (anonymous, a citizen, another township, another department)."""

from __future__ import annotations

import datetime
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from conftest import make_user
from onewindow.accounts.demo import resident_id
from onewindow.accounts.models import OrgUnit, Role, User
from onewindow.catalog.models import Matter
from onewindow.welfare.models import Application, HomeVisit

from .process_fixtures import TODAY, at

pytestmark = pytest.mark.django_db
BASE = "/api/v1/welfare/process"


def client_for(user: User | None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def photo(name: str = "visit.png") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 180, 150)).save(buf, format="PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def send(c: Client, method: str, url: str, data: Any) -> Any:
    """Visits are multipart (photos); every other operation is JSON."""
    if data is None:
        return c.get(url)
    if url.endswith("/visits"):
        return getattr(c, method)(url, data)
    return getattr(c, method)(url, data, content_type="application/json")


def body(resident: User, **kw: Any) -> dict[str, Any]:
    return {
        "channel": kw.pop("channel", "counter"),
        "resident_id": resident.id_number,
        "address": "值夏镇值夏社区3组12号",
        "area_kind": "rural",
        "paper_materials": True,
        "members": kw.pop(
            "members",
            [
                {
                    "name": resident.display_name,
                    "id_number": resident.id_number,
                    "relationship": "head",
                    "labour": "none",
                    "incomes": [{"kind": "transfer", "monthly_fen": 30000}],
                },
                {"name": "刘小明", "id_number": resident_id("20120101", 117), "relationship": "grandchild", "student": True},
            ],
        ),
        **kw,
    }


def test_the_process_by_api(dibao: Matter, officer: User, resident: User, frozen: Any) -> None:
    c = client_for(officer)
    r = c.post(f"{BASE}/applications", body(resident), content_type="application/json")
    assert r.status_code == 201, r.json()
    uuid = r.json()["uuid"]
    assert r.json()["stage"] == "check" and r.json()["township"] == "值夏镇"
    r = c.post(
        f"{BASE}/applications/{uuid}/visits",
        {"visited_on": str(TODAY), "visitors": "张三", "findings": "属实", "photos": [photo("a.png"), photo("b.png")]},
    )
    assert r.status_code == 201 and r.json()["photos"] == 2, r.json()
    assert c.post(f"{BASE}/applications/{uuid}/cross-checks").status_code == 201
    r = c.post(f"{BASE}/applications/{uuid}/propose", {}, content_type="application/json")
    assert r.status_code == 200 and r.json()["proposed_amount_fen"] == 94000
    pub = client_for(None).get(f"{BASE}/notices/ZXZ-V01").json()["items"]
    assert (
        pub[0]["head"] == "刘*英"
        and pub[0]["monthly_amount_fen"] == 94000
        and set(pub[0]) == {"uuid", "village", "head", "people", "monthly_amount_fen", "starts_on", "ends_on"}
    )
    frozen.move_to(at(TODAY + datetime.timedelta(days=8)))
    from onewindow.cases.sweeps import sweep_warnings

    sweep_warnings()
    c.force_login(officer)
    r = c.post(f"{BASE}/applications/{uuid}/confirm", {}, content_type="application/json")
    assert r.status_code == 200 and r.json()["stage"] == "approved"
    again = c.post(f"{BASE}/applications/{uuid}/confirm", {}, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "already_confirmed"
    app = Application.objects.get(uuid=uuid)
    chk = client_for(None).get(f"{BASE}/certificates/check", {"n": app.certificate_number, "c": app.certificate_code})
    assert chk.status_code == 200 and chk.json()["in_force"] is True
    file = c.get(f"{BASE}/applications/{uuid}").json()
    assert len(file["members"]) == 2 and file["members"][0]["monthly_income_fen"] == 30000
    visit = file["visit_records"][0]
    assert visit["photos"] == 2
    r = c.get(f"{BASE}/applications/{uuid}/visits/{visit['uuid']}/photos/1")
    assert r.status_code == 200 and r["Content-Type"] == "image/png" and "no-store" in r["Cache-Control"]
    assert c.get(f"{BASE}/applications/{uuid}/visits/{visit['uuid']}/photos/2").status_code == 404
    r = c.get(f"{BASE}/applications/{uuid}/documents/certificate")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    r = c.get(f"{BASE}/applications/{uuid}/documents/refusal")
    assert r.status_code == 422 and r.json()["code"] == "no_such_notice"
    assert c.get(f"{BASE}/applications/{uuid}/documents/other").status_code == 404


def test_bad_input_is_a_clear_error_and_nothing_stored(dibao: Matter, officer: User, resident: User, ft_resident: User) -> None:
    c = client_for(officer)
    bad = body(
        resident,
        members=[
            {
                "name": "刘秀英",
                "id_number": resident.id_number,
                "relationship": "head",
                "incomes": [{"kind": "wage", "monthly_fen": -1}],
            }
        ],
    )
    r = c.post(f"{BASE}/applications", bad, content_type="application/json")
    assert r.status_code == 422 and r.json()["code"] == "amount_negative"
    r = c.post(
        f"{BASE}/applications",
        body(ft_resident, members=[{"name": "王建华", "id_number": ft_resident.id_number, "relationship": "head"}]),
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["code"] == "other_township"
    assert not Application.objects.exists()


def test_objection_on_a_closed_notice(dibao: Matter, officer: User, resident: User) -> None:
    c = client_for(officer)
    uuid = c.post(f"{BASE}/applications", body(resident), content_type="application/json").json()["uuid"]
    c.post(f"{BASE}/applications/{uuid}/visits", {"visited_on": str(TODAY), "visitors": "张三", "findings": "属实"})
    c.post(f"{BASE}/applications/{uuid}/propose", {}, content_type="application/json")
    n = client_for(None).get(f"{BASE}/notices/ZXZ-V01").json()["items"][0]["uuid"]
    anon = client_for(None)
    assert anon.post(f"{BASE}/notices/{n}/objections", {"text": "收入不实"}, content_type="application/json").status_code == 201
    r = anon.post(f"{BASE}/notices/{n}/objections", {"text": "再次"}, content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "notice_closed"
    r = anon.post(f"{BASE}/notices/{n}/objections", {"text": "现场", "at_point": True}, content_type="application/json")
    assert r.status_code == 403


def test_outsiders_are_refused_every_operation(
    dibao: Matter, officer: User, resident: User, outsider: User, org: dict[str, OrgUnit]
) -> None:
    uuid = client_for(officer).post(f"{BASE}/applications", body(resident), content_type="application/json").json()["uuid"]
    ft = make_user("ft_off", Role.TOWNSHIP_OFFICER, org["FTZ"])
    zjj = make_user("approver_zjj", Role.APPROVER, org["ZJJ"])
    ops = [
        ("get", f"{BASE}/applications/{uuid}", None),
        ("get", f"{BASE}/applications/{uuid}/documents/certificate", None),
        ("get", f"{BASE}/applications/{uuid}/visits/{uuid}/photos/0", None),
        ("post", f"{BASE}/applications/{uuid}/accept", {}),
        (
            "post",
            f"{BASE}/applications/{uuid}/visits",
            {"visited_on": str(TODAY), "visitors": "x", "findings": "y", "photos": [photo()]},
        ),
        (
            "post",
            f"{BASE}/applications/{uuid}/appraisals",
            {"held_on": str(TODAY), "participants": 5, "in_favour": 5, "summary": "x"},
        ),
        ("post", f"{BASE}/applications/{uuid}/cross-checks", {}),
        ("post", f"{BASE}/applications/{uuid}/propose", {}),
        ("post", f"{BASE}/applications/{uuid}/refuse", {"reasons": "x"}),
        ("post", f"{BASE}/applications/{uuid}/confirm", {}),
        ("post", f"{BASE}/applications/{uuid}/extend", {"days": 3, "reason": "x"}),
    ]
    for method, url, data in ops:
        r = send(client_for(None), method, url, data)
        assert r.status_code == 401, (url, r.status_code)
        for who in (outsider, ft, zjj):
            r = send(client_for(who), method, url, data)
            assert r.status_code in (403, 404), (who, url, r.status_code)
    assert client_for(None).post(f"{BASE}/applications", body(resident), content_type="application/json").status_code == 401
    for who in (outsider, zjj):
        r = client_for(who).post(f"{BASE}/applications", body(resident), content_type="application/json")
        assert r.status_code in (403, 404, 422), r.json()
    assert client_for(None).get(f"{BASE}/applications").status_code == 401
    assert client_for(outsider).get(f"{BASE}/applications").json()["items"] == []
    assert Application.objects.get(uuid=uuid).stage == "check"


def test_openapi_lists_the_process(db: Any) -> None:
    spec = Client().get("/api/v1/openapi.json").json()
    assert f"{BASE}/applications/{{uuid}}/confirm" in spec["paths"]


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_visit_photos_by_api(
    dibao: Matter, officer: User, resident: User, outsider: User, org: dict[str, OrgUnit], private_files_in_tmp: Path
) -> None:
    """Photos go through the page's rules: images only, checked by content and size, at most 9;
    on any error no visit and no file; the stored photos are served to the township only."""
    c = client_for(officer)
    uuid = c.post(f"{BASE}/applications", body(resident), content_type="application/json").json()["uuid"]
    url = f"{BASE}/applications/{uuid}/visits"
    fields = {"visited_on": str(TODAY), "visitors": "张三", "findings": "属实"}
    pdf = SimpleUploadedFile("x.png", b"%PDF-1.4 not an image", content_type="image/png")
    r = c.post(url, {**fields, "photos": [photo(), pdf]})
    assert r.status_code == 422 and r.json()["code"] == "upload_wrong_type", r.json()
    big = SimpleUploadedFile("big.png", photo().read() + b"\0" * (10 * 1024 * 1024), content_type="image/png")
    r = c.post(url, {**fields, "photos": [photo(), big]})
    assert r.status_code == 422 and r.json()["code"] == "upload_too_large", r.json()
    r = c.post(url, {**fields, "photos": [photo(f"{i}.png") for i in range(10)]})
    assert r.status_code == 422 and "photos" in r.json()["fields"], r.json()
    r = c.post(url, {**fields, "visited_on": "2026-13-01", "photos": [photo()]})
    assert r.status_code == 422
    r = c.post(url, {**fields, "findings": "", "photos": [photo()]})
    assert r.status_code == 422 and "findings" in r.json()["fields"]
    assert not HomeVisit.objects.exists() and _files(private_files_in_tmp) == []
    ft = make_user("ft_off", Role.TOWNSHIP_OFFICER, org["FTZ"])
    for who in (None, outsider, ft):
        r = client_for(who).post(url, {**fields, "photos": [photo()]})
        assert r.status_code in (401, 403, 404), (who, r.status_code)
    assert not HomeVisit.objects.exists() and _files(private_files_in_tmp) == []
    r = c.post(url, {**fields, "photos": [photo("a.png"), photo("b.png")]})
    assert r.status_code == 201 and r.json()["photos"] == 2
    visit = HomeVisit.objects.get()
    assert len(_files(private_files_in_tmp)) == 2 and all(n.startswith(f"welfare/{uuid}/visits/") for n in visit.photos)
    page = f"/welfare/a/{uuid}/visit/{visit.uuid}/photo/0/"
    assert c.get(page).status_code == 200
    assert client_for(outsider).get(page).status_code in (403, 404)
    assert client_for(ft).get(page).status_code in (403, 404)
    api_photo = f"{url}/{visit.uuid}/photos/1"
    assert c.get(api_photo).status_code == 200
    assert client_for(None).get(api_photo).status_code == 401
    assert all(client_for(who).get(api_photo).status_code in (403, 404) for who in (outsider, ft))
    spec = Client().get("/api/v1/openapi.json").json()
    content = spec["paths"][url.replace(uuid, "{uuid}")]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in content
    assert "photos" in content["multipart/form-data"]["schema"]["properties"]


def test_the_generic_case_actions_refuse_a_dibao_case_and_point_to_its_page(
    dibao: Matter, officer: User, resident: User, outsider: User, org: dict[str, OrgUnit]
) -> None:
    """Approving the check step through the cases API or the workbench case page would move the
    case and leave the application's stage behind: both refuse and name the welfare page and API."""
    from onewindow.cases.models import CaseStep

    uuid = client_for(officer).post(f"{BASE}/applications", body(resident), content_type="application/json").json()["uuid"]
    app = Application.objects.get(uuid=uuid)
    case, step = app.case, CaseStep.objects.get(case=app.case, stage_order=1)
    cases_api = f"/api/v1/cases/{case.uuid}"
    ops = [
        ("post", f"{cases_api}/steps/{step.uuid}/claim", {}),
        ("post", f"{cases_api}/steps/{step.uuid}/approve", {"comment": "同意"}),
        ("post", f"{cases_api}/steps/{step.uuid}/reject", {"reasons": "不符合"}),
        ("post", f"{cases_api}/pause", {"kind": "inspection", "reason": "x"}),
        ("post", f"{cases_api}/extend", {"days": 3, "reason": "x"}),
        ("post", f"{cases_api}/decide", {"approved": True, "reason": ""}),
        ("post", f"{cases_api}/conclude", {}),
    ]
    ft = make_user("ft_officer_x", Role.TOWNSHIP_OFFICER, org["FTZ"])
    for method, url, data in ops:
        r = send(client_for(officer), method, url, data)
        assert r.status_code == 409, (url, r.status_code)
        err = r.json()
        assert err["code"] == "case_managed_elsewhere" and f"/welfare/a/{uuid}/" in err["message"]
        assert err["fields"]["api"] == [f"/api/v1/welfare/process/applications/{uuid}"]
        # outsiders learn nothing about the case: refused before the pointer
        assert send(client_for(None), method, url, data).status_code == 401
        for who in (outsider, ft):
            assert send(client_for(who), method, url, data).status_code in (403, 404), (who, url)
    # in English too
    r = client_for(officer).post(
        f"{cases_api}/steps/{step.uuid}/approve", {"comment": "x"}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert r.status_code == 409 and "minimum living allowance" in r.json()["message"] and "/welfare/a/" in r.json()["message"]
    # the workbench case page's form: refused with the same message, nothing moved
    c = client_for(officer)
    r = c.post(f"/workbench/cases/{case.uuid}/act/", {"action": "approve", "step": str(step.uuid)}, follow=True)
    assert "/welfare/a/" in r.content.decode()
    step.refresh_from_db()
    app.refresh_from_db()
    assert step.status == "open" and app.stage == "check"
    # the application's own API still runs the step
    r = client_for(officer).post(
        f"{BASE}/applications/{uuid}/visits", {"visited_on": str(TODAY), "visitors": "张三", "findings": "土坯房"}
    )
    assert r.status_code == 201, r.json()
