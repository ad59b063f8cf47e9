from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Enqueue the periodic sweep every --interval seconds (run beside `manage.py db_worker`)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--interval", type=float, default=60.0)
        parser.add_argument("--once", action="store_true")

    def handle(self, *args: Any, interval: float, once: bool, **options: Any) -> None:
        from onewindow.core.tasks import periodic_sweep

        while True:
            periodic_sweep.enqueue()
            if once:
                return
            time.sleep(interval)
