"""Reads of the hall with permission scoping.

Staff act at a service point when they hold a role at the point's org unit, at a unit inside it
(a clerk of 行政审批局 works in the district hall of 青原区), or at one of its ancestors.
Public reads (kiosk, board, ticket follow page) return numbers only, never names or ID numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Exists, F, Min, OuterRef, Q, QuerySet
from django.db.models.lookups import StartsWith
from django.utils import timezone

from onewindow.accounts.models import OrgUnit, Role, RoleAssignment
from onewindow.core.parsing import parse_uuid

from .days import business_date
from .models import ServiceArea, ServicePoint, Ticket, TicketEvent, Window, WindowArea, WindowSession

WINDOW_ROLES = (Role.CLERK, Role.TOWNSHIP_OFFICER, Role.HALL_MANAGER, Role.ADMIN)
MANAGER_ROLES = (Role.HALL_MANAGER, Role.ADMIN)
TOWNSHIP_KINDS = (OrgUnit.Kind.TOWNSHIP, OrgUnit.Kind.SUBDISTRICT)


def _ancestor_paths(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return ["".join(p + "/" for p in parts[: i + 1]) for i in range(len(parts))]


def _has_scope(user: Any, point: ServicePoint, roles: tuple[str, ...]) -> bool:
    """A role held at the point's unit or an ancestor of it, or at a unit inside it that is not
    inside another hall's township (a clerk of a district department works in the district hall,
    a township officer of 值夏镇 does not). One statement: each held role comes with whether a
    township lies between the point's unit and the role's unit (that unit included), which was a
    second read per role before (a desk booking and every hall page check this)."""
    if not getattr(user, "is_authenticated", False):
        return False
    path = point.org_unit.path
    ancestors = _ancestor_paths(path)
    township_between = OrgUnit.objects.filter(kind__in=TOWNSHIP_KINDS, path__startswith=path).exclude(path=path)
    held = (
        RoleAssignment.objects.filter(user_id=user.pk, role__in=roles)
        .filter(Q(org_unit__isnull=True, role=Role.ADMIN) | Q(org_unit__path__startswith=path) | Q(org_unit__path__in=ancestors))
        .annotate(
            # A township unit on the chain from the point's unit down to the role's unit: a prefix
            # of the role's path (paths end in "/", so a prefix is an ancestor or the unit itself).
            blocked=Exists(township_between.filter(StartsWith(OuterRef("org_unit__path"), F("path"))))
        )
        .values_list("org_unit__path", "blocked")
    )
    return any(unit_path is None or unit_path in ancestors or not blocked for unit_path, blocked in held)


def can_work_at(user: Any, point: ServicePoint) -> bool:
    return _has_scope(user, point, WINDOW_ROLES)


def can_manage(user: Any, point: ServicePoint) -> bool:
    return _has_scope(user, point, MANAGER_ROLES)


def points_for(user: Any, roles: tuple[str, ...] = WINDOW_ROLES) -> list[ServicePoint]:
    return [p for p in ServicePoint.objects.select_related("org_unit") if _has_scope(user, p, roles)]


_as_uuid = parse_uuid  # the one UUID parser: a malformed UUID is simply "not found"


def point_by_uuid(value: Any) -> ServicePoint | None:
    key = _as_uuid(value)
    return ServicePoint.objects.select_related("org_unit").filter(uuid=key).first() if key else None


def area_by_uuid(value: Any) -> ServiceArea | None:
    key = _as_uuid(value)
    return ServiceArea.objects.select_related("point").filter(uuid=key).first() if key else None


def window_by_uuid(value: Any) -> Window | None:
    key = _as_uuid(value)
    return Window.objects.select_related("point", "point__org_unit").filter(uuid=key).first() if key else None


def ticket_by_uuid(value: Any) -> Ticket | None:
    key = _as_uuid(value)
    return Ticket.objects.select_related("area", "point", "window").filter(uuid=key).first() if key else None


def open_areas(point: ServicePoint) -> QuerySet[ServiceArea]:
    return ServiceArea.objects.filter(point=point).order_by("sort_order", "code")


def window_areas(window: Window) -> list[WindowArea]:
    return list(WindowArea.objects.filter(window=window).select_related("area").order_by("priority", "area__sort_order"))


def window_queue(window: Window, *, limit: int = 50) -> list[Ticket]:
    """The waiting line of the areas this window serves, in the order call_next would take it."""
    was = window_areas(window)
    prio = {wa.area_id: wa.priority for wa in was}
    tickets = list(
        Ticket.objects.filter(area_id__in=prio, business_date=business_date(), status=Ticket.Status.WAITING)
        .filter(Q(target_window__isnull=True) | Q(target_window=window))
        .select_related("area")
        .order_by("priority_rank", "queue_at", "id")[:500]
    )
    tickets.sort(key=lambda t: (prio[t.area_id], t.priority_rank, t.queue_at, t.id))
    return tickets[:limit]


def held_tickets(window: Window) -> list[Ticket]:
    return list(Ticket.objects.filter(window=window, status=Ticket.Status.ON_HOLD).select_related("area"))


def open_session(window: Window) -> WindowSession | None:
    return WindowSession.objects.filter(window=window, ended_at__isnull=True).select_related("user").first()


def user_session(user: Any) -> WindowSession | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return WindowSession.objects.filter(user=user, ended_at__isnull=True).select_related("window").first()


CALL_KINDS = (TicketEvent.Kind.CALLED, TicketEvent.Kind.RECALLED)


@dataclass
class BoardCall:
    id: int
    number: str
    window: int
    at: datetime
    recall: bool


def board_calls(point: ServicePoint, *, after: int | None = None, limit: int = 50) -> list[BoardCall]:
    """Calls (and recalls) of today at the point, oldest first. With `after`, only the newer ones:
    the board polls with the last id it has seen, so after any restart (its own or the server's)
    it catches up from the database."""
    qs = TicketEvent.objects.filter(point=point, business_date=business_date(), kind__in=CALL_KINDS)
    if after is not None:
        qs = qs.filter(id__gt=after).order_by("id")[:limit]
        rows = list(qs.values("id", "ticket__number", "window__number", "at", "kind"))
    else:
        rows = list(qs.order_by("-id")[:limit].values("id", "ticket__number", "window__number", "at", "kind"))
        rows.reverse()
    return [
        BoardCall(r["id"], r["ticket__number"], r["window__number"] or 0, r["at"], r["kind"] == TicketEvent.Kind.RECALLED)
        for r in rows
    ]


def waiting_counts(point: ServicePoint, day: date | None = None) -> dict[int, int]:
    rows = (
        Ticket.objects.filter(point=point, business_date=day or business_date(), status=Ticket.Status.WAITING)
        .values("area_id")
        .annotate(n=Count("id"))
    )
    return {r["area_id"]: r["n"] for r in rows}


@dataclass
class AreaLive:
    area: ServiceArea
    waiting: int
    longest_wait_minutes: int
    issued_today: int
    open_windows: int
    warn: bool


def point_live(point: ServicePoint) -> list[AreaLive]:
    """Live waiting counts, longest waits and open windows per area (the manager page)."""
    today = business_date()
    now = timezone.now()
    waiting = (
        Ticket.objects.filter(point=point, business_date=today, status=Ticket.Status.WAITING)
        .values("area_id")
        .annotate(n=Count("id"), oldest=Min("issued_at"))
    )
    by_area = {r["area_id"]: r for r in waiting}
    issued = dict(
        Ticket.objects.filter(point=point, business_date=today)
        .values("issue_area_id")
        .annotate(n=Count("id"))
        .values_list("issue_area_id", "n")
    )
    open_windows: dict[int, int] = {}
    for area_id in WindowArea.objects.filter(
        window__point=point,
        window__is_active=True,
        window__sessions__ended_at__isnull=True,
        window__sessions__isnull=False,
    ).values_list("area_id", flat=True):
        open_windows[area_id] = open_windows.get(area_id, 0) + 1
    out = []
    for area in open_areas(point):
        r = by_area.get(area.pk)
        n = r["n"] if r else 0
        longest = int((now - r["oldest"]).total_seconds() // 60) if r else 0
        out.append(AreaLive(area, n, longest, issued.get(area.pk, 0), open_windows.get(area.pk, 0), n >= area.warn_level))
    return out


def windows_live(point: ServicePoint) -> list[dict[str, Any]]:
    sessions = {
        s.window_id: s for s in WindowSession.objects.filter(window__point=point, ended_at__isnull=True).select_related("user")
    }
    current = {
        t.window_id: t
        for t in Ticket.objects.filter(point=point, status__in=[Ticket.Status.CALLED, Ticket.Status.SERVING]).select_related(
            "area"
        )
    }
    out = []
    for w in Window.objects.filter(point=point).order_by("number"):
        s = sessions.get(w.pk)
        out.append({"window": w, "session": s, "current": current.get(w.pk)})
    return out


# --- a waiting ticket's place in the line ---------------------------------------------------


def average_service_minutes(area: ServiceArea, *, day: date | None = None) -> float:
    """Mean service time of the area's last 20 finished tickets today, else the area's default."""
    rows = list(
        Ticket.objects.filter(
            area=area, business_date=day or business_date(), status=Ticket.Status.FINISHED, called_at__isnull=False
        )
        .order_by("-finished_at")
        .values_list("called_at", "started_at", "finished_at")[:20]
    )
    spans = [(fin - begin).total_seconds() / 60 for called, start, fin in rows if fin and (begin := start or called)]
    spans = [s for s in spans if s > 0]
    return sum(spans) / len(spans) if spans else float(area.default_service_minutes)


def open_window_count(area: ServiceArea) -> int:
    return (
        WindowSession.objects.filter(ended_at__isnull=True, window__is_active=True, window__windowarea__area=area)
        .values("window")
        .distinct()
        .count()
    )


def ticket_position(ticket: Ticket) -> tuple[int, int]:
    """(tickets ahead in its area's line, estimated wait in minutes). (0, 0) once called."""
    if ticket.status != Ticket.Status.WAITING:
        return 0, 0
    r, q = ticket.priority_rank, ticket.queue_at
    ahead = (
        Ticket.objects.filter(area_id=ticket.area_id, business_date=ticket.business_date, status=Ticket.Status.WAITING)
        .filter(Q(priority_rank__lt=r) | Q(priority_rank=r, queue_at__lt=q) | Q(priority_rank=r, queue_at=q, id__lt=ticket.pk))
        .count()
    )
    area = ticket.area
    windows = max(1, open_window_count(area))
    minutes = math.ceil(ahead * average_service_minutes(area, day=ticket.business_date) / windows) if ahead else 0
    return ahead, minutes
