"""Counties as tenants (docs/tenancy.md), filings: county A's staff never read, check or clear
county B's filings.

County B (onewindow/core/tests/counties.py) gets a filing matter of its 住建局 and two filings of
the enterprise: one active, one found false by B's approver (revoked, a breach). County A gets the
same (its filing matter, a consistent check and a false one by A's administrator), so "B's
administrator sees exactly B's" is not read off an empty county A. Every county-A user runs over
the filings models (their `scoped` queryset), the selectors and services, every staff API operation
and page on B's rows: 403/404, B's lists leave B out, and B's rows stay as they were. The bar of a
breach follows the enterprise into every county (people and enterprises are province-wide)."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.apps import apps
from django.test import Client

from onewindow.accounts.models import User
from onewindow.catalog.models import MatterVersion
from onewindow.core.errors import NotFound, PermissionDenied
from onewindow.core.tenancy import county_lookup
from onewindow.core.tests.counties import A_ROLES, B, a_users, assert_calls_refused, assert_rows_stay_in_county, county_b, fresh
from onewindow.filings import selectors, services
from onewindow.filings.models import CommitmentBreach, Filing, SpotCheck
from onewindow.portal.testing import COMMITMENT, make_online_matter

__all__ = ["a_users", "county_b"]  # the shared fixtures, used here by name

pytestmark = pytest.mark.django_db
HASH = hashlib.sha256(COMMITMENT.encode()).hexdigest()
API = "/api/v1/filings"
FILING_MODELS = sorted(
    (m for m in apps.get_app_config("filings").get_models() if county_lookup(m) is not None),
    key=lambda m: m._meta.label_lower,
)


def _sign(matter: Any, user: User) -> Filing:
    return services.filing_sign(
        applicant=user,
        matter=matter,
        enterprise=user.enterprise_roles.get().enterprise,
        signer_name=user.display_name,
        signer_id_number=user.id_number,
        text_sha256=HASH,
    )


@pytest.fixture
def filings_b(county_b: dict[str, Any], a_users: dict[str, User], filing_matter: Any, enterprise_user: User) -> dict[str, Any]:
    matter_b = make_online_matter(
        county_b["zjj"],
        code=f"{B}-JZZJJ-BA-0001",
        name="吉州区企业复工经营备案",
        audience="enterprise",
        kind=MatterVersion.Kind.FILING,
        form_schema=[],
        commitment_text=COMMITMENT,
    )
    active, false_b, active_a, false_a = (_sign(m, enterprise_user) for m in (matter_b, matter_b, filing_matter, filing_matter))
    services.spot_check_record(filing=false_b, inspector=fresh(county_b["approver"]), result="false", note="吉州区现场核查：不实")
    admin_a = fresh(a_users["county_admin"])
    services.spot_check_record(filing=active_a, inspector=admin_a, result="consistent")
    services.spot_check_record(filing=false_a, inspector=admin_a, result="false", note="青原区现场核查：不实")
    return {
        **county_b,
        "matter_b": matter_b,
        "filing": active,
        "revoked": Filing.objects.get(pk=false_b.pk),
        "breach": CommitmentBreach.objects.get(filing=false_b),
        "filing_a": active_a,
        "breach_a": CommitmentBreach.objects.get(filing=false_a),
    }


def _b_state(b: dict[str, Any]) -> list[Any]:
    rows = Filing.objects.filter(department__county=B).order_by("pk")
    return [
        list(rows.values_list("pk", "status", "revoked_at", "updated_at")),
        list(SpotCheck.objects.filter(filing__in=rows).order_by("pk").values_list("pk", "result")),
        list(CommitmentBreach.objects.filter(filing__in=rows).order_by("pk").values_list("pk", "cleared_at", "cleared_by_id")),
    ]


@pytest.mark.parametrize("model", FILING_MODELS, ids=lambda m: m._meta.label_lower)
def test_no_a_user_reads_a_b_row(model: Any, filings_b: dict[str, Any], a_users: dict[str, User]) -> None:
    assert_rows_stay_in_county(model, a_users, filings_b["admin"])


@pytest.mark.parametrize("role", A_ROLES)
def test_selectors_and_services_leave_b_out(role: str, filings_b: dict[str, Any], a_users: dict[str, User]) -> None:
    user, filing, breach = fresh(a_users[role]), filings_b["filing"], filings_b["breach"]
    before = _b_state(filings_b)
    assert not selectors.staff_filings(user).filter(department__county=B).exists()
    assert not selectors.breaches_for_admin(user).filter(filing__department__county=B).exists()
    with pytest.raises(NotFound) as found:
        selectors.filing_for(user, filing.uuid)
    assert found.value.code == "not_found"
    with pytest.raises(PermissionDenied) as denied:
        services.spot_check_record(filing=filing, inspector=user, result="false", note="越区核查")
    assert denied.value.code == "permission_denied"
    with pytest.raises(PermissionDenied) as denied:
        services.breach_clear(breach=breach, actor=user, reason="越区解除")
    assert denied.value.code == "permission_denied"
    assert _b_state(filings_b) == before


def test_b_and_a_administrators_see_their_own(filings_b: dict[str, Any], a_users: dict[str, User], admin_user: User) -> None:
    """The positive controls: each county's administrator reads and clears their own county's
    rows; the platform's administrator reads every county's."""
    admin_b, admin_a = fresh(filings_b["admin"]), fresh(a_users["county_admin"])
    assert set(selectors.staff_filings(admin_b)) == set(Filing.objects.filter(department__county=B))
    assert list(selectors.breaches_for_admin(admin_b)) == [filings_b["breach"]]
    assert list(selectors.breaches_for_admin(admin_a)) == [filings_b["breach_a"]]
    assert selectors.filing_for(fresh(filings_b["approver"]), filings_b["filing"].uuid) == filings_b["filing"]
    platform = fresh(admin_user)
    assert {filings_b["breach"], filings_b["breach_a"]} <= set(selectors.breaches_for_admin(platform))
    services.breach_clear(breach=filings_b["breach"], actor=admin_b, reason="已整改并复查合格")
    assert CommitmentBreach.objects.get(pk=filings_b["breach"].pk).cleared_by_id == admin_b.pk


def test_the_enterprise_finds_its_filings_and_its_bar_follows_it(filings_b: dict[str, Any], enterprise_user: User) -> None:
    """Enterprises are province-wide: their B filings are in their own list, and a false
    commitment recorded in B bars filing on commitment in A until someone clears it."""
    user = fresh(enterprise_user)
    mine = set(selectors.my_filings(user))
    assert {filings_b["filing"], filings_b["revoked"], filings_b["filing_a"]} <= mine
    assert selectors.open_breach(enterprise=user.enterprise_roles.get().enterprise) is not None


def _api_calls(b: dict[str, Any]) -> list[tuple[str, str, dict[str, Any] | None]]:
    f = f"{API}/filings/{b['filing'].uuid}"
    return [
        ("get", f, None),
        ("get", f"{f}/certificate", None),
        ("post", f"{f}/spot-checks", {"result": "false", "note": "越区核查"}),
        ("post", f"{API}/breaches/{b['breach'].uuid}/clear", {"reason": "越区解除"}),
    ]


def _pages(b: dict[str, Any]) -> list[tuple[str, str, dict[str, Any] | None]]:
    f = b["filing"].uuid
    return [
        ("get", f"/filings/{f}/", None),
        ("get", f"/filings/{f}/certificate.pdf", None),
        ("get", f"/filings/staff/{f}/", None),
        ("post", f"/filings/staff/{f}/", {"result": "false", "note": "越区核查"}),
        ("post", f"/filings/breaches/{b['breach'].uuid}/clear/", {"reason": "越区解除"}),
    ]


@pytest.mark.parametrize("role", A_ROLES)
@pytest.mark.parametrize("kind", ["api", "pages"])
def test_every_operation_on_b_is_refused_and_changes_nothing(
    role: str, kind: str, filings_b: dict[str, Any], a_users: dict[str, User]
) -> None:
    before = _b_state(filings_b)
    assert_calls_refused(a_users[role], _api_calls(filings_b) if kind == "api" else _pages(filings_b), api=kind == "api")
    assert _b_state(filings_b) == before


@pytest.mark.parametrize("role", A_ROLES)
def test_staff_lists_leave_b_out(role: str, filings_b: dict[str, Any], a_users: dict[str, User]) -> None:
    client = Client()
    client.force_login(a_users[role])
    numbers = [filings_b["filing"].number, filings_b["revoked"].number]
    for url in ("/filings/staff/", "/filings/staff/?q=BA", "/filings/breaches/"):
        response = client.get(url)
        assert response.status_code in (200, 403)
        assert not [n for n in numbers if n in response.content.decode()], (role, url)
    if role == "county_admin":  # the positive control: A's own filing is listed
        assert filings_b["filing_a"].number in client.get("/filings/staff/").content.decode()
