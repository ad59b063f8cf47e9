"""The 低保 process API: the whole process by JSON, bad input, and every operation refused to
outsiders (anonymous, a citizen, another township, another department)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from conftest import make_user
from onewindow.accounts.demo import resident_id
from onewindow.accounts.models import OrgUnit, Role, User
from onewindow.catalog.models import Matter
from onewindow.welfare.models import Application

from .process_fixtures import TODAY, at

pytestmark = pytest.mark.django_db
BASE = "/api/v1/welfare/process"


def client_for(user: User | None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


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
    assert (
        c.post(
            f"{BASE}/applications/{uuid}/visits",
            {"visited_on": str(TODAY), "visitors": "张三", "findings": "属实"},
            content_type="application/json",
        ).status_code
        == 201
    )
    assert c.post(f"{BASE}/applications/{uuid}/cross-checks").status_code == 201
    r = c.post(f"{BASE}/applications/{uuid}/propose", {}, content_type="application/json")
    assert r.status_code == 200 and r.json()["proposed_amount_fen"] == 94000
    pub = client_for(None).get(f"{BASE}/notices/ZXZ-V01").json()
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
    c.post(
        f"{BASE}/applications/{uuid}/visits",
        {"visited_on": str(TODAY), "visitors": "张三", "findings": "属实"},
        content_type="application/json",
    )
    c.post(f"{BASE}/applications/{uuid}/propose", {}, content_type="application/json")
    n = client_for(None).get(f"{BASE}/notices/ZXZ-V01").json()[0]["uuid"]
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
        ("post", f"{BASE}/applications/{uuid}/accept", {}),
        ("post", f"{BASE}/applications/{uuid}/visits", {"visited_on": str(TODAY), "visitors": "x", "findings": "y"}),
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
        r = (
            getattr(client_for(None), method)(url, data, content_type="application/json")
            if data is not None
            else client_for(None).get(url)
        )
        assert r.status_code == 401, (url, r.status_code)
        for who in (outsider, ft, zjj):
            c = client_for(who)
            r = getattr(c, method)(url, data, content_type="application/json") if data is not None else c.get(url)
            assert r.status_code in (403, 404), (who, url, r.status_code)
    assert client_for(None).post(f"{BASE}/applications", body(resident), content_type="application/json").status_code == 401
    for who in (outsider, zjj):
        r = client_for(who).post(f"{BASE}/applications", body(resident), content_type="application/json")
        assert r.status_code in (403, 404, 422), r.json()
    assert client_for(None).get(f"{BASE}/applications").status_code == 401
    assert client_for(outsider).get(f"{BASE}/applications").json() == []
    assert Application.objects.get(uuid=uuid).stage == "check"


def test_openapi_lists_the_process(db: Any) -> None:
    spec = Client().get("/api/v1/openapi.json").json()
    assert f"{BASE}/applications/{{uuid}}/confirm" in spec["paths"]
