"""The outbox holds phone numbers: `Notification.recipient` is encrypted at rest, found by the whole
number through its lookup hash, read in plaintext by the sender, and encrypted for rows written
before by a reversible migration."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection

from onewindow.core import fieldcrypto
from onewindow.core.fieldcrypto import rotation
from onewindow.core.models import Notification
from onewindow.core.notify import MemoryBackend, deliver, notify

pytestmark = pytest.mark.django_db
PHONE = "13912345678"


def _raw(pk: int) -> tuple[str, str]:
    with connection.cursor() as cur:
        cur.execute("SELECT recipient, recipient_hash FROM core_notification WHERE id = %s", [pk])
        row = cur.fetchone()
        return str(row[0]), str(row[1])


def test_the_recipient_is_ciphertext_and_the_sender_reads_it(settings: Any) -> None:
    settings.ONEWINDOW_SMS_BACKEND = "onewindow.core.notify.MemoryBackend"
    MemoryBackend.sent.clear()
    n = notify(channel="sms", recipient=PHONE, body="查询码 AB12CD")
    assert n is not None
    recipient, index = _raw(n.pk)
    assert PHONE not in recipient and recipient.startswith("g$")
    assert index == fieldcrypto.blind_index(PHONE)
    assert Notification.objects.get(recipient=PHONE) == n
    assert deliver(n.pk)
    assert MemoryBackend.sent[-1].recipient == PHONE


def test_the_admin_finds_a_notification_by_the_whole_number(client: Any) -> None:
    admin = get_user_model().objects.create_superuser("root", password="x-Long-enough-1")
    n = notify(channel="sms", recipient=PHONE, body="x", subject="提醒")
    client.force_login(admin)
    page = client.get("/admin/core/notification/", {"q": PHONE})
    assert page.status_code == 200
    body = page.content.decode()
    assert f"/admin/core/notification/{n.pk}/change/" in body  # type: ignore[union-attr]
    assert "139****5678" in body  # the list shows it masked
    # Part of a number cannot be compared with a ciphertext: no match, and no error.
    partial = client.get("/admin/core/notification/", {"q": "1391234"})
    assert partial.status_code == 200 and f"/admin/core/notification/{n.pk}/change/" not in partial.content.decode()  # type: ignore[union-attr]


def test_the_migration_encrypts_old_recipients_and_reverses() -> None:
    n = notify(channel="sms", recipient=PHONE, body="x")
    assert n is not None
    with connection.cursor() as cur:  # a row as it was before the migration
        cur.execute("UPDATE core_notification SET recipient = %s, recipient_hash = '' WHERE id = %s", [PHONE, n.pk])
    op = rotation.migrate_encrypt(("core", "notification"))
    op.code(apps, None)
    recipient, index = _raw(n.pk)
    assert recipient.startswith("g$") and index == fieldcrypto.blind_index(PHONE)
    assert Notification.objects.get(recipient=PHONE) == n
    op.reverse_code(apps, None)
    assert _raw(n.pk)[0] == PHONE
