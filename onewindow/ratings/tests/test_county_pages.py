"""The public 好差评 results page and the window ranking are one county's (docs/tenancy.md, "Public
pages and the county picker"): with a rating in each of two counties (青原区's 青原区行政服务中心 and
吉州区's 吉州区政务服务中心, each a bad rating replied to), the results page lists the visitor's chosen
county's units, windows and 差评整改 only, names it in the heading, follows `?county=` and refuses
an unknown code; the ranking is the reader's own county (a county's staff whatever the picker
says; the platform's administrator the chosen one); the API's results take `county`."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from conftest import login, make_user
from onewindow.accounts.models import Role, User
from onewindow.core.tests.counties import B, county_b, fresh
from onewindow.ratings import followups

from .test_isolation import ratings_b

__all__ = ["county_b", "ratings_b"]

pytestmark = pytest.mark.django_db

A_POINT, B_POINT = "青原区行政服务中心", "吉州区政务服务中心"


@pytest.fixture
def replied(ratings_b: dict[str, Any], clerk: User) -> dict[str, Any]:
    """Both counties' bad ratings verified and replied to: each is on its county's 差评整改 list."""
    for fu, who, fixed in (
        (ratings_b["follow_up"], ratings_b["clerk"], "吉州整改：增开窗口"),
        (ratings_b["follow_up_a"], clerk, "青原整改：缩短等候"),
    ):
        followups.follow_up_verify(follow_up=fu, actor=fresh(who), note="已回访")
        followups.follow_up_reply(follow_up=fu, actor=fresh(who), reply=fixed)
    return ratings_b


def _page(client: Client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.content.decode()


def _only(text: str, shown: list[str], hidden: list[str]) -> None:
    for name in shown:
        assert name in text, f"{name} missing"
    for name in hidden:
        assert name not in text, f"{name} shown"


def test_the_results_page_lists_the_chosen_county_only(client: Client, replied: dict[str, Any]) -> None:
    a_things, b_things = [A_POINT, "青原整改：缩短等候"], [B_POINT, "吉州整改：增开窗口", "吉州区行政审批局"]
    page = _page(client, "/ratings/")
    _only(page, a_things, b_things)
    assert "青原区政务服务好差评公示" in page
    page = _page(client, f"/ratings/?county={B}")
    _only(page, b_things, a_things)
    assert "吉州区政务服务好差评公示" in page
    assert client.get("/ratings/").context["total"]["count"] == 1  # the choice is remembered
    client.cookies["django_language"] = "en"
    assert "Jizhou District: government service ratings" in _page(client, "/ratings/")


def test_an_unknown_county_code_is_refused_and_changes_nothing(client: Client, replied: dict[str, Any]) -> None:
    _page(client, f"/ratings/?county={B}")
    page = _page(client, "/ratings/?county=999999")
    assert "没有这个区县（代码 999999）" in page
    _only(page, [B_POINT], [A_POINT])


def test_the_results_api_takes_a_county(client: Client, replied: dict[str, Any]) -> None:
    every = client.get("/api/v1/ratings/results").json()
    assert every["total"]["count"] == 2
    only_b = client.get(f"/api/v1/ratings/results?county={B}").json()
    assert only_b["total"]["count"] == 1 and [w["point"] for w in only_b["by_window"]] == [B_POINT]
    assert [c["fixed"] for c in only_b["corrections"]] == ["吉州整改：增开窗口"]
    assert only_b["follow_up"]["real_name_bad"] == 1
    refused = client.get("/api/v1/ratings/results?county=999999")
    assert refused.status_code == 422 and "county" in refused.json()["fields"]


def _ranked(client: Client, path: str = "/ratings/ranking/") -> list[str]:
    response = client.get(path)
    assert response.status_code == 200
    return [row["point"] for row in response.context["rows"]]


def test_the_ranking_is_the_readers_county(client: Client, replied: dict[str, Any], hall_manager: User) -> None:
    login(client, hall_manager)
    assert _ranked(client) == [A_POINT]
    # A county's hall manager ranks their own windows whatever the public picker chose.
    assert _ranked(client, f"/ratings/ranking/?county={B}") == [A_POINT]
    assert "青原区窗口月度排名" in client.get("/ratings/ranking/").content.decode()
    ranking_api = client.get("/api/v1/ratings/ranking").json()
    assert [row["point"] for row in ranking_api["items"]] == [A_POINT]
    client.logout()
    login(client, replied["admin"])
    assert _ranked(client) == [B_POINT]
    client.logout()
    platform = make_user("platform", Role.ADMIN, None)
    login(client, platform)
    assert _ranked(client) == [A_POINT]
    assert _ranked(client, f"/ratings/ranking/?county={B}") == [B_POINT]


def _ranked_api(client: Client, query: str = "") -> Any:
    return client.get(f"/api/v1/ratings/ranking{query}")


def test_the_ranking_api_takes_a_county_for_the_platform_only(
    client: Client, replied: dict[str, Any], hall_manager: User
) -> None:
    """The platform's administrator names the county (as the page's picker), or reads every
    county's; a county's reader naming another county is refused, not answered with their own."""
    login(client, make_user("platform", Role.ADMIN, None))
    assert sorted(row["point"] for row in _ranked_api(client).json()["items"]) == sorted([A_POINT, B_POINT])
    assert [row["point"] for row in _ranked_api(client, f"?county={B}").json()["items"]] == [B_POINT]
    refused = _ranked_api(client, "?county=999999")
    assert refused.status_code == 422 and "county" in refused.json()["fields"]
    client.logout()
    login(client, hall_manager)
    assert _ranked_api(client, f"?county={B}").status_code == 403
    assert [row["point"] for row in _ranked_api(client, "?county=360803").json()["items"]] == [A_POINT]


def test_an_outsider_gets_no_ranking(client: Client, replied: dict[str, Any], citizen: User) -> None:
    assert client.get("/ratings/ranking/").status_code == 302  # to the sign-in page
    login(client, citizen)
    assert client.get("/ratings/ranking/").status_code == 403
