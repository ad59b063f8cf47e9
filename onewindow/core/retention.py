"""Retention of personal data (PIPL art. 19: kept no longer than the purpose needs).

Each app that holds personal data for a limited purpose names a sweep in its AppConfig that calls
`run()` with its own batch function (hall: tickets, appointments: bookings, materials: drafts). What
is kept and what goes is the app's business; this module only says how long (the settings below),
how often and how much at a time, and audits each batch.

- Periods are settings in days: RETENTION_TICKET_DAYS, RETENTION_BOOKING_DAYS, RETENTION_DRAFT_DAYS
  (defaults in DEFAULT_DAYS; a period below MIN_DAYS is read as MIN_DAYS, so a typo cannot wipe
  today's queue).
- A batch handles at most BATCH rows in one transaction, with one audit entry holding its counts.
  A full batch means more is waiting: the next minute's sweep goes on. A batch that was not full
  marks the run done, and the next one starts SWEEP_EVERY later.
- Every batch function selects only rows that still hold personal data, so running it again
  changes nothing (idempotent), and what stays (statuses, times, counts) keeps the figures.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .audit import audit

DEFAULT_DAYS: dict[str, int] = {
    # Queue tickets: long enough for complaints about a day at the hall and for the monthly figures
    # to be checked against the rows.
    "RETENTION_TICKET_DAYS": 180,
    # Bookings: a year, so a no-show record can still be looked into at the next year's review.
    "RETENTION_BOOKING_DAYS": 365,
    # Drafts left open or abandoned (never submitted): a submitted draft becomes a case, which has
    # its own archive rules.
    "RETENTION_DRAFT_DAYS": 90,
}
MIN_DAYS = 7
BATCH = 500
SWEEP_EVERY = datetime.timedelta(hours=1)

# A batch function: (cutoff, limit) -> counts of what it changed, e.g. {"tickets": 12}. It runs
# inside run()'s transaction; the first count decides whether the batch was full.
BatchFn = Callable[[datetime.datetime, int], dict[str, int]]


def period_days(setting: str) -> int:
    return max(MIN_DAYS, int(getattr(settings, setting, DEFAULT_DAYS[setting])))


def cutoff(setting: str, now: datetime.datetime | None = None) -> datetime.datetime:
    """Rows whose time lies before this are past the period of `setting`."""
    return (now or timezone.now()) - datetime.timedelta(days=period_days(setting))


def run(name: str, setting: str, batch: BatchFn, *, force: bool = False) -> int:
    """One batch of retention `name` if a run is due (or `force`); returns how many rows it changed."""
    from .models import ServiceHeartbeat

    key = f"sweep:retention-{name}"
    now = timezone.now()
    if not force:
        last = ServiceHeartbeat.objects.filter(key=key).values_list("beat_at", flat=True).first()
        if last is not None and now - last < SWEEP_EVERY:
            return 0
    with transaction.atomic():
        mark, _ = ServiceHeartbeat.objects.select_for_update().get_or_create(
            key=key, defaults={"kind": "sweep", "beat_at": now - SWEEP_EVERY, "started_at": now}
        )
        limit = cutoff(setting, now)
        counts = batch(limit, BATCH)
        changed = next(iter(counts.values()), 0)
        if any(counts.values()):
            audit(
                actor=None,
                action=f"retention.{name}",
                target=mark,
                data={**counts, "before": limit.isoformat(), "days": period_days(setting)},
            )
        if changed < BATCH:
            # Done for now; a full batch leaves the mark as it was so the next minute goes on.
            mark.beat_at = now
            mark.started_at = now
            mark.save(update_fields=["beat_at", "started_at"])
    return sum(counts.values())


def run_all_batches(name: str, setting: str, batch: BatchFn) -> int:
    """Every batch until nothing is left (the management command and tests)."""
    total = 0
    while True:
        n = run(name, setting, batch, force=True)
        total += n
        if n == 0:
            return total
