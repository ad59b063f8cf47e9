"""The Django admin keeps a county's administrator in the county (accounts/admin_scope.py).

Walks the admin's registry: for every model that names a `county_lookup` and has county-B rows in
the fixture (the B tree of cases/tests/test_isolation.py), county A's system administrator's
admin queryset holds none of them and their change pages answer "does not exist"; B's administrator
sees exactly B's rows; the platform's administrator (no unit) sees both. Foreign-key choices,
autocomplete and the user list are scoped the same way."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import reverse

from onewindow.accounts.models import OrgUnit, User
from onewindow.core.tenancy import county_lookup, for_county
from onewindow.core.tests.counties import admins  # noqa: F401  (fixture)

from .test_isolation import B, county_b  # noqa: F401  (the B tree, a fixture)

SCOPED = sorted(
    (m for m in admin.site._registry if county_lookup(m) is not None),
    key=lambda m: m._meta.label_lower,
)


def _admin_qs(model: Any, user: User) -> Any:
    request = RequestFactory().get("/admin/")
    request.user = User.objects.get(pk=user.pk)  # fresh: no cached roles or county
    return admin.site._registry[model].get_queryset(request)


@pytest.mark.django_db
@pytest.mark.parametrize("model", SCOPED, ids=lambda m: m._meta.label_lower)
def test_admin_lists_hold_only_the_askers_county(model: Any, admins: dict[str, User]) -> None:  # noqa: F811
    everything = model._default_manager.all()
    b_rows = set(for_county(everything, B).values_list("pk", flat=True))
    a_sees = set(_admin_qs(model, admins["a"]).values_list("pk", flat=True))
    assert not a_sees & b_rows
    assert set(_admin_qs(model, admins["b"]).values_list("pk", flat=True)) == b_rows
    assert set(_admin_qs(model, admins["platform"]).values_list("pk", flat=True)) >= a_sees | b_rows


def test_the_fixture_reaches_most_scoped_models(admins: dict[str, User]) -> None:  # noqa: F811
    """Guard against a vacuous matrix: B's tree has rows in the admin's main county tables."""
    with_b = {m._meta.label_lower for m in SCOPED if for_county(m._default_manager.all(), B).exists()}
    assert {"accounts.orgunit", "catalog.matter", "catalog.matterversion", "cases.case", "hall.servicepoint"} <= with_b


@pytest.mark.django_db
def test_change_pages_of_another_county_do_not_exist(client: Client, admins: dict[str, User], county_b: dict[str, Any]) -> None:  # noqa: F811
    client.force_login(admins["a"])
    for obj in (county_b["matter"], county_b["point"], county_b["root"], county_b["case"]):
        opts = obj._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        r = client.get(url)
        assert r.status_code == 302 and r["Location"] == reverse("admin:index"), (url, r.status_code)
        listing = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        assert listing.status_code == 200 and "吉州区" not in listing.content.decode(), opts.label
    # B's own administrator opens them.
    client.force_login(admins["b"])
    url = reverse("admin:catalog_matter_change", args=[county_b["matter"].pk])
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_choices_and_autocomplete_hold_only_the_county(client: Client, admins: dict[str, User], org: dict[str, OrgUnit]) -> None:  # noqa: F811
    client.force_login(admins["a"])
    add = client.get(reverse("admin:hall_servicepoint_add"))
    assert add.status_code == 200
    page = add.content.decode()
    assert org["gov"].name in page and "吉州区" not in page
    found = client.get(
        "/admin/autocomplete/",
        {"app_label": "accounts", "model_name": "roleassignment", "field_name": "org_unit", "term": "吉州"},
    )
    assert found.status_code == 200 and found.json()["results"] == []
    client.force_login(admins["b"])
    found = client.get(
        "/admin/autocomplete/",
        {"app_label": "accounts", "model_name": "roleassignment", "field_name": "org_unit", "term": "吉州"},
    )
    assert len(found.json()["results"]) >= 1


@pytest.mark.django_db
def test_a_county_administrator_manages_people_and_own_staff_only(
    client: Client,
    admins: dict[str, User],  # noqa: F811
    county_b: dict[str, Any],  # noqa: F811
    citizen: User,
    clerk: User,
) -> None:
    client.force_login(admins["a"])
    request = RequestFactory().get("/admin/")
    request.user = User.objects.get(pk=admins["a"].pk)
    visible = set(admin.site._registry[User].get_queryset(request).values_list("username", flat=True))
    assert {"citizen", "clerk", "sys_qy"} <= visible
    assert not {"clerk_b", "approver_b", "admin_b", "sys_jz", "sys_province"} & visible
    r = client.get(reverse("admin:accounts_user_change", args=[county_b["clerk"].pk]))
    assert r.status_code == 302
    # Nor can the password of B's staff be set through the admin's password form.
    r = client.post(
        f"/admin/accounts/user/{county_b['clerk'].pk}/password/",
        {"password1": "Elsewhere#2026x", "password2": "Elsewhere#2026x"},
    )
    assert r.status_code == 404
    assert User.objects.get(pk=county_b["clerk"].pk).check_password("Elsewhere#2026x") is False
    # The platform's administrator sees every county's staff.
    request.user = User.objects.get(pk=admins["platform"].pk)
    assert {"clerk_b", "clerk"} <= set(admin.site._registry[User].get_queryset(request).values_list("username", flat=True))
