"""Reads of appointments, each scoped to what the caller may see."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.catalog.models import Matter, MatterVersion
from onewindow.core.errors import NotFound, PermissionDenied, ValidationFailed
from onewindow.core.parsing import parse_uuid
from onewindow.core.tenancy import for_county
from onewindow.hall.models import ServiceArea

from . import access
from .models import OFF_HOURS_KINDS, Booking, MatterBookingRule, Slot
from .policy import area_county, longest, policy
from .scheduling import day_type, preview, preview_slots

# ---------------------------------------------------------------------------------------------
# Matters and places


def bookable_matters(*, q: str = "", off_hours_only: bool = False, county: Any = None) -> QuerySet[Matter]:
    """Published matters that have a place to be booked at; `county`'s only when given (the
    public list passes the visitor's county, accounts/visitor.py)."""
    from onewindow.catalog.models import Delegation
    from onewindow.catalog.search import MatterQuery, search_matters

    matters = Matter.objects.all() if county is None else for_county(Matter.objects.all(), county)
    qs = matters.filter(current_version__isnull=False).filter(
        Q(service_area__isnull=False)
        | Q(current_version__handling_level__in=[MatterVersion.Level.TOWNSHIP, MatterVersion.Level.VILLAGE])
        | Q(pk__in=Delegation.objects.filter(revoked_on__isnull=True).values("matter_id"))
    )
    if off_hours_only:
        qs = qs.filter(current_version__off_hours_bookable=True)
    if q.strip():
        # The one catalog search (synonyms, pinyin, codes, ranking) within the bookable matters.
        return search_matters(MatterQuery(q=q.strip()[:100]), scope=qs)
    return qs.select_related("current_version", "service_area", "department").order_by("code")


def matter_by_uuid(uuid: Any) -> Matter:
    uuid = parse_uuid(uuid)
    if uuid is None:
        raise NotFound(_("事项不存在或未发布。"))
    # Its booking rule comes with it: a booking reads the slot units of the matter (slot_units_for).
    m = (
        Matter.objects.filter(uuid=uuid, current_version__isnull=False)
        .select_related("current_version", "service_area", "booking_rule")
        .first()
    )
    if m is None:
        raise NotFound(_("事项不存在或未发布。"))
    return m


def matter_places(matter: Matter) -> QuerySet[ServiceArea]:
    """Where a matter can be booked: its district hall area, plus the township halls when it is a
    township-level matter (all of its county's) or delegated (the townships it was handed to)."""
    q = Q(pk=matter.service_area_id) if matter.service_area_id else Q(pk__in=[])
    version = matter.current_version
    # A county's matter is handled in that county's townships, never another county's
    # (docs/tenancy.md): the join reaches the matter's department through the county's units.
    township_areas = Q(theme=ServiceArea.Theme.TOWNSHIP, point__org_unit__county__units=matter.department_id)
    if version is not None and version.handling_level in (MatterVersion.Level.TOWNSHIP, MatterVersion.Level.VILLAGE):
        q |= township_areas
    else:
        today = timezone.localdate()
        towns = matter.delegations.filter(effective_on__lte=today).filter(Q(revoked_on__isnull=True) | Q(revoked_on__gt=today))
        if towns.exists():
            q |= township_areas & Q(point__org_unit__in=towns.values("township"))
    return ServiceArea.objects.filter(q).select_related("point").order_by("point__code", "sort_order")


def slot_units_for(matter: Matter) -> int:
    if Matter.booking_rule.is_cached(matter):  # read with the matter: no query
        try:
            return int(matter.booking_rule.slot_units or 1)
        except MatterBookingRule.DoesNotExist:
            return 1
    rule = MatterBookingRule.objects.filter(matter=matter).values_list("slot_units", flat=True).first()
    return int(rule or 1)


def materials_to_bring(matter: Matter) -> list[Any]:
    version = matter.current_version
    return list(version.materials.all()) if version is not None else []


def area_by_uuid(uuid: Any) -> ServiceArea:
    uuid = parse_uuid(uuid)
    # The point's unit comes too: the area's county's booking policy reads it (policy.area_county).
    area = ServiceArea.objects.select_related("point__org_unit").filter(uuid=uuid).first() if uuid else None
    if area is None:
        raise NotFound()
    return area


# ---------------------------------------------------------------------------------------------
# Slots and availability


def slot_ref(slot: Slot) -> str:
    """Public reference of a slot: area code and local start, e.g. "ZH-202612051430"."""
    return f"{slot.area.code}~{timezone.localtime(slot.starts_at):%Y%m%d%H%M}"


def slot_by_ref(ref: str) -> Slot:
    """The slot a reference names. A day not materialised yet gives an unsaved Slot (pk None) as
    the plan would store it; the booking services store that day inside their transaction. A read:
    nothing is written here."""
    try:
        code, stamp = (ref or "").rsplit("~", 1)
        naive = datetime.datetime.strptime(stamp, "%Y%m%d%H%M")
    except ValueError:
        raise ValidationFailed(_("时段不正确。"), fields={"slot": [_("时段不正确。")]}) from None
    starts = timezone.make_aware(naive)
    # The point's unit comes too: the desk's permission check reads it for every booking.
    slot = Slot.objects.select_related("area", "area__point__org_unit").filter(area__code=code, starts_at=starts).first()
    if slot is None:
        area = ServiceArea.objects.select_related("point__org_unit").filter(code=code).first()
        if area is not None:
            planned, _uncovered = preview_slots([area.pk], naive.date(), naive.date())
            slot = next((s for s in planned if s.starts_at == starts), None)
            if slot is not None:
                slot.area = area
            else:  # a concurrent booking may have stored the day since the first look
                slot = Slot.objects.select_related("area", "area__point__org_unit").filter(area=area, starts_at=starts).first()
    if slot is None:
        raise NotFound(_("该时段不存在。"))
    return slot


@dataclass
class DayView:
    date: datetime.date
    free: int = 0
    capacity: int = 0
    off_hours: bool = False
    holiday: str = ""
    rest: bool = False  # a weekend or public holiday (not a 调休 make-up workday)
    uncovered: bool = False
    slots: list[Slot] = field(default_factory=list)


def booking_window(county: str | None, now: datetime.datetime | None = None) -> tuple[datetime.datetime, datetime.date]:
    """The first start and the last day a person may book in `county`'s halls now."""
    now = now or timezone.now()
    p = policy(county)
    return now + datetime.timedelta(minutes=p.min_notice_minutes), timezone.localdate(now) + datetime.timedelta(
        days=p.max_days_ahead
    )


def availability(
    *, matter: Matter, area: ServiceArea, start: datetime.date, end: datetime.date, now: datetime.datetime | None = None
) -> list[DayView]:
    """Day by day, the slots `matter` may book at `area` in [start, end], within the booking window.
    Dates the work calendar does not cover come back marked `uncovered` (never a crash)."""
    from onewindow.core import workdays

    if not matter_places(matter).filter(pk=area.pk).exists():
        raise NotFound(_("该事项不在此服务区办理。"))
    earliest, latest = booking_window(area_county(area), now)
    start = max(start, timezone.localdate(earliest))
    end = min(end, latest)
    days: dict[datetime.date, DayView] = {}
    if end < start:
        return []
    planned, uncovered = preview_slots([area.pk], start, end)
    # The hall's county's calendar names its rest days (its own closures among them).
    county = ServiceArea.objects.filter(pk=area.pk).values_list("point__org_unit__county_id", flat=True).first()
    d = start
    while d <= end:
        days[d] = DayView(date=d, uncovered=d in uncovered)
        if d not in uncovered:
            days[d].holiday = workdays.holiday_name(d, county)
            days[d].rest = day_type(d, county) != "workday"
        d += datetime.timedelta(days=1)
    off_ok = bool(matter.current_version and matter.current_version.off_hours_bookable)
    qs = Slot.objects.filter(area=area, date__gte=start, date__lte=end, is_open=True, starts_at__gte=earliest).select_related(
        "area"
    )
    if not off_ok:
        qs = qs.exclude(kind__in=list(OFF_HOURS_KINDS))
    for p in planned:
        p.area = area
    # Days not materialised yet come from the plan in memory, filtered as the query above filters.
    fresh = [p for p in planned if p.starts_at >= earliest and (off_ok or p.kind not in OFF_HOURS_KINDS)]
    # A booking may store one of those days between the two reads: its stored rows win.
    by_start = {s.starts_at: s for s in fresh} | {s.starts_at: s for s in qs}
    for s in sorted(by_start.values(), key=lambda s: s.starts_at):
        day = days[s.date]
        day.slots.append(s)
        day.capacity += s.capacity
        day.free += s.free
        day.off_hours = day.off_hours or s.is_off_hours
    return list(days.values())


@dataclass
class AreaMonth:
    area: ServiceArea
    days: dict[datetime.date, tuple[int, int]]  # date -> (free, free in off-hours sessions)
    uncovered: set[datetime.date]


def month_overview(
    *, start: datetime.date, end: datetime.date, areas: QuerySet[ServiceArea] | None = None, now: datetime.datetime | None = None
) -> list[AreaMonth]:
    """Free places per area and day over a range, for every service point (one aggregate query).
    Each area's days are within its own county's booking window (policy per county).

    Two reads, in this order: the days not stored yet from the plan (`scheduling.preview`), then the
    stored slots. A booking may store one of those days between them (it stores the whole day in its
    transaction); the second read then counts more slots on that day than the first saw, and the
    stored rows alone answer for it, so the day is counted once, never twice nor not at all."""
    areas = areas if areas is not None else ServiceArea.objects.select_related("point__org_unit").all()
    area_list = list(areas)
    if not area_list:
        return []
    windows = {c: booking_window(c, now) for c in {area_county(a) for a in area_list}}
    window_of = {a.pk: windows[area_county(a)] for a in area_list}
    seen = preview([a.pk for a in area_list], start, end)
    # One condition per county (a handful), so the aggregate stays one query.
    in_window = Q()
    for county, (earliest, latest) in windows.items():
        ids = [a.pk for a in area_list if area_county(a) == county]
        in_window |= Q(area_id__in=ids, starts_at__gte=earliest, date__lte=latest)
    bookable = in_window & Q(is_open=True)
    rows = (
        Slot.objects.filter(area__in=area_list, date__gte=start, date__lte=end)
        .values("area_id", "date")
        .annotate(
            stored=Count("id"),
            free_places=Sum(F("capacity") - F("booked"), filter=bookable),
            off=Sum(F("capacity") - F("booked"), filter=bookable & Q(kind__in=list(OFF_HOURS_KINDS))),
        )
    )
    by_area: dict[int, dict[datetime.date, tuple[int, int]]] = {a.pk: {} for a in area_list}
    stored_since: set[tuple[int, datetime.date]] = set()
    for r in rows:
        key = (r["area_id"], r["date"])
        if r["free_places"] is not None:
            by_area[r["area_id"]][r["date"]] = (int(r["free_places"]), int(r["off"] or 0))
        if r["stored"] > seen.stored.get(key, 0):
            stored_since.add(key)
    # Days not materialised yet: their slots from the plan in memory (all places free), unless a
    # writer stored the day between the two reads.
    for p in seen.missing:
        earliest, latest = window_of[p.area_id]
        if p.starts_at >= earliest and p.date <= latest and (p.area_id, p.date) not in stored_since:
            free, off = by_area[p.area_id].get(p.date, (0, 0))
            by_area[p.area_id][p.date] = (free + p.capacity, off + (p.capacity if p.is_off_hours else 0))
    return [AreaMonth(a, by_area[a.pk], seen.uncovered) for a in area_list]


def longest_window_end(today: datetime.date) -> datetime.date:
    """The last day any county's halls may be booked (the default end of a read over every county)."""
    return today + datetime.timedelta(days=longest("max_days_ahead"))


# ---------------------------------------------------------------------------------------------
# Bookings


def _bookings() -> QuerySet[Booking]:
    return Booking.objects.select_related(
        "matter", "matter__current_version", "area", "area__point__org_unit", "slot", "agent", "agent_unit"
    )


def my_bookings(user: Any) -> QuerySet[Booking]:
    """The caller's own bookings: made by the account, for their ID number, or as their agent."""
    if not getattr(user, "is_authenticated", False):
        return Booking.objects.none()
    q = Q(user=user) | Q(agent=user)
    if user.id_number:
        q |= Q(id_number=user.id_number)
    return _bookings().filter(q).order_by("-starts_at", "-id")


def visible_booking(user: Any, code: str) -> Booking:
    """One booking by code, if the caller is its person, its agent, or desk staff of its area."""
    b = _bookings().filter(code=(code or "").strip().upper()).first()
    if b is None:
        raise NotFound()
    if my_bookings(user).filter(pk=b.pk).exists() or access.can_desk(user, b.area):
        return b
    raise NotFound()


def day_bookings(*, user: Any, area: ServiceArea, day: datetime.date) -> QuerySet[Booking]:
    if not access.can_desk(user, area):
        raise PermissionDenied()
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    return (
        _bookings()
        .filter(area=area, starts_at__gte=start, starts_at__lt=start + datetime.timedelta(days=1))
        .order_by("starts_at", "code")
    )


def displaced_bookings(*, user: Any, area: ServiceArea) -> QuerySet[Booking]:
    """Bookings a plan change took the slot from, still waiting to be moved."""
    if not access.can_desk(user, area):
        raise PermissionDenied()
    return _bookings().filter(area=area, status=Booking.Status.BOOKED, displaced_at__isnull=False).order_by("starts_at")


def reminder_status(booking: Booking) -> list[Any]:
    """The outbox rows sent about a booking (delivery failures show with their last error)."""
    from onewindow.core.models import Notification

    return list(Notification.objects.filter(dedupe_key__startswith=f"appt:{booking.uuid}:").order_by("created_at"))


def failed_notifications(*, user: Any, area: ServiceArea) -> list[tuple[Any, Booking]]:
    """Failed outbox rows about the area's bookings (retrying or given up), newest first."""
    from onewindow.core.models import Notification

    if not access.can_desk(user, area):
        raise PermissionDenied()
    rows = list(
        Notification.objects.filter(status=Notification.Status.FAILED, dedupe_key__startswith="appt:").order_by("-created_at")[
            :200
        ]
    )
    uuids = {r.dedupe_key.split(":")[1] for r in rows if r.dedupe_key and r.dedupe_key.count(":") >= 2}
    bookings = {str(b.uuid): b for b in Booking.objects.filter(uuid__in=list(uuids), area=area)}
    return [(r, bookings[r.dedupe_key.split(":")[1]]) for r in rows if r.dedupe_key and r.dedupe_key.split(":")[1] in bookings]
