"""三员分立 (issue 13): the system, security and audit administrators are three accounts. No
account manages users and reads the audit log; an account given two duties is refused all of
them; the Django admin's permissions follow the duties."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from conftest import make_user
from onewindow.accounts import duties
from onewindow.accounts.checks import one_duty_per_account
from onewindow.accounts.models import Role, RoleAssignment, User
from onewindow.accounts.services import role_grant
from onewindow.core.audit import audit
from onewindow.core.errors import Conflict, PermissionDenied

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor(db: Any) -> User:
    user = make_user("auditor")
    role_grant(user=user, role=Role.AUDIT_ADMIN, actor=None)
    return User.objects.get(pk=user.pk)


@pytest.fixture
def secadmin(db: Any) -> User:
    user = make_user("secadmin")
    role_grant(user=user, role=Role.SECURITY_ADMIN, actor=None)
    return User.objects.get(pk=user.pk)


@pytest.fixture
def an_entry(admin_user: User) -> None:
    from django.db import transaction

    with transaction.atomic():
        audit(actor=admin_user, action="test.entry", target=admin_user)


def test_the_system_administrator_cannot_read_the_audit_log(client: Client, admin_user: User, an_entry: None) -> None:
    client.force_login(admin_user)
    assert client.get("/admin/accounts/user/").status_code == 200  # manages users
    assert client.get("/admin/core/auditentry/").status_code == 403
    assert "auditentry" not in client.get("/admin/").content.decode()


def test_the_audit_administrator_reads_the_log_and_nothing_else(client: Client, auditor: User, an_entry: None) -> None:
    client.force_login(auditor)
    assert auditor.is_staff
    log = client.get("/admin/core/auditentry/")
    assert log.status_code == 200 and "test.entry" in log.content.decode()
    assert client.get("/admin/core/auditentry/add/").status_code == 403
    for url in ("/admin/accounts/user/", "/admin/accounts/orgunit/", "/admin/otp_totp/totpdevice/"):
        assert client.get(url).status_code == 403, url
    assert client.get("/accounts/security/").status_code == 403


def test_the_security_administrator_has_devices_not_users_nor_the_log(client: Client, secadmin: User) -> None:
    client.force_login(secadmin)
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 200
    assert client.get("/accounts/security/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 403
    assert client.get("/admin/core/auditentry/").status_code == 403


def test_no_account_takes_a_second_duty(admin_user: User, auditor: User, secadmin: User) -> None:
    with pytest.raises(Conflict) as conflict:
        role_grant(user=auditor, role=Role.ADMIN, actor=None)
    assert conflict.value.code == "duties_conflict"
    with pytest.raises(Conflict) as conflict:
        role_grant(user=admin_user, role=Role.AUDIT_ADMIN, actor=None)  # a superuser is a system admin
    assert conflict.value.code == "duties_conflict"
    with pytest.raises(Conflict) as conflict:
        role_grant(user=secadmin, role=Role.AUDIT_ADMIN, actor=None)
    assert conflict.value.code == "duties_conflict"
    # The system administrator cannot name an auditor at all; the security administrator can.
    other = make_user("newauditor")
    with pytest.raises(PermissionDenied) as denied:
        role_grant(user=other, role=Role.AUDIT_ADMIN, actor=admin_user)
    assert denied.value.code == "permission_denied"
    role_grant(user=other, role=Role.AUDIT_ADMIN, actor=secadmin)
    assert duties.duty_of(User.objects.get(pk=other.pk)) == duties.AUDIT


def test_an_account_with_two_duties_is_refused_all(client: Client, auditor: User) -> None:
    # Past every check (a database edit): the account fails closed and the system check says so.
    RoleAssignment.objects.create(user=auditor, role=Role.ADMIN)
    auditor = User.objects.get(pk=auditor.pk)
    assert duties.duty_of(auditor) is None
    client.force_login(auditor)
    assert client.get("/admin/core/auditentry/").status_code == 403
    assert client.get("/admin/accounts/user/").status_code == 403
    errors = one_duty_per_account()
    assert [e.id for e in errors] == ["onewindow.E101"] and "auditor" in errors[0].msg


def test_admin_role_inline_refuses_duty_roles(client: Client, admin_user: User, clerk: User) -> None:
    client.force_login(admin_user)
    url = f"/admin/accounts/user/{clerk.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    existing = clerk.role_assignments.get()
    data = {
        "username": "clerk",
        "display_name": "clerk",
        "is_active": "on",
        "id_type": "",
        "phone": "",
        "email": "",
        "last_login_0": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        "role_assignments-TOTAL_FORMS": "2",
        "role_assignments-INITIAL_FORMS": "1",
        "role_assignments-MIN_NUM_FORMS": "0",
        "role_assignments-MAX_NUM_FORMS": "1000",
        "role_assignments-0-id": str(existing.pk),
        "role_assignments-0-user": str(clerk.pk),
        "role_assignments-0-role": existing.role,
        "role_assignments-0-org_unit": str(existing.org_unit_id),
        "role_assignments-1-user": str(clerk.pk),
        "role_assignments-1-role": Role.AUDIT_ADMIN,
        "role_assignments-1-org_unit": "",
    }
    response = client.post(url, data)
    assert response.status_code == 200 and "只能由安全管理员授予" in response.content.decode()
    assert not clerk.role_assignments.filter(role=Role.AUDIT_ADMIN).exists()


def test_duty_grant_command(admin_user: User) -> None:
    person = make_user("firstauditor")
    out = StringIO()
    call_command("duty_grant", "firstauditor", "audit", stdout=out)
    assert duties.duty_of(User.objects.get(pk=person.pk)) == duties.AUDIT
    with pytest.raises(CommandError):
        call_command("duty_grant", "admin", "security", stdout=out)


def test_django_groups_follow_the_duties(auditor: User) -> None:
    groups = duties.sync_groups()
    audit_perms = set(groups[duties.AUDIT].permissions.values_list("codename", flat=True))
    assert audit_perms == {"view_auditentry", "view_auditseal", "view_auditchainhead"} & audit_perms and audit_perms
    assert all(p.startswith("view_") for p in audit_perms)
    assert "change_user" in set(groups[duties.SYSTEM].permissions.values_list("codename", flat=True))
    assert "change_user" not in set(groups[duties.SECURITY].permissions.values_list("codename", flat=True))
    assert auditor.groups.filter(pk=groups[duties.AUDIT].pk).exists()


def test_demo_has_one_person_per_duty() -> None:
    from onewindow.accounts.demo import PERSONAS

    by_role = {p["role"]: p["username"] for p in PERSONAS}
    names = {by_role[Role.ADMIN], by_role[Role.SECURITY_ADMIN], by_role[Role.AUDIT_ADMIN]}
    assert len(names) == 3
