"""Bookings lose their personal data after RETENTION_BOOKING_DAYS (core/retention.py): name, ID
number, phone (with their lookup hashes) and the account link; the dashboard figures do not move."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from onewindow.appointments import services, stats
from onewindow.appointments.models import Booking, Slot, WeeklyQuota
from onewindow.appointments.retention import SETTING, anonymise_batch, sweep_booking_retention
from onewindow.appointments.scheduling import ensure_slots
from onewindow.core import retention
from onewindow.core.models import AuditEntry

from .conftest import at

pytestmark = [pytest.mark.django_db]


def book(hall: dict[str, Any], matters: dict[str, Any], who: Any, when: datetime.datetime) -> Booking:
    ensure_slots([hall["area"].pk], when.date(), when.date())
    slot = Slot.objects.select_related("area", "area__point").get(area=hall["area"], starts_at=when)
    return services.booking_create(actor=who, matter=matters["off"], slot=slot, channel="web")


def test_past_bookings_are_anonymised_newer_kept_and_the_figures_stay(
    clock: Any, hall: dict[str, Any], matters: dict[str, Any], verified_citizen: Any, verified_outsider: Any
) -> None:
    old = book(hall, matters, verified_citizen, at(2026, 12, 2, 10))
    new = book(hall, matters, verified_outsider, at(2026, 12, 3, 10))
    Booking.objects.filter(pk=old.pk).update(status=Booking.Status.NO_SHOW, no_show_at=at(2026, 12, 2, 11))
    Booking.objects.filter(pk=new.pk).update(status=Booking.Status.CHECKED_IN, checked_in_at=at(2026, 12, 3, 9, 50))
    span = {"date_from": datetime.date(2026, 12, 1), "date_to": datetime.date(2026, 12, 31)}
    assert WeeklyQuota.objects.count() == 2
    clock.move_to(at(2027, 12, 2, 12))  # the first booking is a year and two hours old, the second not
    before = stats.figures(**span)
    assert sweep_booking_retention() == 1  # one booking; the week of the two is not wholly past yet
    assert retention.run_all_batches("bookings", SETTING, anonymise_batch) == 0  # idempotent
    row = Booking.objects.get(pk=old.pk)
    assert (row.person_name, row.id_number, row.id_number_hash, row.phone, row.phone_hash, row.user_id) == (
        "",
        "",
        "",
        "",
        "",
        None,
    )
    assert (row.status, row.starts_at, row.code, row.matter_id) == (
        Booking.Status.NO_SHOW,
        old.starts_at,
        old.code,
        old.matter_id,
    )
    assert not Booking.objects.filter(id_number=verified_citizen.id_number).exists()
    kept = Booking.objects.get(pk=new.pk)
    assert (kept.id_number, kept.user_id) == (verified_outsider.id_number, verified_outsider.pk)
    assert stats.figures(**span) == before
    entry = AuditEntry.objects.get(action="retention.bookings")
    assert (entry.data["bookings"], entry.data["weekly_quotas"], entry.data["days"]) == (1, 0, 365)
    assert WeeklyQuota.objects.count() == 2


def test_a_booking_still_to_come_is_never_touched(
    clock: Any, hall: dict[str, Any], matters: dict[str, Any], verified_citizen: Any, settings: Any
) -> None:
    b = book(hall, matters, verified_citizen, at(2026, 12, 2, 10))
    clock.move_to(at(2027, 12, 7, 12))  # the week of 2026-11-30 is now wholly past the period
    assert retention.run_all_batches("bookings", SETTING, anonymise_batch) == 1  # its weekly counter only
    assert not WeeklyQuota.objects.exists()
    assert Booking.objects.get(pk=b.pk).id_number == verified_citizen.id_number  # status "booked": left alone
