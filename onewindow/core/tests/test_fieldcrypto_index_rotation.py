"""Rotation of the index (HMAC) key of the lookup hashes: while ONEWINDOW_INDEX_KEY lists the new
key and the old one, lookups find rows hashed under either, new hashes are under the new key, a
unique number held under the old key is not duplicated under the new one, and
`rotate_field_keys --index` rewrites every hash (restartable, audited, `--check` says what is left)."""

from __future__ import annotations

import base64
import os
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from onewindow.accounts.demo import resident_id
from onewindow.accounts.models import EnterpriseHandler, User
from onewindow.core import fieldcrypto
from onewindow.core.checks import field_encryption_keys
from onewindow.core.fieldcrypto import rotation
from onewindow.core.models import AuditEntry

pytestmark = pytest.mark.django_db
OLD = fieldcrypto.DEV_INDEX_KEY  # what the fixtures' rows are hashed under


def _raw_hash(column: str, pk: Any) -> Any:
    with connection.cursor() as cur:
        cur.execute(f"SELECT {column} FROM accounts_user WHERE id = %s", [pk])  # noqa: S608 - test, fixed names
        return cur.fetchone()[0]


def _new_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def _run(*args: str) -> str:
    out = StringIO()
    call_command("rotate_field_keys", *args, stdout=out)
    return out.getvalue()


def test_lookups_match_either_key_and_writes_use_the_new_one(
    settings: Any, citizen: User, outsider: User, enterprise_user: User
) -> None:
    new = _new_key()
    settings.ONEWINDOW_INDEX_KEY = f"{new},{OLD}"
    assert fieldcrypto.keyring().rotating_index
    # Rows still hashed under the old key are found, by every kind of lookup that worked before.
    assert User.objects.get(id_number=citizen.id_number) == citizen
    assert set(User.objects.filter(phone__in=["13900000001", "13900000002"])) == {citizen, outsider}
    assert EnterpriseHandler.objects.filter(user__id_number=enterprise_user.id_number).count() == 1
    assert not User.objects.exclude(id_number=citizen.id_number).filter(pk=citizen.pk).exists()
    # A write hashes under the new key, and is found too.
    outsider.phone = "13955556666"
    outsider.save()
    assert _raw_hash("phone_hash", outsider.pk) == fieldcrypto.blind_index("13955556666", key=base64.b64decode(new))
    assert User.objects.get(phone="13955556666") == outsider
    # Only under the new key, the old rows are not found any more: what the rotation is for.
    settings.ONEWINDOW_INDEX_KEY = new
    assert not User.objects.filter(id_number=citizen.id_number).exists()


def test_the_command_rewrites_every_hash_and_check_says_what_is_left(settings: Any, citizen: User, outsider: User) -> None:
    new = _new_key()
    settings.ONEWINDOW_INDEX_KEY = f"{new},{OLD}"
    with pytest.raises(CommandError, match="not under the current index key"):
        _run("--index", "--check")
    report = _run("--index")
    assert "accounts.User: " in report
    assert _raw_hash("id_number_hash", citizen.pk) == fieldcrypto.blind_index(citizen.id_number, key=base64.b64decode(new))
    assert "every lookup hash is under the current index key" in _run("--index", "--check")
    entry = AuditEntry.objects.get(action="core.index_key_rotated")
    assert entry.target_id == fieldcrypto.index_key_check_value(base64.b64decode(new))
    assert entry.data["rewritten"]["accounts.User"] >= 2 and entry.data["refused"] == []
    # Run again: nothing left to write (restartable: only differing hashes are written).
    _run("--index")
    assert AuditEntry.objects.filter(action="core.index_key_rotated").latest("pk").data["rewritten"]["accounts.User"] == 0
    # The old key can go: everything is found under the new one alone.
    settings.ONEWINDOW_INDEX_KEY = new
    assert User.objects.get(id_number=citizen.id_number) == citizen
    assert User.objects.get(phone="13900000002") == outsider


def test_a_stopped_run_goes_on_where_it_was(settings: Any, monkeypatch: Any, citizen: User, outsider: User) -> None:
    settings.ONEWINDOW_INDEX_KEY = f"{_new_key()},{OLD}"
    monkeypatch.setattr(rotation, "BATCH", 1)
    calls = {"n": 0}
    real = User._base_manager.bulk_update

    def stop_after_one(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] > 1:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(User._base_manager, "bulk_update", stop_after_one)
    with pytest.raises(KeyboardInterrupt):
        rotation.rehash(User)
    monkeypatch.undo()
    left, _ = rotation.rehash(User, check_only=True)
    assert left == User.objects.count() - 1  # the first batch stayed written
    done, refused = rotation.rehash(User)
    assert (done, refused) == (left, [])
    assert rotation.rehash(User, check_only=True) == (0, [])


def test_a_unique_number_under_the_old_key_is_not_duplicated(settings: Any, citizen: User, outsider: User) -> None:
    User.objects.filter(pk=citizen.pk).update(phone_verified_at=timezone.now())
    settings.ONEWINDOW_INDEX_KEY = f"{_new_key()},{OLD}"
    # The database alone would take it: the new row's hash is under the new key.
    with pytest.raises(IntegrityError, match=r"accounts\.User\.id_number_hash"), transaction.atomic():
        User.objects.create(username="twin", id_number=citizen.id_number)
    with pytest.raises(IntegrityError, match=r"accounts\.User\.id_number_hash"), transaction.atomic():
        User.objects.bulk_create([User(username="twin", id_number=citizen.id_number)])
    outsider.id_number = citizen.id_number
    with pytest.raises(IntegrityError), transaction.atomic():
        outsider.save()
    # A conditional constraint: one verified holder per phone; an unverified one is allowed.
    with pytest.raises(IntegrityError, match="uniq_verified_phone"), transaction.atomic():
        User.objects.create(username="twin2", phone="13900000001", phone_verified_at=timezone.now())
    User.objects.create(username="twin3", phone="13900000001")
    # A row saved again with its own number is not its own duplicate.
    citizen.display_name = "刘秀英（改）"
    citizen.save()
    # And a new number is taken.
    User.objects.create(username="fresh", id_number=resident_id("19800101", 321))


def test_a_bulk_update_that_would_duplicate_across_keys_is_refused(settings: Any, citizen: User, outsider: User) -> None:
    # The citizen's verified phone is hashed under the old key; the outsider takes the same
    # number unverified under the new key, then a bulk update marks it verified.
    User.objects.filter(pk=citizen.pk).update(phone_verified_at=timezone.now())
    settings.ONEWINDOW_INDEX_KEY = f"{_new_key()},{OLD}"
    User.objects.filter(pk=outsider.pk).update(phone="13900000001")  # allowed: not verified
    with pytest.raises(IntegrityError, match="uniq_verified_phone"), transaction.atomic():
        User.objects.filter(pk=outsider.pk).update(phone_verified_at=timezone.now())
    with pytest.raises(IntegrityError, match="uniq_verified_phone"), transaction.atomic():
        User.objects.filter(pk=outsider.pk).update(phone="13900000001", phone_verified_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=outsider.pk).update(id_number=citizen.id_number)
    # Updates that touch no uniqueness rule, or keep the rows apart, go through.
    assert User.objects.filter(pk=outsider.pk).update(display_name="路人乙") == 1
    assert User.objects.filter(pk=citizen.pk).update(phone_verified_at=timezone.now()) == 1
    assert User.objects.filter(pk=outsider.pk).update(phone="13977778888", phone_verified_at=timezone.now()) == 1


def test_an_insert_that_ignores_conflicts_finds_the_row_under_the_old_key(settings: Any) -> None:
    """The booking quota's upsert: bulk_create(ignore_conflicts) then a conditional UPDATE."""
    import datetime

    from django.db.models import F

    from onewindow.appointments.models import WeeklyQuota

    number, week = resident_id("19700101", 333), datetime.date(2026, 5, 4)
    WeeklyQuota.objects.create(id_number=number, week_start=week, count=1)
    settings.ONEWINDOW_INDEX_KEY = f"{_new_key()},{OLD}"
    WeeklyQuota.objects.bulk_create([WeeklyQuota(id_number=number, week_start=week)], ignore_conflicts=True)
    assert WeeklyQuota.objects.filter(id_number=number, week_start=week, count__lt=3).update(count=F("count") + 1) == 1
    assert list(WeeklyQuota.objects.values_list("count", flat=True)) == [2]
    with pytest.raises(IntegrityError, match="appt_quota_one_row"), transaction.atomic():
        WeeklyQuota.objects.bulk_create([WeeklyQuota(id_number=number, week_start=week)])


def test_a_duplicate_that_slipped_in_is_reported_not_hidden(settings: Any, citizen: User, outsider: User) -> None:
    new = _new_key()
    settings.ONEWINDOW_INDEX_KEY = f"{new},{OLD}"
    # Outside the ORM (raw SQL passes no guard): a second holder of the citizen's number, under the new key.
    twin_hash = fieldcrypto.blind_index(citizen.id_number, key=base64.b64decode(new))
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE accounts_user SET id_number = %s, id_number_hash = %s WHERE id = %s",
            [fieldcrypto.encrypt(citizen.id_number), twin_hash, outsider.pk],
        )
    with pytest.raises(CommandError, match=f"accounts.User pk={citizen.pk}"):
        _run("--index")
    entry = AuditEntry.objects.get(action="core.index_key_rotated")
    assert entry.data["refused"] == [f"accounts.User pk={citizen.pk}"]
    # The other rows were rewritten; the citizen's row keeps its old hash until someone resolves it.
    assert _raw_hash("id_number_hash", citizen.pk) == fieldcrypto.blind_index(citizen.id_number, key=base64.b64decode(OLD))


def test_index_keys_are_checked(settings: Any) -> None:
    settings.ONEWINDOW_INDEX_KEY = f"{_new_key()},not-base64!"
    assert [e.id for e in field_encryption_keys()] == ["onewindow.E021"]
    settings.ONEWINDOW_INDEX_KEY = f"{_new_key()},{base64.b64encode(b'short').decode()}"
    assert [e.id for e in field_encryption_keys()] == ["onewindow.E021"]
    settings.DEBUG = False
    settings.ONEWINDOW_FIELD_KEYS = f"k:{_new_key()}"
    settings.ONEWINDOW_INDEX_KEY = f"{_new_key()},{OLD}"  # the development key, even as the old one
    assert [e.id for e in field_encryption_keys()] == ["onewindow.E020"]
    settings.ONEWINDOW_INDEX_KEY = f"{_new_key()},{_new_key()}"
    assert field_encryption_keys() == []
