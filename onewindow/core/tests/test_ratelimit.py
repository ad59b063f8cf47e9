"""The database rate limiter under real concurrent connections (SQLite and PostgreSQL): a burst
takes exactly `limit` places, and a window's first hits never refuse a request because another
request's fresh row was invisible to their UPDATE."""

from __future__ import annotations

import datetime

import pytest

from onewindow.core import ratelimit
from onewindow.core.models import RateLimitHit
from onewindow.core.testing import run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)
HOUR = datetime.timedelta(hours=1)
N = 8


def _outcomes(key: str, limit: int) -> list[str]:
    def attempt(i: int) -> str:
        ratelimit.hit(key, limit=limit, per=HOUR)
        return "ok"

    out = []
    for r in run_concurrently(attempt, N):
        if isinstance(r, ratelimit.RateLimited):
            out.append("limited")
        elif isinstance(r, BaseException):
            raise r
        else:
            out.append(r)
    return out


@pytest.mark.postgres
def test_a_burst_takes_exactly_the_limit() -> None:
    outcomes = _outcomes("test:burst", 3)
    assert outcomes.count("ok") == 3, outcomes
    assert RateLimitHit.objects.get(key="test:burst").hits == 3


@pytest.mark.postgres
def test_a_fresh_window_under_the_limit_refuses_nobody() -> None:
    # Eight first hits of a new window with room for all: before the fix, a request whose UPDATE
    # ran before another's INSERT committed took the row it then saw for a full window.
    for attempt in range(3):
        key = f"test:fresh:{attempt}"
        outcomes = _outcomes(key, N)
        assert outcomes == ["ok"] * N, outcomes
        assert RateLimitHit.objects.get(key=key).hits == N
