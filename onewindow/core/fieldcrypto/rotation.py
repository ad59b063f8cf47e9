"""Existing rows: the data migration that encrypts them, the rotation of the field keys (rewrite
what an older key or the other cipher wrote) and of the index keys (the lookup hashes, and the
uniqueness checks while two index keys are listed). `manage.py rotate_field_keys` runs them."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.db import models

from . import _TAGS, Keyring, blind_index, decrypt, is_encrypted, keyring
from .fields import ENCRYPTED_FIELDS, BlindIndexField, EncryptedCharField, EncryptedJSONField

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
