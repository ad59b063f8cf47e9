"""Keeps the hall's rollups (`HallDay`, `HallMonth`, `HallWindowDay`, `HallWindowMonth`) equal to a replay of the
ticket event log. A (service point, business day) is the unit of work: its events are replayed
with `counting.replay` and its rows replaced whole, so a day counted twice comes out the same.

`refresh()` finds the days touched by events above the mark (plus `overlap` events below it, for
the sweep); `rebuild()` recounts every day. Months are re-added from their day rows (a month
replaced whole, so re-adding it twice gives the same rows).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.db.models import Max, Q, Sum
from django.utils import timezone

from onewindow.core.rollups import claim, pending
from onewindow.core.rollups import unalias as _unalias

from .counting import SUM_FIELDS, Sums, events_of, replay, track_sums
from .models import HallDay, HallMonth, HallWindowDay, HallWindowMonth, TicketEvent
from .stats import service_levels

NAME = "hall"
K = TicketEvent.Kind


def _count_day(point_id: int, day: date, levels: dict[int, int]) -> None:
    events, area_of = events_of(Q(point_id=point_id, business_date=day))
    tracks = replay(events, area_of)
    missing = {t.area_id for t, _d in tracks.values()} - levels.keys()
    if missing:
        levels.update(service_levels(missing))
    cells: dict[tuple[int, int], Sums] = defaultdict(Sums)
    finished: dict[tuple[int, int], int] = defaultdict(int)
    for t, _d in tracks.values():
        hour = timezone.localtime(t.issued).hour if t.issued else 0
        cells[(t.area_id, hour)].add(track_sums(t, levels.get(t.area_id, 15)))
        if t.end_kind == K.FINISHED and t.end_window:
            finished[(t.end_window, t.end_actor or 0)] += 1
    HallDay.objects.filter(point_id=point_id, business_date=day).delete()
    HallWindowDay.objects.filter(point_id=point_id, business_date=day).delete()
    HallDay.objects.bulk_create(
        HallDay(business_date=day, point_id=point_id, area_id=a, hour=h, **{f: getattr(s, f) for f in SUM_FIELDS})
        for (a, h), s in cells.items()
    )
    HallWindowDay.objects.bulk_create(
        HallWindowDay(business_date=day, point_id=point_id, window_id=w, clerk_id=c, finished=n) for (w, c), n in finished.items()
    )


def _count_months(months: Iterable[date]) -> None:
    for m in sorted(set(months)):
        nxt = _next_month(m)
        HallMonth.objects.filter(month=m).delete()
        rows = (
            HallDay.objects.filter(business_date__gte=m, business_date__lt=nxt)
            .values("point_id", "area_id", "hour")
            .annotate(**{f"s_{f}": Sum(f) for f in SUM_FIELDS})
        )
        HallMonth.objects.bulk_create(HallMonth(month=m, **_unalias(r)) for r in rows)
        HallWindowMonth.objects.filter(month=m).delete()
        windows = (
            HallWindowDay.objects.filter(business_date__gte=m, business_date__lt=nxt)
            .values("point_id", "window_id", "clerk_id")
            .annotate(s_finished=Sum("finished"))
        )
        HallWindowMonth.objects.bulk_create(HallWindowMonth(month=m, **_unalias(r)) for r in windows)


def _next_month(m: date) -> date:
    return date(m.year + (m.month == 12), m.month % 12 + 1, 1)


def _count(pairs: set[tuple[int, date]]) -> int:
    levels: dict[int, int] = {}
    for point_id, day in sorted(pairs, key=lambda p: (p[1], p[0])):
        _count_day(point_id, day, levels)
    _count_months(day.replace(day=1) for _p, day in pairs)
    return len(pairs)


def refresh(*, overlap: int = 0) -> int:
    """Count the days touched since the last refresh. Cheap when nothing happened: one indexed
    look at the newest event id."""
    if overlap:
        newest = TicketEvent.objects.aggregate(m=Max("id"))["m"] or 0
    else:
        found = pending(NAME, TicketEvent)
        if found is None:
            return 0
        newest = found
    with claim(NAME) as mark:
        if mark is None:
            return 0
        since = max(0, mark.last_id - overlap)
        pairs = set(TicketEvent.objects.filter(id__gt=since, id__lte=newest).values_list("point_id", "business_date").distinct())
        n = _count(pairs)
        mark.last_id = max(mark.last_id, newest)
        return n


def rebuild() -> int:
    with claim(NAME) as mark:
        if mark is None:
            return 0
        newest = TicketEvent.objects.aggregate(m=Max("id"))["m"] or 0
        with transaction.atomic():
            HallDay.objects.all().delete()
            HallMonth.objects.all().delete()
            HallWindowDay.objects.all().delete()
            HallWindowMonth.objects.all().delete()
            pairs = set(TicketEvent.objects.values_list("point_id", "business_date").distinct())
            n = _count(pairs)
        mark.last_id = newest
        return n
