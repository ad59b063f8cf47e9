"""From plan to slots.

`planned_slots()` computes what a day should offer from the weekly plan, the date exceptions and the
work calendar; `ensure_slots()` materialises missing slots (idempotent: a unique constraint on
(area, starts_at) and INSERT ... ON CONFLICT DO NOTHING, so concurrent writers cannot duplicate).
Reads never materialise: `preview_slots()` gives the unsaved slots of a day not stored yet, the
`materialise_window` sweep stores the booking window ahead, and a booking stores the one day it
books on inside its own transaction.
`reconcile()` brings existing future slots in line after a plan change without ever dropping a
booking: a removed slot that still holds bookings is closed, and its bookings are returned so that
the caller lists them and tells the people.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from onewindow.core import workdays
from onewindow.core.workdays import CalendarNotCovered

from .models import WORKDAY_KINDS, Booking, DateException, SessionKind, SessionRule, Slot, SlotDay


@dataclass(frozen=True)
class PlannedSlot:
    area_id: int
    date: datetime.date
    kind: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    session_key: str
    capacity: int


def day_type(day: datetime.date, county: str | None) -> str:
    """ "workday" (incl. 调休 make-up days), "holiday" (a named public holiday, or a rest day the
    county's calendar names) or "weekend", on `county`'s calendar (the hall's county)."""
    if workdays.is_workday(day, county):
        return "workday"
    return "holiday" if workdays.holiday_name(day, county) else "weekend"


def _rule_applies(rule: SessionRule, day: datetime.date, dtype: str) -> bool:
    if dtype == "workday":
        if rule.kind not in WORKDAY_KINDS:
            return False
        # A make-up workday on a Saturday or Sunday runs the workday plan whatever its weekday.
        return day.weekday() >= 5 or str(day.weekday()) in rule.weekdays
    if dtype == "holiday":
        return rule.kind == SessionKind.HOLIDAY
    return rule.kind == SessionKind.WEEKEND and str(day.weekday()) in rule.weekdays


def _cut(
    area_id: int, day: datetime.date, kind: str, start: datetime.time, end: datetime.time, minutes: int, capacity: int, key: str
) -> list[PlannedSlot]:
    tz = timezone.get_current_timezone()
    at = datetime.datetime.combine(day, start, tzinfo=tz)
    stop = datetime.datetime.combine(day, end, tzinfo=tz)
    step = datetime.timedelta(minutes=minutes)
    out = []
    while at + step <= stop:
        out.append(PlannedSlot(area_id, day, kind, at, at + step, key, capacity))
        at += step
    return out


def planned_slots(
    area_ids: Iterable[int], start: datetime.date, end: datetime.date
) -> tuple[list[PlannedSlot], set[datetime.date]]:
    """Slots the plan gives for [start, end], and the dates the work calendar does not cover."""
    area_ids = list(area_ids)
    rules: dict[int, list[SessionRule]] = defaultdict(list)
    # Each hall's plan runs on its county's calendar: the county comes with the rules (a join, no
    # statement more); an area without rules opens only its extra sessions, whatever the day.
    county_of: dict[int, str] = {}
    for r in (
        SessionRule.objects.filter(area_id__in=area_ids, is_active=True)
        .annotate(county=F("area__point__org_unit__county_id"))
        .order_by("start")
    ):
        rules[r.area_id].append(r)
        county_of[r.area_id] = r.county
    closed: set[tuple[int, datetime.date]] = set()
    extras: dict[tuple[int, datetime.date], list[DateException]] = defaultdict(list)
    for exc in DateException.objects.filter(area_id__in=area_ids, date__gte=start, date__lte=end):
        if exc.kind == DateException.Kind.CLOSED:
            closed.add((exc.area_id, exc.date))
        else:
            extras[(exc.area_id, exc.date)].append(exc)
    out: list[PlannedSlot] = []
    uncovered: set[datetime.date] = set()
    day = start
    while day <= end:
        try:
            day_type(day, None)  # covered? A county's calendar covers the national table's years.
        except CalendarNotCovered:
            uncovered.add(day)
            day += datetime.timedelta(days=1)
            continue
        for area_id in area_ids:
            if (area_id, day) in closed:
                continue
            taken: set[datetime.datetime] = set()
            area_rules = rules.get(area_id, [])
            dtype = day_type(day, county_of[area_id]) if area_rules else ""
            for rule in area_rules:
                if _rule_applies(rule, day, dtype):
                    key = f"r{rule.pk}:{day:%Y%m%d}"
                    for s in _cut(area_id, day, rule.kind, rule.start, rule.end, rule.slot_minutes, rule.capacity, key):
                        if s.starts_at not in taken:
                            taken.add(s.starts_at)
                            out.append(s)
            for exc in extras.get((area_id, day), []):
                assert exc.start and exc.end
                key = f"x{exc.pk}"
                for s in _cut(area_id, day, exc.session_kind, exc.start, exc.end, exc.slot_minutes, exc.capacity, key):
                    if s.starts_at not in taken:
                        taken.add(s.starts_at)
                        out.append(s)
        day += datetime.timedelta(days=1)
    return out, uncovered


@dataclass
class Preview:
    """What a read saw of the days not materialised yet (`_unmaterialised`)."""

    missing: list[Slot]  # the plan's slots of unmarked days that are not stored
    to_mark: set[tuple[int, datetime.date]]  # (area, date) pairs without a SlotDay mark
    uncovered: set[datetime.date]  # dates the work calendar lacks
    # Slots already stored on those unmarked days, per (area, date), as seen by this read: a later
    # read that counts more knows a writer stored the day in between (`selectors.month_overview`).
    stored: dict[tuple[int, datetime.date], int] = field(default_factory=dict)


def _unmaterialised(area_ids: list[int], start: datetime.date, end: datetime.date) -> Preview:
    """What materialising [start, end] would add, computed without writing: unsaved slots of the
    days with no SlotDay mark that are not stored yet, the (area, date) pairs to mark, and the dates
    the work calendar lacks. Marked days are skipped, so a fully materialised range costs one query."""
    marked = set(SlotDay.objects.filter(area_id__in=area_ids, date__gte=start, date__lte=end).values_list("area_id", "date"))
    days = (end - start).days + 1
    per_area: dict[int, int] = defaultdict(int)
    for a, _d in marked:
        per_area[a] += 1
    todo = [a for a in area_ids if per_area[a] < days]
    if not todo:
        return Preview([], set(), set())
    planned, uncovered = planned_slots(todo, start, end)
    planned = [p for p in planned if (p.area_id, p.date) not in marked]
    stored_rows = list(
        Slot.objects.filter(area_id__in=todo, date__gte=start, date__lte=end).values_list("area_id", "starts_at", "date")
    )
    existing = {(a, s) for a, s, _d in stored_rows}
    stored: dict[tuple[int, datetime.date], int] = defaultdict(int)
    for a, _s, d in stored_rows:
        if (a, d) not in marked:
            stored[(a, d)] += 1
    missing = [
        Slot(
            area_id=p.area_id,
            date=p.date,
            kind=p.kind,
            starts_at=p.starts_at,
            ends_at=p.ends_at,
            session_key=p.session_key,
            capacity=p.capacity,
        )
        for p in planned
        if (p.area_id, p.starts_at) not in existing
    ]
    to_mark: set[tuple[int, datetime.date]] = set()
    d = start
    while d <= end:
        if d not in uncovered:
            to_mark |= {(a, d) for a in todo if (a, d) not in marked}
        d += datetime.timedelta(days=1)
    return Preview(missing, to_mark, uncovered, dict(stored))


def preview_slots(area_ids: Iterable[int], start: datetime.date, end: datetime.date) -> tuple[list[Slot], set[datetime.date]]:
    """For reads: the unsaved slots the plan gives on days not materialised yet (stored slots are
    read from the table), and the dates the calendar lacks. Writes nothing, so a GET stays a read;
    the materialise sweep and a booking (inside its transaction) store them."""
    p = preview(area_ids, start, end)
    return p.missing, p.uncovered


def preview(area_ids: Iterable[int], start: datetime.date, end: datetime.date) -> Preview:
    """preview_slots() with the count of slots stored on each unmarked day as this read saw it."""
    p = _unmaterialised(list(area_ids), start, end)
    for s in p.missing:  # as a stored row reads back (UTC), so answers do not depend on storage
        s.starts_at, s.ends_at = s.starts_at.astimezone(datetime.UTC), s.ends_at.astimezone(datetime.UTC)
    return p


def ensure_slots(area_ids: Iterable[int], start: datetime.date, end: datetime.date) -> set[datetime.date]:
    """Create the planned slots that do not exist yet and mark their days. Returns the dates the
    calendar lacks. Idempotent and safe under concurrency: INSERT ... ON CONFLICT DO NOTHING on
    (area, starts_at) and on (area, date). Writers only (sweep, plan changes, booking)."""
    return materialise(list(area_ids), start, end)[1]


def materialise(area_ids: list[int], start: datetime.date, end: datetime.date) -> tuple[int, set[datetime.date]]:
    """ensure_slots() that also says how many area-days it marked (for the sweep's count)."""
    p = _unmaterialised(area_ids, start, end)
    missing, to_mark, uncovered = p.missing, p.to_mark, p.uncovered
    if missing:
        Slot.objects.bulk_create(missing, ignore_conflicts=True, batch_size=500)
    if to_mark:
        marks = [SlotDay(area_id=a, date=d) for a, d in sorted(to_mark)]
        SlotDay.objects.bulk_create(marks, ignore_conflicts=True, batch_size=1000)
    return len(to_mark), uncovered


def forget_days(*, area_id: int, start: datetime.date) -> None:
    """Drop the materialised marks from `start` on, after the plan changed."""
    SlotDay.objects.filter(area_id=area_id, date__gte=start).delete()


@dataclass
class ReconcileResult:
    created: int
    updated: int
    closed: int
    displaced: list[Booking]


def reconcile(
    *, area_id: int, now: datetime.datetime | None = None, dates: Iterable[datetime.date] | None = None
) -> ReconcileResult:
    """Align the area's future slots with its current plan. Must run inside the plan change's
    transaction. Never deletes a slot (cancelled bookings keep pointing at theirs); never lowers a
    capacity below what is booked; closes removed slots and returns their active bookings.

    `dates`: only those days (a county's calendar changed on them, `plans.county_calendar_changed`),
    and of them only the ones already materialised (a SlotDay mark): a day not stored yet is
    previewed and later stored on the calendar then in force, so it needs nothing."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    slots = Slot.objects.filter(area_id=area_id, starts_at__gte=now)
    if dates is None:
        forget_days(area_id=area_id, start=today)
        last = slots.order_by("-date").values_list("date", flat=True).first()
        if last is None:
            return ReconcileResult(0, 0, 0, [])
        days: set[datetime.date] | None = None
        first = today
    else:
        days = set(
            SlotDay.objects.filter(area_id=area_id, date__in=[d for d in dates if d >= today]).values_list("date", flat=True)
        )
        if not days:
            return ReconcileResult(0, 0, 0, [])
        first, last = min(days), max(days)
        slots = slots.filter(date__in=days)
    planned, _uncovered = planned_slots([area_id], first, last)
    planned_by_start = {p.starts_at: p for p in planned if p.starts_at >= now and (days is None or p.date in days)}
    existing = {s.starts_at: s for s in slots}
    created = updated = 0
    closing: list[int] = []
    for start, slot in existing.items():
        p = planned_by_start.get(start)
        if p is None:
            if slot.is_open:
                closing.append(slot.pk)
            continue
        if (slot.kind, slot.ends_at, slot.session_key, slot.capacity, slot.is_open) != (
            p.kind,
            p.ends_at,
            p.session_key,
            p.capacity,
            True,
        ):
            # Greatest(): a concurrent booking may have raised `booked` since we read the row.
            Slot.objects.filter(pk=slot.pk).update(
                kind=p.kind,
                ends_at=p.ends_at,
                session_key=p.session_key,
                capacity=Greatest(Value(p.capacity), F("booked")),
                is_open=True,
            )
            updated += 1
    new = [
        Slot(
            area_id=area_id,
            date=p.date,
            kind=p.kind,
            starts_at=p.starts_at,
            ends_at=p.ends_at,
            session_key=p.session_key,
            capacity=p.capacity,
        )
        for start, p in planned_by_start.items()
        if start not in existing and p.date <= last
    ]
    if new:
        Slot.objects.bulk_create(new, ignore_conflicts=True)
        created = len(new)
    displaced: list[Booking] = []
    if closing:
        Slot.objects.filter(pk__in=closing).update(is_open=False)
        displaced = list(
            Booking.objects.filter(held__slot_id__in=closing, status=Booking.Status.BOOKED, displaced_at__isnull=True)
            .distinct()
            .select_related("matter", "area")
        )
    return ReconcileResult(created, updated, len(closing), displaced)
