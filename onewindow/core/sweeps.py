"""Periodic jobs run by the worker every minute. Each is an idempotent function returning a count.

Each app names its own in its AppConfig (`sweeps = ("onewindow.<app>....", ...)`); they are
discovered here in INSTALLED_APPS order, as the API discovers its routers, so adding an app never
edits a shared list. Core's own come first (the outbox) and last (the rollups, after the hall's
close_day, so the day's last abandoned tickets are counted in the same minute).
"""

from __future__ import annotations

from django.apps import apps

FIRST: tuple[str, ...] = ("onewindow.core.notify.deliver_pending",)
LAST: tuple[str, ...] = (
    "onewindow.core.ratelimit.purge",
    "onewindow.core.auditchain.seal_and_verify",
    "onewindow.core.ownership.sweep_unowned",
    # Tasks left RUNNING by a worker that died (kill -9, a lost machine) go back to the queue.
    "onewindow.core.health.recover_stuck_tasks",
    # Private files that no row refers to (a process killed between writing a file and committing
    # its row), older than ORPHAN_FILE_GRACE_HOURS; at most once an hour.
    "onewindow.core.orphans.sweep_orphan_files",
    "onewindow.core.rollups.refresh_all",
)


def sweeps() -> list[str]:
    """Every sweep's dotted path, in the order they run."""
    found: list[str] = list(FIRST)
    for config in apps.get_app_configs():
        found.extend(getattr(config, "sweeps", ()))
    return found + list(LAST)
