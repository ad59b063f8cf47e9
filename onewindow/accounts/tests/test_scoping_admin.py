"""Role scoping of org units, and identity numbers masked on admin pages."""

from __future__ import annotations

import pytest

from conftest import login
from onewindow.accounts.models import Role
from onewindow.accounts.selectors import units_for

pytestmark = pytest.mark.django_db


def test_approver_scoped_to_own_department(approver, org):
    units = set(units_for(approver, Role.APPROVER).values_list("code", flat=True))
    assert units == {"ZJJ"}
    assert approver.has_role(Role.APPROVER, org["ZJJ"])
    assert not approver.has_role(Role.APPROVER, org["SW"])
    assert not units_for(approver, Role.CLERK).exists()


def test_township_officer_covers_its_villages(township_officer, org):
    units = set(units_for(township_officer, Role.TOWNSHIP_OFFICER).values_list("code", flat=True))
    assert units == {"ZXZ", "ZXZ-V01"}
    assert township_officer.has_role(Role.TOWNSHIP_OFFICER, org["ZXSQ"])
    assert not township_officer.has_role(Role.TOWNSHIP_OFFICER, org["FTC"])


def test_leader_at_district_covers_everything(leader, org):
    assert units_for(leader, Role.LEADER).count() == len(org)


def test_admin_role_is_global(admin_user, org):
    assert units_for(admin_user, Role.ADMIN).count() == len(org)


def test_anonymous_and_citizens_have_no_units(citizen, org):
    from django.contrib.auth.models import AnonymousUser

    assert not units_for(AnonymousUser(), Role.APPROVER).exists()
    assert not units_for(citizen, Role.APPROVER).exists()


def test_user_admin_masks_identity_numbers(client, admin_user, citizen, enterprise_user):
    login(client, admin_user)
    for path in (
        "/admin/accounts/user/",
        f"/admin/accounts/user/{citizen.pk}/change/",
        "/admin/accounts/enterprise/",
        "/admin/accounts/orgunit/",
    ):
        r = client.get(path)
        assert r.status_code == 200, path
        body = r.content.decode()
        assert citizen.id_number not in body
        assert enterprise_user.id_number not in body
    body = client.get(f"/admin/accounts/user/{citizen.pk}/change/").content.decode()
    assert citizen.masked_id_number in body
    ent = enterprise_user.enterprise_roles.get().enterprise
    body = client.get(f"/admin/accounts/enterprise/{ent.pk}/change/").content.decode()
    assert ent.uscc not in body and ent.masked_uscc in body


def test_admin_change_form_cannot_set_identity_number(client, admin_user, citizen):
    login(client, admin_user)
    body = client.get(f"/admin/accounts/user/{citizen.pk}/change/").content.decode()
    assert 'name="id_number"' not in body


def test_admin_refused_for_staff_without_admin_flag(client, clerk):
    login(client, clerk)
    r = client.get("/admin/accounts/user/")
    assert r.status_code == 302
