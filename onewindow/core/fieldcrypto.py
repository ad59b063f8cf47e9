"""Field-level encryption of ID and phone numbers (等保 level 3 storage confidentiality, PIPL).

A protected column holds `<cipher>$<key id>$<base64>`; a companion column holds a keyed hash
(HMAC-SHA256 under a separate index key) of the plaintext, which is what equality lookups and
unique constraints compare. The model keeps its field name: `User.objects.filter(id_number=x)`
and `filter(id_number__in=[...])` are rewritten to compare the hash column, so callers do not
change; any other lookup (`startswith`, `icontains`, ordering by the plaintext) raises, because the
database cannot answer it.

Application forms (`EncryptedJSONField`) are encrypted as one ciphertext of their JSON text and
read back as the dict; nothing inside them can be queried.

Bulk writes (`QuerySet.update()`, `bulk_update()`) never call a field's `pre_save`: the managers
of these models are built on `EncryptedQuerySet`, which adds the hash of every number they set.

Ciphers:
- `aes-gcm` (default): AES-256-GCM from `cryptography`, a random 96-bit nonce per value.
- `sm4` (for 密评 where the district requires national algorithms): SM4-CBC with a random IV and
  an HMAC-SM3 tag over IV and ciphertext (encrypt-then-MAC), from `gmssl`.

Keys come from the environment:
- `ONEWINDOW_FIELD_KEYS`: `id:base64key[,id:base64key...]`, 32-byte keys, the first one encrypts,
  all of them decrypt (so a rotation keeps reading values written under the old key until
  `manage.py rotate_field_keys` has rewritten every row).
- `ONEWINDOW_FIELD_CIPHER`: `aes-gcm` or `sm4`, the cipher new values are written with; values
  written with the other one are still read.
- `ONEWINDOW_INDEX_KEY`: base64[,base64...], the HMAC keys of the lookup hashes, at least 32 bytes
  each. The first one hashes what is written; while more than one is listed (an index key
  rotation), a lookup matches a hash under any of them, a save that would duplicate a unique
  number held under another key is refused, and `manage.py rotate_field_keys --index` rewrites
  every hash under the first key (docs/security.md).
Without them development keys are used, which a system check refuses when DEBUG is off.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, FieldError, ImproperlyConfigured
from django.db import models
from django.db.models.expressions import Col
from django.db.models.lookups import Exact, In, IsNull
from django.db.models.query_utils import DeferredAttribute

# Development keys: public, in the repository, refused by `onewindow.E020` when DEBUG is off.
DEV_FIELD_KEYS = "dev1:" + base64.b64encode(b"onewindow-development-field-key!").decode()
DEV_INDEX_KEY = base64.b64encode(b"onewindow-development-index-key!").decode()

CIPHERS = ("aes-gcm", "sm4")
_TAGS = {"aes-gcm": "g", "sm4": "s"}
_CIPHER_OF_TAG = {v: k for k, v in _TAGS.items()}


class DecryptionFailed(Exception):
    """A stored value does not decrypt under any configured key (wrong key, or tampered)."""


@dataclass(frozen=True)
class Keyring:
    cipher: str
    keys: dict[str, bytes]  # key id -> 32-byte key, in order; the first one encrypts
    index_keys: tuple[bytes, ...]  # the first one hashes new values; all of them are looked up

    @property
    def current_id(self) -> str:
        return next(iter(self.keys))

    @property
    def index_key(self) -> bytes:
        return self.index_keys[0]

    @property
    def rotating_index(self) -> bool:
        return len(self.index_keys) > 1


def _parse_keys(spec: str) -> dict[str, bytes]:
    keys: dict[str, bytes] = {}
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        key_id, sep, b64 = part.partition(":")
        if not sep or not key_id or "$" in key_id:
            raise ImproperlyConfigured("ONEWINDOW_FIELD_KEYS: each key is written id:base64key")
        try:
            raw = base64.b64decode(b64, validate=True)
        except ValueError:
            raise ImproperlyConfigured(f"ONEWINDOW_FIELD_KEYS: key {key_id!r} is not base64") from None
        if len(raw) != 32:
            raise ImproperlyConfigured(f"ONEWINDOW_FIELD_KEYS: key {key_id!r} must be 32 bytes")
        keys[key_id] = raw
    if not keys:
        raise ImproperlyConfigured("ONEWINDOW_FIELD_KEYS holds no key")
    return keys


@lru_cache(maxsize=8)
def _build(cipher: str, key_spec: str, index_b64: str) -> Keyring:
    if cipher not in CIPHERS:
        raise ImproperlyConfigured(f"ONEWINDOW_FIELD_CIPHER must be one of {', '.join(CIPHERS)}")
    return Keyring(cipher=cipher, keys=_parse_keys(key_spec), index_keys=_parse_index_keys(index_b64))


def _parse_index_keys(spec: str) -> tuple[bytes, ...]:
    keys: list[bytes] = []
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        try:
            raw = base64.b64decode(part, validate=True)
        except ValueError:
            raise ImproperlyConfigured("ONEWINDOW_INDEX_KEY: a key is not base64") from None
        if len(raw) < 32:
            raise ImproperlyConfigured("ONEWINDOW_INDEX_KEY: each key must be at least 32 bytes")
        if raw not in keys:
            keys.append(raw)
    if not keys:
        raise ImproperlyConfigured("ONEWINDOW_INDEX_KEY holds no key")
    return tuple(keys)


def keyring() -> Keyring:
    return _build(settings.ONEWINDOW_FIELD_CIPHER, settings.ONEWINDOW_FIELD_KEYS, settings.ONEWINDOW_INDEX_KEY)


def uses_development_keys() -> bool:
    ring = keyring()
    return (
        settings.ONEWINDOW_FIELD_KEYS == DEV_FIELD_KEYS
        or base64.b64decode(DEV_INDEX_KEY) in ring.index_keys
        or (any(k == base64.b64decode(DEV_FIELD_KEYS.split(":", 1)[1]) for k in ring.keys.values()))
    )


def new_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


# --- SM4-CBC + HMAC-SM3 ----------------------------------------------------------------------
# gmssl is the pure-Python implementation the 密评 option names; OpenSSL (through `cryptography`)
# computes the same SM4-CBC/PKCS#7 and HMAC-SM3 about a hundred times faster and is used when the
# linked OpenSSL has them. Both read what the other wrote (tested).


@lru_cache(maxsize=1)
def sm4_engine() -> str:
    if os.environ.get("ONEWINDOW_SM4_ENGINE") == "gmssl":
        return "gmssl"
    try:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives import hmac as c_hmac
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

        Cipher(algorithms.SM4(bytes(16)), modes.CBC(bytes(16))).encryptor()
        c_hmac.HMAC(bytes(16), hashes.SM3())
    except Exception:
        return "gmssl"
    return "openssl"


def _sm3(data: bytes) -> bytes:
    from gmssl import sm3

    return bytes.fromhex(sm3.sm3_hash(list(data)))


def _hmac_sm3(key: bytes, data: bytes, *, engine: str) -> bytes:
    if engine == "openssl":
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives import hmac as c_hmac

        h = c_hmac.HMAC(key, hashes.SM3())
        h.update(data)
        return h.finalize()
    block = 64
    if len(key) > block:
        key = _sm3(key)
    key = key.ljust(block, b"\0")
    inner = _sm3(bytes(b ^ 0x36 for b in key) + data)
    return _sm3(bytes(b ^ 0x5C for b in key) + inner)


def _sm4_cbc(key: bytes, iv: bytes, data: bytes, *, encrypting: bool, engine: str) -> bytes:
    if engine == "openssl":
        from cryptography.hazmat.primitives import padding
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

        cipher = Cipher(algorithms.SM4(key), modes.CBC(iv))
        if encrypting:
            padder = padding.PKCS7(128).padder()
            enc = cipher.encryptor()
            return enc.update(padder.update(data) + padder.finalize()) + enc.finalize()
        dec = cipher.decryptor()
        unpadder = padding.PKCS7(128).unpadder()
        return unpadder.update(dec.update(data) + dec.finalize()) + unpadder.finalize()
    from gmssl import sm4

    crypt = sm4.CryptSM4()
    crypt.set_key(key, sm4.SM4_ENCRYPT if encrypting else sm4.SM4_DECRYPT)
    return bytes(crypt.crypt_cbc(iv, data))


def _sm4_encrypt(key: bytes, plaintext: bytes, *, engine: str | None = None) -> bytes:
    engine = engine or sm4_engine()
    iv = os.urandom(16)
    body = iv + _sm4_cbc(key[:16], iv, plaintext, encrypting=True, engine=engine)
    return body + _hmac_sm3(key[16:], body, engine=engine)[:16]


def _sm4_decrypt(key: bytes, blob: bytes, *, engine: str | None = None) -> bytes:
    engine = engine or sm4_engine()
    body, tag = blob[:-16], blob[-16:]
    if len(body) < 32 or not hmac.compare_digest(_hmac_sm3(key[16:], body, engine=engine)[:16], tag):
        raise DecryptionFailed("SM4 tag mismatch")
    return _sm4_cbc(key[:16], body[:16], body[16:], encrypting=False, engine=engine)


# --- AES-256-GCM -----------------------------------------------------------------------------


@lru_cache(maxsize=16)
def _aesgcm(key: bytes) -> Any:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM(key)


def _gcm_encrypt(key: bytes, plaintext: bytes) -> bytes:
    nonce = os.urandom(12)
    return nonce + _aesgcm(key).encrypt(nonce, plaintext, None)


def _gcm_decrypt(key: bytes, blob: bytes) -> bytes:
    from cryptography.exceptions import InvalidTag

    try:
        return _aesgcm(key).decrypt(blob[:12], blob[12:], None)
    except InvalidTag:
        raise DecryptionFailed("AES-GCM tag mismatch") from None


# --- the public functions --------------------------------------------------------------------


def encrypt(value: str, *, ring: Keyring | None = None) -> str:
    ring = ring or keyring()
    key_id = ring.current_id
    key = ring.keys[key_id]
    data = value.encode()
    blob = _sm4_encrypt(key, data) if ring.cipher == "sm4" else _gcm_encrypt(key, data)
    return f"{_TAGS[ring.cipher]}${key_id}${base64.b64encode(blob).decode()}"


def is_encrypted(stored: str) -> bool:
    parts = stored.split("$")
    return len(parts) == 3 and parts[0] in _CIPHER_OF_TAG


def key_id_of(stored: str) -> str | None:
    return stored.split("$")[1] if is_encrypted(stored) else None


def decrypt(stored: str, *, ring: Keyring | None = None) -> str:
    """The plaintext of a stored value. A value without the envelope is a row written before
    encryption (the data migration encrypts them all) and is returned as it is."""
    if not is_encrypted(stored):
        return stored
    ring = ring or keyring()
    tag, key_id, b64 = stored.split("$")
    key = ring.keys.get(key_id)
    if key is None:
        raise DecryptionFailed(f"no key {key_id!r} in ONEWINDOW_FIELD_KEYS")
    blob = base64.b64decode(b64)
    data = _sm4_decrypt(key, blob) if _CIPHER_OF_TAG[tag] == "sm4" else _gcm_decrypt(key, blob)
    return data.decode()


def blind_index(value: str | None, *, key: bytes | None = None) -> str | None:
    """The lookup hash of a plaintext under the current index key (or `key`): None and "" stay as
    they are (no number, nothing to hide)."""
    if value is None or value == "":
        return value
    return hmac.new(key or keyring().index_key, str(value).encode(), hashlib.sha256).hexdigest()


def index_key_check_value(key: bytes | None = None) -> str:
    """A short check value naming an index key in audit entries (HMAC of a fixed text, so the
    key itself is not revealed)."""
    return hmac.new(key or keyring().index_key, b"onewindow index key", hashlib.sha256).hexdigest()[:12]


def blind_indexes(value: str) -> list[str]:
    """The hashes a stored row of `value` may hold: under the current index key first, then under
    each older key still listed (during an index key rotation)."""
    return [str(blind_index(value, key=k)) for k in keyring().index_keys]


# --- model fields ----------------------------------------------------------------------------


class EncryptedCharField(models.CharField):
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

    def db_type(self, connection: Any) -> str | None:
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


class BlindIndexField(models.CharField):
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
class EncryptedExact(Exact):
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
class EncryptedIn(In):
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

    def db_type(self, connection: Any) -> str | None:
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


class EncryptedQuerySet(models.QuerySet):
    """A queryset whose bulk writes keep each lookup hash in step with its encrypted number."""

    def update(self, **kwargs: Any) -> int:
        values = with_blind_indexes(self.model, kwargs)
        if keyring().rotating_index:
            refuse_updates_duplicating_across_index_keys(self, values)
        return super().update(**values)

    update.alters_data = True  # type: ignore[attr-defined]

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        return super().bulk_update(objs, with_index_fields(self.model, fields), batch_size=batch_size)

    bulk_update.alters_data = True  # type: ignore[attr-defined]

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[Any]:
        # bulk_create sends no pre_save: during an index key rotation, check each new row here. A
        # row that would duplicate one under the old key is left out with `ignore_conflicts` (what
        # the database does with a duplicate under the same key), refused otherwise.
        objs = list(objs)
        if keyring().rotating_index:
            from django.db import IntegrityError

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

    bulk_create.alters_data = True  # type: ignore[attr-defined]
    # aupdate() and abulk_update() call these two.


class EncryptedManager(models.Manager.from_queryset(EncryptedQuerySet)):  # type: ignore[misc]
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


# --- existing rows: the data migration and the key rotation ----------------------------------

BATCH = 1000


def stale_rows(model: Any, field: EncryptedCharField | EncryptedJSONField, *, ring: Keyring | None = None) -> Any:
    """Rows whose stored value is not written under the current cipher and key: plaintext rows from
    before encryption, and rows under an older key or the other cipher."""
    from django.db.models import F, Q, TextField
    from django.db.models.functions import Cast

    ring = ring or keyring()
    prefix = f"{_TAGS[ring.cipher]}${ring.current_id}$"
    raw = f"_raw_{field.attname}"
    return (
        model._base_manager.annotate(**{raw: Cast(F(field.attname), output_field=TextField())})
        .exclude(Q(**{f"{raw}__isnull": True}) | Q(**{raw: ""}) | Q(**{f"{raw}__startswith": prefix}))
        .order_by("pk")
    )


def reencrypt(model: Any, field_names: list[str] | None = None, *, ring: Keyring | None = None) -> int:
    """Rewrite every stale value of `model` under the current key (and its lookup hash with it), in
    batches, each batch one UPDATE. Reading keeps working throughout: old values decrypt under the
    old key until their row is rewritten. Returns the number of values rewritten."""
    fields = [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, ENCRYPTED_FIELDS) and (field_names is None or f.name in field_names)
    ]
    done = 0
    for field in fields:
        written = [field.attname]
        if isinstance(field, EncryptedCharField):
            written.append(model._meta.get_field(field.index_field).attname)
        last_pk: Any = None
        while True:
            qs = stale_rows(model, field, ring=ring)
            if last_pk is not None:
                qs = qs.filter(pk__gt=last_pk)
            batch = list(qs.only("pk", field.attname)[:BATCH])
            if not batch:
                break
            model._base_manager.bulk_update(batch, written)
            done += len(batch)
            last_pk = batch[-1].pk
    return done


def migrate_encrypt(*models: tuple[str, str]) -> Any:
    """A RunPython operation that encrypts the existing rows of (app_label, model_name) pairs."""
    from django.db import migrations

    def forwards(apps: Any, schema_editor: Any) -> None:
        for app_label, model_name in models:
            reencrypt(apps.get_model(app_label, model_name))

    def backwards(apps: Any, schema_editor: Any) -> None:
        from django.db.models import F, TextField, Value
        from django.db.models.functions import Cast

        for app_label, model_name in models:
            model = apps.get_model(app_label, model_name)
            for field in model._meta.concrete_fields:
                if not isinstance(field, ENCRYPTED_FIELDS):
                    continue
                rows = model._base_manager.annotate(_raw=Cast(F(field.attname), output_field=TextField()))
                for pk, raw in rows.values_list("pk", "_raw").iterator():
                    if raw and is_encrypted(raw):
                        plain = Value(decrypt(raw), output_field=TextField())
                        model._base_manager.filter(pk=pk).update(**{field.attname: plain})

    return migrations.RunPython(forwards, backwards, elidable=False)


# --- index (HMAC) key rotation ---------------------------------------------------------------
# While ONEWINDOW_INDEX_KEY lists more than one key, a stored hash may be under the new key or an
# old one. Lookups match both (EncryptedExact/EncryptedIn); writes hash under the new key. A unique
# constraint on a hash column then no longer sees every duplicate: the same number under two keys
# is two different hashes. So `refuse_duplicates_across_index_keys` (a pre_save receiver) looks up
# each unique number of the row being saved through the encrypted field, that is under every key,
# and refuses the save as the database would. Duplicates under the same key stay the database's to
# refuse, races included. `rehash` rewrites the old hashes; a duplicate that still slipped in (see
# docs/security.md) makes the rewrite of its row fail on the constraint and is reported.


@cache
def _unique_sets(model: Any) -> tuple[tuple[tuple[str, ...], Any, str], ...]:
    """(field names, condition, name) of every uniqueness rule of `model` that covers a hash."""
    meta = model._meta
    sets: list[tuple[tuple[str, ...], Any, str]] = [
        ((f.name,), None, f"{meta.label}.{f.name}") for f in meta.concrete_fields if isinstance(f, BlindIndexField) and f.unique
    ]
    for c in meta.constraints:
        if isinstance(c, models.UniqueConstraint) and any(isinstance(meta.get_field(n), BlindIndexField) for n in c.fields):
            sets.append((tuple(c.fields), c.condition, c.name))
    return tuple(sets)


def _clashes(model: Any, instance: Any, fields: tuple[str, ...], condition: Any, using: str | None) -> bool:
    from django.db.models import Exists

    meta = model._meta
    lookup: dict[str, Any] = {}
    for name in fields:
        field = meta.get_field(name)
        if isinstance(field, BlindIndexField):
            value = getattr(instance, field.source)
            if value is None or value == "":
                return False  # NULL never collides; "" has the same "hash" under every key
            lookup[field.source] = value  # through the encrypted field: under every index key
        else:
            lookup[field.attname] = getattr(instance, field.attname)
    qs = model._base_manager.using(using).filter(**lookup)
    if not instance._state.adding and instance.pk is not None:
        qs = qs.exclude(pk=instance.pk)
    if condition is None:
        return bool(qs.exists())
    against = instance._get_field_expression_map(meta=meta)
    return bool((condition & Exists(qs.filter(condition))).check(against, using=using or "default"))


def refuse_duplicates_across_index_keys(
    sender: Any, instance: Any, raw: bool = False, using: str | None = None, **kwargs: Any
) -> None:
    """pre_save: during an index key rotation, refuse a save that would make a second row with a
    unique number held by another row under another index key (IntegrityError, as the database
    refuses a duplicate under the same key). Costs nothing outside a rotation."""
    if raw or not keyring().rotating_index:
        return
    for fields, condition, name in _unique_sets(sender):
        if _clashes(sender, instance, fields, condition, using):
            from django.db import IntegrityError

            raise IntegrityError(f"duplicate under another index key: {name}")


def _q_fields(q: Any) -> set[str]:
    """The field names a Q condition reads (first part of each lookup)."""
    names: set[str] = set()
    for child in getattr(q, "children", []):
        if isinstance(child, tuple):
            names.add(child[0].split("__")[0])
        else:
            names |= _q_fields(child)
    return names


def refuse_updates_duplicating_across_index_keys(qs: Any, values: dict[str, Any]) -> None:
    """During an index key rotation, the check of `refuse_duplicates_across_index_keys` for a bulk
    `update()`, which sends no pre_save: each row the update touches is checked as it will be,
    against the uniqueness rules whose fields or condition the update sets. A rule whose field is
    set by an expression (its value is only known to the database) is left to the database."""
    model = qs.model
    meta = model._meta
    names = {meta.get_field(k).name for k in values}
    rules = []
    for fields, condition, name in _unique_sets(model):
        read = set(fields) | {meta.get_field(f).source for f in fields if isinstance(meta.get_field(f), BlindIndexField)}
        if condition is not None:
            read |= _q_fields(condition)
        touched = names & read
        if touched and not any(hasattr(values[k], "resolve_expression") for k in values if meta.get_field(k).name in touched):
            rules.append((fields, condition, name))
    if not rules:
        return
    from django.db import IntegrityError

    for obj in qs.all():
        for key, value in values.items():
            setattr(obj, meta.get_field(key).attname, value)
        for fields, condition, name in rules:
            if _clashes(model, obj, fields, condition, qs.db):
                raise IntegrityError(f"duplicate under another index key: {name}")


def rehash(model: Any, *, check_only: bool = False, ring: Keyring | None = None) -> tuple[int, list[str]]:
    """Rewrite every lookup hash of `model` not under the current index key, in batches of
    BATCH rows (each batch one UPDATE in its own transaction, so a stopped run keeps what it did
    and a new run goes on: it only writes hashes that differ). With `check_only`, only counts.
    Returns (rows rewritten or to rewrite, rows refused by a unique constraint)."""
    from django.db import IntegrityError, transaction

    ring = ring or keyring()
    pairs = [(f, f.index()) for f in model._meta.concrete_fields if isinstance(f, EncryptedCharField)]
    if not pairs:
        return 0, []
    names = ["pk"] + [a for f, i in pairs for a in (f.attname, i.attname)]
    hash_names = [i.name for _f, i in pairs]
    done, refused = 0, []
    last_pk: Any = None
    while True:
        qs = model._base_manager.order_by("pk")
        if last_pk is not None:
            qs = qs.filter(pk__gt=last_pk)
        rows = list(qs.values_list(*names)[:BATCH])
        if not rows:
            break
        last_pk = rows[-1][0]
        stale = []
        for pk, *values in rows:
            plains = {f.attname: values[2 * n] for n, (f, _i) in enumerate(pairs)}
            stored = [values[2 * n + 1] for n in range(len(pairs))]
            wanted = [blind_index(plains[f.attname], key=ring.index_key) for f, _i in pairs]
            if [s or "" for s in stored] != [w or "" for w in wanted]:
                stale.append(model(pk=pk, **plains))  # its hash attributes derive from the numbers
        if check_only or not stale:
            done += len(stale)
            continue
        try:
            with transaction.atomic():
                model._base_manager.bulk_update(stale, hash_names)
            done += len(stale)
        except IntegrityError:  # find the rows that collide; write the others
            for obj in stale:
                try:
                    with transaction.atomic():
                        model._base_manager.bulk_update([obj], hash_names)
                    done += 1
                except IntegrityError:
                    refused.append(f"{model._meta.label} pk={obj.pk}")
    return done, refused
