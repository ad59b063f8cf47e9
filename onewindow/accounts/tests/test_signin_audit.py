"""Failed sign-ins and sign-outs are audit entries (issue 13, 安全审计)."""

from __future__ import annotations

import pytest
from django.test import Client

from onewindow.accounts.models import User
from onewindow.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_failed_sign_in_is_audited_on_every_path(client: Client, citizen: User) -> None:
    client.post("/accounts/login/", {"username": "citizen", "password": "wrong"})
    client.post("/admin/login/", {"username": "citizen", "password": "wrong-again"})
    rows = AuditEntry.objects.filter(action="user.login_failed", target_id=str(getattr(citizen, "uuid", None) or citizen.pk))
    assert rows.count() == 2
    assert all("wrong" not in str(r.data) for r in rows)


def test_unknown_name_recorded_as_unknown_not_as_typed(client: Client) -> None:
    client.post("/accounts/login/", {"username": "Secret-Passw0rd!", "password": "x"})
    row = AuditEntry.objects.get(action="user.login_failed")
    assert row.target_id == "unknown" and "Secret" not in str(row.data)


def test_logout_is_audited(client: Client, citizen: User) -> None:
    client.force_login(citizen)
    client.post("/accounts/logout/")
    row = AuditEntry.objects.get(action="user.logout")
    assert row.actor == citizen and row.data["reason"] == "user"
