"""Hall API: every endpoint, the persona allowed and the outsider / wrong role refused."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from conftest import login
from onewindow.accounts.demo import resident_id
from onewindow.hall import services
from onewindow.hall.models import Ticket

from .conftest import KIOSK_TOKEN

pytestmark = pytest.mark.django_db
API = "/api/v1/hall"


def post(client: Client, path: str, body: Any = None, **extra: Any) -> Any:
    return client.post(API + path, data=json.dumps(body or {}), content_type="application/json", **extra)


def take_kiosk(client: Client, area: Any, token: str = KIOSK_TOKEN, **body: Any) -> Any:
    return post(client, "/kiosk/tickets", {"area": str(area.uuid), **body}, HTTP_X_KIOSK_TOKEN=token)


def test_public_reads_show_numbers_only(client: Client, hall: dict[str, Any], clerk: Any) -> None:
    me = resident_id("19560312", 228)
    t = services.ticket_issue(area=hall["A"], source="kiosk", id_number=me, phone="13900000001")
    services.window_sign_in(window=hall["w1"], actor=clerk)
    services.call_next(window=hall["w1"], actor=clerk)
    p = str(hall["point"].uuid)
    r = client.get(f"{API}/points")
    assert r.status_code == 200 and {x["code"] for x in r.json()["items"]} == {"QY-HALL", "ZXZ-HALL"}
    r = client.get(f"{API}/points/{p}/areas")
    assert r.status_code == 200 and r.json()["items"][0]["prefix"] == "A"
    r = client.get(f"{API}/points/{p}/calls")
    assert r.status_code == 200
    assert r.json()["items"][0]["number"] == "A001" and r.json()["items"][0]["text"] == "请A001号到1号窗口办理"
    r = client.get(f"{API}/tickets/{t.uuid}")
    assert r.status_code == 200 and r.json()["window"] == 1
    for body in (client.get(f"{API}/tickets/{t.uuid}").content, client.get(f"{API}/points/{p}/calls").content):
        assert me.encode() not in body and b"13900000001" not in body and "周".encode() not in body
    assert client.get(f"{API}/points/00000000-0000-0000-0000-000000000000/calls").status_code == 404
    assert client.get(f"{API}/tickets/00000000-0000-0000-0000-000000000000").status_code == 404


def test_board_endpoint_returns_only_newer_calls(client: Client, hall: dict[str, Any], clerk: Any) -> None:
    for _ in range(3):
        services.ticket_issue(area=hall["A"], source="kiosk")
    services.window_sign_in(window=hall["w1"], actor=clerk)
    services.call_next(window=hall["w1"], actor=clerk)
    first = client.get(f"{API}/points/{hall['point'].uuid}/calls").json()["items"]
    services.call_next(window=hall["w1"], actor=clerk)
    services.recall(window=hall["w1"], actor=clerk)
    newer = client.get(f"{API}/points/{hall['point'].uuid}/calls?after={first[-1]['id']}").json()["items"]
    assert [(c["number"], c["recall"]) for c in newer] == [("A002", False), ("A002", True)]


def test_kiosk_take_ticket_needs_the_points_device_token(client: Client, hall: dict[str, Any]) -> None:
    r = post(client, "/kiosk/tickets", {"area": str(hall["A"].uuid)})
    assert r.status_code == 401
    assert take_kiosk(client, hall["A"], token="wrong").status_code == 403
    assert take_kiosk(client, hall["A"], token="zxz-token").status_code == 403  # the township kiosk's token
    r = take_kiosk(client, hall["A"])
    assert r.status_code == 201 and r.json()["number"] == "A001"
    assert Ticket.objects.get(uuid=r.json()["uuid"]).source == "kiosk"
    assert take_kiosk(client, hall["A"], priority="green").json()["number"] == "A002"
    assert take_kiosk(client, hall["A"], priority="appointment").status_code == 422  # only check-in gives that
    assert take_kiosk(client, hall["A"], id_number="123").status_code == 422
    r = post(client, "/kiosk/tickets", {"area": "00000000-0000-0000-0000-000000000000"}, HTTP_X_KIOSK_TOKEN=KIOSK_TOKEN)
    assert r.status_code == 404
    assert post(client, "/kiosk/tickets", {"area": "nope"}, HTTP_X_KIOSK_TOKEN=KIOSK_TOKEN).status_code == 422
    assert Ticket.objects.count() == 2


def test_kiosk_refusals_are_named(client: Client, hall: dict[str, Any]) -> None:
    area = hall["A"]
    area.daily_cap = 1
    area.save()
    assert take_kiosk(client, area).status_code == 201
    r = take_kiosk(client, area)
    assert r.status_code == 409 and r.json()["code"] == "daily_cap"
    area.require_id_number, area.daily_cap = True, 10
    area.save()
    r = take_kiosk(client, area)
    assert r.status_code == 422 and r.json()["code"] == "id_required"
    assert take_kiosk(client, area, id_number=resident_id("19560312", 228)).status_code == 201


def test_remote_ticket_by_phone_is_bound_to_the_citizens_id(
    client: Client, hall: dict[str, Any], citizen: Any, approver: Any
) -> None:
    body = {"area": str(hall["A"].uuid)}
    assert post(client, "/tickets", body).status_code == 401
    login(client, approver)
    assert post(client, "/tickets", body).status_code == 403
    login(client, citizen)
    r = post(client, "/tickets", {**body, "priority": "green"})
    assert r.status_code == 201
    t = Ticket.objects.get(uuid=r.json()["uuid"])
    assert (t.source, t.id_number, t.priority) == ("phone", citizen.id_number, "normal")
    assert r.json()["ahead"] == 0


def test_clerk_takes_a_ticket_for_a_visitor(client: Client, hall: dict[str, Any], clerk: Any) -> None:
    login(client, clerk)
    r = post(client, "/tickets", {"area": str(hall["A"].uuid), "priority": "green"})
    assert r.status_code == 201
    assert Ticket.objects.get(uuid=r.json()["uuid"]).source == "clerk"


WINDOW_POSTS = ["sign-in", "sign-out", "call-next", "recall", "no-show", "start", "finish", "hold", "call", "resume", "transfer"]


@pytest.mark.parametrize("action", WINDOW_POSTS)
def test_window_actions_refuse_outsider_and_anonymous(client: Client, hall: dict[str, Any], outsider: Any, action: str) -> None:
    t = services.ticket_issue(area=hall["A"], source="kiosk")
    path = f"/windows/{hall['w1'].uuid}/{action}"
    body = {"ticket": str(t.uuid), "area": str(hall["F"].uuid)}
    assert post(client, path, body).status_code == 401
    login(client, outsider)
    assert post(client, path, body).status_code == 403
    assert Ticket.objects.get(pk=t.pk).status == "waiting"


def test_window_get_refuses_outsider_and_other_halls_staff(
    client: Client, hall: dict[str, Any], outsider: Any, township_officer: Any, clerk: Any
) -> None:
    path = f"{API}/windows/{hall['w1'].uuid}"
    assert client.get(path).status_code == 401
    login(client, outsider)
    assert client.get(path).status_code == 403
    login(client, township_officer)
    assert client.get(path).status_code == 403
    login(client, clerk)
    assert client.get(path).status_code == 200


def test_window_flow_over_the_api(client: Client, hall: dict[str, Any], clerk: Any) -> None:
    a = services.ticket_issue(area=hall["A"], source="kiosk")
    b = services.ticket_issue(area=hall["A"], source="kiosk")
    w = f"/windows/{hall['w1'].uuid}"
    login(client, clerk)
    assert post(client, w + "/call-next").status_code == 403  # not signed in
    assert post(client, w + "/sign-in").json()["signed_in"] == "clerk"
    r = post(client, w + "/call-next")
    assert r.status_code == 200 and r.json()["number"] == a.number
    assert post(client, w + "/recall").json()["current"]["call_count"] == 2
    assert post(client, w + "/no-show").status_code == 409  # needs 2 recalls
    r = post(client, w + "/start")
    assert r.json()["current"]["status"] == "serving"
    assert r.json()["current"]["intake_url"] == f"/workbench/intake/?ticket={a.uuid}"
    assert post(client, w + "/hold").json()["held"][0]["number"] == a.number
    assert post(client, w + "/call", {"ticket": str(b.uuid)}).json()["current"]["number"] == b.number
    assert post(client, w + "/finish").json()["current"] is None
    assert post(client, w + "/resume", {"ticket": str(a.uuid)}).json()["current"]["number"] == a.number
    r = post(client, w + "/transfer", {"area": str(hall["F"].uuid), "position": "first"})
    assert r.status_code == 200 and r.json()["current"] is None
    assert Ticket.objects.get(pk=a.pk).area_id == hall["F"].pk
    assert post(client, w + "/transfer", {"position": "middle", "area": str(hall["F"].uuid)}).status_code == 422
    r = post(client, w + "/call-next")
    assert r.json()["number"] is None
    assert post(client, w + "/sign-out").json()["signed_in"] is None


def test_session_api_posts_need_the_csrf_token(hall: dict[str, Any], clerk: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    login(client, clerk)
    assert post(client, f"/windows/{hall['w1'].uuid}/sign-in").status_code == 403
    client.cookies["csrftoken"] = "k" * 32
    r = post(client, f"/windows/{hall['w1'].uuid}/sign-in", HTTP_X_CSRFTOKEN="k" * 32)
    assert r.status_code == 200


def test_overview_is_for_hall_managers(
    client: Client, hall: dict[str, Any], outsider: Any, clerk: Any, hall_manager: Any
) -> None:
    services.ticket_issue(area=hall["A"], source="kiosk")
    path = f"{API}/points/{hall['point'].uuid}/overview"
    assert client.get(path).status_code == 401
    for who in (outsider, clerk):
        login(client, who)
        assert client.get(path).status_code == 403
    login(client, hall_manager)
    r = client.get(path)
    assert r.status_code == 200
    assert r.json()["areas"][0]["waiting"] == 1 and r.json()["figures"]["issued"] == 1
    assert client.get(f"{API}/points/{hall['tpoint'].uuid}/overview").status_code == 403  # a township's hall


def test_area_settings_for_hall_managers(
    client: Client, hall: dict[str, Any], outsider: Any, clerk: Any, hall_manager: Any
) -> None:
    path = f"{API}/areas/{hall['A'].uuid}"

    def patch(body: dict[str, Any]) -> Any:
        return client.patch(path, data=json.dumps(body), content_type="application/json")

    assert patch({"daily_cap": 5}).status_code == 401
    for who in (outsider, clerk):
        login(client, who)
        assert patch({"daily_cap": 5}).status_code == 403
    login(client, hall_manager)
    r = patch(
        {"daily_cap": 5, "warn_level": 3, "service_level_minutes": 20, "require_id_number": True, "per_person_daily_limit": 1}
    )
    assert r.status_code == 200 and r.json()["daily_cap"] == 5 and r.json()["service_level_minutes"] == 20
    r = patch({"daily_cap": 0})
    assert r.status_code == 422 and "daily_cap" in r.json()["fields"]
    hall["A"].refresh_from_db()
    assert hall["A"].daily_cap == 5 and hall["A"].require_id_number
    from onewindow.core.models import AuditEntry

    assert AuditEntry.objects.filter(action="hall.area.settings").count() == 1
