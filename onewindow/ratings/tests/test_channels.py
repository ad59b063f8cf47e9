"""Channels: the invitation sweep and its signed single-use link, the window's pad (device-bound,
shows the clerk, rates only what was just finished at its own window), the kiosk, /ratings/me/."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.core import signing
from django.test import Client

from conftest import login
from onewindow.core.errors import ApplicationError
from onewindow.core.models import Notification
from onewindow.hall.models import Ticket, WindowSession
from onewindow.ratings import services
from onewindow.ratings.models import FollowUp, Invitation, Rating
from onewindow.ratings.sweeps import send_invitations

from .conftest import NOW

pytestmark = pytest.mark.django_db


def _link_path(world: dict[str, Any]) -> str:
    assert send_invitations() == 1
    n = Notification.objects.get(kind="ratings.invitation")
    assert n.recipient == "13900000001" and n.channel == "sms"
    m = re.search(r"(/ratings/r/[^/\s]+/)", n.body)
    assert m is not None
    return m.group(1)


def test_the_sweep_invites_once_per_concluded_case(world: dict[str, Any]) -> None:
    assert send_invitations() == 1
    assert send_invitations() == 0  # idempotent
    assert Invitation.objects.get().subject_uuid == world["case"].uuid
    assert Notification.objects.filter(kind="ratings.invitation").count() == 1


def test_the_sweep_skips_old_and_already_rated_cases(world: dict[str, Any], citizen: Any, clock: Any) -> None:
    services.rating_submit(kind="case", subject_uuid=world["case"].uuid, level=5, rater=citizen, channel="web")
    assert send_invitations() == 0
    Rating.objects.all().delete()
    clock.move_to(NOW + datetime.timedelta(days=16))
    assert send_invitations() == 0


def test_a_link_rates_without_login_once(world: dict[str, Any], client: Client) -> None:
    path = _link_path(world)
    page = client.get(path)
    assert page.status_code == 200 and "商品房预售许可" in page.content.decode()
    r = client.post(path, {"level": "2", "tags": ["slow"], "comment": "等太久"})
    assert r.status_code == 200
    rating = Rating.objects.get()
    assert rating.channel == "link" and rating.rater is not None and rating.rater.username == "citizen"
    assert rating.follow_up.status == "open"
    again = client.post(path, {"level": "5"})
    assert again.status_code == 409 and Rating.objects.count() == 1


def test_a_bad_post_through_the_link_stores_nothing_and_keeps_the_link(world: dict[str, Any], client: Client) -> None:
    path = _link_path(world)
    assert client.post(path, {"level": "9"}).status_code == 422
    assert client.post(path, {"level": "1"}).status_code == 422  # a bad rating needs a reason
    assert not Rating.objects.exists() and Invitation.objects.get().used_at is None
    assert client.post(path, {"level": "4"}).status_code == 200


def test_forged_and_expired_links_are_refused(world: dict[str, Any], client: Client, clock: Any) -> None:
    path = _link_path(world)
    token = path.split("/")[3]
    forged = signing.dumps({"i": str(Invitation.objects.get().uuid)}, salt="something else")
    assert client.get(f"/ratings/r/{forged}/").status_code == 403
    assert client.get(f"/ratings/r/{token[:-3]}xyz/").status_code == 403
    clock.move_to(NOW + datetime.timedelta(days=15, minutes=1))
    r = client.post(path, {"level": "5"})
    assert r.status_code == 409 and "过期" in r.content.decode()
    assert not Rating.objects.exists()


def test_the_pad_is_bound_to_its_window_device(world: dict[str, Any], client: Client, hall_manager: Any, clerk: Any) -> None:
    w1 = world["w1"]
    _pad, token = services.pad_issue(window=w1, actor=hall_manager)
    # Without the device token: the set-up form, never the ticket.
    assert "设备令牌" in client.get(f"/ratings/pad/{w1.uuid}/").content.decode()
    assert client.get(f"/ratings/pad/{w1.uuid}/current/").status_code == 403
    assert client.post(f"/ratings/pad/{w1.uuid}/", {"token": "wrong"}).status_code == 403
    r = client.post(f"/ratings/pad/{w1.uuid}/", {"token": token})
    assert r.status_code == 302
    current = client.get(f"/ratings/pad/{w1.uuid}/current/").content.decode()
    assert "clerk" in current and "商品房" not in current  # the clerk who served, the ticket's area
    post = client.post(
        f"/ratings/pad/{w1.uuid}/rate/", {"subject": str(world["ticket"].uuid), "level": "5", "tags": ["friendly"]}
    )
    assert "感谢" in post.content.decode()
    rating = Rating.objects.get()
    assert rating.channel == "pad" and rating.staff == clerk and rating.rater is not None  # the ticket carried the ID
    assert rating.window == w1


def test_a_pad_cannot_rate_another_windows_or_an_old_ticket(
    world: dict[str, Any], client: Client, hall_manager: Any, clock: Any
) -> None:
    w2 = world["w2"]
    _pad, token = services.pad_issue(window=w2, actor=hall_manager)
    client.post(f"/ratings/pad/{w2.uuid}/", {"token": token})
    assert "暂停服务" in client.get(f"/ratings/pad/{w2.uuid}/current/").content.decode()
    client.post(f"/ratings/pad/{w2.uuid}/rate/", {"subject": str(world["ticket"].uuid), "level": "5"})
    assert not Rating.objects.exists()
    pad1, _token1 = services.pad_issue(window=world["w1"], actor=hall_manager)
    clock.move_to(NOW + datetime.timedelta(minutes=30))
    with pytest.raises(ApplicationError) as exc:
        services.rating_submit(kind="ticket", subject_uuid=world["ticket"].uuid, level=5, channel="pad", pad=pad1)
    assert exc.value.code == "not_rateable"


def test_the_pad_shows_who_is_on_duty(world: dict[str, Any], client: Client, hall_manager: Any, clerk: Any) -> None:
    w2 = world["w2"]
    WindowSession.objects.create(window=w2, user=clerk, started_at=NOW)
    _pad, token = services.pad_issue(window=w2, actor=hall_manager)
    client.post(f"/ratings/pad/{w2.uuid}/", {"token": token})
    assert "本窗口工作人员" in client.get(f"/ratings/pad/{w2.uuid}/current/").content.decode()


def test_the_pad_offers_a_ticket_without_id_as_an_anonymous_rating(world: dict[str, Any], hall_manager: Any) -> None:
    t = world["ticket"]
    Ticket.objects.filter(pk=t.pk).update(id_number="")
    pad, _token = services.pad_issue(window=world["w1"], actor=hall_manager)
    r = services.rating_submit(kind="ticket", subject_uuid=t.uuid, level=1, tags=["bad_attitude"], channel="pad", pad=pad)
    assert r.rater is None and r.is_bad
    # Nobody to call back: no follow-up, but the rating counts for the window and the clerk.
    assert not FollowUp.objects.exists()


def test_the_kiosk_rates_a_case_by_number_and_check_code(world: dict[str, Any], client: Client) -> None:
    point = world["point"]
    base = f"/ratings/kiosk/{point.uuid}/"
    assert "设备令牌" in client.get(base).content.decode()
    client.post(base, {"token": point.kiosk_token})
    assert client.post(base, {"number": "QY20260401001", "check_code": "WRONG"}).status_code == 422
    choose = client.post(base, {"number": "QY20260401001", "check_code": "ab12cd"}).content.decode()
    assert "评价办件办理" in choose and "评价窗口受理" in choose
    done = client.post(base, {"number": "QY20260401001", "check_code": "ab12cd", "kind": "case", "level": "4", "tags": ["fast"]})
    assert done.status_code == 200 and "感谢" in done.content.decode()
    r = Rating.objects.get()
    assert r.channel == "kiosk" and r.rater is not None and r.kind == "case"


def test_me_lists_what_to_rate_and_rates_it(world: dict[str, Any], client: Client, citizen: Any) -> None:
    login(client, citizen)
    page = client.get("/ratings/me/").content.decode()
    assert f"/ratings/me/rate/case/{world['case'].uuid}/" in page
    form = client.get(f"/ratings/me/rate/case/{world['case'].uuid}/")
    assert form.status_code == 200 and "商品房预售许可" in form.content.decode()
    r = client.post(f"/ratings/me/rate/case/{world['case'].uuid}/", {"level": "5", "ind_efficiency": "5"})
    assert r.status_code == 302
    rating = Rating.objects.get()
    correct = client.post(f"/ratings/me/correct/{rating.uuid}/", {"level": "4"})
    assert correct.status_code == 302 and Rating.objects.count() == 2
    assert f"/ratings/me/rate/case/{world['case'].uuid}/" not in client.get("/ratings/me/").content.decode()
