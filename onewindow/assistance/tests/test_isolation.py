"""Counties as tenants, the agent service (docs/tenancy.md): county A's staff never read or write
county B's agent points, mandates, applications, forwardings, ledger or hand-over batches.

County B's rows: welfare/tests/isolation_fixtures.py (`b_rows`). For every assistance model the
`scoped` queryset of each county-A user holds no B row and B's administrator reads exactly B's; the
selectors (overseen points, batches, forwardings, applications, ledger entries) leave B out; every
API operation and staff page on B's objects answers 403/404 (the two forms that answer with a
redirect and a message leave B unchanged); the lists do not show B's point; an A agent cannot
mandate or apply for a B matter (`other_county`)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from onewindow.accounts.models import OrgUnit, User
from onewindow.assistance import access, selectors, services
from onewindow.assistance.models import AgentPoint, Mandate
from onewindow.core.errors import NotFound, PermissionDenied
from onewindow.core.tenancy import county_lookup
from onewindow.core.tests.counties import assert_calls_refused, assert_rows_stay_in_county, fresh
from onewindow.welfare.tests.isolation_fixtures import B, b_state

from .conftest import signature_png

A_USERS = ["clerk", "approver", "hall_manager", "leader", "county_admin", "township_officer", "mzj", "agent"]
MODELS = sorted(apps.get_app_config("assistance").get_models(), key=lambda m: m._meta.label_lower)


def test_every_assistance_model_is_scoped() -> None:
    assert [m for m in MODELS if county_lookup(m) is None] == []


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label_lower)
def test_no_a_user_reads_a_b_row_of_any_model(model: Any, b_rows: dict[str, Any], more_a_users: dict[str, User]) -> None:
    assert_rows_stay_in_county(model, more_a_users, b_rows["admin"], a_rows=False)


@pytest.mark.parametrize("role", A_USERS)
def test_selectors_leave_b_out(role: str, b_rows: dict[str, Any], more_a_users: dict[str, User]) -> None:
    user = fresh(more_a_users[role])
    point = b_rows["agent_point"]
    assert point not in access.overseen_points(user)
    assert point not in access.agent_points(user)
    assert not access.is_agent_of(user, point)
    assert not access.can_receive_for(user, b_rows["zjj"])
    assert b_rows["handover"] not in selectors.batches_for(user)
    assert b_rows["forwarding"] not in selectors.late_forwardings(user)
    assert b_rows["forwarding"] not in selectors.to_sign_for(user)
    assert point not in [r["point"] for r in selectors.township_points(user)]
    for fn, arg in (
        (selectors.application_for, b_rows["agent_application"].uuid),
        (selectors.entry_for, b_rows["entry"].uuid),
        (selectors.mandate_for_agent, b_rows["mandate"].uuid),
    ):
        with pytest.raises(NotFound) as exc:
            fn(user, arg)
        assert exc.value.code == "not_found"


def test_b_staff_see_their_own(b_rows: dict[str, Any]) -> None:
    admin_b, agent_b = fresh(b_rows["admin"]), fresh(b_rows["agent_b"])
    assert b_rows["agent_point"] in access.overseen_points(admin_b)
    assert b_rows["handover"] in selectors.batches_for(admin_b)
    assert b_rows["forwarding"] in selectors.late_forwardings(admin_b)
    assert selectors.application_for(agent_b, b_rows["agent_application"].uuid) == b_rows["agent_application"]
    assert selectors.entry_for(admin_b, b_rows["entry"].uuid) == b_rows["entry"]


def test_platform_admin_sees_every_county(b_rows: dict[str, Any], admin_user: User) -> None:
    assert b_rows["agent_point"] in access.overseen_points(fresh(admin_user))


def test_an_a_administrator_cannot_revoke_a_b_mandate(b_rows: dict[str, Any], more_a_users: dict[str, User]) -> None:
    with pytest.raises(PermissionDenied) as exc:
        services.mandate_revoke(actor=fresh(more_a_users["county_admin"]), mandate=b_rows["mandate"], reason="越区")
    assert exc.value.code == "permission_denied"
    assert Mandate.objects.get(pk=b_rows["mandate"].pk).status == Mandate.Status.ACTIVE


def test_an_a_point_offers_and_takes_only_its_countys_matters(b_rows: dict[str, Any], more_a_users: dict[str, User]) -> None:
    """A's agent: B's matter is not in the point's list, and a mandate naming it is refused."""
    from onewindow.accounts.demo import resident_id

    from .conftest import make_matter

    agent = fresh(more_a_users["agent"])
    point = access.point_of(agent)
    assert point is not None
    b_matter = b_rows["matter"]
    # B's matter made agent-eligible (a published version is immutable through the model)
    type(b_matter.current_version).objects.filter(pk=b_matter.current_version_id).update(agent_eligible=True)
    b_matter.refresh_from_db()
    own = make_matter("360803-ZJJ-GG-0901", "本区可代办事项", OrgUnit.objects.get(code="ZJJ"))
    from onewindow.assistance.views import eligible_matters

    listed = set(eligible_matters(point).values_list("pk", flat=True))
    assert own.pk in listed and b_matter.pk not in listed
    resident = services.resident_find_or_register(actor=agent, id_number=resident_id("19800101", 333), display_name="王五")
    today = datetime.date(2026, 4, 1)
    with pytest.raises(PermissionDenied) as exc:
        services.mandate_record(
            actor=agent,
            point=point,
            resident=resident,
            all_eligible=False,
            matters=[b_matter],
            valid_from=today,
            valid_until=today + datetime.timedelta(days=30),
            method=Mandate.Method.ON_SCREEN,
            id_checked=True,
            signature=signature_png(),
        )
    assert exc.value.code == "other_county"
    assert not Mandate.objects.filter(resident=resident).exists()


# --- API operations and pages --------------------------------------------------------------------


def _api_calls(b: dict[str, Any]) -> list[tuple[str, str, dict[str, Any] | None]]:
    s = "/api/v1/assistance"
    a, m = f"{s}/applications/{b['agent_application'].uuid}", f"{s}/mandates/{b['mandate'].uuid}"
    return [
        ("get", a, None),
        ("post", f"{a}/forward", {"carrier": "x"}),
        ("post", f"{a}/deliver", {"receiver_name": "x", "signature": "data:image/png;base64,AAAA"}),
        ("post", f"{a}/follow-up", {"method": "phone", "satisfaction": 5}),
        ("post", f"{s}/forwardings/{b['forwarding'].uuid}/receive", {}),
        ("get", m, None),
        ("post", f"{m}/confirm", {"text_sha256": "0" * 64}),
        ("post", f"{m}/countersign", {"countersigner_name": "x", "signature": "data:image/png;base64,AAAA"}),
        ("post", f"{m}/revoke", {"reason": "x"}),
        ("get", f"{s}/collections/{b['entry'].uuid}/receipt", None),
        ("post", f"{s}/collections/{b['entry'].uuid}/reverse", {"reason": "x"}),
        ("post", f"{s}/batches/{b['handover'].uuid}/hand-over", {}),
        (
            "post",
            f"{s}/collections",
            {"mandate": str(b["mandate"].uuid), "kind": "medical", "method": "cash", "amount": "1", "period": "2026"},
        ),
        ("post", f"{s}/cases", {"mandate": str(b["mandate"].uuid), "matter": str(b["matter"].uuid)}),
    ]


def _pages(b: dict[str, Any]) -> list[tuple[str, str, dict[str, Any] | None]]:
    app, m = b["agent_application"].uuid, b["mandate"].uuid
    return [
        ("get", reverse("assistance:application", args=[app]), None),
        ("post", reverse("assistance:application", args=[app]), {"action": "follow_up", "method": "phone", "satisfaction": "5"}),
        ("get", reverse("assistance:mandate", args=[m]), None),
        ("get", reverse("assistance:mandate_file", args=[m, "signature"]), None),
        ("get", reverse("assistance:receipt", args=[b["entry"].uuid]), None),
        ("get", reverse("assistance:my_mandate", args=[m]), None),
    ]


@pytest.mark.parametrize("role", A_USERS)
@pytest.mark.parametrize("kind", ["api", "pages"])
def test_every_operation_on_b_is_refused_and_changes_nothing(
    role: str, kind: str, b_rows: dict[str, Any], more_a_users: dict[str, User]
) -> None:
    calls = _api_calls(b_rows) if kind == "api" else _pages(b_rows)
    before = b_state(b_rows)
    client = assert_calls_refused(more_a_users[role], calls, api=kind == "api")
    # The two list pages whose forms answer with a message and a redirect: nothing of B moves.
    for url, body in (
        (reverse("assistance:incoming"), {"forwarding": str(b_rows["forwarding"].uuid)}),
        (reverse("assistance:batches"), {"action": "hand_over", "batch": str(b_rows["handover"].uuid)}),
    ):
        assert client.post(url, body).status_code in (302, 403, 404)
    assert b_state(b_rows) == before


@pytest.mark.parametrize("role", A_USERS)
def test_lists_leave_b_out(role: str, b_rows: dict[str, Any], more_a_users: dict[str, User]) -> None:
    client = Client()
    client.force_login(more_a_users[role])
    marks = (b_rows["agent_point"].name, b_rows["mandate"].number, b_rows["entry"].number, b_rows["handover"].number)
    for url in (
        reverse("assistance:township"),
        reverse("assistance:incoming"),
        reverse("assistance:batches"),
        reverse("assistance:reconciliation") + "?start=2026-01-01&end=2026-12-31",
        "/api/v1/assistance/township",
        "/api/v1/assistance/forwardings",
        "/api/v1/assistance/batches",
        "/api/v1/assistance/mandates",
        "/api/v1/assistance/reconciliation?start=2026-01-01&end=2026-12-31",
    ):
        response = client.get(url)
        assert response.status_code in (200, 403, 404), (role, url, response.status_code)
        text = response.content.decode()
        for mark in marks:
            assert mark not in text, (role, url, mark)


def test_b_admin_lists_show_b(b_rows: dict[str, Any]) -> None:
    client = Client()
    client.force_login(b_rows["admin"])
    assert b_rows["agent_point"].name in client.get(reverse("assistance:township")).content.decode()
    assert b_rows["handover"].number in client.get(reverse("assistance:batches")).content.decode()
    assert AgentPoint.objects.filter(village__county_id=B).count() == 1
