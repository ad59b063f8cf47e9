"""Counties as tenants, delegation to townships (docs/tenancy.md): county A's staff never read or
write county B's delegation batches, delegations or supervision reviews.

County B's rows: welfare/tests/isolation_fixtures.py (`b_rows`): a draft batch of B (B's matter to
B's township) with a document, a delegation in force and a revoked one, a review of B's case. For
every townships model the `scoped` queryset of each county-A user holds no B row and B's
administrator reads exactly B's; the selectors leave B out (departments, townships, batches,
delegations, reviews, the supervision table); every API operation and staff page on B's objects
answers 403/404 and changes nothing; a batch naming B's township is refused; lists omit B's."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from onewindow.accounts.models import User
from onewindow.core.errors import NotFound
from onewindow.core.tenancy import county_lookup
from onewindow.core.tests.counties import assert_calls_refused, assert_rows_stay_in_county, fresh
from onewindow.townships import selectors, services
from onewindow.townships.models import DelegationBatch
from onewindow.welfare.tests.isolation_fixtures import B, b_state

A_USERS = ["clerk", "approver", "hall_manager", "leader", "county_admin", "township_officer", "mzj", "agent"]
MODELS = sorted(apps.get_app_config("townships").get_models(), key=lambda m: m._meta.label_lower)


def test_every_townships_model_is_scoped() -> None:
    assert [m for m in MODELS if county_lookup(m) is None] == []


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label_lower)
def test_no_a_user_reads_a_b_row_of_any_model(model: Any, b_rows: dict[str, Any], more_a_users: dict[str, User]) -> None:
    assert_rows_stay_in_county(model, more_a_users, b_rows["admin"], a_rows=False)


@pytest.mark.parametrize("role", A_USERS)
def test_selectors_leave_b_out(role: str, b_rows: dict[str, Any], more_a_users: dict[str, User]) -> None:
    user = fresh(more_a_users[role])
    assert not selectors.managed_departments(user).filter(county_id=B).exists()
    assert not selectors.townships_for(user).filter(county_id=B).exists()
    assert not selectors.delegatable_matters(user).filter(department__county_id=B).exists()
    assert b_rows["batch"] not in selectors.batches_for(user)
    assert not selectors.batch_in_remit(user, b_rows["batch"])
    assert b_rows["delegation"] not in selectors.delegations_for(user)
    assert b_rows["review"] not in selectors.reviews_for(user)
    assert b_rows["case"] not in selectors.supervised_cases(user)
    table = selectors.township_supervision(selectors.supervised_cases(user), today=datetime.date(2026, 4, 1), user=user)
    assert b_rows["town"] not in [row.township for row in table]
    for fn, arg in (
        (selectors.batch_for, b_rows["batch"].uuid),
        (selectors.delegation_for, b_rows["delegation"].uuid),
        (selectors.review_for, b_rows["review"].uuid),
    ):
        with pytest.raises(NotFound) as exc:
            fn(user, arg)
        assert exc.value.code == "not_found"


def test_b_staff_see_their_own(b_rows: dict[str, Any], admin_user: User) -> None:
    admin_b = fresh(b_rows["admin"])
    assert b_rows["batch"] in selectors.batches_for(admin_b)
    assert b_rows["delegation"] in selectors.delegations_for(admin_b)
    assert b_rows["review"] in selectors.reviews_for(admin_b)
    assert list(selectors.townships_for(admin_b)) == [b_rows["town"]]
    assert b_rows["batch"] in selectors.batches_for(fresh(admin_user))  # the platform's administrator


def test_a_batch_of_an_a_officer_is_as_and_names_no_b_township(b_rows: dict[str, Any], more_a_users: dict[str, User]) -> None:
    from onewindow.core.errors import ValidationFailed

    leader = fresh(more_a_users["leader"])
    batch = services.batch_create(
        actor=leader, title="青原区批次", legal_basis="青府发〔2026〕1号", effective_on=datetime.date(2026, 5, 1)
    )
    assert batch.county_id == "360803"
    with pytest.raises(ValidationFailed) as exc:
        services.batch_update(
            batch=batch,
            actor=leader,
            title="青原区批次",
            legal_basis="青府发〔2026〕1号",
            effective_on=datetime.date(2026, 5, 1),
            matters=[],
            townships=[b_rows["town"]],
        )
    assert exc.value.code == "other_county"
    assert not DelegationBatch.objects.get(pk=batch.pk).townships.exists()
    assert batch not in selectors.batches_for(fresh(b_rows["admin"]))


# --- API operations and pages --------------------------------------------------------------------


def _api_calls(b: dict[str, Any]) -> list[tuple[str, str, dict[str, Any] | None]]:
    t = "/api/v1/townships"
    batch = f"{t}/batches/{b['batch'].uuid}"
    body = {"title": "x", "legal_basis": "x", "effective_on": "2026-05-01", "matters": [], "townships": []}
    return [
        ("get", batch, None),
        ("put", batch, body),
        ("get", f"{batch}/documents/{b['document'].uuid}", None),
        ("delete", f"{batch}/documents/{b['document'].uuid}", None),
        ("post", f"{batch}/publish", {}),
        ("post", f"{t}/delegations/{b['delegation'].uuid}/revoke", {"reason": "x"}),
        ("post", f"{t}/reviews/{b['review'].uuid}/result", {"result": "compliant", "finding": ""}),
        ("post", f"{t}/reviews", {"department": b["zjj"].code, "count": 1}),
    ]


def _pages(b: dict[str, Any]) -> list[tuple[str, str, dict[str, Any] | None]]:
    batch = reverse("townships:batch", args=[b["batch"].uuid])
    return [
        ("get", batch, None),
        ("post", batch, {"action": "save", "title": "x", "legal_basis": "x", "effective_on": "2026-05-01"}),
        ("post", batch, {"action": "publish"}),
        ("get", reverse("townships:document", args=[b["batch"].uuid, b["document"].uuid]), None),
        ("post", reverse("townships:revoke", args=[b["delegation"].uuid]), {"reason": "x"}),
        ("get", reverse("townships:review", args=[b["review"].uuid]), None),
        ("post", reverse("townships:review", args=[b["review"].uuid]), {"result": "compliant"}),
    ]


@pytest.mark.parametrize("role", A_USERS)
@pytest.mark.parametrize("kind", ["api", "pages"])
def test_every_operation_on_b_is_refused_and_changes_nothing(
    role: str, kind: str, b_rows: dict[str, Any], more_a_users: dict[str, User]
) -> None:
    calls = _api_calls(b_rows) if kind == "api" else _pages(b_rows)
    before = b_state(b_rows)
    client = assert_calls_refused(more_a_users[role], calls, api=kind == "api")
    if kind == "api":
        upload = SimpleUploadedFile("x.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
        response = client.post(
            f"/api/v1/townships/batches/{b_rows['batch'].uuid}/documents", {"kind": "training", "file": upload}
        )
        assert response.status_code in (403, 404), (role, response.status_code)
        # a new batch naming B's township: refused (not an officer: 403; an officer: other_county)
        response = client.post(
            "/api/v1/townships/batches",
            {"title": "越区", "legal_basis": "x", "effective_on": "2026-05-01", "townships": [b_rows["town"].code]},
            content_type="application/json",
        )
        assert response.status_code in (403, 422), (role, response.status_code)
        assert not DelegationBatch.objects.filter(townships=b_rows["town"]).exclude(pk=b_rows["batch"].pk).exists()
    assert b_state(b_rows) == before


@pytest.mark.parametrize("role", A_USERS)
def test_lists_leave_b_out(role: str, b_rows: dict[str, Any], more_a_users: dict[str, User]) -> None:
    client = Client()
    client.force_login(more_a_users[role])
    marks = (b_rows["batch"].title, b_rows["town"].name, b_rows["town"].code, b_rows["case"].number)
    for url in (
        reverse("townships:batches"),
        reverse("townships:delegations"),
        reverse("townships:supervision"),
        "/api/v1/townships/batches",
        "/api/v1/townships/delegations",
        "/api/v1/townships/supervision",
        "/api/v1/townships/reviews",
    ):
        response = client.get(url)
        assert response.status_code in (200, 403), (role, url, response.status_code)
        text = response.content.decode()
        for mark in marks:
            assert mark not in text, (role, url, mark)


def test_b_admin_lists_show_b(b_rows: dict[str, Any]) -> None:
    client = Client()
    client.force_login(b_rows["admin"])
    assert b_rows["batch"].title in client.get(reverse("townships:batches")).content.decode()
    assert b_rows["town"].name in client.get(reverse("townships:supervision")).content.decode()
