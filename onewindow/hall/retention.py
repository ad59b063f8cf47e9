"""Retention of queue tickets' personal data (core/retention.py says how long and how often).

After RETENTION_TICKET_DAYS a closed ticket keeps everything the figures count (area, day, number,
source, priority, status, times, window, clerk) and loses the person: ID number and phone, each with
its lookup hash (the queryset's update() empties the hash with its number, so no hash is left to
match a number against). The per-person day
counters of those days, keyed by a hash of the ID number, go too.
"""

from __future__ import annotations

import datetime

from onewindow.core import retention

from .days import business_date
from .models import PersonDayCounter, Ticket

SETTING = "RETENTION_TICKET_DAYS"


def anonymise_batch(before: datetime.datetime, limit: int) -> dict[str, int]:
    last_day = business_date(before)
    ids = list(
        Ticket.objects.filter(business_date__lt=last_day)
        .exclude(status__in=Ticket.OPEN_STATUSES)
        .exclude(id_number_hash="", phone_hash="")
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    tickets = Ticket.objects.filter(id__in=ids).update(id_number="", phone="")
    old_counters = PersonDayCounter.objects.filter(business_date__lt=last_day).order_by("id")
    counters, _ = PersonDayCounter.objects.filter(id__in=list(old_counters.values_list("id", flat=True)[:limit])).delete()
    return {"tickets": tickets, "person_counters": counters}


def sweep_ticket_retention() -> int:
    return retention.run("tickets", SETTING, anonymise_batch)
