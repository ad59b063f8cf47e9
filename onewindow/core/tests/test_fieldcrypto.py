"""ID and phone numbers encrypted at rest: what the database holds, lookups through the keyed hash,
uniqueness, the data migration of existing rows, key rotation, the SM4 option and the check that
refuses the development keys in production."""

from __future__ import annotations

import base64
import os
from typing import Any

import pytest
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from onewindow.accounts.demo import resident_id
from onewindow.accounts.models import EnterpriseHandler, User
from onewindow.core import fieldcrypto
from onewindow.core.checks import field_encryption_keys
from onewindow.core.fieldcrypto import rotation, sm4
from onewindow.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _raw(table: str, column: str, pk: Any) -> Any:
    with connection.cursor() as cur:
        cur.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608 - test, fixed names
        return cur.fetchone()[0]


def _key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def test_numbers_are_ciphertext_in_the_database(citizen: User) -> None:
    stored_id = _raw("accounts_user", "id_number", citizen.pk)
    stored_phone = _raw("accounts_user", "phone", citizen.pk)
    assert citizen.id_number not in stored_id and stored_id.startswith("g$")
    assert "13900000001" not in stored_phone and stored_phone.startswith("g$")
    # The lookup hash is keyed: it is not a plain SHA-256 of the number.
    import hashlib

    stored_hash = _raw("accounts_user", "id_number_hash", citizen.pk)
    assert stored_hash == fieldcrypto.blind_index(citizen.id_number)
    assert stored_hash != hashlib.sha256(citizen.id_number.encode()).hexdigest()
    # Read back as plaintext, also through values().
    fresh = User.objects.get(pk=citizen.pk)
    assert fresh.id_number == citizen.id_number and fresh.phone == "13900000001"
    assert User.objects.filter(pk=citizen.pk).values_list("phone", flat=True)[0] == "13900000001"


def test_lookups_go_through_the_hash(citizen: User, outsider: User, enterprise_user: User) -> None:
    assert User.objects.get(id_number=citizen.id_number) == citizen
    assert set(User.objects.filter(id_number__in=[citizen.id_number, outsider.id_number, "x"])) == {citizen, outsider}
    assert User.objects.filter(phone="13900000002").get() == outsider
    assert EnterpriseHandler.objects.filter(user__id_number=enterprise_user.id_number).count() == 1
    assert not User.objects.filter(id_number="110101199003074258").exists()
    assert citizen not in User.objects.filter(id_number=None)
    assert enterprise_user in User.objects.filter(phone="")  # no phone: empty, not encrypted
    # What the database cannot answer on ciphertext is refused loudly, not answered wrongly.
    with pytest.raises(FieldError):
        list(User.objects.filter(id_number__startswith="3608"))
    with pytest.raises(FieldError):
        list(User.objects.filter(phone__icontains="139"))


def test_uniqueness_is_kept_on_the_hash(citizen: User) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="twin", id_number=citizen.id_number)


def test_changing_a_number_changes_its_hash(citizen: User) -> None:
    new = resident_id("19800101", 321)
    citizen.id_number = new
    citizen.save()
    assert User.objects.get(id_number=new) == citizen
    assert _raw("accounts_user", "id_number_hash", citizen.pk) == fieldcrypto.blind_index(new)


def test_data_migration_encrypts_rows_written_before(citizen: User) -> None:
    # A row as it was before encryption: plaintext, no hash.
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE accounts_user SET id_number = %s, id_number_hash = NULL, phone = %s, phone_hash = '' WHERE id = %s",
            [citizen.id_number, "13900000001", citizen.pk],
        )
    from django.apps import apps

    op = rotation.migrate_encrypt(("accounts", "user"))
    op.code(apps, None)
    assert _raw("accounts_user", "id_number", citizen.pk).startswith("g$")
    assert _raw("accounts_user", "phone", citizen.pk).startswith("g$")
    assert User.objects.get(id_number=citizen.id_number, phone="13900000001") == citizen
    # And back (the reverse migration decrypts).
    op.reverse_code(apps, None)
    assert _raw("accounts_user", "id_number", citizen.pk) == citizen.id_number


def test_key_rotation_reads_old_values_and_rewrites_them(settings: Any, citizen: User, outsider: User) -> None:
    old, new = _key(), _key()
    settings.ONEWINDOW_FIELD_KEYS = f"old:{old},{fieldcrypto.DEV_FIELD_KEYS}"
    call_command("rotate_field_keys")  # everything under "old"
    assert _raw("accounts_user", "id_number", citizen.pk).startswith("g$old$")
    settings.ONEWINDOW_FIELD_KEYS = f"new:{new},old:{old}"
    # Meanwhile: old values still read and found, new writes use the new key.
    assert User.objects.get(id_number=citizen.id_number).phone == "13900000001"
    outsider.save()
    assert _raw("accounts_user", "id_number", outsider.pk).startswith("g$new$")
    with pytest.raises(CommandError):
        call_command("rotate_field_keys", "--check")
    call_command("rotate_field_keys")
    call_command("rotate_field_keys", "--check")
    assert _raw("accounts_user", "id_number", citizen.pk).startswith("g$new$")
    assert AuditEntry.objects.filter(action="core.field_keys_rotated", target_id="new").exists()
    # The old key can go now.
    settings.ONEWINDOW_FIELD_KEYS = f"new:{new}"
    assert User.objects.get(pk=citizen.pk).id_number == citizen.id_number


def test_a_value_under_an_unknown_key_or_tampered_is_refused(settings: Any, citizen: User) -> None:
    stored = _raw("accounts_user", "id_number", citizen.pk)
    settings.ONEWINDOW_FIELD_KEYS = f"other:{_key()}"
    with pytest.raises(fieldcrypto.DecryptionFailed):
        User.objects.get(pk=citizen.pk)
    settings.ONEWINDOW_FIELD_KEYS = fieldcrypto.DEV_FIELD_KEYS
    tag, key_id, b64 = stored.split("$")
    blob = bytearray(base64.b64decode(b64))
    blob[-1] ^= 1
    with pytest.raises(fieldcrypto.DecryptionFailed):
        fieldcrypto.decrypt(f"{tag}${key_id}${base64.b64encode(bytes(blob)).decode()}")


def test_sm4_option(settings: Any, citizen: User) -> None:
    settings.ONEWINDOW_FIELD_CIPHER = "sm4"
    call_command("rotate_field_keys")
    assert _raw("accounts_user", "id_number", citizen.pk).startswith("s$")
    assert User.objects.get(id_number=citizen.id_number).phone == "13900000001"
    # gmssl (pure Python) and OpenSSL read each other's SM4-CBC + HMAC-SM3.
    key = os.urandom(32)
    for write, read in (("gmssl", "openssl"), ("openssl", "gmssl")):
        if "openssl" in (write, read) and sm4.available_engine() != "openssl":
            continue
        blob = sm4.encrypt(key, b"36082119900101001X", engine=write)
        assert sm4.decrypt(key, blob, engine=read) == b"36082119900101001X"
    # Back to AES-GCM: values written with SM4 are still read, and rewritten by the rotation.
    settings.ONEWINDOW_FIELD_CIPHER = "aes-gcm"
    assert User.objects.get(pk=citizen.pk).id_number == citizen.id_number
    call_command("rotate_field_keys")
    assert _raw("accounts_user", "id_number", citizen.pk).startswith("g$")


def test_development_keys_refused_in_production(settings: Any) -> None:
    settings.DEBUG = False
    assert [e.id for e in field_encryption_keys()] == ["onewindow.E020"]
    settings.ONEWINDOW_FIELD_KEYS = f"prod1:{_key()}"
    settings.ONEWINDOW_INDEX_KEY = _key()
    assert field_encryption_keys() == []
    settings.ONEWINDOW_FIELD_KEYS = "prod1:short"
    assert [e.id for e in field_encryption_keys()] == ["onewindow.E021"]


def test_reading_a_user_costs_no_extra_query(citizen: User) -> None:
    with CaptureQueriesContext(connection) as ctx:
        User.objects.get(id_number=citizen.id_number)
    assert len(ctx.captured_queries) == 1
