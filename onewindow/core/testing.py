"""Test helpers shared by every app: personas, the calendar, and real concurrent clients."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import connection, connections

T = TypeVar("T")


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def run_concurrently(fn: Callable[[int], T], n: int, *, timeout: float = 120.0) -> list[T | BaseException]:
    """Run fn(i) for i in range(n) in n threads released together, each with its own database
    connection (real concurrent clients, not mocks). Returns results or the exceptions raised.

    Use only from tests marked `@pytest.mark.django_db(transaction=True)` so that other
    connections can see the committed fixtures.
    """
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def worker(i: int) -> None:
        try:
            barrier.wait(timeout=timeout)
            results[i] = fn(i)
        except BaseException as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    return results


def run_concurrently_timed(fn: Callable[[int], T], n: int, *, timeout: float = 3600.0) -> tuple[list[T | BaseException], float]:
    """run_concurrently, also returning the wall-clock seconds it took (for benchmarks)."""
    started = time.perf_counter()
    results = run_concurrently(fn, n, timeout=timeout)
    return results, time.perf_counter() - started
