"""Bulk writes of encrypted numbers keep their lookup hashes in step: `QuerySet.update()` and
`bulk_update()` never call a field's `pre_save`, so without `EncryptedQuerySet` a row updated this
way keeps the hash of its old number and is not found by its new one."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import FieldError
from django.db import connection, models
from django.db.models import F, Value
from django.test.utils import isolate_apps

from onewindow.accounts.demo import resident_id
from onewindow.accounts.models import User
from onewindow.core import fieldcrypto
from onewindow.core.checks import encrypted_models_hash_bulk_writes
from onewindow.core.fieldcrypto import fields

pytestmark = pytest.mark.django_db


def _raw_hash(column: str, pk: Any) -> Any:
    with connection.cursor() as cur:
        cur.execute(f"SELECT {column} FROM accounts_user WHERE id = %s", [pk])  # noqa: S608 - test, fixed names
        return cur.fetchone()[0]


def test_update_of_a_number_writes_its_hash(citizen: User) -> None:
    new_id, new_phone = resident_id("19800101", 321), "13911112222"
    assert User.objects.filter(pk=citizen.pk).update(id_number=new_id, phone=new_phone) == 1
    assert User.objects.get(id_number=new_id) == citizen
    assert User.objects.get(phone=new_phone) == citizen
    assert not User.objects.filter(id_number=citizen.id_number).exists()
    assert _raw_hash("id_number_hash", citizen.pk) == fieldcrypto.blind_index(new_id)
    # Clearing the number clears its hash (NULL, so the unique hash column takes many of them).
    User.objects.filter(pk=citizen.pk).update(id_number=None)
    assert _raw_hash("id_number_hash", citizen.pk) is None
    assert User.objects.get(pk=citizen.pk).id_number is None


def test_update_through_the_field_attname_and_a_value_expression(citizen: User) -> None:
    User.objects.filter(pk=citizen.pk).update(phone=Value("13922223333"))
    assert User.objects.get(phone="13922223333") == citizen


def test_an_expression_the_hash_cannot_follow_is_refused(citizen: User) -> None:
    with pytest.raises(FieldError, match="phone_hash"):
        User.objects.filter(pk=citizen.pk).update(phone=F("username"))
    assert User.objects.get(pk=citizen.pk).phone == "13900000001"


def test_bulk_update_writes_the_hashes(citizen: User, outsider: User) -> None:
    citizen.phone, outsider.phone = "13933334444", "13933335555"
    User.objects.bulk_update([citizen, outsider], ["phone"])
    assert User.objects.get(phone="13933334444") == citizen
    assert User.objects.get(phone="13933335555") == outsider
    assert not User.objects.filter(phone__in=["13900000001", "13900000002"]).exists()


def test_the_user_manager_keeps_djangos_behaviour() -> None:
    user = User.objects.create_user(username="mgr", password="x-Long-enough-1", phone="13944445555")
    assert user.check_password("x-Long-enough-1")
    assert User.objects.get_by_natural_key("mgr") == user
    assert User.objects.get(phone="13944445555") == user


def test_every_model_with_encrypted_fields_hashes_its_bulk_writes() -> None:
    assert encrypted_models_hash_bulk_writes() == []
    hashed = {f.model for f in fields.encrypted_fields() if isinstance(f, fields.EncryptedCharField)}
    assert len(hashed) >= 8
    for model in hashed:
        assert isinstance(model._default_manager.all(), fields.EncryptedQuerySet), model


@isolate_apps("onewindow.core")
def test_a_model_with_a_plain_manager_is_refused_by_the_check() -> None:
    class Plain(models.Model):  # noqa: DJ008 - a throwaway model
        phone = fields.EncryptedCharField(max_length=20, index_field="phone_hash")
        phone_hash = fields.BlindIndexField(source="phone")

        class Meta:
            app_label = "core"

    assert fields.managers_without_hashing(Plain) == ["objects"]

    class Hashed(models.Model):  # noqa: DJ008 - a throwaway model
        phone = fields.EncryptedCharField(max_length=20, index_field="phone_hash")
        phone_hash = fields.BlindIndexField(source="phone")
        objects = fields.EncryptedManager()

        class Meta:
            app_label = "core"

    assert fields.managers_without_hashing(Hashed) == []
