from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from onewindow.core import ownership


class Command(BaseCommand):
    help = (
        "Check that every waiting case, step, ticket and booking has an owner who holds it (a named unit's "
        "work list or the applicant's own); print what waits for nobody and fail if there is any."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--record", action="store_true", help="also update the supervisor's list (as the sweep does)")

    def handle(self, *args: Any, record: bool, **options: Any) -> None:
        items = list(ownership.all_waiting())
        by_owner = Counter((w.action, w.owner.label if w.owner else "-") for w in items)
        if options["verbosity"] > 1:
            for (action, owner), n in sorted(by_owner.items()):
                self.stdout.write(f"  {action:<10} {owner:<24} {n}")
        bad = ownership.problems(items)
        if record:
            ownership.sweep_unowned()
        self.stdout.write(f"{len(items)} waiting things, {len(bad)} without an owner who holds them")
        for w in bad:
            self.stdout.write(f"  {w.key}  {w.subject}  ({w.label}): {w.problem}")
        if bad:
            raise CommandError(f"{len(bad)} waiting things have no owner who holds them")
