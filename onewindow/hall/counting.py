"""What each ticket counts, replayed from its events: a ticket's track (issued, first call, start
of service, end), its contribution to the additive sums (`Sums`: the columns of a rollup row), and
the replay of the event log in id order. `hall.rollups` replays one business day of one service
point at a time with these; `hall.stats.recount()` replays a whole period (the reference). What
each figure means: `hall.stats`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from django.db.models import Q

from .models import TicketEvent

K = TicketEvent.Kind


@dataclass
class _Track:
    area_id: int
    issued: datetime | None = None
    first_call: datetime | None = None
    last_call: datetime | None = None
    started: datetime | None = None
    end: datetime | None = None
    end_kind: str = ""
    end_window: int | None = None
    end_actor: int | None = None


@dataclass
class Sums:
    """Additive counts (the columns of a rollup row); `summary()` turns them into figures."""

    issued: int = 0
    called: int = 0
    finished: int = 0
    no_show: int = 0
    abandoned: int = 0
    wait_ms: int = 0
    wait_n: int = 0
    service_ms: int = 0
    service_n: int = 0
    judged: int = 0
    within: int = 0

    def add(self, other: Any) -> Sums:
        for f in SUM_FIELDS:
            setattr(self, f, getattr(self, f) + (getattr(other, f, 0) or 0))
        return self

    @classmethod
    def of(cls, row: dict[str, Any]) -> Sums:
        return cls(**{f: int(row.get(f) or 0) for f in SUM_FIELDS})

    def summary(self) -> dict[str, Any]:
        return {
            "issued": self.issued,
            "called": self.called,
            "finished": self.finished,
            "no_show": self.no_show,
            "abandoned": self.abandoned,
            "avg_wait_minutes": self.wait_ms / self.wait_n / 60000 if self.wait_n else None,
            "avg_service_minutes": self.service_ms / self.service_n / 60000 if self.service_n else None,
            "within_service_level": self.within / self.judged if self.judged else None,
            "no_show_rate": self.no_show / self.called if self.called else None,
        }


SUM_FIELDS = [f.name for f in fields(Sums)]


def _ms(a: datetime, b: datetime) -> int:
    return round((b - a).total_seconds() * 1000)


def track_sums(t: _Track, level_minutes: int) -> Sums:
    """One ticket's contribution to the counts."""
    s = Sums()
    if t.issued:
        s.issued = 1
        if t.first_call:
            s.wait_n, s.wait_ms = 1, _ms(t.issued, t.first_call)
            s.judged = 1
            s.within = int((t.first_call - t.issued).total_seconds() <= level_minutes * 60)
        elif t.end_kind == K.ABANDONED:
            s.judged = 1
    if t.first_call:
        s.called = 1
    begin = t.started or t.last_call
    if t.end_kind == K.FINISHED:
        s.finished = 1
        if begin and t.end and t.end >= begin:
            s.service_n, s.service_ms = 1, _ms(begin, t.end)
    elif t.end_kind == K.NO_SHOW:
        s.no_show = 1
    elif t.end_kind == K.ABANDONED:
        s.abandoned = 1
    return s


def replay(
    events: Iterable[tuple[int, str, datetime, int | None, int | None, date]], area_of: dict[int, int]
) -> dict[int, tuple[_Track, date]]:
    """Tickets' tracks from their events in id order: (ticket, kind, at, window, actor, business day).
    Tickets whose issue event is not in `area_of` are left out."""
    tracks: dict[int, tuple[_Track, date]] = {}
    for ticket_id, kind, at, window_id, actor_id, bd in events:
        a = area_of.get(ticket_id)
        if a is None:
            continue
        entry = tracks.get(ticket_id)
        if entry is None:
            entry = tracks[ticket_id] = (_Track(area_id=a), bd)
        t = entry[0]
        if kind == K.ISSUED:
            t.issued = at
        elif kind in (K.CALLED, K.RECALLED):
            if t.first_call is None:
                t.first_call = at
            if kind == K.CALLED:
                t.last_call, t.started = at, None
        elif kind in (K.STARTED, K.RESUMED):
            t.started = t.started or at
        elif kind in (K.FINISHED, K.NO_SHOW, K.ABANDONED):
            t.end, t.end_kind, t.end_window, t.end_actor = at, kind, window_id, actor_id
    return tracks


def events_of(q: Q) -> tuple[Any, dict[int, int]]:
    """The events matching `q` in id order, as `replay` reads them, and the area each ticket was issued in."""
    area_of = dict(TicketEvent.objects.filter(q, kind=K.ISSUED).values_list("ticket_id", "area_id").iterator(chunk_size=5000))
    qs = (
        TicketEvent.objects.filter(q)
        .order_by("id")
        .values_list("ticket_id", "kind", "at", "window_id", "actor_id", "business_date")
    )
    return qs.iterator(chunk_size=5000), area_of
