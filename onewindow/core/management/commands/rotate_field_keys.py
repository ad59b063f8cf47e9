"""Re-encrypt ID and phone numbers under the current field key (the first of ONEWINDOW_FIELD_KEYS).

Rotation, step by step (docs/security.md):
1. `manage.py rotate_field_keys --generate` prints a new key line.
2. Put it first in ONEWINDOW_FIELD_KEYS, keep the old key after it, restart: new values are written
   under the new key, old ones are still read.
3. `manage.py rotate_field_keys` rewrites every value still under another key (or the other
   cipher, or plaintext from before encryption), in batches; it can be stopped and run again.
4. `manage.py rotate_field_keys --check` exits 0 when nothing is left; then drop the old key.

The index (HMAC) key of the lookup hashes, the same way with `--index`:
1. `--generate-index` prints a new index key.
2. Put it first in ONEWINDOW_INDEX_KEY, the old one after it (comma-separated), restart: lookups
   match a hash under either key, new hashes are under the new key, and a save that would
   duplicate a unique number held under the old key is refused (core/fieldcrypto/).
3. `manage.py rotate_field_keys --index` recomputes every hash not under the new key, in batches;
   it can be stopped and run again.
4. `manage.py rotate_field_keys --index --check` exits 0 when every hash is under the new key;
   then drop the old index key.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import F, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from onewindow.core import fieldcrypto
from onewindow.core.fieldcrypto import fields, rotation
from onewindow.core.models import AuditEntry


class Command(BaseCommand):
    help = "Re-encrypt ID and phone numbers under the current field key; --check reports what is left."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--check", action="store_true", help="only count values not under the current key")
        parser.add_argument("--generate", action="store_true", help="print a new random key line and stop")
        parser.add_argument("--index", action="store_true", help="rewrite (or with --check count) the lookup hashes")
        parser.add_argument("--generate-index", action="store_true", help="print a new random index key and stop")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["generate"]:
            self.stdout.write(f"k{timezone.localdate():%Y%m%d}:{fieldcrypto.new_key()}")
            return
        if options["generate_index"]:
            self.stdout.write(fieldcrypto.new_key())
            return
        ring = fieldcrypto.keyring()
        models = sorted({f.model for f in fields.encrypted_fields()}, key=lambda m: m._meta.label)
        if options["index"]:
            self._index(models, ring, check=options["check"])
            return
        if options["check"]:
            left = 0
            for model in models:
                for field in [f for f in model._meta.concrete_fields if isinstance(f, fields.EncryptedCharField)]:
                    stale = rotation.stale_rows(model, field, ring=ring)
                    raw = stale.annotate(_r=Cast(F(field.attname), output_field=TextField())).values_list("_r", flat=True)
                    by_key = Counter(fieldcrypto.key_id_of(v) or "plaintext" for v in raw.iterator())
                    for key_id, n in sorted(by_key.items()):
                        self.stdout.write(f"{model._meta.label}.{field.name}: {n} under {key_id}")
                        left += n
            if left:
                raise CommandError(f"{left} values are not under the current key {ring.current_id}")
            self.stdout.write(f"every value is under the current key {ring.current_id} ({ring.cipher})")
            return
        counts: dict[str, int] = {}
        for model in models:
            counts[model._meta.label] = rotation.reencrypt(model, ring=ring)
            self.stdout.write(f"{model._meta.label}: {counts[model._meta.label]} values re-encrypted")
        with transaction.atomic():
            AuditEntry.objects.create(
                actor=None,
                action="core.field_keys_rotated",
                target_type="core.fieldkey",
                target_id=ring.current_id,
                data={"cipher": ring.cipher, "rewritten": counts},
            )

    def _index(self, models: list[Any], ring: fieldcrypto.Keyring, *, check: bool) -> None:
        counts: dict[str, int] = {}
        refused: list[str] = []
        for model in models:
            n, clashes = rotation.rehash(model, check_only=check, ring=ring)
            refused += clashes
            if n or not check:
                counts[model._meta.label] = n
                self.stdout.write(
                    f"{model._meta.label}: {n} hashes {'not under the current index key' if check else 'rewritten'}"
                )
        if check:
            left = sum(counts.values())
            if left:
                raise CommandError(f"{left} rows have a lookup hash not under the current index key")
            self.stdout.write(f"every lookup hash is under the current index key ({len(ring.index_keys)} listed)")
            return
        with transaction.atomic():
            AuditEntry.objects.create(
                actor=None,
                action="core.index_key_rotated",
                target_type="core.indexkey",
                target_id=fieldcrypto.index_key_check_value(ring.index_key),
                data={"rewritten": counts, "refused": refused},
            )
        if refused:
            raise CommandError(
                f"{len(refused)} rows hold a number another row holds (a duplicate that came in during the rotation): "
                + ", ".join(refused[:20])
            )
