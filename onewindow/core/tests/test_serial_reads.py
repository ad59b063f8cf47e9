"""`serial_reads`: the dashboard's reads run without parallel workers on PostgreSQL, and the
session's setting is restored afterwards (a kept connection serves other pages next)."""

from __future__ import annotations

import pytest
from django.db import connection

from onewindow.core.rollups import serial_reads

pytestmark = pytest.mark.django_db


def _workers() -> str:
    with connection.cursor() as cur:
        cur.execute("SHOW max_parallel_workers_per_gather")
        return str(cur.fetchone()[0])


def test_no_parallel_workers_inside_and_the_setting_restored_after() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting")
    before = _workers()
    assert before != "0"  # the server's default (2): else this test would show nothing
    with serial_reads():
        assert _workers() == "0"
    assert _workers() == before
    with pytest.raises(ZeroDivisionError), serial_reads():
        1 / 0  # noqa: B018
    assert _workers() == before
