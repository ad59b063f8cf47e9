"""`manage.py rq_worker [queue ...]`: the worker of the scale-out task backend (RQ on Redis).

Used when TASKS_BACKEND=django_tasks_rq.RQBackend (docs/deployment.md); any number may run, on
any host that reaches Redis. It is django-rq's `rqworker` with django-tasks-rq's job class, plus
the worker heartbeat (`worker:rq:<host>:<pid>`, every 5 s from a side thread) that
/health/worker/ reads, as `manage.py db_worker` keeps one. A job whose worker died is moved to
RQ's failed registry by RQ itself (its StartedJobRegistry clean-up); the database backend's
`recover_stuck_tasks` does not apply to it.
"""

from __future__ import annotations

import os
import socket
import threading
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from onewindow.core import health


class Command(BaseCommand):
    help = "Run RQ jobs of the django-tasks RQ backend (TASKS_BACKEND=django_tasks_rq.RQBackend), with a heartbeat."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("queues", nargs="*", default=["default"])
        parser.add_argument("--burst", action="store_true", help="run what is queued, then exit")

    def handle(self, *args: Any, queues: list[str], burst: bool, **options: Any) -> None:
        from django.conf import settings

        if settings.TASKS["default"]["BACKEND"] != "django_tasks_rq.RQBackend":
            raise CommandError("TASKS_BACKEND is not django_tasks_rq.RQBackend: run `manage.py db_worker`.")
        key = f"worker:rq:{socket.gethostname()}:{os.getpid()}"[:80]
        stop = threading.Event()

        def beat_forever() -> None:
            while not stop.is_set():
                health.beat(key, "worker", force=True)
                stop.wait(health.BEAT_EVERY)
            connection.close()

        beater = threading.Thread(target=beat_forever, name="heartbeat", daemon=True)
        beater.start()
        try:
            call_command("rqworker", *queues, job_class="django_tasks_rq.Job", burst=burst, with_scheduler=not burst)
        finally:
            stop.set()
            beater.join(10)
