"""The demo district: a deterministic, idempotent data set in which the seed's figures (FACTS.md,
marked "demo") come out of the data. `manage.py load_demo` runs each app's demo steps (`build(ctx)`) in
the order of `demo_steps()`; each step checks what already exists, so running it twice changes nothing."""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured


def demo_steps() -> list[str]:
    """Every app's demo steps (modules with `build(ctx)`), in build order.

    Each app names its own in its AppConfig, `demo_steps = ((order key, "module"), ...)`, as it names
    its sweeps; they are discovered here, so adding an app never edits a shared list. The key, not
    INSTALLED_APPS, decides the order (later steps use what earlier ones built; an app may have a
    step early and one late), and no two steps share a key, so the order is always written down."""
    keyed: dict[int, str] = {}
    for config in apps.get_app_configs():
        for key, module in getattr(config, "demo_steps", ()):
            if key in keyed:
                raise ImproperlyConfigured(f"demo step order key {key} is taken twice: {keyed[key]} and {module}")
            keyed[key] = module
    return [keyed[key] for key in sorted(keyed)]


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
