"""Real concurrent connections (core.testing.run_concurrently): capacity and per-person limits are
held by the database, never by luck."""

from __future__ import annotations

from typing import Any

import pytest

from onewindow.accounts.demo import resident_id
from onewindow.appointments import services
from onewindow.appointments.errors import AlreadyBooked, SlotFull, WeeklyLimitReached
from onewindow.appointments.models import Booking, Slot, WeeklyQuota
from onewindow.appointments.scheduling import ensure_slots
from onewindow.catalog.models import Matter
from onewindow.core.testing import is_postgres, run_concurrently

from .conftest import at, make_matter

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("clock")]

REQUESTS = 200


def _slot(area: Any, when: Any, capacity: int) -> Slot:
    ensure_slots([area.pk], when.date(), when.date())
    Slot.objects.filter(area=area, starts_at=when).update(capacity=capacity)
    return Slot.objects.get(area=area, starts_at=when)


def test_200_concurrent_requests_for_10_places_give_exactly_10(hall: dict[str, Any], matters: dict[str, Any], clerk: Any) -> None:
    slot = _slot(hall["area"], at(2026, 12, 2, 9, 0), 10)
    matter_pk = matters["off"].pk
    # SQLite: 200 threads, 200 connections. PostgreSQL: the server allows 100 connections shared
    # with other clients, so 50 connections carry the 200 requests (4 each, all racing).
    threads = REQUESTS if not is_postgres() else 50
    per_thread = REQUESTS // threads

    def attempt(i: int) -> list[str]:
        out = []
        for k in range(per_thread):
            n = i * per_thread + k
            try:
                services.booking_create(
                    actor=clerk,
                    matter=Matter.objects.select_related("current_version").get(pk=matter_pk),
                    slot=Slot.objects.select_related("area", "area__point").get(pk=slot.pk),
                    channel="call",
                    id_number=resident_id("19800101", n),
                    person_name=f"来电{n}",
                    phone="13800000000",
                )
                out.append("ok")
            except SlotFull:
                out.append("full")
        return out

    results = run_concurrently(attempt, threads)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors[:3]
    flat = [x for r in results for x in r]  # type: ignore[union-attr]
    assert len(flat) == REQUESTS
    assert flat.count("ok") == 10 and flat.count("full") == REQUESTS - 10
    slot.refresh_from_db()
    assert slot.booked == 10 == Booking.objects.filter(slot=slot, status="booked").count()
    # A refused request used up none of the person's weekly allowance.
    assert WeeklyQuota.objects.filter(count=1).count() == 10


def test_same_person_racing_for_one_matter_gets_one_booking(hall: dict[str, Any], matters: dict[str, Any], clerk: Any) -> None:
    area = hall["area"]
    slots = [_slot(area, at(2026, 12, 2, 9 + h // 2, 30 * (h % 2)), 4) for h in range(6)]
    person = resident_id("19660606", 66)

    def attempt(i: int) -> str:
        try:
            services.booking_create(
                actor=clerk,
                matter=Matter.objects.select_related("current_version").get(pk=matters["off"].pk),
                slot=Slot.objects.select_related("area", "area__point").get(pk=slots[i].pk),
                channel="counter",
                id_number=person,
                person_name="同一人",
                phone="13800000000",
            )
            return "ok"
        except AlreadyBooked:
            return "dup"

    results = run_concurrently(attempt, 6)
    assert sorted(results) == ["dup"] * 5 + ["ok"], results  # type: ignore[type-var]
    assert Booking.objects.filter(id_number=person, status="booked").count() == 1
    assert sum(Slot.objects.filter(pk__in=[s.pk for s in slots]).values_list("booked", flat=True)) == 1


def test_weekly_limit_holds_under_concurrency(org: dict[str, Any], hall: dict[str, Any], clerk: Any) -> None:
    area = hall["area"]
    ms = [make_matter(f"W{i}", org["SW"], area, off_hours=True) for i in range(6)]
    slot = _slot(area, at(2026, 12, 3, 9, 0), 10)
    person = resident_id("19770707", 77)

    def attempt(i: int) -> str:
        try:
            services.booking_create(
                actor=clerk,
                matter=Matter.objects.select_related("current_version").get(pk=ms[i].pk),
                slot=Slot.objects.select_related("area", "area__point").get(pk=slot.pk),
                channel="counter",
                id_number=person,
                person_name="同一人",
                phone="13800000000",
            )
            return "ok"
        except WeeklyLimitReached:
            return "limit"

    results = run_concurrently(attempt, 6)
    assert sorted(results) == ["limit"] * 3 + ["ok"] * 3, results  # type: ignore[type-var]
    slot.refresh_from_db()
    assert slot.booked == 3


def test_racing_bookers_of_a_day_not_materialised_store_it_once(
    hall: dict[str, Any], matters: dict[str, Any], clerk: Any
) -> None:
    """The first bookings of a day nobody stored yet: each booking stores the day inside its own
    transaction (ON CONFLICT DO NOTHING), so the day's slots exist once and the 4 places of the
    09:00 slot go to exactly 4 of the 20."""
    from onewindow.appointments.models import SlotDay
    from onewindow.appointments.scheduling import planned_slots
    from onewindow.appointments.selectors import slot_by_ref

    area, when = hall["area"], at(2026, 12, 2, 9, 0)
    assert not Slot.objects.filter(area=area, date=when.date()).exists()
    ref = f"{area.code}~{when:%Y%m%d%H%M}"

    slots = [slot_by_ref(ref) for _ in range(20)]  # each racer's page, read before anyone stored the day
    assert all(s.pk is None for s in slots)

    def attempt(i: int) -> str:
        slot = slots[i]
        try:
            services.booking_create(
                actor=clerk,
                matter=Matter.objects.select_related("current_version").get(pk=matters["off"].pk),
                slot=slot,
                channel="call",
                id_number=resident_id("19880808", i),
                person_name=f"来电{i}",
                phone="13800000000",
            )
            return "ok"
        except SlotFull:
            return "full"

    results = run_concurrently(attempt, 20)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors[:3]
    assert sorted(results) == ["full"] * 16 + ["ok"] * 4, results  # type: ignore[type-var]
    planned, _uncovered = planned_slots([area.pk], when.date(), when.date())
    assert Slot.objects.filter(area=area, date=when.date()).count() == len(planned)
    assert SlotDay.objects.filter(area=area, date=when.date()).count() == 1
    assert Slot.objects.get(area=area, starts_at=when).booked == 4 == Booking.objects.filter(status="booked").count()
