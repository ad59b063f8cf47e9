"""What the hall services share: the business day, priority ranks, the per-person key, parameter
converters for raw SQL and the ticket event row."""

from __future__ import annotations

import hashlib
import hmac
import uuid as uuid_lib
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.utils import timezone

from ..models import Ticket, TicketEvent, Window
from .sql import _EVENT_INSERT

SHANGHAI = ZoneInfo("Asia/Shanghai")


PRIORITY_RANK: dict[str, int] = {Ticket.Priority.APPOINTMENT: 1, Ticket.Priority.GREEN: 2, Ticket.Priority.NORMAL: 3}


RANK_FRONT = 0  # transferred "to the front of the line"


S = Ticket.Status


K = TicketEvent.Kind


def business_date(now: datetime | None = None) -> date:
    """The hall's business day: the calendar date in Asia/Shanghai."""
    return (now or timezone.now()).astimezone(SHANGHAI).date()


def format_number(prefix: str, seq: int) -> str:
    return f"{prefix}{seq:03d}"


def person_key(id_number: str) -> str:
    """A keyed hash of an ID number, so the per-person counter never stores the number itself."""
    return hmac.new(settings.SECRET_KEY.encode(), id_number.encode(), hashlib.sha256).hexdigest()


def _dt(value: datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def _d(value: date) -> Any:
    return connection.ops.adapt_datefield_value(value)


def _uuid(value: uuid_lib.UUID) -> Any:
    return Ticket._meta.get_field("uuid").get_db_prep_value(value, connection)


def _event(*, ticket_id: int, kind: str, now: datetime, actor: Any, window: Window | None, note: str = "") -> None:
    with connection.cursor() as cur:
        cur.execute(
            _EVENT_INSERT,
            {
                "kind": kind,
                "now": _dt(now),
                "actor": actor.pk if actor else None,
                "window": window.pk if window else None,
                "note": note[:200],
                "ticket": ticket_id,
            },
        )
