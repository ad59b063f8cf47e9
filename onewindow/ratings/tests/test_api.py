"""Every API operation is called; every one refuses an outsider."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from conftest import login
from onewindow.core.models import Notification
from onewindow.ratings import followups, services
from onewindow.ratings.models import Appeal, FollowUp, Rating
from onewindow.ratings.sweeps import send_invitations

from .conftest import rate

pytestmark = pytest.mark.django_db
API = "/api/v1/ratings"


def _json(client: Client, path: str, body: Any, **headers: Any) -> Any:
    return client.post(path, body, content_type="application/json", headers=headers)


def _bearer(client: Client, user: Any) -> dict[str, str]:
    from onewindow.accounts.services import api_token_create

    _t, secret = api_token_create(user=user, name="test")
    return {"Authorization": f"Bearer {secret}"}


def test_public_operations(world: dict[str, Any], client: Client) -> None:
    o = client.get(f"{API}/options?mode=online").json()
    assert [i[0] for i in o["indicators"]] == ["overall", "efficiency", "guide", "convenience", "platform"]
    assert [lv["value"] for lv in o["levels"]] == [5, 4, 3, 2, 1]
    assert client.get(f"{API}/results?month=2026-04").json()["month"] == "2026-04"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/rateable"),
        ("get", "/ratings"),
        ("post", "/ratings"),
        ("post", "/ratings/00000000-0000-0000-0000-000000000000/correction"),
        ("post", "/ratings/00000000-0000-0000-0000-000000000000/appeal"),
        ("post", "/follow-ups/00000000-0000-0000-0000-000000000000/answer"),
        ("get", "/follow-ups"),
        ("get", "/follow-ups/00000000-0000-0000-0000-000000000000"),
        ("post", "/follow-ups/00000000-0000-0000-0000-000000000000/verify"),
        ("post", "/follow-ups/00000000-0000-0000-0000-000000000000/reply"),
        ("get", "/appeals"),
        ("post", "/appeals/00000000-0000-0000-0000-000000000000/decision"),
        ("post", "/pads"),
        ("get", "/ranking"),
        ("get", "/me/figures"),
        ("get", "/pad/00000000-0000-0000-0000-000000000000/current"),
        ("post", "/pad/00000000-0000-0000-0000-000000000000/ratings"),
        ("post", "/kiosk/ratings"),
    ],
)
def test_anonymous_is_refused(world: dict[str, Any], client: Client, method: str, path: str) -> None:
    r = client.get(API + path) if method == "get" else _json(client, API + path, {})
    assert r.status_code == 401 and r.json()["code"] == "unauthenticated"


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/follow-ups"), ("get", "/appeals"), ("get", "/ranking"), ("get", "/me/figures")],
)
def test_a_citizen_is_refused_staff_operations(
    world: dict[str, Any], client: Client, outsider: Any, method: str, path: str
) -> None:
    login(client, outsider)
    assert client.get(API + path).status_code == 403


def test_the_person_rates_lists_and_corrects(world: dict[str, Any], client: Client, citizen: Any, outsider: Any) -> None:
    headers = _bearer(client, citizen)
    items = client.get(f"{API}/rateable", headers=headers).json()["items"]
    assert {i["kind"] for i in items} >= {"case", "acceptance", "ticket"}
    body = {"kind": "case", "subject": str(world["case"].uuid), "level": 2, "tags": ["slow"], "indicators": {"efficiency": 1}}
    r = _json(client, f"{API}/ratings", body, **headers)
    assert r.status_code == 201 and r.json()["follow_up"]["status"] == "open"
    assert Rating.objects.get().channel == "phone"
    assert _json(client, f"{API}/ratings", body, **headers).json()["code"] == "already_rated"
    assert _json(client, f"{API}/ratings", {**body, "level": 7}, **headers).status_code == 422
    mine = client.get(f"{API}/ratings", headers=headers).json()["items"]
    assert len(mine) == 1
    uuid = mine[0]["uuid"]
    other = _bearer(client, outsider)
    assert _json(client, f"{API}/ratings/{uuid}/correction", {"level": 5}, **other).status_code == 404
    c = _json(client, f"{API}/ratings/{uuid}/correction", {"level": 4}, **headers)
    assert c.status_code == 201 and c.json()["corrects"] == uuid
    assert (
        _json(
            client,
            f"{API}/ratings",
            {**body, "kind": "ticket", "subject": str(world["ticket"].uuid), "level": 5, "tags": []},
            **other,
        ).json()["code"]
        == "not_served_person"
    )


def test_link_and_respond_without_login(world: dict[str, Any], client: Client, approver: Any) -> None:
    send_invitations()
    token = re.search(r"/ratings/r/([^/\s]+)/", Notification.objects.get(kind="ratings.invitation").body).group(1)  # type: ignore[union-attr]
    assert client.get(f"{API}/link/{token}").json()["subject"]["kind"] == "case"
    assert client.get(f"{API}/link/garbage").json()["code"] == "bad_link"
    r = _json(client, f"{API}/link/{token}", {"level": 1, "tags": ["bad_attitude"]})
    assert r.status_code == 201
    assert _json(client, f"{API}/link/{token}", {"level": 5}).json()["code"] == "link_used"
    fu = FollowUp.objects.get()
    followups.follow_up_verify(follow_up=fu, actor=approver, note="已回访")
    followups.follow_up_reply(follow_up=fu, actor=approver, reply="已整改")
    rtoken = followups.respond_token(fu)
    assert _json(client, f"{API}/respond/{rtoken}", {"confirmed": False}).json()["code"] == "required"
    ok = _json(client, f"{API}/respond/{rtoken}", {"confirmed": True})
    assert ok.status_code == 200 and ok.json()["status"] == "confirmed"


def test_the_rater_answers_while_signed_in(
    world: dict[str, Any], client: Client, citizen: Any, approver: Any, outsider: Any
) -> None:
    r = rate(kind="case", subject_uuid=world["case"].uuid, level=2, rater=citizen, tags=["slow"])
    followups.follow_up_verify(follow_up=r.follow_up, actor=approver, note="已回访")
    followups.follow_up_reply(follow_up=r.follow_up, actor=approver, reply="已整改")
    login(client, outsider)
    assert _json(client, f"{API}/follow-ups/{r.follow_up.uuid}/answer", {"confirmed": True}).status_code == 404
    login(client, citizen)
    a = _json(client, f"{API}/follow-ups/{r.follow_up.uuid}/answer", {"confirmed": False, "note": "仍未解决"})
    assert a.json()["status"] == "disputed"


def test_the_unit_follows_up_and_appeals(
    world: dict[str, Any], client: Client, citizen: Any, approver: Any, approver_sw: Any, hall_manager: Any
) -> None:
    r = rate(kind="case", subject_uuid=world["case"].uuid, level=1, rater=citizen, tags=["slow"])
    fu = r.follow_up
    login(client, approver_sw)
    assert client.get(f"{API}/follow-ups").json()["items"] == []
    assert _json(client, f"{API}/follow-ups/{fu.uuid}/verify", {"text": "x"}).status_code == 404
    assert _json(client, f"{API}/ratings/{r.uuid}/appeal", {"reason": "x", "evidence": "y"}).status_code == 404
    login(client, approver)
    assert [f["uuid"] for f in client.get(f"{API}/follow-ups").json()["items"]] == [str(fu.uuid)]
    assert client.get(f"{API}/follow-ups/{fu.uuid}").json()["rating"]["level"] == 1
    assert _json(client, f"{API}/follow-ups/{fu.uuid}/verify", {"text": "已回访"}).json()["status"] == "verified"
    assert _json(client, f"{API}/follow-ups/{fu.uuid}/reply", {"text": "已整改"}).json()["status"] == "replied"
    ap = _json(client, f"{API}/ratings/{r.uuid}/appeal", {"reason": "恶意", "evidence": "录音"})
    assert ap.status_code == 201
    assert client.get(f"{API}/appeals").status_code == 403
    login(client, hall_manager)
    assert len(client.get(f"{API}/appeals").json()["items"]) == 1
    d = _json(client, f"{API}/appeals/{ap.json()['uuid']}/decision", {"upheld": False, "note": "证据不足"})
    assert d.json()["status"] == "rejected" and Appeal.objects.get().status == "rejected"
    assert client.get(f"{API}/ranking?month=2026-04").status_code == 200
    assert client.get(f"{API}/me/figures?month=2026-04").json()["month"] == "2026-04"


def test_devices(world: dict[str, Any], client: Client, hall_manager: Any, clerk: Any) -> None:
    w1 = world["w1"]
    login(client, clerk)
    assert _json(client, f"{API}/pads", {"window": str(w1.uuid)}).status_code == 403
    login(client, hall_manager)
    token = _json(client, f"{API}/pads", {"window": str(w1.uuid)}).json()["token"]
    client.logout()
    assert client.get(f"{API}/pad/{w1.uuid}/current", headers={"X-Pad-Token": "wrong"}).json()["code"] == "bad_pad_token"
    cur = client.get(f"{API}/pad/{w1.uuid}/current", headers={"X-Pad-Token": token}).json()
    assert cur["subject"]["uuid"] == str(world["ticket"].uuid) and cur["subject"]["staff"] == "clerk"
    r = _json(client, f"{API}/pad/{w1.uuid}/ratings", {"subject": cur["subject"]["uuid"], "level": 5}, **{"X-Pad-Token": token})
    assert r.status_code == 201
    assert client.get(f"{API}/pad/{w1.uuid}/current", headers={"X-Pad-Token": token}).json()["subject"] is None
    kiosk = {
        "point": str(world["point"].uuid),
        "number": "QY20260401001",
        "check_code": "AB12CD",
        "kind": "acceptance",
        "level": 4,
    }
    assert _json(client, f"{API}/kiosk/ratings", kiosk, **{"X-Kiosk-Token": "nope"}).json()["code"] == "bad_kiosk_token"
    k = _json(client, f"{API}/kiosk/ratings", kiosk, **{"X-Kiosk-Token": world["point"].kiosk_token})
    assert k.status_code == 201 and k.json()["kind"] == "acceptance"
    assert services.kiosk_subjects(world["case"])[0].kind == "case"
