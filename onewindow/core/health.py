"""Liveness of the platform's processes, and recovery of work a dead process left behind.

- `beat(key, kind)`: a background process (DB worker, scheduler) records that it is alive. Throttled
  per process to one write every BEAT_EVERY seconds; a failing write is logged and forgotten (a
  heartbeat must never be what kills a worker during a database blip).
- `checks()`: what the health endpoints answer — the database, the freshest worker heartbeat and the
  scheduler heartbeat, each "ok" or "fail" with an age in seconds. No host names, process ids,
  worker ids or personal data: the endpoints are public.
- `recover_stuck_tasks()` (in the sweep): a task RUNNING for longer than TASK_STUCK_MINUTES whose
  worker has not beaten for WORKER_HEARTBEAT_STALE_SECONDS was orphaned by a crash (kill -9, a
  machine lost). It is put back in the queue (the platform's tasks are idempotent: notification
  delivery checks the outbox row's state, the sweep's parts each re-read what is due) up to
  TASK_MAX_ATTEMPTS runs in all, and then marked failed.
"""

from __future__ import annotations

import datetime
import logging
import os
import time
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

log = logging.getLogger("onewindow.health")

BEAT_EVERY = 5.0
_last_beat: dict[str, float] = {}
_started = timezone.now()


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def beat(key: str, kind: str, *, force: bool = False) -> bool:
    """Record that this process is alive. Returns True when a row was written."""
    from .models import ServiceHeartbeat

    now = time.monotonic()
    if not force and now - _last_beat.get(key, -1e9) < BEAT_EVERY:
        return False
    try:
        ServiceHeartbeat.objects.update_or_create(
            key=key, defaults={"kind": kind, "beat_at": timezone.now(), "started_at": _started, "pid": os.getpid()}
        )
    except DatabaseError:
        log.warning("heartbeat %s not written (database unavailable)", key)
        return False
    _last_beat[key] = now
    return True


def _age(kind: str) -> float | None:
    from .models import ServiceHeartbeat

    last = ServiceHeartbeat.objects.filter(kind=kind).order_by("-beat_at").values_list("beat_at", flat=True).first()
    if last is None:
        return None
    return max(0.0, (timezone.now() - last).total_seconds())


def check_database() -> dict[str, Any]:
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
            cur.fetchone()
    except DatabaseError:
        return {"status": "fail"}
    return {"status": "ok"}


def check_heartbeat(kind: str) -> dict[str, Any]:
    limit = _setting(
        "WORKER_HEARTBEAT_STALE_SECONDS" if kind == "worker" else "SCHEDULER_HEARTBEAT_STALE_SECONDS",
        60 if kind == "worker" else 180,
    )
    try:
        age = _age(kind)
    except DatabaseError:
        return {"status": "fail", "reason": "database"}
    if age is None:
        return {"status": "fail", "reason": "never"}
    return {"status": "ok" if age <= limit else "fail", "age_seconds": round(age, 1), "limit_seconds": limit}


def checks() -> dict[str, dict[str, Any]]:
    return {"database": check_database(), "worker": check_heartbeat("worker"), "scheduler": check_heartbeat("scheduler")}


class WorkerLost(Exception):
    """Recorded on a task that was still RUNNING when its worker stopped beating, too many times."""


def recover_stuck_tasks() -> int:
    """Requeue (or, after TASK_MAX_ATTEMPTS runs, fail) tasks orphaned by a dead worker."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from .models import ServiceHeartbeat

    now = timezone.now()
    started_before = now - datetime.timedelta(minutes=_setting("TASK_STUCK_MINUTES", 15))
    alive_since = now - datetime.timedelta(seconds=_setting("WORKER_HEARTBEAT_STALE_SECONDS", 60))
    alive = {
        k.removeprefix("worker:")
        for k in ServiceHeartbeat.objects.filter(kind="worker", beat_at__gte=alive_since).values_list("key", flat=True)
    }
    max_attempts = _setting("TASK_MAX_ATTEMPTS", 3)
    recovered = 0
    for pk, worker_ids, path in DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=started_before
    ).values_list("id", "worker_ids", "task_path"):
        if worker_ids and worker_ids[-1] in alive:
            continue  # a long task on a live worker is not stuck
        stuck = DBTaskResult.objects.filter(pk=pk, status=TaskResultStatus.RUNNING, started_at__lt=started_before)
        if len(worker_ids or []) >= max_attempts:
            done = stuck.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
                traceback=f"worker lost {len(worker_ids)} times while running the task; not retried again",
            )
        else:
            done = stuck.update(status=TaskResultStatus.READY, started_at=None)
        if done:
            log.warning("task %s (%s) recovered from a dead worker (runs so far: %s)", pk, path, len(worker_ids or []))
            recovered += 1
    # Rows of workers gone for a day are of no more use.
    ServiceHeartbeat.objects.filter(beat_at__lt=now - datetime.timedelta(days=1)).delete()
    return recovered
