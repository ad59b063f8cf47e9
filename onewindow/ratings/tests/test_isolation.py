"""Counties as tenants (docs/tenancy.md), 好差评: county A's staff never read or act on county B's
ratings, follow-ups, appeals and pads.

County B (onewindow/core/tests/counties.py) gets a ticket its clerk finished for the shared
citizen, rated 不满意 (a rating and its follow-up at B's 行政审批局), an appeal its clerk filed
and a pad at its window; county A (the ratings tests' served world) gets the same, so "B's
administrator sees exactly B's" is not read off an empty county A. Every county-A user runs over
the ratings models (their `scoped` queryset), the selectors, every unit API operation and staff
page on B's rows: 403/404, B left out of the work lists and the appeals, and B's rows unchanged.
The citizen's own B rating stays theirs; B's pending appeal is owned by B's own administration."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.apps import apps
from django.test import Client

from onewindow.accounts.models import County, User
from onewindow.core import ownership
from onewindow.core.tenancy import county_lookup, for_county
from onewindow.core.tests.counties import A_ROLES, B, a_users, assert_calls_refused, assert_rows_stay_in_county, county_b, fresh
from onewindow.hall.models import Ticket
from onewindow.ratings import followups, selectors, services
from onewindow.ratings.county_rules import county_rules_set
from onewindow.ratings.models import Appeal, FollowUp, Rating, RatingPad

from .conftest import SHANGHAI, rate

__all__ = ["a_users", "county_b"]  # the shared fixtures, used here by name

pytestmark = pytest.mark.django_db
API = "/api/v1/ratings"
RATING_MODELS = sorted(
    (m for m in apps.get_app_config("ratings").get_models() if county_lookup(m) is not None),
    key=lambda m: m._meta.label_lower,
)


def _finished_ticket(b: dict[str, Any], citizen: User) -> Ticket:
    now = datetime.datetime.now(tz=SHANGHAI)
    return Ticket.objects.create(
        area=b["area"],
        issue_area=b["area"],
        point=b["point"],
        business_date=now.date(),
        seq=99,
        number="A099",
        source=Ticket.Source.KIOSK,
        status=Ticket.Status.FINISHED,
        issued_at=now - datetime.timedelta(minutes=30),
        queue_at=now - datetime.timedelta(minutes=30),
        id_number=citizen.id_number,
        window=b["window"],
        clerk=b["clerk"],
        finished_at=now - datetime.timedelta(minutes=2),
    )


@pytest.fixture
def ratings_b(world: dict[str, Any], county_b: dict[str, Any], citizen: User, clerk: User, hall_manager: User) -> dict[str, Any]:
    rating = rate(kind="ticket", subject_uuid=_finished_ticket(county_b, citizen).uuid, level=2, rater=citizen, tags=["slow"])
    appeal = followups.appeal_file(rating=rating, actor=fresh(county_b["clerk"]), reason="恶意评价", evidence="监控录像")
    pad, _token = services.pad_issue(window=county_b["window"], actor=fresh(county_b["admin"]))
    # County A's own: the served world's ticket rated bad, appealed, and a pad at its window.
    rating_a = rate(kind="ticket", subject_uuid=world["ticket"].uuid, level=1, rater=citizen, tags=["slow"])
    appeal_a = followups.appeal_file(rating=rating_a, actor=fresh(clerk), reason="误评", evidence="通话录音")
    pad_a, _token_a = services.pad_issue(window=world["w1"], actor=fresh(hall_manager))
    # Each county's own 差评 clocks.
    county_rules_set(county=county_b["county"], actor=fresh(county_b["admin"]), fix_workdays=10)
    county_rules_set(county=County.default(), actor=None, fix_workdays=12)
    return {
        **county_b,
        "rating": rating,
        "follow_up": FollowUp.objects.get(rating=rating),
        "appeal": appeal,
        "pad": pad,
        "rating_a": rating_a,
        "follow_up_a": FollowUp.objects.get(rating=rating_a),
        "appeal_a": appeal_a,
        "pad_a": pad_a,
    }


def _b_state(b: dict[str, Any]) -> list[Any]:
    return [
        list(for_county(Rating.objects.all(), B).order_by("pk").values_list("pk", "level", "corrects_id")),
        list(
            for_county(FollowUp.objects.all(), B)
            .order_by("pk")
            .values_list("pk", "status", "verified_at", "replied_at", "reply", "updated_at")
        ),
        list(for_county(Appeal.objects.all(), B).order_by("pk").values_list("pk", "status", "decided_at", "decided_by_id")),
        list(for_county(RatingPad.objects.all(), B).order_by("pk").values_list("pk", "token_hash")),
        Rating.objects.count(),
    ]


@pytest.mark.parametrize("model", RATING_MODELS, ids=lambda m: m._meta.label_lower)
def test_no_a_user_reads_a_b_row(model: Any, ratings_b: dict[str, Any], a_users: dict[str, User]) -> None:
    assert_rows_stay_in_county(model, a_users, ratings_b["admin"])


@pytest.mark.parametrize("role", A_ROLES)
def test_selectors_leave_b_out(role: str, ratings_b: dict[str, Any], a_users: dict[str, User]) -> None:
    user, fu, appeal = fresh(a_users[role]), ratings_b["follow_up"], ratings_b["appeal"]
    assert not selectors.can_handle(user, fu.unit)
    assert fu not in selectors.follow_ups_for(user)
    assert not FollowUp.objects.filter(selectors.handled_units_q(user), pk=fu.pk).exists()
    assert selectors.follow_up_for(user, fu.uuid) is None
    assert selectors.rating_for_staff(user, ratings_b["rating"].uuid) is None
    assert appeal not in selectors.appeals_for(user)
    assert appeal not in selectors.appeals_pending(user)
    assert selectors.appeal_for_manager(user, appeal.uuid) is None


def test_each_countys_managers_handle_their_own(
    ratings_b: dict[str, Any], a_users: dict[str, User], hall_manager: User, admin_user: User
) -> None:
    """The positive controls: B's administrator and clerk work B's follow-up, A's hall manager and
    administrator A's (and decide A's appeal), the platform's administrator every county's."""
    fu, fu_a = ratings_b["follow_up"], ratings_b["follow_up_a"]
    for user in (fresh(ratings_b["admin"]), fresh(ratings_b["clerk"])):
        assert selectors.follow_up_for(user, fu.uuid) == fu
    assert list(selectors.appeals_pending(fresh(ratings_b["admin"]))) == [ratings_b["appeal"]]
    for user in (fresh(hall_manager), fresh(a_users["county_admin"])):
        assert fu_a in selectors.follow_ups_for(user) and fu not in selectors.follow_ups_for(user)
        assert list(selectors.appeals_pending(user)) == [ratings_b["appeal_a"]]
    platform = fresh(admin_user)
    assert {fu, fu_a} <= set(selectors.follow_ups_for(platform))
    assert {ratings_b["appeal"], ratings_b["appeal_a"]} <= set(selectors.appeals_pending(platform))
    decided = followups.appeal_decide(appeal=ratings_b["appeal_a"], actor=fresh(hall_manager), upheld=False, note="不成立")
    assert decided.status == Appeal.Status.REJECTED


def test_an_appeal_waits_for_its_own_countys_administration(ratings_b: dict[str, Any], org: dict[str, Any]) -> None:
    """B has no hall manager: its appeal is its administrator's unit's, never A's hall managers'."""
    (b_item,) = ownership.waiting_for(ratings_b["appeal"])
    assert b_item.owner is not None and b_item.owner.unit == ratings_b["root"]
    (a_item,) = ownership.waiting_for(ratings_b["appeal_a"])
    assert a_item.owner is not None and a_item.owner.unit == org["XZSP"]


def test_the_citizen_finds_their_b_rating(ratings_b: dict[str, Any], citizen: User) -> None:
    """People are province-wide: a rating given in B is in the person's own list."""
    assert ratings_b["rating"] in selectors.my_ratings(fresh(citizen))
    assert selectors.my_rating(fresh(citizen), ratings_b["rating"].uuid) == ratings_b["rating"]


def _api_calls(b: dict[str, Any]) -> list[tuple[str, str, dict[str, Any] | None]]:
    fu = f"{API}/follow-ups/{b['follow_up'].uuid}"
    return [
        ("get", fu, None),
        ("post", f"{fu}/verify", {"text": "越区核实"}),
        ("post", f"{fu}/reply", {"text": "越区反馈"}),
        ("post", f"{API}/ratings/{b['rating'].uuid}/appeal", {"reason": "越区", "evidence": "无"}),
        ("post", f"{API}/appeals/{b['appeal'].uuid}/decision", {"upheld": True, "note": "越区审核"}),
        ("post", f"{API}/pads", {"window": str(b["window"].uuid)}),
    ]


def _pages(b: dict[str, Any]) -> list[tuple[str, str, dict[str, Any] | None]]:
    fu = f"/ratings/work/{b['follow_up'].uuid}/"
    return [
        ("get", fu, None),
        ("post", fu, {"action": "verify", "note": "越区核实"}),
        ("post", fu, {"action": "appeal", "reason": "越区", "evidence": "无"}),
        ("post", f"/ratings/appeals/{b['appeal'].uuid}/decide/", {"upheld": "1", "note": "越区审核"}),
        ("post", "/ratings/pads/", {"window": str(b["window"].uuid)}),
    ]


@pytest.mark.parametrize("role", A_ROLES)
@pytest.mark.parametrize("kind", ["api", "pages"])
def test_every_operation_on_b_is_refused_and_changes_nothing(
    role: str, kind: str, ratings_b: dict[str, Any], a_users: dict[str, User]
) -> None:
    before = _b_state(ratings_b)
    assert_calls_refused(a_users[role], _api_calls(ratings_b) if kind == "api" else _pages(ratings_b), api=kind == "api")
    assert _b_state(ratings_b) == before


@pytest.mark.parametrize("role", A_ROLES)
def test_work_lists_and_appeals_leave_b_out(role: str, ratings_b: dict[str, Any], a_users: dict[str, User]) -> None:
    client = Client()
    client.force_login(a_users[role])
    marks = [str(ratings_b["follow_up"].uuid), str(ratings_b["appeal"].uuid), str(ratings_b["rating"].uuid)]
    for url in (
        "/ratings/work/",
        "/ratings/work/?show=all",
        "/ratings/appeals/",
        f"{API}/follow-ups?open_only=false",
        f"{API}/appeals",
    ):
        response = client.get(url)
        assert response.status_code in (200, 403), (role, url, response.status_code)
        assert not [m for m in marks if m in response.content.decode()], (role, url)
    if role == "hall_manager":  # the positive control: A's own follow-up and appeal are listed
        assert str(ratings_b["follow_up_a"].uuid) in client.get("/ratings/work/").content.decode()
        assert str(ratings_b["appeal_a"].uuid) in client.get(f"{API}/appeals").content.decode()
