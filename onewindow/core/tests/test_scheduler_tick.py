"""Several schedulers, one sweep per tick (core/sweeps.claim_tick, manage.py run_scheduler)."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from onewindow.core.models import ServiceHeartbeat
from onewindow.core.sweeps import TICK_KEY, claim_tick, slot_start
from onewindow.core.testing import run_concurrently

T0 = datetime.datetime(2026, 12, 7, 8, 0, 30, tzinfo=datetime.UTC)
# A slot so long that no test run crosses its end: every scheduler started now asks for one slot.
FOREVER = 1e9


def test_slot_start() -> None:
    assert slot_start(T0, 60) == datetime.datetime(2026, 12, 7, 8, 0, tzinfo=datetime.UTC)
    assert slot_start(T0 + datetime.timedelta(seconds=29.9), 60) == slot_start(T0, 60)
    assert slot_start(T0 + datetime.timedelta(seconds=30), 60) == datetime.datetime(2026, 12, 7, 8, 1, tzinfo=datetime.UTC)


@pytest.mark.django_db
def test_one_claim_per_slot() -> None:
    assert claim_tick(interval=60, now=T0) is True
    assert claim_tick(interval=60, now=T0 + datetime.timedelta(seconds=10)) is False  # same minute
    assert claim_tick(interval=60, now=T0 + datetime.timedelta(seconds=40)) is True  # the next one
    assert claim_tick(interval=60, now=T0) is False  # a scheduler whose clock is behind: no rerun
    row = ServiceHeartbeat.objects.get(key=TICK_KEY)
    assert row.kind == "tick" and row.beat_at == datetime.datetime(2026, 12, 7, 8, 1, tzinfo=datetime.UTC)


@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_one_winner_per_slot() -> None:
    for minute in range(3):
        now = T0 + datetime.timedelta(minutes=minute)

        def claim(i: int, now: datetime.datetime = now) -> bool:
            return claim_tick(interval=60, now=now)

        results = run_concurrently(claim, 6)
        assert not [r for r in results if isinstance(r, BaseException)], results
        assert results.count(True) == 1, (minute, results)


@pytest.mark.django_db(transaction=True)
def test_concurrent_schedulers_enqueue_one_sweep() -> None:
    """Six real `run_scheduler` commands at once, each with its own connection: one sweep queued."""
    results = run_concurrently(lambda i: call_command("run_scheduler", "--once", interval=FOREVER), 6)
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert DBTaskResult.objects.filter(task_path="onewindow.core.tasks.periodic_sweep").count() == 1
    # Every one of them is alive, whether it won or not.
    assert ServiceHeartbeat.objects.filter(key="scheduler").exists()
    # Started again in the same slot (a restart): still one.
    call_command("run_scheduler", "--once", interval=FOREVER)
    assert DBTaskResult.objects.filter(task_path="onewindow.core.tasks.periodic_sweep").count() == 1
