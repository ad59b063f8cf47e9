"""Delete audit entries older than the retention period: the audit administrator's command only.

    manage.py purge_audit --before 2026-01-01 --operator <audit administrator's user name>

- `--before` must lie at least `ONEWINDOW_AUDIT_RETENTION_DAYS` (never under 183: 6 months, 等保
  level 3) in the past; nothing younger is ever deleted.
- The operator must hold the audit administrator role (`ONEWINDOW_AUDIT_ADMIN_ROLE`).
- The chain is verified first; a broken chain is evidence and is not purged.
- Only sealed links are deleted, from the start of the chain; the digest of the last deleted link
  is kept on the chain head, so `audit_verify` keeps verifying the rest.
- On PostgreSQL the tables are append-only by trigger (core migration 0005): the command disables
  the triggers inside its own transaction, which only the tables' owner may do. Run it with the
  owner's DATABASE_URL; the application's role (docs/security.md, `manage.py db_roles`) cannot.
- The purge itself is an audit entry (who, up to when, how many).

The command is accounts' (the audit log is core's): it checks who the operator is, and core imports
no app.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from onewindow.core.auditchain import seal_pending, verify
from onewindow.core.models import AuditChainHead, AuditEntry, AuditSeal

from ...models import RoleAssignment, User

TABLES = ("core_auditentry", "core_auditseal")


class Command(BaseCommand):
    help = "Audit administrator: delete sealed audit entries older than the retention period."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--before", required=True, help="YYYY-MM-DD: entries before this day")
        parser.add_argument("--operator", required=True, help="the audit administrator's user name")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            before = datetime.date.fromisoformat(options["before"])
        except ValueError:
            raise CommandError("--before must be a date, YYYY-MM-DD") from None
        days = max(int(settings.ONEWINDOW_AUDIT_RETENTION_DAYS), 183)
        limit = timezone.localdate() - datetime.timedelta(days=days)
        if before > limit:
            raise CommandError(f"entries are kept {days} days: --before may be {limit} at the latest")
        operator = User.objects.filter(username=options["operator"], is_active=True).first()
        role = settings.ONEWINDOW_AUDIT_ADMIN_ROLE
        if operator is None or not RoleAssignment.objects.filter(user=operator, role=role).exists():
            raise CommandError(f"only an active user holding the {role!r} role may purge the audit log")
        seal_pending()
        verdict = verify()
        if verdict.broken_at is not None:
            raise CommandError(f"the audit chain is broken at link {verdict.broken_at}; it is evidence and is kept")
        cutoff = timezone.make_aware(datetime.datetime.combine(before, datetime.time.min))
        with transaction.atomic():
            head = AuditChainHead.objects.select_for_update().get(pk=1)
            first_kept = (
                AuditSeal.objects.filter(seq__gt=head.base_seq, entry__at__gte=cutoff)
                .order_by("seq")
                .values_list("seq", flat=True)
                .first()
            )
            upto = (first_kept - 1) if first_kept is not None else head.last_seq
            last = AuditSeal.objects.filter(seq=upto).first() if upto > head.base_seq else None
            if last is None:
                self.stdout.write("nothing to purge")
                return
            doomed = AuditSeal.objects.filter(seq__gt=head.base_seq, seq__lte=upto)
            entry_ids = list(doomed.values_list("entry_id", flat=True))
            if connection.vendor == "postgresql":
                with connection.cursor() as cur:
                    for table in TABLES:
                        cur.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
            count = doomed._raw_delete(doomed.db)
            AuditEntry.objects.filter(pk__in=entry_ids)._raw_delete(AuditEntry.objects.db)
            if connection.vendor == "postgresql":
                with connection.cursor() as cur:
                    # Check the deferred foreign keys now: ALTER TABLE refuses pending trigger events.
                    cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
                    for table in TABLES:
                        cur.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")
            head.base_seq, head.base_digest = upto, last.digest
            head.verified_upto = max(head.verified_upto, upto)
            head.save(update_fields=["base_seq", "base_digest", "verified_upto"])
            AuditEntry.objects.create(
                actor=operator,
                action="core.audit_purged",
                target_type="core.auditchainhead",
                target_id="1",
                data={"before": before.isoformat(), "upto_seq": upto, "entries": count, "retention_days": days},
            )
        self.stdout.write(f"purged {count} audit entries before {before} (links up to {upto})")
