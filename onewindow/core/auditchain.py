"""The audit log's hash chain (等保 level 3: audit records protected against change and deletion).

Every AuditEntry is sealed into a chain by the periodic sweep: link n holds
sha256(digest of link n-1 + the entry's canonical text). Changing an entry's action, data, actor,
time or target, deleting a sealed entry, or editing a seal breaks the chain from that link on, and
`verify` finds the first broken link. On PostgreSQL both tables also refuse UPDATE and DELETE
(a trigger, migration core 0005), so tampering needs the database owner, and the chain shows it.

Sealing happens after the fact, not in the request that writes the entry: a chain head updated by
every audited transaction would serialise all of the platform's writes on one row. An entry is
sealed once it is SETTLE seconds old, so that transactions that took their ids earlier but commit
later are not skipped; entries are looked for in a window below the last sealed id for the same
reason.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .models import AuditChainHead, AuditEntry, AuditSeal

log = logging.getLogger(__name__)

GENESIS = "0" * 64
SETTLE = datetime.timedelta(seconds=10)
LATE_WINDOW = 50_000  # ids below the last sealed one still searched for late commits
BATCH = 5_000
VERIFY_CHUNK = 20_000


def canonical(entry: AuditEntry) -> str:
    """The text that is hashed: every field of the entry, in a fixed order and format."""
    return json.dumps(
        {
            "id": entry.pk,
            "at": entry.at.astimezone(datetime.UTC).isoformat(),
            "actor": entry.actor_id,
            "action": entry.action,
            "target_type": entry.target_type,
            "target_id": entry.target_id,
            "data": entry.data,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )


def link(previous: str, entry: AuditEntry) -> str:
    return hashlib.sha256((previous + canonical(entry)).encode()).hexdigest()


def _head() -> AuditChainHead:
    AuditChainHead.objects.get_or_create(pk=1)
    return AuditChainHead.objects.select_for_update().get(pk=1)


def seal_pending(*, now: datetime.datetime | None = None, batch: int = BATCH) -> int:
    """Seal the entries that are old enough and not sealed yet, in id order. Safe when several
    schedulers run: the head row lock lets one of them extend the chain at a time."""
    cutoff = (now or timezone.now()) - SETTLE
    with transaction.atomic():
        head = _head()
        pending = list(
            AuditEntry.objects.filter(
                pk__gt=max(head.last_entry_id - LATE_WINDOW, 0), seal__isnull=True, at__lte=cutoff
            ).order_by("pk")[:batch]
        )
        digest, seq = head.last_digest, head.last_seq
        seals = []
        for entry in pending:
            seq += 1
            digest = link(digest, entry)
            seals.append(AuditSeal(seq=seq, entry=entry, digest=digest))
        AuditSeal.objects.bulk_create(seals)
        if seals:
            head.last_seq, head.last_digest = seq, digest
            head.last_entry_id = max(head.last_entry_id, pending[-1].pk)
            head.save(update_fields=["last_seq", "last_digest", "last_entry_id"])
    return len(seals)


@dataclass
class Verdict:
    checked: int
    broken_at: int | None  # the seq of the first link that does not hold
    reason: str = ""


def verify(*, start: int = 1, limit: int | None = None) -> Verdict:
    """Recompute the chain from link `start` (the previous link's digest is trusted as the base).
    Links purged after the retention period are skipped: the chain then starts from the digest of
    the last purged link, kept on the head row."""
    head = AuditChainHead.objects.filter(pk=1).first()
    base_seq, base_digest = (head.base_seq, head.base_digest) if head is not None else (0, GENESIS)
    previous = GENESIS
    if start <= base_seq + 1:
        start, previous = base_seq + 1, base_digest
    elif start > 1:
        before = AuditSeal.objects.filter(seq=start - 1).first()
        if before is None:
            return Verdict(0, start - 1, "missing link")
        previous = before.digest
    qs = AuditSeal.objects.filter(seq__gte=start).select_related("entry").order_by("seq")
    if limit:
        qs = qs[:limit]
    expected_seq = start
    checked = 0
    for seal in qs.iterator(chunk_size=2000):
        if seal.seq != expected_seq:
            return Verdict(checked, expected_seq, "missing link")
        if link(previous, seal.entry) != seal.digest:
            return Verdict(checked, seal.seq, "entry or seal changed")
        previous, expected_seq, checked = seal.digest, expected_seq + 1, checked + 1
    return Verdict(checked, None)


def seal_and_verify() -> int:
    """Sweep: seal what is pending, then verify the next piece of the chain (wrapping round), so
    the whole chain is re-checked continuously. A break is logged as an error and kept on the head
    row for the security administrator until the chain verifies again."""
    sealed = seal_pending()
    with transaction.atomic():
        head = _head()
        start = head.verified_upto + 1 if head.verified_upto < head.last_seq else 1
        start = max(start, head.base_seq + 1)
        verdict = verify(start=start, limit=VERIFY_CHUNK)
        if verdict.broken_at is not None:
            log.error("audit chain broken at link %s: %s", verdict.broken_at, verdict.reason)
            head.broken_at = verdict.broken_at
        else:
            head.verified_upto = start - 1 + verdict.checked
            if start == 1 and head.verified_upto >= head.last_seq:
                head.broken_at = None  # a full clean pass
        head.checked_at = timezone.now()
        head.save(update_fields=["verified_upto", "broken_at", "checked_at"])
    return sealed
