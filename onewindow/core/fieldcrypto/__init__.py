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

The package: the keys, the ciphers and the values (here; SM4 in `sm4.py`), the model fields, their
lookups and the bulk writes that keep each hash with its number (`fields.py`), and existing rows:
the data migration, the key rotation and the index key rotation (`rotation.py`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from . import sm4

if TYPE_CHECKING:  # imported when first used (the cipher is loaded on the first encryption)
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

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


# --- AES-256-GCM -----------------------------------------------------------------------------


@lru_cache(maxsize=16)
def _aesgcm(key: bytes) -> AESGCM:
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
    blob = sm4.encrypt(key, data) if ring.cipher == "sm4" else _gcm_encrypt(key, data)
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
    data = sm4.decrypt(key, blob) if _CIPHER_OF_TAG[tag] == "sm4" else _gcm_decrypt(key, blob)
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


# Migrations name the fields and the data migration by this package's path (a migration keeps the
# path it was written with), so they are importable from here.
from .fields import BlindIndexField, EncryptedCharField, EncryptedJSONField  # noqa: E402
from .rotation import migrate_encrypt  # noqa: E402

__all__ = ["BlindIndexField", "EncryptedCharField", "EncryptedJSONField", "migrate_encrypt"]
