"""The end of the business day."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from ..models import Ticket, WindowSession
from ._common import SHANGHAI, K, S, _event, business_date


def close_day(*, now: datetime | None = None) -> int:
    """Sweep: tickets still open from an earlier business day are closed as abandoned; window
    shifts left open are ended. Idempotent; returns the number of tickets closed."""
    now = now or timezone.now()
    today = business_date(now)
    closed = 0
    stale = list(
        Ticket.objects.filter(business_date__lt=today, status__in=Ticket.OPEN_STATUSES).values_list("id", flat=True)[:5000]
    )
    for ticket_id in stale:
        with transaction.atomic():
            n = Ticket.objects.filter(id=ticket_id, status__in=Ticket.OPEN_STATUSES).update(
                status=S.ABANDONED, finished_at=now, updated_at=now
            )
            if n:
                _event(ticket_id=ticket_id, kind=K.ABANDONED, now=now, actor=None, window=None, note="end of day")
                closed += n
    day_start = datetime.combine(today, datetime.min.time(), tzinfo=SHANGHAI)
    WindowSession.objects.filter(ended_at__isnull=True, started_at__lt=day_start).update(
        ended_at=day_start - timedelta(seconds=1), updated_at=now
    )
    return closed
