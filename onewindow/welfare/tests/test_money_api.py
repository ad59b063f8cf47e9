"""/api/v1/welfare/ (the register and the money): every operation called, outsiders refused."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from onewindow.accounts.models import User
from onewindow.welfare.models import Household, Payment, PaymentRoll

BASE = "/api/v1/welfare"
J = "application/json"


def test_standards_over_the_api(client: Any, mzj: User, township_officer: User, standards: Any) -> None:
    client.force_login(mzj)
    body = {
        "year": 2027,
        "area_kind": "rural",
        "monthly_fen": 73000,
        "effective_from": "2027-01-01",
        "basis": "吉府字〔2026〕9号",
    }
    r = client.post(f"{BASE}/standards", body, content_type=J)
    assert r.status_code == 200 and r.json()["monthly_fen"] == 73000
    bad = client.post(f"{BASE}/standards", {**body, "monthly_fen": -1}, content_type=J)
    assert bad.status_code == 422
    assert [s["year"] for s in client.get(f"{BASE}/standards").json()["items"]][:1] == [2027]
    client.force_login(township_officer)
    assert client.get(f"{BASE}/standards").status_code == 200
    assert client.post(f"{BASE}/standards", body, content_type=J).status_code == 403


def test_register_changes_reports_reviews_and_exit(client: Any, households: list[Household], township_officer: User) -> None:
    client.force_login(township_officer)
    h = households[0]
    rows = client.get(f"{BASE}/register", {"q": "王"}).json()["items"]
    assert [x["number"] for x in rows] == ["ZXZ-0001"]
    f = client.get(f"{BASE}/households/{h.uuid}").json()
    assert f["members"][0]["name"] == "王秀兰" and f["history"][0]["kind"] == "enrol"
    r = client.post(f"{BASE}/households/{h.uuid}/reports", {"source": "village", "description": "户主务工"}, content_type=J)
    assert r.status_code == 201
    report = r.json()["uuid"]
    assert [x["uuid"] for x in client.get(f"{BASE}/reports").json()["items"]] == [report]
    r = client.post(
        f"{BASE}/households/{h.uuid}/amount", {"new_amount_fen": 40000, "reason": "务工收入", "report": report}, content_type=J
    )
    assert r.status_code == 201 and r.json()["kind"] == "decrease" and r.json()["effective_month"] == "2026-06-01"
    assert (
        client.post(f"{BASE}/households/{h.uuid}/amount", {"new_amount_fen": -1, "reason": "x"}, content_type=J).status_code
        == 422
    )
    odd = client.post(
        f"{BASE}/households/{h.uuid}/amount",
        {"new_amount_fen": 1, "reason": "x", "effective_month": "2026-07-15"},
        content_type=J,
    )
    assert odd.status_code == 422
    assert client.get(f"{BASE}/reports").json()["items"] == []
    r = client.post(f"{BASE}/households/{h.uuid}/reviews", {"findings": "入户核查", "outcome": "changed"}, content_type=J)
    assert r.status_code == 201 and r.json()["next_review_on"] == "2027-05-12"
    assert [x["number"] for x in client.get(f"{BASE}/reviews/due").json()["items"]] == ["ZXZ-0002"]
    h2 = households[1]
    assert client.post(f"{BASE}/households/{h2.uuid}/suspend", {"reason": "联系不上"}, content_type=J).status_code == 201
    assert client.post(f"{BASE}/households/{h2.uuid}/resume", {"reason": "已核实"}, content_type=J).status_code == 201
    r = client.post(f"{BASE}/households/{h2.uuid}/reports", {"source": "data", "description": "比对无异常"}, content_type=J)
    closed = client.post(f"{BASE}/reports/{r.json()['uuid']}/close", {"outcome": "核实无影响"}, content_type=J)
    assert closed.status_code == 200 and closed.json()["status"] == "handled"
    r = client.post(f"{BASE}/households/{h.uuid}/exit", {"end_reason": "deceased", "reason": "户主去世"}, content_type=J)
    assert r.status_code == 201 and r.json()["kind"] == "exit"
    assert (
        client.post(f"{BASE}/households/{h.uuid}/exit", {"end_reason": "deceased", "reason": "x"}, content_type=J).status_code
        == 409
    )
    assert [c["household"] for c in client.get(f"{BASE}/exits").json()["items"]] == ["ZXZ-0001"]
    assert {c["kind"] for c in client.get(f"{BASE}/changes").json()["items"]} >= {
        "enrol",
        "decrease",
        "suspend",
        "resume",
        "exit",
    }
    assert {c["kind"] for c in client.get(f"{BASE}/changes", {"kind": "exit"}).json()["items"]} == {"exit"}


def test_the_roll_over_the_api(client: Any, households: list[Household], township_officer: User, mzj: User) -> None:
    client.force_login(township_officer)
    r = client.post(f"{BASE}/rolls", {"township": "ZXZ", "month": "2026-06-01"}, content_type=J)
    assert r.status_code == 201 and r.json()["households"] == 3 and r.json()["total_fen"] == 135000
    uuid = r.json()["uuid"]
    assert client.post(f"{BASE}/rolls", {"township": "ZXZ", "month": "2026-06-15"}, content_type=J).status_code == 422
    assert client.post(f"{BASE}/rolls", {"township": "FTZ", "month": "2026-06-01"}, content_type=J).status_code == 403
    assert client.post(f"{BASE}/rolls/{uuid}/approve-township").status_code == 409
    assert client.post(f"{BASE}/rolls/{uuid}/check").json()["status"] == "checked"
    assert client.post(f"{BASE}/rolls/{uuid}/approve-township").json()["status"] == "township_approved"
    assert client.post(f"{BASE}/rolls/{uuid}/approve-district").status_code == 403
    assert client.get(f"{BASE}/rolls/{uuid}/bank.csv").status_code == 409  # not frozen yet
    client.force_login(mzj)
    assert [x["township"] for x in client.get(f"{BASE}/rolls", {"month": "2026-06"}).json()["items"]] == ["ZXZ"]
    assert client.post(f"{BASE}/rolls/{uuid}/approve-district").json()["status"] == "district_approved"
    assert client.post(f"{BASE}/rolls/{uuid}/freeze").json()["status"] == "frozen"
    again = client.post(f"{BASE}/rolls", {"township": "ZXZ", "month": "2026-06-01"}, content_type=J)
    assert again.status_code == 403  # the district does not generate
    client.force_login(township_officer)
    again = client.post(f"{BASE}/rolls", {"township": "ZXZ", "month": "2026-06-01"}, content_type=J)
    assert again.status_code == 409 and again.json()["code"] == "welfare_roll_frozen"
    csv = client.get(f"{BASE}/rolls/{uuid}/bank.csv")
    assert csv.status_code == 200 and "王秀兰" in csv.content.decode("utf-8-sig") and csv["Cache-Control"] == "private, no-store"
    xlsx = client.get(f"{BASE}/rolls/{uuid}/bank.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert client.get(f"{BASE}/rolls/{uuid}/bank.pdf").status_code == 404
    pays = client.get(f"{BASE}/rolls/{uuid}/payments").json()["items"]
    assert len(pays) == 3 and {p["status"] for p in pays} == {"pending"}
    r = client.post(
        f"{BASE}/rolls/{uuid}/results",
        {"paid_on": "2026-05-12", "failed": [{"payment": pays[0]["uuid"], "reason": "账号错误"}]},
        content_type=J,
    )
    assert r.json() == {"paid": 2, "failed": 1}
    r = client.post(f"{BASE}/payments/{pays[0]['uuid']}/reissue", {"bank_account": "6228480000000000001"}, content_type=J)
    assert r.status_code == 201 and r.json()["attempt"] == 2
    assert client.post(f"{BASE}/payments/{pays[0]['uuid']}/reissue", {}, content_type=J).status_code == 409
    assert Payment.objects.filter(roll__uuid=uuid, status__in=["pending", "paid"]).count() == 3
    assert PaymentRoll.objects.count() == 1


def test_public_figures(client: Any, households: list[Household]) -> None:
    r = client.get(f"{BASE}/figures", {"date_from": "2025-01-01", "date_to": "2025-12-31"})
    assert r.status_code == 200 and r.json()["approved_households"] == 4 and r.json()["approved_people"] == 8
    assert client.get(f"{BASE}/figures", {"date_from": "2025-12-31", "date_to": "2025-01-01"}).status_code == 422


@pytest.mark.parametrize("who", ["anonymous", "citizen", "approver", "clerk", "agent", "leader", "ft_officer"])
def test_outsiders_are_refused(
    client: Any, request: Any, households: list[Household], township_officer: User, mzj: User, who: str
) -> None:
    # a roll and a failed payment of 值夏镇 to aim at
    client.force_login(township_officer)
    roll = client.post(f"{BASE}/rolls", {"township": "ZXZ", "month": "2026-06-01"}, content_type=J).json()["uuid"]
    client.post(f"{BASE}/rolls/{roll}/check")
    client.post(f"{BASE}/rolls/{roll}/approve-township")
    client.force_login(mzj)
    client.post(f"{BASE}/rolls/{roll}/approve-district")
    client.post(f"{BASE}/rolls/{roll}/freeze")
    pay = client.get(f"{BASE}/rolls/{roll}/payments").json()["items"][0]["uuid"]
    client.post(
        f"{BASE}/rolls/{roll}/results", {"paid_on": "2026-05-12", "failed": [{"payment": pay, "reason": "x"}]}, content_type=J
    )
    client.logout()
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    h = households[0].uuid
    calls = [
        ("get", "/standards", None),
        ("post", "/standards", {"year": 2027, "area_kind": "rural", "monthly_fen": 1, "effective_from": "2027-01-01"}),
        ("get", "/register", None),
        ("get", f"/households/{h}", None),
        ("post", f"/households/{h}/amount", {"new_amount_fen": 1, "reason": "x"}),
        ("post", f"/households/{h}/suspend", {"reason": "x"}),
        ("post", f"/households/{h}/resume", {"reason": "x"}),
        ("post", f"/households/{h}/exit", {"end_reason": "moved", "reason": "x"}),
        ("post", f"/households/{h}/reports", {"source": "village", "description": "x"}),
        ("post", f"/households/{h}/reviews", {"findings": "x", "outcome": "unchanged"}),
        ("get", "/reports", None),
        ("get", "/reviews/due", None),
        ("get", "/changes", None),
        ("get", "/exits", None),
        ("get", "/rolls", None),
        ("post", "/rolls", {"township": "ZXZ", "month": "2026-06-01"}),
        ("get", f"/rolls/{roll}", None),
        ("post", f"/rolls/{roll}/check", None),
        ("post", f"/rolls/{roll}/approve-township", None),
        ("post", f"/rolls/{roll}/approve-district", None),
        ("post", f"/rolls/{roll}/return", {"outcome": "x"}),
        ("post", f"/rolls/{roll}/freeze", None),
        ("get", f"/rolls/{roll}/payments", None),
        ("post", f"/rolls/{roll}/results", {"paid_on": "2026-05-12"}),
        ("get", f"/rolls/{roll}/bank.csv", None),
        ("post", f"/payments/{pay}/reissue", {}),
    ]
    lists = {"/standards", "/register", "/reports", "/reviews/due", "/changes", "/exits", "/rolls"}
    for method, path, body in calls:
        if who == "ft_officer" and method == "get" and path in lists:
            # another township's officer reads the lists of their own township: nothing of 值夏镇
            text = client.get(BASE + path).content.decode()
            assert "ZXZ" not in text, path
            continue
        r = client.get(BASE + path) if method == "get" else client.post(BASE + path, body or {}, content_type=J)
        expected = {401} if who == "anonymous" else {403, 404}
        assert r.status_code in expected, (who, method, path, r.status_code, r.content[:200])
    assert Household.objects.get(uuid=h).status == "in_payment"
    assert Payment.objects.filter(status="pending").count() == 0
    assert datetime.date(2026, 5, 12)
