"""The demo district: a deterministic, idempotent data set in which the seed's figures (FACTS.md,
marked "demo") come out of the data. `manage.py load_demo` runs each app's `demo.build(ctx)` in
DEMO_STEPS order; each step checks what already exists, so running it twice changes nothing."""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass, field
from typing import Any

# Order matters: later steps use what earlier ones built. Missing modules are skipped.
DEMO_STEPS = [
    "onewindow.core.demo.calendar",
    "onewindow.accounts.demo",
    "onewindow.catalog.demo",
    "onewindow.hall.demo",
    "onewindow.cases.demo",
    "onewindow.appointments.demo",
    "onewindow.filings.demo",
    "onewindow.portal.demo",
    "onewindow.assistance.demo",
    "onewindow.townships.demo",
    "onewindow.welfare.demo",
    # Current 低保 applications in every state of the 审核确认 (after the register's history).
    "onewindow.welfare.process.demo",
    "onewindow.ratings.demo",
    # The 低保 register's history (2018 on, F13/F13a): read by no other step, but its approvals are
    # cases, so it comes before the ranking below.
    "onewindow.welfare.demo_history",
    # Last: it ranks matters by what the steps above used (cases, bookings, filings), so the top 50
    # of the finished demo are the ones with real forms (core/tests/test_demo_owners.py checks).
    # In the portal (an interface app): it reads those apps, which the catalog must not import.
    "onewindow.portal.demo_forms",
    # After every step that made staff: each demo staff account gets the documented authenticator.
    "onewindow.accounts.demo_authenticators",
]

DEMO_PASSWORD = "Qingyuan@2021"  # noqa: S105 - documented demo persona password, demo data only


@dataclass
class DemoContext:
    seed: int = 20210603
    out: Any = field(default_factory=lambda: sys.stdout)  # a TextIO or Django's OutputWrapper
    quiet: bool = False
    cache: dict[str, Any] = field(default_factory=dict)

    def rng(self, name: str) -> random.Random:
        """An independent, deterministic random stream per step, so adding data to one step never
        reshuffles another's."""
        return random.Random(f"{self.seed}:{name}")

    def _write(self, text: str) -> None:
        # Django's OutputWrapper appends a newline unless told otherwise; a progress bar must not.
        try:
            self.out.write(text, ending="")
        except TypeError:
            self.out.write(text)
        self.out.flush()

    def say(self, text: str) -> None:
        if not self.quiet:
            self._write(text + "\n")

    def progress(self, label: str, done: int, total: int) -> None:
        """A one-line progress bar (the command's progress display)."""
        if self.quiet or total <= 0:
            return
        step = max(1, total // 50)
        if done % step and done < total:
            return
        width = 30
        filled = int(width * done / total)
        self._write(f"\r  {label:<28} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}" + ("\n" if done >= total else ""))
