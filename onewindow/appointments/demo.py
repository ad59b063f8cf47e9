"""Demo appointments.

1. A weekly plan for every service area (district hall areas and township halls): regular hours
   with the lunch break, and the off-hours sessions - lunch, evenings, weekends and public
   holidays (open 365 days, F12).
2. History: the off-hours service of the first half of 2021. Served (checked-in) off-hours
   bookings on lunch / evening / weekend / holiday slots across the matters flagged for off-hours
   booking, plus the no-shows and cancellations around them. The dashboard COUNTS the served ones
   (F12: 3,907 by the end of June); nothing stores the total.
3. Now: a few bookings for the personas (the citizen has one upcoming off-hours booking, the agent
   one for a resident, the district hall has some for today).

Deterministic (ctx.rng) and idempotent (history is skipped when present; persona bookings are
made only when the persona has no active one).
"""

from __future__ import annotations

import datetime
import random
import uuid
import zoneinfo
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.utils import timezone

from onewindow.accounts.demo import resident_id
from onewindow.accounts.models import OrgUnit, User
from onewindow.catalog.models import Matter, MatterVersion
from onewindow.core.demo import DemoContext
from onewindow.core.demo.people import person_name
from onewindow.core.errors import ApplicationError
from onewindow.hall.models import ServiceArea

from .models import OFF_HOURS_KINDS, Booking, BookingSlot, MatterBookingRule, SessionKind, SessionRule, Slot
from .scheduling import planned_slots

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
HISTORY_FROM = datetime.date(2021, 1, 1)
HISTORY_TO = datetime.date(2021, 6, 30)
# How the first half of 2021 went (the seed reports 3,907 off-hours services by the end of June;
# no-shows and cancellations are the demo's own, plausible shares).
SERVED_OFF_HOURS = 3907
NO_SHOW_SHARE = 0.045
CANCEL_SHARE = 0.03
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

# (kind, weekdays, start, end, slot minutes, capacity) for a district hall area and a township hall.
DISTRICT_PLAN = [
    (SessionKind.REGULAR, "01234", "09:00", "12:00", 30, 6),
    (SessionKind.LUNCH, "01234", "12:00", "13:30", 30, 3),
    (SessionKind.REGULAR, "01234", "13:30", "17:00", 30, 6),
    (SessionKind.EVENING, "01234", "17:30", "19:00", 30, 2),
    (SessionKind.WEEKEND, "56", "09:00", "12:00", 30, 3),
    (SessionKind.WEEKEND, "56", "14:30", "17:00", 30, 2),
    (SessionKind.HOLIDAY, "0123456", "09:00", "12:00", 30, 3),
]
TOWNSHIP_PLAN = [
    (SessionKind.REGULAR, "01234", "08:30", "12:00", 30, 3),
    (SessionKind.LUNCH, "01234", "12:00", "13:00", 30, 2),
    (SessionKind.REGULAR, "01234", "14:00", "17:30", 30, 3),
    (SessionKind.EVENING, "13", "17:30", "19:00", 30, 2),
    (SessionKind.WEEKEND, "5", "09:00", "12:00", 30, 2),
    (SessionKind.HOLIDAY, "0123456", "09:00", "11:00", 30, 2),
]


def build_plans(ctx: DemoContext) -> int:
    made = 0
    for area in ServiceArea.objects.all():
        if SessionRule.objects.filter(area=area).exists():
            continue
        plan = TOWNSHIP_PLAN if area.theme == ServiceArea.Theme.TOWNSHIP else DISTRICT_PLAN
        SessionRule.objects.bulk_create(
            [
                SessionRule(
                    area=area,
                    kind=kind,
                    weekdays=days,
                    start=datetime.time.fromisoformat(start),
                    end=datetime.time.fromisoformat(end),
                    slot_minutes=minutes,
                    capacity=cap,
                )
                for kind, days, start, end, minutes, cap in plan
            ]
        )
        made += 1
    # Some real-estate transfers need an hour at the window: two consecutive slots.
    for m in Matter.objects.filter(service_area__code="QY-BDC", search_name__contains="转移").order_by("code")[:12]:
        MatterBookingRule.objects.get_or_create(matter=m, defaults={"slot_units": 2})
    return made


def _places(matter: Matter, areas_by_code: dict[str, ServiceArea], townships: list[ServiceArea]) -> list[ServiceArea]:
    if matter.service_area_id:
        return [a for a in areas_by_code.values() if a.pk == matter.service_area_id]
    version = matter.current_version
    if version is not None and version.handling_level in (MatterVersion.Level.TOWNSHIP, MatterVersion.Level.VILLAGE):
        return townships
    return []


def _person(rng: random.Random, taken: set[str]) -> tuple[str, str, str]:
    while True:
        birth = datetime.date(1940, 1, 1) + datetime.timedelta(days=rng.randrange(0, 365 * 62))
        number = resident_id(f"{birth:%Y%m%d}", rng.randrange(1, 999))
        if number not in taken:
            taken.add(number)
            break
    name = person_name(rng)
    phone = f"1{rng.choice('3589')}{rng.randrange(10**8, 10**9)}"
    return number, name, phone


def _code(rng: random.Random, taken: set[str]) -> str:
    while True:
        code = "".join(rng.choice(CODE_ALPHABET) for _ in range(8))
        if code not in taken:
            taken.add(code)
            return code


@transaction.atomic
def build_history(ctx: DemoContext) -> int:
    """The first half of 2021's off-hours bookings. Skipped when any booking of that period exists."""
    start = timezone.make_aware(datetime.datetime.combine(HISTORY_FROM, datetime.time.min), TZ)
    end = timezone.make_aware(datetime.datetime.combine(HISTORY_TO + datetime.timedelta(days=1), datetime.time.min), TZ)
    if Booking.objects.filter(starts_at__gte=start, starts_at__lt=end).exists():
        return 0
    rng = ctx.rng("appointments-history")
    areas = list(ServiceArea.objects.select_related("point").order_by("code"))
    areas_by_code = {a.code: a for a in areas}
    townships = [a for a in areas if a.theme == ServiceArea.Theme.TOWNSHIP]
    matters = list(
        Matter.objects.filter(current_version__off_hours_bookable=True).select_related("current_version").order_by("code")
    )
    if not matters:
        ctx.say("  appointments: no off-hours bookable matters in the catalog - history skipped")
        return 0

    # Off-hours slots of the period, from the same plans the hall runs today.
    with timezone.override(TZ):
        planned, _uncovered = planned_slots([a.pk for a in areas], HISTORY_FROM, HISTORY_TO)
    Slot.objects.bulk_create(
        [
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
            if p.kind in OFF_HOURS_KINDS
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )
    free: dict[int, list[Slot]] = defaultdict(list)
    for s in Slot.objects.filter(date__gte=HISTORY_FROM, date__lte=HISTORY_TO, kind__in=list(OFF_HOURS_KINDS)).order_by("pk"):
        free[s.area_id].append(s)
    booked: dict[int, int] = defaultdict(int)

    # Demand is uneven: a few matters (registration, insurance) carry most of the bookings.
    weights = [rng.paretovariate(1.6) for _ in matters]
    n_no_show = round(SERVED_OFF_HOURS * NO_SHOW_SHARE)
    n_cancel = round(SERVED_OFF_HOURS * CANCEL_SHARE)
    outcomes = (
        [Booking.Status.CHECKED_IN] * SERVED_OFF_HOURS
        + [Booking.Status.NO_SHOW] * n_no_show
        + [Booking.Status.CANCELLED] * n_cancel
    )
    # Every bookable matter was used at least once; the rest follows demand.
    chosen = list(matters) + rng.choices(matters, weights=weights, k=len(outcomes) - len(matters))
    rng.shuffle(chosen)
    agent = User.objects.filter(username="agent").first()
    agent_unit = OrgUnit.objects.filter(code="ZXZ-V01").first()
    people: set[str] = set()
    codes = set(Booking.objects.values_list("code", flat=True))
    bookings: list[Booking] = []
    holds: list[tuple[int, int]] = []  # (booking index, slot pk)
    for i, (status, matter) in enumerate(zip(outcomes, chosen, strict=True)):
        places = _places(matter, areas_by_code, townships)
        if not places:
            continue
        slot = None
        for _try in range(20):
            area = rng.choice(places)
            candidates = free[area.pk]
            if not candidates:
                continue
            s = rng.choice(candidates)
            if booked[s.pk] < s.capacity:
                slot = s
                break
        if slot is None:  # every place is full: should not happen with the demo plans
            raise RuntimeError(f"no free off-hours slot for {matter.code}")
        if status != Booking.Status.CANCELLED:
            booked[slot.pk] += 1
        number, name, phone = _person(rng, people)
        channel = rng.choices(
            [Booking.Channel.WEB, Booking.Channel.PHONE, Booking.Channel.CALL, Booking.Channel.COUNTER, Booking.Channel.AGENT],
            weights=[30, 38, 14, 12, 6],
        )[0]
        if channel == Booking.Channel.AGENT and (agent is None or agent_unit is None):
            channel = Booking.Channel.PHONE
        made_at = slot.starts_at - datetime.timedelta(hours=rng.randrange(3, 24 * 10))
        b = Booking(
            uuid=uuid.UUID(int=rng.getrandbits(128), version=4),
            code=_code(rng, codes),
            matter=matter,
            area_id=slot.area_id,
            slot=slot,
            slot_units=1,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            session_kind=slot.kind,
            is_off_hours=True,
            id_number=number,
            person_name=name,
            phone=phone,
            channel=channel,
            agent=agent if channel == Booking.Channel.AGENT else None,
            agent_unit=agent_unit if channel == Booking.Channel.AGENT else None,
            status=status,
            day_reminder_at=slot.starts_at - datetime.timedelta(hours=20),
            hour_reminder_at=slot.starts_at - datetime.timedelta(minutes=55),
        )
        if status == Booking.Status.CHECKED_IN:
            late = rng.random() < 0.06
            b.checked_in_at = slot.starts_at + datetime.timedelta(
                minutes=rng.randrange(16, 40) if late else -rng.randrange(0, 25)
            )
            b.checked_in_late = late
        elif status == Booking.Status.NO_SHOW:
            b.no_show_at = slot.ends_at + datetime.timedelta(hours=1)
        else:
            b.cancelled_at = made_at + datetime.timedelta(hours=rng.randrange(1, 48))
        bookings.append(b)
        holds.append((len(bookings) - 1, slot.pk))
        ctx.progress("off-hours bookings 2021 H1", i + 1, len(outcomes))
    Booking.objects.bulk_create(bookings, batch_size=1000)
    created = {b.code: b.pk for b in Booking.objects.filter(code__in=[b.code for b in bookings]).only("pk", "code")}
    BookingSlot.objects.bulk_create(
        [BookingSlot(booking_id=created[bookings[i].code], slot_id=slot_pk) for i, slot_pk in holds], batch_size=1000
    )
    slots = list(Slot.objects.filter(pk__in=list(booked)))
    for s in slots:
        s.booked = booked[s.pk]
    Slot.objects.bulk_update(slots, ["booked"], batch_size=1000)
    # Booking rows keep their demo creation times: the history is about slots, not row stamps.
    return len(bookings)


def _first_free(area: ServiceArea, matter: Matter, *, off_hours: bool, not_before: datetime.date) -> Slot | None:
    from . import selectors

    today = timezone.localdate()
    try:
        days = selectors.availability(matter=matter, area=area, start=not_before, end=today + datetime.timedelta(days=30))
    except ApplicationError:
        return None
    for d in days:
        for s in d.slots:
            if s.free and s.is_off_hours == off_hours:
                return s
    return None


def build_current(ctx: DemoContext) -> list[str]:
    """Persona bookings made through the real service (confirmation SMS in the outbox)."""
    from . import services

    made: list[str] = []
    today = timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    yb = Matter.objects.filter(service_area__code="QY-YB", current_version__off_hours_bookable=True).order_by("code").first()
    bdc = Matter.objects.filter(service_area__code="QY-BDC", current_version__off_hours_bookable=True).order_by("code").first()
    town = (
        Matter.objects.filter(current_version__off_hours_bookable=True, current_version__handling_level="township")
        .order_by("code")
        .first()
    )
    zxz = ServiceArea.objects.filter(code="ZXZ-BM").first()
    wants: list[tuple[str, Matter | None, ServiceArea | None, bool, dict[str, Any]]] = [
        ("citizen", yb, yb.service_area if yb else None, True, {"channel": "web"}),
        ("citizen2", bdc, bdc.service_area if bdc else None, False, {"channel": "phone"}),
        (
            "agent",
            town,
            zxz,
            True,
            {"channel": "agent", "id_number": resident_id("19411109", 402), "person_name": "胡水秀", "phone": "13979600402"},
        ),
    ]
    for username, matter, area, off, extra in wants:
        user = User.objects.filter(username=username).first()
        if user is None or matter is None or area is None:
            continue
        if (
            Booking.objects.filter(status=Booking.Status.BOOKED).filter(user=user).exists()
            or Booking.objects.filter(status=Booking.Status.BOOKED, agent=user).exists()
        ):
            continue
        slot = _first_free(area, matter, off_hours=off, not_before=tomorrow)
        if slot is None:
            ctx.say(f"  appointments: no free slot for {username} (work calendar ends?) - skipped")
            continue
        try:
            b = services.booking_create(actor=user, matter=matter, slot=slot, **extra)
            made.append(b.code)
        except ApplicationError as exc:
            ctx.say(f"  appointments: {username}: {exc.message}")
    # Today's list at the district hall: a few callers booked by the clerk for later today.
    clerk = User.objects.filter(username="clerk").first()
    zh = ServiceArea.objects.filter(code="QY-ZH").first()
    if clerk and zh and not Booking.objects.filter(area=zh, booked_by=clerk, starts_at__date=today).exists():
        rng = ctx.rng(f"appointments-today-{today}")
        matter = Matter.objects.filter(service_area=zh, current_version__off_hours_bookable=True).order_by("code").first()
        others = list(Matter.objects.filter(service_area=zh, current_version__isnull=False).order_by("code")[:20])
        from . import selectors

        try:
            days = selectors.availability(matter=matter, area=zh, start=today, end=today) if matter else []
        except ApplicationError:
            days = []
        people: set[str] = set()
        for s in [s for d in days for s in d.slots if s.free][:6] if matter else []:
            assert matter is not None
            number, name, phone = _person(rng, people)
            try:
                b = services.booking_create(
                    actor=clerk,
                    matter=rng.choice([matter, *others]) if s.kind == SessionKind.REGULAR else matter,
                    slot=s,
                    channel="call",
                    id_number=number,
                    person_name=name,
                    phone=phone,
                )
                made.append(b.code)
            except ApplicationError:
                continue
    return made


def build(ctx: DemoContext) -> None:
    if not ServiceArea.objects.exists():
        ctx.say("  appointments: no service areas yet - skipped")
        return
    with transaction.atomic():
        plans = build_plans(ctx)
    history = build_history(ctx)
    current = build_current(ctx)
    served = Booking.objects.filter(status=Booking.Status.CHECKED_IN, is_off_hours=True).count()
    ctx.say(
        f"  appointments: plans for {plans} new areas, {history} bookings of 2021 H1 added, "
        f"{len(current)} current bookings; off-hours services delivered: {served}"
    )
