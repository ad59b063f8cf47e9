from __future__ import annotations

import logging
import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections, connection

log = logging.getLogger("onewindow.scheduler")

MAX_PAUSE = 30.0


class Command(BaseCommand):
    help = (
        "Enqueue the periodic sweep every --interval seconds (run beside `manage.py db_worker`). "
        "Any number may run (one per host): each wakes at the start of every slot of --interval "
        "seconds and only the one that claims the slot in the database enqueues (core/sweeps.py). "
        "Survives database errors (reconnects with a pause doubling up to 30 s) and keeps the "
        "scheduler heartbeat that /health/scheduler/ reads."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--interval", type=float, default=60.0)
        parser.add_argument("--once", action="store_true")

    def handle(self, *args: Any, interval: float, once: bool, **options: Any) -> None:
        from onewindow.core import health
        from onewindow.core.sweeps import claim_tick
        from onewindow.core.tasks import periodic_sweep

        pause = 0.0
        while True:
            try:
                close_old_connections()
                if claim_tick(interval=interval):
                    periodic_sweep.enqueue()
                    log.debug("sweep enqueued")
                health.beat("scheduler", "scheduler", force=True)
                pause = 0.0
            except DatabaseError as exc:
                pause = min(max(pause * 2, 0.5), MAX_PAUSE)
                log.warning("database unavailable (%s); retrying in %.1f s", str(exc).strip()[:120], pause)
                try:
                    connection.close()
                except DatabaseError:
                    connection.connection = None
                if once and pause >= MAX_PAUSE:
                    raise
                time.sleep(pause)
                continue
            if once:
                return
            # To the start of the next slot (plus a little, so that a timer waking early does not
            # land in the slot already claimed): every scheduler asks for the same slot.
            time.sleep(interval - (time.time() % interval) + 0.05)
