from __future__ import annotations

import importlib
from typing import Any

from django.core.management.base import BaseCommand

from onewindow.core.demo import DemoContext, demo_steps


class Command(BaseCommand):
    help = "Build the demo district (idempotent, deterministic). The seed's figures come out of this data."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--seed", type=int, default=20210603)
        parser.add_argument("--only", nargs="*", help="run only these steps (app labels such as 'catalog', or module paths)")

    def handle(self, *args: Any, seed: int, only: list[str] | None, **options: Any) -> None:
        ctx = DemoContext(seed=seed, out=self.stdout, quiet=options["verbosity"] == 0)
        for step in demo_steps():
            # "onewindow.catalog.demo" is the step of app "catalog"; core's steps are named by module.
            label = step.split(".")[1] if step.split(".")[1] != "core" else step.rsplit(".", 1)[-1]
            if only and label not in only and step not in only:
                continue
            module = importlib.import_module(step)
            ctx.say(f"» {step}")
            module.build(ctx)
        ctx.say("demo district ready")
