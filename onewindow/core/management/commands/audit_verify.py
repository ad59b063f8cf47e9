"""Seal pending audit entries and verify the whole hash chain; exit status 1 on a break."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from onewindow.core.auditchain import seal_pending, verify


class Command(BaseCommand):
    help = "Seal pending audit entries, then verify the audit log's hash chain from the first link."

    def handle(self, *args: Any, **options: Any) -> None:
        sealed = seal_pending()
        verdict = verify()
        if verdict.broken_at is not None:
            raise CommandError(f"audit chain broken at link {verdict.broken_at} ({verdict.reason}); {verdict.checked} links hold")
        self.stdout.write(f"audit chain holds: {verdict.checked} links ({sealed} sealed now)")
