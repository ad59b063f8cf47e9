"""`manage.py db_worker`: django-tasks-db's worker, made to survive a database blip.

The upstream worker dies on the first database error that is not "database is locked" (a restarted
PostgreSQL, a dropped connection, a failover), and with it every notification and sweep. This
command (it shadows the upstream one: onewindow.core is listed before django_tasks_db in
INSTALLED_APPS) runs the same loop, and on a connection error:

- drops the broken connection and tries again after a pause that doubles up to 30 s;
- puts the task it was running back in the queue if the error cut it short (the platform's tasks
  are idempotent), or marks it failed after TASK_MAX_ATTEMPTS runs;
- keeps a heartbeat (`worker:<worker id>`, every 5 s from a side thread, so a long task still
  shows a live worker) for the health endpoint and for the sweep that recovers tasks of workers
  that died outright (core.health.recover_stuck_tasks).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django_tasks_db.management.commands.db_worker import Command as UpstreamCommand
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from onewindow.core import health

log = logging.getLogger("onewindow.worker")

MAX_PAUSE = 30.0


def drop_connection() -> None:
    try:
        connection.close()
    except DatabaseError:
        connection.connection = None


def release_interrupted(task_id: Any, worker_id: str) -> None:
    """After a reconnect: the task the blip interrupted goes back to the queue (or fails)."""
    from django_tasks_db.compat import TaskResultStatus

    row = DBTaskResult.objects.filter(pk=task_id, status=TaskResultStatus.RUNNING).values_list("worker_ids", flat=True).first()
    if row is None or not row or row[-1] != worker_id:
        return
    if len(row) >= health._setting("TASK_MAX_ATTEMPTS", 3):
        DBTaskResult.objects.filter(pk=task_id, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED,
            exception_class_path=f"{OperationalError.__module__}.{OperationalError.__qualname__}",
            traceback="database connection lost while running the task; not retried again",
        )
    else:
        DBTaskResult.objects.filter(pk=task_id, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.READY, started_at=None
        )
    log.warning("task %s interrupted by a database error: released", task_id)


class ResilientWorker(Worker):
    interrupted: Any = None

    def _beat_forever(self, stop: threading.Event) -> None:
        key = f"worker:{self.worker_id}"
        while not stop.is_set():
            if not health.beat(key, "worker", force=True):
                drop_connection()
            stop.wait(health.BEAT_EVERY)
        drop_connection()

    def run(self) -> None:
        stop = threading.Event()
        beater = threading.Thread(target=self._beat_forever, args=(stop,), name="heartbeat", daemon=True)
        beater.start()
        pause = 0.0
        try:
            while self.running:
                try:
                    if self.interrupted is not None:
                        release_interrupted(self.interrupted, self.worker_id)
                        self.interrupted = None
                    if self._once():
                        return
                    pause = 0.0
                except (OperationalError, InterfaceError) as exc:
                    pause = min(max(pause * 2, 0.5), MAX_PAUSE)
                    log.warning("database unavailable (%s); reconnecting in %.1f s", str(exc).strip()[:120], pause)
                    drop_connection()
                    if self.running:
                        time.sleep(pause)
        finally:
            stop.set()

    def _once(self) -> bool:
        """One turn of the upstream loop. True when the worker should exit (batch / max tasks)."""
        from django.db import close_old_connections

        close_old_connections()
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        retrieved = True
        with exclusive_transaction(tasks.db):
            try:
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)
            except OperationalError as e:
                if not is_locked_database_exception(e):
                    raise
                retrieved, task_result = False, None
        if task_result is not None:
            self.interrupted = task_result.pk
            self.run_task(task_result)  # a database error while recording the outcome propagates
            self.interrupted = None
        if self.batch and retrieved and task_result is None:
            return True
        if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
            return True
        close_old_connections()
        if self.running and not task_result:
            time.sleep(self.interval)
        return False


class Command(UpstreamCommand):
    help = "Run the database background worker (reconnects after database errors; heartbeat for /health/worker/)."

    def handle(self, *args: Any, **options: Any) -> None:
        import django_tasks_db.management.commands.db_worker as upstream

        upstream.Worker = ResilientWorker  # type: ignore[misc]  # the upstream command's class, swapped for this run
        try:
            super().handle(*args, **options)
        finally:
            upstream.Worker = Worker  # type: ignore[misc]  # put back
