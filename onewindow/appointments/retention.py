"""Retention of bookings' personal data (core/retention.py says how long and how often).

After RETENTION_BOOKING_DAYS a booking that is over (checked in, cancelled or a no-show) keeps what
the figures count (matter, area, slot, times, channel, status, off-hours, ticket number) and loses
the person: name, ID number and phone (each lookup hash emptied with its number) and the link to the
citizen's account. The weekly per-person counters of those weeks, keyed by the ID number, go too.
"""

from __future__ import annotations

import datetime

from django.db.models import Q

from onewindow.core import retention

from .models import Booking, WeeklyQuota

SETTING = "RETENTION_BOOKING_DAYS"

_HOLDS_PERSON = ~Q(id_number_hash="") | ~Q(phone_hash="") | ~Q(person_name="") | Q(user__isnull=False)


def anonymise_batch(before: datetime.datetime, limit: int) -> dict[str, int]:
    ids = list(
        Booking.objects.filter(_HOLDS_PERSON, starts_at__lt=before)
        .exclude(status=Booking.Status.BOOKED)
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    # The queryset's update() empties each lookup hash with its number (core.fieldcrypto).
    bookings = Booking.objects.filter(id__in=ids).update(person_name="", id_number="", phone="", user=None)
    # A week's counter (keyed by the ID number) is needed while the week can be booked; it goes once
    # the whole week lies before `before`.
    old_weeks = WeeklyQuota.objects.filter(week_start__lte=(before - datetime.timedelta(days=7)).date()).order_by("id")
    quotas, _ = WeeklyQuota.objects.filter(id__in=list(old_weeks.values_list("id", flat=True)[:limit])).delete()
    return {"bookings": bookings, "weekly_quotas": quotas}


def sweep_booking_retention() -> int:
    return retention.run("bookings", SETTING, anonymise_batch)
