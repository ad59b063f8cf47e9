"""Audit retention (issue 13): at least 6 months as a setting, a purge of older entries only by the
audit administrator's command (the chain keeps verifying), and the application's database role,
which cannot change or delete audit rows (PostgreSQL)."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.utils import timezone

from conftest import make_user
from onewindow.accounts.models import RoleAssignment
from onewindow.core.audit import audit
from onewindow.core.auditchain import seal_pending, verify
from onewindow.core.checks import audit_retention
from onewindow.core.management.commands.db_roles import role_sql
from onewindow.core.models import AuditEntry

pytestmark = pytest.mark.django_db(transaction=True)


def _entries(n: int, *, days_ago: int, everything: bool = False) -> None:
    """n entries dated `days_ago` (with `everything`, all entries so far: the fixtures' too)."""
    user = make_user(f"u{uuid.uuid4().hex[:8]}")
    with transaction.atomic():
        for _ in range(n):
            audit(actor=user, action="test.old", target=user)
    when = timezone.now() - datetime.timedelta(days=days_ago)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:  # the owner's way round the append-only trigger, as in a restore
            cur.execute("ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_append_only")
            cur.execute(
                "UPDATE core_auditentry SET at = %s WHERE %s OR (action = 'test.old' AND actor_id = %s)",
                [when, everything, user.pk],
            )
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cur.execute("ALTER TABLE core_auditentry ENABLE TRIGGER core_auditentry_append_only")
    else:
        rows = AuditEntry.objects.all() if everything else AuditEntry.objects.filter(action="test.old", actor=user)
        rows.update(at=when)


@pytest.fixture
def auditor(org: Any) -> Any:
    user = make_user("auditor")
    RoleAssignment.objects.create(user=user, role="audit_admin", org_unit=org["gov"])
    return user


def test_retention_at_least_six_months(settings: Any) -> None:
    settings.ONEWINDOW_AUDIT_RETENTION_DAYS = 90
    assert [e.id for e in audit_retention()] == ["onewindow.E024"]
    settings.ONEWINDOW_AUDIT_RETENTION_DAYS = 183
    assert audit_retention() == []


def test_purge_only_by_the_audit_administrator_and_only_old_entries(settings: Any, auditor: Any, admin_user: Any) -> None:
    settings.ONEWINDOW_AUDIT_RETENTION_DAYS = 200
    _entries(3, days_ago=400, everything=True)
    _entries(2, days_ago=10)
    old_day = (timezone.localdate() - datetime.timedelta(days=300)).isoformat()
    too_recent = (timezone.localdate() - datetime.timedelta(days=100)).isoformat()
    with pytest.raises(CommandError, match="kept 200 days"):
        call_command("purge_audit", "--before", too_recent, "--operator", "auditor")
    with pytest.raises(CommandError, match="audit_admin"):
        call_command("purge_audit", "--before", old_day, "--operator", admin_user.username)
    assert AuditEntry.objects.filter(action="test.old").count() == 5
    call_command("purge_audit", "--before", old_day, "--operator", "auditor")
    assert AuditEntry.objects.filter(action="test.old").count() == 2
    purge = AuditEntry.objects.get(action="core.audit_purged")
    assert purge.actor == auditor and purge.data["entries"] >= 3
    # The rest of the chain still verifies, also after more entries are sealed.
    _entries(1, days_ago=0)
    seal_pending(now=timezone.now() + datetime.timedelta(minutes=1))
    assert verify().broken_at is None
    call_command("audit_verify")


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_application_role_cannot_change_or_delete_audit_rows() -> None:
    suffix = uuid.uuid4().hex[:8]
    owner, app = f"ow_owner_{suffix}", f"ow_app_{suffix}"
    with transaction.atomic():
        audit(actor=None, action="test.row", target=make_user(f"t{suffix}"))
    with connection.cursor() as cur:
        for sql in role_sql(owner=owner, app=app):
            cur.execute(sql)
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [app])
            assert cur.fetchone()[0] is False

            def refused(sql: str) -> bool:
                try:
                    with transaction.atomic():
                        cur.execute(f"SET LOCAL ROLE {app}")
                        cur.execute(sql)
                except DatabaseError:
                    return True
                return False

            assert refused("UPDATE core_auditentry SET action = 'x'")
            assert refused("DELETE FROM core_auditentry")
            assert refused("TRUNCATE core_auditseal")
            assert refused("ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_append_only")
            assert refused("CREATE TABLE ow_sneaky (id int)")
            # What the application needs still works.
            assert not refused("SELECT count(*) FROM core_auditentry")
            assert not refused(
                "INSERT INTO core_auditentry (at, action, target_type, target_id, data) VALUES (now(), 'test.app', 'x', '1', '{}')"
            )
            assert not refused("UPDATE accounts_user SET display_name = display_name")
    finally:
        with connection.cursor() as cur:
            for role in (app, owner):
                cur.execute(f"DROP OWNED BY {role}")
                cur.execute(f"DROP ROLE {role}")
