"""The audit log's hash chain: sealing, verification, tamper detection, the database refusing
changes (PostgreSQL), and two sealers at once."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from onewindow.core import auditchain
from onewindow.core.models import AuditChainHead, AuditEntry, AuditSeal
from onewindow.core.testing import run_concurrently

pytestmark = pytest.mark.django_db
LATER = datetime.timedelta(minutes=1)
on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL triggers")


def _entries(n: int, **data: Any) -> list[AuditEntry]:
    return [
        AuditEntry.objects.create(action="test.act", target_type="x.y", target_id=str(i), data={"i": i, **data}) for i in range(n)
    ]


def _raw(sql: str, params: list[Any]) -> None:
    """Change rows behind the application's back, as someone with the owner's rights would."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET session_replication_role = replica")  # a superuser's way past triggers
        cur.execute(sql, params)
        if connection.vendor == "postgresql":
            cur.execute("SET session_replication_role = origin")


def test_entries_are_sealed_once_settled_and_the_chain_holds() -> None:
    _entries(5)
    assert auditchain.seal_pending() == 0  # too fresh: a transaction may still commit below them
    assert auditchain.seal_pending(now=timezone.now() + LATER) == 5
    assert auditchain.seal_pending(now=timezone.now() + LATER) == 0  # each entry once
    _entries(2)
    assert auditchain.seal_pending(now=timezone.now() + LATER) == 2
    assert list(AuditSeal.objects.order_by("seq").values_list("seq", flat=True)) == [1, 2, 3, 4, 5, 6, 7]
    assert auditchain.verify() == auditchain.Verdict(7, None)
    head = AuditChainHead.objects.get()
    assert head.last_seq == 7 and head.last_digest == AuditSeal.objects.get(seq=7).digest


def test_a_changed_entry_breaks_the_chain_from_its_link() -> None:
    entries = _entries(6)
    auditchain.seal_pending(now=timezone.now() + LATER)
    _raw("UPDATE core_auditentry SET data = %s WHERE id = %s", ['{"i": 99}', entries[3].pk])
    verdict = auditchain.verify()
    assert verdict.broken_at == AuditSeal.objects.get(entry_id=entries[3].pk).seq and verdict.checked == 3


def test_a_removed_entry_and_its_seal_leave_a_gap() -> None:
    entries = _entries(4)
    auditchain.seal_pending(now=timezone.now() + LATER)
    seal = AuditSeal.objects.get(entry_id=entries[1].pk)
    _raw("DELETE FROM core_auditseal WHERE id = %s", [seal.pk])
    _raw("DELETE FROM core_auditentry WHERE id = %s", [entries[1].pk])
    assert auditchain.verify() == auditchain.Verdict(1, seal.seq, "missing link")


def test_a_rewritten_seal_is_found() -> None:
    _entries(3)
    auditchain.seal_pending(now=timezone.now() + LATER)
    _raw("UPDATE core_auditseal SET digest = %s WHERE seq = 2", ["f" * 64])
    assert auditchain.verify().broken_at == 2


def test_the_sweep_reports_a_break_and_clears_it_after_a_clean_pass(caplog: Any) -> None:
    entries = _entries(3)
    auditchain.seal_pending(now=timezone.now() + LATER)
    auditchain.seal_and_verify()
    head = AuditChainHead.objects.get()
    assert head.broken_at is None and head.verified_upto == 3
    original = entries[0].data
    _raw("UPDATE core_auditentry SET action = %s WHERE id = %s", ["forged", entries[0].pk])
    # The rolling cursor wraps round to link 1 once it reached the head.
    auditchain.seal_and_verify()
    assert AuditChainHead.objects.get().broken_at == 1
    assert "audit chain broken at link 1" in caplog.text
    _raw("UPDATE core_auditentry SET action = %s WHERE id = %s", ["test.act", entries[0].pk])
    assert original == {"i": 0}
    auditchain.seal_and_verify()
    assert AuditChainHead.objects.get().broken_at is None


@on_postgres
def test_the_database_refuses_to_change_or_delete_audit_rows() -> None:
    entry = _entries(1)[0]
    auditchain.seal_pending(now=timezone.now() + LATER)
    for attempt in (
        lambda: AuditEntry.objects.filter(pk=entry.pk).update(action="forged"),
        lambda: AuditSeal.objects.all().delete(),
        lambda: AuditSeal.objects.update(digest="0" * 64),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            attempt()
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.act"


@pytest.mark.django_db(transaction=True)
def test_two_sealers_at_once_make_one_chain() -> None:
    _entries(40)
    results = run_concurrently(lambda i: auditchain.seal_pending(now=timezone.now() + LATER, batch=7), 6)
    assert not [r for r in results if isinstance(r, BaseException)], results
    while auditchain.seal_pending(now=timezone.now() + LATER):
        pass
    assert AuditSeal.objects.count() == 40
    assert auditchain.verify() == auditchain.Verdict(40, None)


def test_the_command_verifies_and_fails_on_a_break() -> None:
    from django.core.management import CommandError, call_command

    entries = _entries(2)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(auditchain, "SETTLE", datetime.timedelta(0))
        call_command("audit_verify")
        assert AuditSeal.objects.count() == 2
        _raw("UPDATE core_auditentry SET target_id = %s WHERE id = %s", ["other", entries[1].pk])
        with pytest.raises(CommandError, match="broken at link 2"):
            call_command("audit_verify")
