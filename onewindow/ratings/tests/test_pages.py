"""Staff and public pages: every page refuses an outsider; the unit works its follow-up list; the
hall manager decides appeals and reads the ranking; the public page shows the month masked."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from conftest import login
from onewindow.core.errors import ApplicationError
from onewindow.ratings import followups, services
from onewindow.ratings.models import Appeal, FollowUp

from .conftest import rate

pytestmark = pytest.mark.django_db


def _bad(world: dict[str, Any], citizen: Any) -> Any:
    return rate(kind="case", subject_uuid=world["case"].uuid, level=1, rater=citizen, tags=["passing_buck"], comment="推来推去")


@pytest.mark.parametrize(
    "path",
    ["/ratings/me/", "/ratings/work/", "/ratings/appeals/", "/ratings/ranking/", "/ratings/mine/", "/ratings/pads/"],
)
def test_anonymous_visitors_are_sent_to_log_in(world: dict[str, Any], client: Client, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


@pytest.mark.parametrize("path", ["/ratings/work/", "/ratings/appeals/", "/ratings/ranking/", "/ratings/mine/", "/ratings/pads/"])
def test_a_citizen_is_refused_staff_pages(world: dict[str, Any], client: Client, outsider: Any, path: str) -> None:
    login(client, outsider)
    assert client.get(path).status_code == 403


def test_outsiders_cannot_open_someone_elses_rating_pages(
    world: dict[str, Any], client: Client, citizen: Any, outsider: Any
) -> None:
    r = _bad(world, citizen)
    login(client, outsider)
    assert client.get(f"/ratings/me/rate/case/{world['case'].uuid}/").status_code == 404
    assert client.get(f"/ratings/me/correct/{r.uuid}/").status_code == 404
    assert client.get(f"/ratings/work/{r.follow_up.uuid}/").status_code == 404
    assert client.get("/ratings/respond/forged-token/").status_code == 403


def test_another_department_does_not_see_the_follow_up(
    world: dict[str, Any], client: Client, citizen: Any, approver_sw: Any
) -> None:
    r = _bad(world, citizen)
    login(client, approver_sw)
    assert r.subject_label not in client.get("/ratings/work/").content.decode()
    assert client.get(f"/ratings/work/{r.follow_up.uuid}/").status_code == 404
    assert client.post(f"/ratings/work/{r.follow_up.uuid}/", {"action": "verify", "note": "x"}).status_code == 404
    assert FollowUp.objects.get().status == "open"


def test_the_unit_works_its_list(world: dict[str, Any], client: Client, citizen: Any, approver: Any) -> None:
    r = _bad(world, citizen)
    fu = r.follow_up
    login(client, approver)
    assert r.subject_label in client.get("/ratings/work/").content.decode()
    url = f"/ratings/work/{fu.uuid}/"
    assert client.post(url, {"action": "reply", "reply": "x"}).status_code == 409  # verify first
    assert client.post(url, {"action": "verify", "note": "已电话回访"}).status_code == 302
    assert client.post(url, {"action": "reply", "reply": ""}).status_code == 422
    assert client.post(url, {"action": "reply", "reply": "已明确首问负责"}).status_code == 302
    assert FollowUp.objects.get().status == "replied"
    assert client.post(url, {"action": "appeal", "reason": "误评", "evidence": "录音"}).status_code == 302
    assert Appeal.objects.get().status == "pending"


def test_the_hall_manager_decides_appeals(
    world: dict[str, Any], client: Client, citizen: Any, approver: Any, hall_manager: Any
) -> None:
    r = _bad(world, citizen)
    a = followups.appeal_file(rating=r, actor=approver, reason="恶意差评", evidence="监控录像")
    login(client, approver)
    assert client.get("/ratings/appeals/").status_code == 403
    assert client.post(f"/ratings/appeals/{a.uuid}/decide/", {"upheld": "1", "note": "x"}).status_code == 404
    login(client, hall_manager)
    assert "恶意差评" in client.get("/ratings/appeals/").content.decode()
    assert client.post(f"/ratings/appeals/{a.uuid}/decide/", {"upheld": "1", "note": ""}).status_code == 422
    assert client.post(f"/ratings/appeals/{a.uuid}/decide/", {"upheld": "1", "note": "证据充分"}).status_code == 302
    assert Appeal.objects.get().status == "upheld"


def test_ranking_and_own_figures(
    world: dict[str, Any], client: Client, citizen: Any, clerk: Any, hall_manager: Any, leader: Any
) -> None:
    rate(kind="ticket", subject_uuid=world["ticket"].uuid, level=4, rater=citizen)
    login(client, hall_manager)
    page = client.get("/ratings/ranking/?month=2026-04").content.decode()
    assert "1号窗口" in page and "4.00" in page
    login(client, leader)
    assert client.get("/ratings/ranking/").status_code == 200
    login(client, clerk)
    mine = client.get("/ratings/mine/?month=2026-04").content.decode()
    assert "A001" in mine or "综合服务区" in mine


def test_the_manager_issues_a_pad_token_once(world: dict[str, Any], client: Client, hall_manager: Any) -> None:
    login(client, hall_manager)
    page = client.post("/ratings/pads/", {"window": str(world["w1"].uuid)}).content.decode()
    assert "pad_" in page
    assert 'id="pad-token"' not in client.get("/ratings/pads/").content.decode()  # shown once


def test_the_public_page_shows_the_month_with_masked_names(
    world: dict[str, Any], client: Client, citizen: Any, approver: Any
) -> None:
    r = _bad(world, citizen)
    followups.follow_up_verify(follow_up=r.follow_up, actor=approver, note="已回访")
    followups.follow_up_reply(follow_up=r.follow_up, actor=approver, reply="已建立首问负责制")
    page = client.get("/ratings/?month=2026-04").content.decode()
    assert "2026-04" in page and "已建立首问负责制" in page and "刘*英" in page
    assert "刘秀英" not in page and "住房和城乡建设局" in page
    empty = client.get("/ratings/?month=2026-03").content.decode()
    assert "已建立首问负责制" not in empty
    assert client.get("/ratings/?month=garbage").status_code == 200


def test_pad_issue_needs_a_manager(world: dict[str, Any], clerk: Any) -> None:
    with pytest.raises(ApplicationError) as exc:
        services.pad_issue(window=world["w1"], actor=clerk)
    assert exc.value.code == "permission_denied"
