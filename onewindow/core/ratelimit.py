"""Fixed-window rate limits kept in the database (shared by every worker process).

`hit(key, limit=..., per=...)` counts one request against `key` in the current window and raises
`RateLimited` when the window already holds `limit` hits. The count is advanced by a conditional
`UPDATE ... WHERE hits < limit` with a row-count check; the window's first hit INSERTs the row
and a lost INSERT race falls back to the UPDATE, so the limit holds under concurrency.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .errors import ApplicationError
from .models import RateLimitHit


class RateLimited(ApplicationError):
    status = 429
    code = "rate_limited"
    default_message = _("操作太频繁，请稍后再试。")


def window_start(per: datetime.timedelta, now: datetime.datetime | None = None) -> datetime.datetime:
    now = now or timezone.now()
    seconds = int(per.total_seconds())
    epoch = int(now.timestamp())
    return datetime.datetime.fromtimestamp(epoch - epoch % seconds, tz=datetime.UTC)


def hit(key: str, *, limit: int, per: datetime.timedelta, message: str | None = None) -> int:
    """Count one hit; returns the hits in the window so far. Raises RateLimited past `limit`.
    Runs in its own savepoint and commits with the caller (call it outside a transaction that may
    roll back when the refusal must stick)."""
    start = window_start(per)
    window = RateLimitHit.objects.filter(key=key, window_start=start)
    for _attempt in range(3):
        if window.filter(hits__lt=limit).update(hits=F("hits") + 1):
            return window.values_list("hits", flat=True).get()
        # The UPDATE missed: either the window is full, or its row was committed by another
        # request after the UPDATE's snapshot (PostgreSQL, READ COMMITTED). Only "full" refuses;
        # a row we could not see is counted on by the next UPDATE.
        if window.filter(hits__gte=limit).exists():
            break
        if not window.exists():
            try:
                with transaction.atomic():
                    RateLimitHit.objects.create(key=key, window_start=start, hits=1)
                return 1
            except IntegrityError:
                continue  # another request created the window first: count on its row
    raise RateLimited(message or RateLimited.default_message)


def remaining(key: str, *, limit: int, per: datetime.timedelta) -> int:
    used = RateLimitHit.objects.filter(key=key, window_start=window_start(per)).values_list("hits", flat=True).first()
    return max(0, limit - (used or 0))


def private_key(*parts: str) -> str:
    """A keyed hash for keys built from personal data (a phone number), so the table and the
    admin never show the number itself."""
    digest = hmac.new(settings.SECRET_KEY.encode(), "|".join(parts).encode(), hashlib.sha256).hexdigest()
    return digest[:32]


def purge(*, older_than: datetime.timedelta = datetime.timedelta(days=1)) -> int:
    """Sweep: windows older than a day no longer count (no limit here is longer than a day)."""
    deleted, _detail = RateLimitHit.objects.filter(window_start__lt=timezone.now() - older_than).delete()
    return deleted
