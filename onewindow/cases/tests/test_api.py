"""Cases API: citizen submit / supplement / track, staff operations, refusal of outsiders."""

from __future__ import annotations

import json
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from onewindow.cases.models import Case

from .conftest import PDF_BYTES


def _submit(client: Any, mv: Any, files: dict[str, Any] | None = None) -> Any:
    reqs = list(mv.materials.all())
    data: dict[str, Any] = {"matter": str(mv.matter.uuid), "channel": "online", "form_data": json.dumps({"address": "值夏镇1号"})}
    for r in reqs:
        data[f"material_{r.pk}"] = SimpleUploadedFile("a.pdf", PDF_BYTES)
    data.update(files or {})
    return client.post("/api/v1/cases/", data)


def test_citizen_submits_tracks_and_resubmits(client: Any, matter_zjj: Any, citizen: Any, clerk: Any, outsider: Any) -> None:
    assert _submit(client, matter_zjj).status_code == 401
    client.force_login(citizen)
    resp = _submit(client, matter_zjj)
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["status"] == "submitted" and body["number"].startswith("QY")
    case = Case.objects.get(uuid=body["uuid"])
    assert case.channel == "online" and case.materials.count() == 2
    assert client.get("/api/v1/cases/").json()["items"][0]["number"] == case.number
    # public progress: no login, no personal data
    client.logout()
    prog = client.get("/api/v1/cases/progress", {"n": case.number, "c": case.check_code})
    assert prog.status_code == 200 and "刘秀英" not in prog.content.decode()
    assert client.get("/api/v1/cases/progress", {"n": case.number, "c": "XXXXXX"}).status_code == 404
    # outsider cannot read it
    client.force_login(outsider)
    assert client.get(f"/api/v1/cases/{case.uuid}").status_code == 404
    assert client.post(f"/api/v1/cases/{case.uuid}/accept").status_code == 404
    # the clerk asks for a supplement; the citizen answers
    client.force_login(clerk)
    r = client.post(
        f"/api/v1/cases/{case.uuid}/supplement",
        {"items": [{"name": "申请书", "reason": "缺签字"}]},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "supplement"
    assert r.json()["supplement_items"][0]["name"] == "申请书"
    client.force_login(citizen)
    req = matter_zjj.materials.first()
    r = client.post(f"/api/v1/cases/{case.uuid}/resubmit", {f"material_{req.pk}": SimpleUploadedFile("b.pdf", PDF_BYTES)})
    assert r.status_code == 200 and r.json()["status"] == "submitted"
    # a citizen cannot accept
    assert client.post(f"/api/v1/cases/{case.uuid}/accept").status_code == 403


def test_bad_input_is_a_clear_error(client: Any, matter_zjj: Any, citizen: Any) -> None:
    client.force_login(citizen)
    r = _submit(client, matter_zjj, {f"material_{matter_zjj.materials.first().pk}": SimpleUploadedFile("x.pdf", b"MZ..")})
    assert r.status_code == 422 and r.json()["code"] == "upload_wrong_type"
    r = client.post("/api/v1/cases/", {"matter": str(matter_zjj.matter.uuid), "form_data": "[1"})
    assert r.status_code == 422 and "form_data" in r.json()["fields"]
    r = client.post("/api/v1/cases/", {"matter": str(matter_zjj.matter.uuid), "form_data": "{}"})
    assert r.status_code == 422 and "address" in r.json()["fields"]  # required field of the form
    r = client.post("/api/v1/cases/", {"form_data": "{}"})
    assert r.status_code == 422
    assert not Case.objects.exists()


def test_staff_flow_over_api(
    client: Any,
    estate_bundle: Any,
    parallel_route: Any,
    citizen: Any,
    clerk: Any,
    approver: Any,
    approver_sw: Any,
    approver_bdc: Any,
) -> None:
    from onewindow.cases import services as svc

    client.force_login(citizen)
    reqs = svc.merged_requirements([i.matter.current_version for i in estate_bundle.items.all()])
    data: dict[str, Any] = {"bundle": str(estate_bundle.uuid), "form_data": json.dumps({"address": "1"})}
    for req in reqs:
        data[f"material_{req.pk}"] = SimpleUploadedFile("a.pdf", PDF_BYTES)
    case_uuid = client.post("/api/v1/cases/", data).json()["uuid"]
    client.force_login(clerk)
    body = client.post(f"/api/v1/cases/{case_uuid}/accept").json()
    assert body["status"] == "in_review" and len(body["steps"]) == 3
    for who in (approver, approver_sw, approver_bdc):
        client.force_login(who)
        queue = client.get("/api/v1/cases/queue").json()["items"]
        assert len(queue) == 1
        r = client.post(
            f"/api/v1/cases/{case_uuid}/steps/{queue[0]['uuid']}/approve", {"comment": "ok"}, content_type="application/json"
        )
        assert r.status_code == 200
    assert r.json()["status"] == "reviewed"
    client.force_login(approver)
    assert (
        client.post(f"/api/v1/cases/{case_uuid}/decide", {"approved": True}, content_type="application/json").json()["status"]
        == "decided"
    )
    assert client.post(f"/api/v1/cases/{case_uuid}/conclude").json()["status"] == "concluded"
    r = client.post(f"/api/v1/cases/{case_uuid}/deliver", {"method": "fax"}, content_type="application/json")
    assert r.status_code == 422 and r.json()["code"] == "validation_failed"
    r = client.post(f"/api/v1/cases/{case_uuid}/deliver", {"method": "window"}, content_type="application/json")
    assert r.json()["status"] == "ready"  # waits at the window for the applicant
    assert client.post(f"/api/v1/cases/{case_uuid}/hand-over").status_code == 403  # the lead department is not the window
    client.force_login(clerk)
    assert client.post(f"/api/v1/cases/{case_uuid}/hand-over").json()["status"] == "delivered"
    assert client.post(f"/api/v1/cases/{case_uuid}/hand-over").status_code == 409
    assert client.post(f"/api/v1/cases/{case_uuid}/conclude").status_code == 409


def test_deadline_past_the_calendar_is_a_clear_error(client: Any, matter_zjj: Any, citizen: Any, clerk: Any) -> None:
    import datetime
    import zoneinfo

    import time_machine

    with time_machine.travel(datetime.datetime(2026, 12, 14, 10, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai")), tick=False):
        client.force_login(citizen)
        case_uuid = _submit(client, matter_zjj).json()["uuid"]
        client.force_login(clerk)
        r = client.post(f"/api/v1/cases/{case_uuid}/accept")
        assert r.status_code == 503 and r.json()["code"] == "calendar_not_covered" and "2027" in r.json()["message"]
        assert Case.objects.get(uuid=case_uuid).status == "submitted"  # nothing changed
        page = client.post(f"/workbench/cases/{case_uuid}/act/", {"action": "accept"}, follow=True)
        assert page.status_code == 200 and "2027" in page.content.decode()


def test_hostile_text_is_cleaned_not_a_500(client: Any, matter_zjj: Any, citizen: Any, clerk: Any) -> None:
    client.force_login(citizen)
    r = _submit(client, matter_zjj, {"form_data": json.dumps({"address": "值夏\x00镇", "x": {"y": ["\x00"]}})})
    assert r.status_code == 201
    case = Case.objects.get(uuid=r.json()["uuid"])
    assert case.form_data["address"] == "值夏镇"
    client.force_login(clerk)
    r = client.post(
        f"/api/v1/cases/{case.uuid}/supplement",
        {"items": [{"name": "申请书\x00", "reason": "x" * 2000, "material": "not-a-uuid"}]},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["supplement_items"][0]["name"] == "申请书"
    client.force_login(citizen)
    r = client.get("/api/v1/cases/", {"page": -3, "page_size": 10**6})
    assert r.status_code == 422 and set(r.json()["fields"]) == {"page", "page_size"}


def test_nul_in_query_strings(client: Any, citizen: Any, clerk: Any, matter_zjj: Any) -> None:
    assert client.get("/api/v1/cases/progress", {"n": "QY\x00", "c": "A\x00"}).status_code == 404
    assert client.get("/cases/progress/", {"n": "QY\x00", "c": "A"}).status_code == 404
    client.force_login(citizen)
    assert client.get("/api/v1/cases/", {"status": "sub\x00"}).status_code == 200
    client.force_login(clerk)
    assert client.get("/workbench/intake/", {"q": "不动\x00产"}).status_code == 200
    assert client.post("/workbench/intake/applicant/", {"id_number": "1\x00"}).status_code == 200


def test_assign_over_api(
    client: Any, estate_bundle: Any, parallel_route: Any, citizen: Any, clerk: Any, approver: Any, approver_sw: Any, org: Any
) -> None:
    from conftest import make_user
    from onewindow.cases import services as svc

    colleague = make_user("approver_zjj2", "approver", org["ZJJ"])
    reqs = svc.merged_requirements([i.matter.current_version for i in estate_bundle.items.all()])
    case = svc.case_submit(
        applicant=citizen,
        bundle=estate_bundle,
        channel="counter",
        form_data={"address": "1"},
        materials=[svc.MaterialInput(requirement=r, paper=True) for r in reqs],
        actor=clerk,
    )
    case = svc.case_accept(case=case, actor=clerk)
    step = case.steps.get(department__code="ZJJ")
    client.force_login(approver)
    url = f"/api/v1/cases/{case.uuid}/steps/{step.uuid}/assign"
    assert client.post(url, {"assignee": "approver_sw"}, content_type="application/json").status_code == 422  # other department
    assert client.post(url, {"assignee": "nobody"}, content_type="application/json").status_code == 422
    assert client.post(url, {"assignee": colleague.username}, content_type="application/json").status_code == 200
    step.refresh_from_db()
    assert step.claimed_by == colleague
    client.force_login(approver_sw)
    assert client.post(url, {"assignee": "approver_sw"}, content_type="application/json").status_code == 403


def _accepted(matter_version: Any, citizen: Any, clerk: Any) -> Case:
    """A case filed at the counter with every material and accepted: in review, clock running."""
    from onewindow.cases import services as svc

    from .conftest import all_materials

    case = svc.case_submit(
        applicant=citizen,
        matter_version=matter_version,
        channel="counter",
        form_data={"address": "1"},
        materials=all_materials(list(matter_version.materials.all())),
        actor=clerk,
    )
    return svc.case_accept(case=case, actor=clerk)


def test_extension_asked_by_the_department_and_approved_by_the_leader(
    client: Any, matter_zjj: Any, citizen: Any, clerk: Any, approver: Any, leader: Any, outsider: Any
) -> None:
    case = _accepted(matter_zjj, citizen, clerk)
    base = f"/api/v1/cases/{case.uuid}/extend"
    for who in (outsider, citizen):  # not theirs to ask, approve or decline
        client.force_login(who)
        assert client.post(base, {"days": 5, "reason": "x"}, content_type="application/json").status_code in (403, 404)
    client.force_login(approver)
    r = client.post(base, {"days": 5, "reason": "现场核查"}, content_type="application/json")
    assert r.status_code == 200, r.content
    assert client.post(f"{base}/approve").status_code == 403  # not the asker's to approve
    for who in (outsider, citizen):
        client.force_login(who)
        assert client.post(f"{base}/approve").status_code in (403, 404)
        assert client.post(f"{base}/decline", {"reason": "x"}, content_type="application/json").status_code in (403, 404)
    client.logout()
    assert client.post(f"{base}/approve").status_code == 401
    client.force_login(leader)
    r = client.post(f"{base}/approve")
    assert r.status_code == 200, r.content
    case.refresh_from_db()
    assert case.extension_days == 5 and case.extensions.get().approver == leader
    r = client.post(f"{base}/approve")
    assert r.status_code == 404 and r.json()["code"] == "not_found"  # nothing pending any more


def test_pause_and_resume_through_the_api(
    client: Any, matter_zjj: Any, citizen: Any, clerk: Any, approver: Any, outsider: Any
) -> None:
    case = _accepted(matter_zjj, citizen, clerk)
    url = f"/api/v1/cases/{case.uuid}"
    client.force_login(outsider)
    assert client.post(f"{url}/pause", {"kind": "expert", "reason": "x"}, content_type="application/json").status_code in (
        403,
        404,
    )
    client.force_login(approver)
    r = client.post(f"{url}/pause", {"kind": "expert", "reason": "专家评审"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "paused"
    client.force_login(outsider)
    assert client.post(f"{url}/resume").status_code in (403, 404)
    client.force_login(approver)
    assert client.post(f"{url}/resume").json()["status"] == "in_review"
