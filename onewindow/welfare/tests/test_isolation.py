"""Counties as tenants, 低保 (docs/tenancy.md): county A's staff never read or write county B's
households, rolls, applications or standards.

County B's rows come from `isolation_fixtures.b_rows` (a row of every welfare model); county A's
users are the cases matrix's six (clerk, approver, hall manager, leader, the county's administrator,
the township officer) plus A's 民政局 approver and A's village agent. For every welfare model the
`scoped` queryset of each A user holds no B row and B's administrator reads exactly B's; the
register, process and money selectors leave B out; every API operation and staff page on B's
objects answers 403/404 and changes nothing of B's; the lists do not show B's household; each
county's 民政局 enters, reads and applies its own standard only."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from onewindow.accounts.models import OrgUnit, Role, User
from onewindow.accounts.tenancy import scoped
from onewindow.core.errors import NotFound, PermissionDenied
from onewindow.core.tenancy import county_lookup
from onewindow.core.tests.counties import assert_calls_refused, assert_rows_stay_in_county, fresh
from onewindow.welfare import allowance, scope, worklist
from onewindow.welfare import owners_money as money_owners
from onewindow.welfare import selectors_money as sel
from onewindow.welfare.models import Household, PaymentRoll, Standard
from onewindow.welfare.process import access
from onewindow.welfare.process import selectors as process_selectors
from onewindow.welfare.services import rolls
from onewindow.welfare.services.standards import standard_enter

from .isolation_fixtures import B, b_state

A_USERS = ["clerk", "approver", "hall_manager", "leader", "county_admin", "township_officer", "mzj", "agent"]
MODELS = sorted(
    (m for m in apps.get_app_config("welfare").get_models() if county_lookup(m) is not None), key=lambda m: m._meta.label_lower
)


def test_every_welfare_model_is_scoped() -> None:
    assert len(MODELS) == len(list(apps.get_app_config("welfare").get_models()))


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label_lower)
def test_no_a_user_reads_a_b_row_of_any_model(model: Any, b_rows: dict[str, Any], more_a_users: dict[str, User]) -> None:
    assert_rows_stay_in_county(model, more_a_users, b_rows["admin"], a_rows=False)


# --- selectors -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", A_USERS)
def test_register_process_and_money_selectors_leave_b_out(
    role: str, b_rows: dict[str, Any], more_a_users: dict[str, User]
) -> None:
    user = fresh(more_a_users[role])
    hh, town = b_rows["household"], b_rows["town"]
    assert town not in scope.townships_for(user)
    assert not scope.district_over(user, town)
    assert hh not in sel.households_for(user)
    assert hh not in access.readable_households(user)
    assert not access.handles_township(user, town)
    assert b_rows["application"] not in process_selectors.applications_for(user)
    with pytest.raises(NotFound) as exc:
        process_selectors.application_for(user, b_rows["application"].uuid)
    assert exc.value.code == "not_found"
    if scope.can_read(user):
        who = scope.reader(user)
        assert town.pk not in {t.pk for t in scope.townships_read(who)}
        assert hh not in sel.register_search(user, q="")
        assert hh not in sel.register_search(user, q="郭")
        assert hh not in sel.register_search(user, q=hh.number)
        assert hh not in sel.reviews_due(user, within_days=365)
        assert not [c for c in sel.changes_for(user) if c.household_id == hh.pk]
        assert b_rows["report"] not in sel.open_reports(user)
        assert not sel.rolls_for(user).filter(township=town).exists()
        assert not scoped(Standard.objects.all(), user).filter(county_id=B).exists()
    for fn, arg in (
        (sel.household_file, hh.uuid),
        (sel.roll_for, b_rows["waiting_roll"].uuid),
        (sel.payment_for, b_rows["payment"].uuid),
        (sel.report_for, b_rows["report"].uuid),
    ):
        with pytest.raises((NotFound, PermissionDenied)):
            fn(user, arg)
    groups = worklist.groups_for(user)
    assert not [g for g in groups if any(getattr(i, "obj", None) in (b_rows["waiting_roll"],) for i in getattr(g, "items", []))]
    assert not [w for w in money_owners.unit_items(user) if getattr(w.owner, "unit", None) in (b_rows["mzj"], town)]


def test_b_staff_read_their_own(b_rows: dict[str, Any]) -> None:
    """The positive control: B's 民政局 and township officer find B's rows through the same reads."""
    mzj_b, officer_b = fresh(b_rows["mzj_b"]), fresh(b_rows["officer_b"])
    hh = b_rows["household"]
    assert scope.district_county(mzj_b) == B
    assert scope.reader(mzj_b) == scope.Reader(True, county=B)
    assert list(scope.townships_for(mzj_b)) == [b_rows["town"]]
    assert hh in sel.households_for(mzj_b) and hh in sel.households_for(officer_b)
    assert hh in sel.register_search(mzj_b, q="郭") and hh in sel.register_search(officer_b, q=hh.number)
    assert sel.roll_for(mzj_b, b_rows["waiting_roll"].uuid) == b_rows["waiting_roll"]
    assert b_rows["application"] in process_selectors.applications_for(mzj_b)
    assert [s.pk for s in scoped(Standard.objects.all(), mzj_b)] == [b_rows["standard"].pk]
    # B's 民政局 approves B's roll (district_over): the waiting roll moves on
    rolls.roll_approve_district(roll=b_rows["waiting_roll"], actor=mzj_b)
    assert PaymentRoll.objects.get(pk=b_rows["waiting_roll"].pk).status == PaymentRoll.Status.DISTRICT_APPROVED


def test_a_district_cannot_act_on_b_rolls(b_rows: dict[str, Any], more_a_users: dict[str, User]) -> None:
    mzj_a = fresh(more_a_users["mzj"])
    before = b_state(b_rows)
    for fn in (rolls.roll_approve_district, rolls.roll_freeze):
        with pytest.raises(PermissionDenied) as exc:
            fn(roll=b_rows["waiting_roll"], actor=mzj_a)
        assert exc.value.code == "permission_denied"
    with pytest.raises(PermissionDenied) as exc:
        rolls.roll_return(roll=b_rows["waiting_roll"], actor=mzj_a, reason="越区退回")
    assert exc.value.code == "permission_denied"
    assert b_state(b_rows) == before


# --- standards per county ------------------------------------------------------------------------


def test_standards_are_the_countys_own(b_rows: dict[str, Any], more_a_users: dict[str, User]) -> None:
    """A's 民政局 enters A's standard (B's stays as it was, and B's household is not recomputed);
    each county's households take their own county's standard."""
    mzj_a = fresh(more_a_users["mzj"])
    year = b_rows["standard"].year
    before = b_state(b_rows)
    a_standard, _done = standard_enter(
        actor=mzj_a, year=year, area_kind="rural", monthly_fen=66000, effective_from=datetime.date(year, 1, 1)
    )
    assert a_standard.county_id == "360803"
    assert b_state(b_rows) == before
    assert Standard.objects.get(pk=b_rows["standard"].pk).monthly_fen == 70000
    on = datetime.date(year, 6, 1)
    hh = Household.objects.get(pk=b_rows["household"].pk)
    assert allowance.standard_for(county=allowance.county_of(hh), area_kind="rural", on=on).monthly_fen == 70000
    hh_fresh = Household.objects.select_related("township").get(pk=hh.pk)
    assert allowance.standard_for(county=allowance.county_of(hh_fresh), area_kind="rural", on=on).monthly_fen == 70000
    assert allowance.standard_for(county="360803", area_kind="rural", on=on).monthly_fen == 66000
    # B's 民政局 changes B's standard only
    b_standard, _done = standard_enter(
        actor=fresh(b_rows["mzj_b"]), year=year, area_kind="rural", monthly_fen=72000, effective_from=datetime.date(year, 1, 1)
    )
    assert b_standard.pk == b_rows["standard"].pk and b_standard.county_id == B
    assert Standard.objects.get(pk=a_standard.pk).monthly_fen == 66000


def test_nobody_else_enters_a_standard(b_rows: dict[str, Any], more_a_users: dict[str, User]) -> None:
    for role in ("county_admin", "township_officer", "leader"):
        with pytest.raises(PermissionDenied) as exc:
            standard_enter(
                actor=fresh(more_a_users[role]),
                year=2026,
                area_kind="rural",
                monthly_fen=1000,
                effective_from=datetime.date(2026, 1, 1),
            )
        assert exc.value.code == "permission_denied"
    assert not Standard.objects.filter(monthly_fen=1000).exists()


# --- API operations and pages --------------------------------------------------------------------


def _api_calls(b: dict[str, Any]) -> list[tuple[str, str, dict[str, Any] | None]]:
    w = "/api/v1/welfare"
    h, r, f = b["household"].uuid, b["waiting_roll"].uuid, b["frozen_roll"].uuid
    a = f"{w}/process/applications/{b['application'].uuid}"
    month = "2026-03-01"
    return [
        ("get", f"{w}/households/{h}", None),
        ("post", f"{w}/households/{h}/amount", {"new_amount_fen": 1000, "reason": "x"}),
        ("post", f"{w}/households/{h}/suspend", {"reason": "x"}),
        ("post", f"{w}/households/{h}/resume", {"reason": "x"}),
        ("post", f"{w}/households/{h}/exit", {"end_reason": "voluntary", "reason": "x"}),
        ("post", f"{w}/households/{h}/reports", {"source": "village", "description": "x"}),
        ("post", f"{w}/reports/{b['report'].uuid}/close", {"outcome": "x"}),
        ("post", f"{w}/households/{h}/reviews", {"findings": "x", "outcome": "unchanged"}),
        ("post", f"{w}/rolls", {"township": b["town"].code, "month": month}),
        ("get", f"{w}/rolls/{r}", None),
        ("post", f"{w}/rolls/{r}/check", {}),
        ("post", f"{w}/rolls/{r}/approve-township", {}),
        ("post", f"{w}/rolls/{r}/approve-district", {}),
        ("post", f"{w}/rolls/{r}/return", {"outcome": "x"}),
        ("post", f"{w}/rolls/{r}/freeze", {}),
        ("get", f"{w}/rolls/{f}/payments", None),
        ("post", f"{w}/rolls/{f}/results", {"paid_on": month, "failed": []}),
        ("get", f"{w}/rolls/{f}/bank.csv", None),
        ("get", f"{w}/rolls/{f}/bank-returns", None),
        ("post", f"{w}/payments/{b['payment'].uuid}/reissue", {}),
        ("get", a, None),
        ("post", f"{a}/accept", {}),
        ("form", f"{a}/visits", {"visited_on": month, "visitors": "x", "findings": "x"}),
        ("get", f"{a}/visits/{b['visit'].uuid}/photos/0", None),
        ("get", f"{a}/documents/certificate", None),
        ("post", f"{a}/appraisals", {"held_on": month, "participants": 3, "in_favour": 3, "summary": "x"}),
        ("post", f"{a}/cross-checks", {}),
        ("post", f"{a}/propose", {"comment": ""}),
        ("post", f"{a}/refuse", {"reasons": "x"}),
        ("post", f"{a}/confirm", {"comment": ""}),
        ("post", f"{a}/extend", {"days": 5, "reason": "x"}),
    ]


def _pages(b: dict[str, Any]) -> list[tuple[str, str, dict[str, Any] | None]]:
    h, r, f, a = b["household"].uuid, b["waiting_roll"].uuid, b["frozen_roll"].uuid, b["application"].uuid
    return [
        ("get", reverse("welfare:household", args=[h]), None),
        ("post", reverse("welfare:household", args=[h]), {"action": "suspend", "reason": "x"}),
        ("get", reverse("welfare:roll", args=[r]), None),
        ("post", reverse("welfare:roll", args=[r]), {"action": "approve_district"}),
        ("post", reverse("welfare:roll", args=[r]), {"action": "freeze"}),
        ("get", reverse("welfare:bank_file", args=[f, "csv"]), None),
        ("get", reverse("welfare:application", args=[a]), None),
        ("post", reverse("welfare:application_action", args=[a, "propose"]), {"comment": ""}),
        ("post", reverse("welfare:application_action", args=[a, "confirm"]), {}),
        ("get", reverse("welfare:document", args=[a, "certificate"]), None),
        ("get", reverse("welfare:visit_photo", args=[a, b["visit"].uuid, 0]), None),
    ]


@pytest.mark.parametrize("role", A_USERS)
@pytest.mark.parametrize("kind", ["api", "pages"])
def test_every_operation_on_b_is_refused_and_changes_nothing(
    role: str, kind: str, b_rows: dict[str, Any], more_a_users: dict[str, User]
) -> None:
    calls = _api_calls(b_rows) if kind == "api" else _pages(b_rows)
    before = b_state(b_rows)
    assert_calls_refused(more_a_users[role], calls, api=kind == "api")
    assert b_state(b_rows) == before


@pytest.mark.parametrize("role", A_USERS)
def test_lists_leave_b_out(role: str, b_rows: dict[str, Any], more_a_users: dict[str, User]) -> None:
    client = Client()
    client.force_login(more_a_users[role])
    hh, town = b_rows["household"], b_rows["town"]
    for url in (
        reverse("welfare:register") + "?q=郭",
        reverse("welfare:register") + f"?q={hh.number}",
        reverse("welfare:rolls"),
        reverse("welfare:reviews"),
        reverse("welfare:changes"),
        reverse("welfare:exits"),
        reverse("welfare:standards"),
        reverse("welfare:work"),
        "/api/v1/welfare/register?q=郭",
        "/api/v1/welfare/rolls",
        "/api/v1/welfare/reports",
        "/api/v1/welfare/reviews/due",
        "/api/v1/welfare/changes",
        "/api/v1/welfare/standards",
        "/api/v1/welfare/process/applications",
    ):
        response = client.get(url)
        assert response.status_code in (200, 403), (role, url, response.status_code)
        text = response.content.decode()
        for echo in (f"q={hh.number}", f"q%3D{hh.number}", f'value="{hh.number}"'):  # the query's echo, the picker's link
            text = text.replace(echo, "")
        for mark in (hh.number, str(hh.uuid), "郭吉州", town.name, "70000", "700.00"):
            assert mark not in text, (role, url, mark)


def test_b_mzj_lists_show_b(b_rows: dict[str, Any]) -> None:
    client = Client()
    client.force_login(b_rows["mzj_b"])
    assert b_rows["household"].number in client.get(reverse("welfare:register") + "?q=郭").content.decode()
    assert b_rows["town"].name in client.get(reverse("welfare:rolls")).content.decode()
    items = client.get("/api/v1/welfare/standards").json()["items"]
    assert [i["monthly_fen"] for i in items] == [70000]


def test_b_departments_code_names_its_county(b_rows: dict[str, Any]) -> None:
    """Both counties' 民政局 are coded `MZJ` (unit codes are unique per county): each county's is
    found by county and code; an approver of B's other departments is nobody's 民政局."""
    assert b_rows["mzj"].code == "MZJ"
    assert scope.department_of(B) == b_rows["mzj"]
    assert scope.department_of("360803") == OrgUnit.objects.get(county_id="360803", code="MZJ")
    assert scope.district_county(fresh(b_rows["mzj_b"])) == B
    assert scope.district_county(fresh(b_rows["approver"])) is None
    assert Role.APPROVER in {r.role for r in b_rows["mzj_b"].role_assignments.all()}
