"""Periodic jobs run by the worker every minute. Each is an idempotent function returning a count.

Each app names its own in its AppConfig (`sweeps = ("onewindow.<app>....", ...)`); they are
discovered here in INSTALLED_APPS order, as the API discovers its routers, so adding an app never
edits a shared list. Core's own come first (the outbox) and last (the rollups, after the hall's
close_day, so the day's last abandoned tickets are counted in the same minute).
"""

from __future__ import annotations

import datetime
import math
import os

from django.apps import apps
from django.db import IntegrityError, transaction
from django.utils import timezone

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


# One periodic sweep per tick however many schedulers run (one per web host, or two for
# redundancy): each scheduler wakes at the start of every slot of `interval` seconds and asks the
# database for the slot; the conditional UPDATE below lets exactly one of them through. The row
# lives among the heartbeats (core.ServiceHeartbeat, kind "tick"); its `beat_at` is the start of the
# last slot claimed.
TICK_KEY = "tick:periodic-sweep"
_LONG_AGO = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


def slot_start(moment: datetime.datetime, interval: float) -> datetime.datetime:
    """The start of the slot of `interval` seconds (counted from the Unix epoch) holding `moment`."""
    n = math.floor(moment.timestamp() / interval)
    return datetime.datetime.fromtimestamp(n * interval, tz=datetime.UTC)


def claim_tick(*, interval: float, now: datetime.datetime | None = None, key: str = TICK_KEY) -> bool:
    """True for exactly one caller per slot: the one whose UPDATE moved the mark to this slot.

    On PostgreSQL a second UPDATE waits for the first's row lock and then re-reads the row: its
    `beat_at < start` no longer holds, so it changes nothing; SQLite serialises the writers."""
    from .models import ServiceHeartbeat

    now = now or timezone.now()
    start = slot_start(now, interval)
    if not ServiceHeartbeat.objects.filter(key=key).exists():
        try:
            with transaction.atomic():
                ServiceHeartbeat.objects.create(key=key, kind="tick", beat_at=_LONG_AGO, started_at=now, pid=0)
        except IntegrityError:  # another scheduler created it at the same moment
            pass
    won = ServiceHeartbeat.objects.filter(key=key, beat_at__lt=start).update(beat_at=start, pid=os.getpid())
    return won == 1
