"""The model fields of field-level encryption (see the package's docstring): an encrypted number
with its lookup hash, an encrypted JSON form, the equality lookups rewritten to the hash, and the
queryset whose bulk writes keep each hash in step with its number."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TypeVar

from django.core.exceptions import FieldDoesNotExist, FieldError
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import Col
from django.db.models.lookups import Exact, In, IsNull
from django.db.models.query_utils import DeferredAttribute

from . import blind_index, blind_indexes, decrypt, encrypt, keyring

_M = TypeVar("_M", bound=models.Model)


# The value is typed Any: the stubs' plugin reads `null=` only for Django's own field classes, and a
# number here may be null (an ID number) or not (a phone).
class EncryptedCharField(models.CharField[Any, Any]):
    """A CharField whose column holds ciphertext. `max_length` is the plaintext's (forms and
    validation); the column is text. `index_field` names the companion `BlindIndexField` that
    equality lookups compare."""

    def __init__(self, *args: Any, index_field: str, **kwargs: Any) -> None:
        self.index_field = index_field
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["index_field"] = self.index_field
        return name, path, args, kwargs

    def db_type(self, connection: BaseDatabaseWrapper) -> str | None:
        return connection.data_types["TextField"] % {}

    def get_internal_type(self) -> str:
        return "TextField"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name not in ("exact", "in", "isnull"):
            return None  # Django then raises FieldError: the database cannot compare ciphertexts
        return super().get_lookup(lookup_name)

    def get_transform(self, lookup_name: str) -> Any:
        return None

    def index(self) -> BlindIndexField:
        field = self.model._meta.get_field(self.index_field)
        assert isinstance(field, BlindIndexField)
        return field


class _IndexDescriptor(DeferredAttribute):
    """The hash is always derived from the plaintext on the instance, so a new or changed number
    is saved and validated (unique constraints) with its own hash, whoever set it."""

    field: BlindIndexField

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        if instance is None:
            return self
        source = self.field.source
        if source in instance.__dict__:
            return blind_index(instance.__dict__[source])
        return super().__get__(instance, owner)

    def __set__(self, instance: Any, value: Any) -> None:
        instance.__dict__[self.field.attname] = value


class BlindIndexField(models.CharField[Any, Any]):
    """HMAC-SHA256 of the plaintext of `source` (an `EncryptedCharField` of the same model)."""

    def __init__(self, *args: Any, source: str, **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        if kwargs.get("max_length") == 64:
            del kwargs["max_length"]
        kwargs.pop("editable", None)
        if kwargs.get("blank") is True:
            del kwargs["blank"]
        return name, path, args, kwargs

    def contribute_to_class(self, cls: Any, name: str, private_only: bool = False) -> None:
        super().contribute_to_class(cls, name, private_only=private_only)
        setattr(cls, self.attname, _IndexDescriptor(self))


def _index_col(lhs: Any) -> Col:
    field = getattr(lhs, "target", None)
    if not isinstance(lhs, Col) or not isinstance(field, EncryptedCharField):
        raise FieldError("an encrypted field is compared only as a column, through its lookup hash")
    index = field.index()
    return Col(lhs.alias, index, index)


def _refuse_expression(rhs: Any, name: str) -> None:
    if hasattr(rhs, "resolve_expression"):
        raise FieldError(f"compare the lookup hash (`{name}`) with an expression, not the encrypted field")


@EncryptedCharField.register_lookup
class EncryptedExact(Exact[Any]):
    def __init__(self, lhs: Any, rhs: Any) -> None:
        self.hashes: list[str] = []
        if rhs is None:  # Django turns `exact=None` into `isnull` on the encrypted column itself
            super().__init__(lhs, rhs)
            return
        col = _index_col(lhs)
        _refuse_expression(rhs, col.target.name)
        self.hashes = blind_indexes(str(rhs))
        super().__init__(col, self.hashes[0])

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        if len(self.hashes) > 1:  # an index key rotation: the row may hold the hash under any key
            return In(self.lhs, self.hashes).as_sql(compiler, connection)
        return super().as_sql(compiler, connection)


@EncryptedCharField.register_lookup
class EncryptedIn(In[Any]):
    def __init__(self, lhs: Any, rhs: Any) -> None:
        col = _index_col(lhs)
        _refuse_expression(rhs, col.target.name)
        super().__init__(col, [h for v in rhs if v is not None for h in blind_indexes(str(v))])


EncryptedCharField.register_lookup(IsNull)


class EncryptedJSONField(models.JSONField):
    """A JSON object (an application form's answers) stored as one ciphertext of its JSON text.
    Readers get the dict as before; the database can no longer look inside it, so key and
    containment lookups are refused (only `isnull` is left). A value without the envelope is a row
    written before encryption and is read as the plain JSON text it is."""

    def db_type(self, connection: BaseDatabaseWrapper) -> str | None:
        return connection.data_types["TextField"] % {}

    def get_internal_type(self) -> str:
        return "TextField"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return value
        if isinstance(value, str):
            value = decrypt(value)
        return super().from_db_value(value, expression, connection)

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if not prepared:
            value = self.get_prep_value(value)
        if value is None or hasattr(value, "as_sql"):
            return value
        return encrypt(json.dumps(value, cls=self.encoder, ensure_ascii=False))

    def get_lookup(self, lookup_name: str) -> Any:
        return super().get_lookup(lookup_name) if lookup_name == "isnull" else None

    def get_transform(self, lookup_name: str) -> Any:
        return None  # Django then raises FieldError: no key lookups inside a ciphertext


ENCRYPTED_FIELDS = (EncryptedCharField, EncryptedJSONField)


# --- bulk writes: the hash follows the number -------------------------------------------------
# A model save derives the hash through `_IndexDescriptor`, but `QuerySet.update()` and
# `bulk_update()` never call `pre_save`: they write the columns they are given. A bulk write of a
# number without its hash would leave a row that a lookup by the new number does not find. So
# every model with an encrypted field uses a manager built on `EncryptedQuerySet` (system check
# `onewindow.E025` refuses one that does not), whose bulk writes add the hash themselves.


def with_blind_indexes(model: Any, values: dict[str, Any]) -> dict[str, Any]:
    """`values` of an `update()` plus the lookup hash of every encrypted field among them whose
    hash is not given too. A number given as an expression has no hash Python can compute: a
    `Value` is read, anything else is refused unless the caller passes the hash as well."""
    from django.db.models import Value

    out = dict(values)
    for name, value in values.items():
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue  # Django's own update() raises the proper error
        if not isinstance(field, EncryptedCharField):
            continue
        index = field.index()
        if index.name in values or index.attname in values:
            continue
        if isinstance(value, Value):
            value = value.value
        elif hasattr(value, "resolve_expression"):
            raise FieldError(
                f"{model._meta.label}.{field.name} is updated with an expression: pass `{index.name}` too, "
                "the lookup hash cannot be computed from it"
            )
        out[index.name] = blind_index(None if value is None else str(value))
    return out


def with_index_fields(model: Any, fields: Any) -> list[str]:
    """The field names of a `bulk_update()` plus the hash of every encrypted field among them (the
    instances' `_IndexDescriptor` gives the hash of the number each holds)."""
    names = list(fields)
    for name in list(names):
        field = model._meta.get_field(name)
        if isinstance(field, EncryptedCharField) and field.index_field not in names:
            names.append(field.index_field)
    return names


class EncryptedQuerySet(models.QuerySet[_M]):
    """A queryset whose bulk writes keep each lookup hash in step with its encrypted number."""

    def update(self, **kwargs: Any) -> int:
        values = with_blind_indexes(self.model, kwargs)
        if keyring().rotating_index:
            from .rotation import refuse_updates_duplicating_across_index_keys

            refuse_updates_duplicating_across_index_keys(self, values)
        return super().update(**values)

    # A mark on the function that Django's templates read (never call it); functions have no such attribute in the stubs.
    update.alters_data = True  # type: ignore[attr-defined]

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        return super().bulk_update(objs, with_index_fields(self.model, fields), batch_size=batch_size)

    bulk_update.alters_data = True  # type: ignore[attr-defined]  # as update's

    def bulk_create(self, objs: Iterable[_M], *args: Any, **kwargs: Any) -> list[_M]:
        # bulk_create sends no pre_save: during an index key rotation, check each new row here. A
        # row that would duplicate one under the old key is left out with `ignore_conflicts` (what
        # the database does with a duplicate under the same key), refused otherwise.
        objs = list(objs)
        if keyring().rotating_index:
            from django.db import IntegrityError

            from .rotation import refuse_duplicates_across_index_keys

            kept = []
            for obj in objs:
                try:
                    refuse_duplicates_across_index_keys(self.model, obj, using=self.db)
                except IntegrityError:
                    if not kwargs.get("ignore_conflicts"):
                        raise
                    continue
                kept.append(obj)
            super().bulk_create(kept, *args, **kwargs)
            return objs
        return super().bulk_create(objs, *args, **kwargs)

    bulk_create.alters_data = True  # type: ignore[attr-defined]  # as update's
    # aupdate() and abulk_update() call these two.


# The base is made by an assignment, the form the stubs' plugin reads (it then types the queryset's
# methods for each model); the subclass is what migrations can name.
_EncryptedManagerBase = models.Manager.from_queryset(EncryptedQuerySet)


class EncryptedManager(_EncryptedManagerBase[_M]):
    """The default manager of a model with encrypted fields. A model with its own manager class
    builds it with `TheirManager.from_queryset(EncryptedQuerySet)` instead (accounts.UserManager)."""


def managers_without_hashing(model: Any) -> list[str]:
    """Names of `model`'s managers whose querysets would bulk-write a number without its hash."""
    if not any(isinstance(f, EncryptedCharField) for f in model._meta.concrete_fields):
        return []
    return [m.name for m in model._meta.managers if not issubclass(m._queryset_class, EncryptedQuerySet)]


def encrypted_fields() -> list[EncryptedCharField | EncryptedJSONField]:
    """Every encrypted column of the project: numbers (with a lookup hash) and JSON forms."""
    from django.apps import apps

    return [f for m in apps.get_models() for f in m._meta.concrete_fields if isinstance(f, ENCRYPTED_FIELDS)]
