"""A waiting ticket's place in the line and the estimated wait."""

from __future__ import annotations

import math
from datetime import date

from django.db.models import Q

from ..models import ServiceArea, Ticket, WindowSession
from ._common import S, business_date


def average_service_minutes(area: ServiceArea, *, day: date | None = None) -> float:
    """Mean service time of the area's last 20 finished tickets today, else the area's default."""
    rows = list(
        Ticket.objects.filter(area=area, business_date=day or business_date(), status=S.FINISHED, called_at__isnull=False)
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
    if ticket.status != S.WAITING:
        return 0, 0
    r, q = ticket.priority_rank, ticket.queue_at
    ahead = (
        Ticket.objects.filter(area_id=ticket.area_id, business_date=ticket.business_date, status=S.WAITING)
        .filter(Q(priority_rank__lt=r) | Q(priority_rank=r, queue_at__lt=q) | Q(priority_rank=r, queue_at=q, id__lt=ticket.pk))
        .count()
    )
    area = ticket.area
    windows = max(1, open_window_count(area))
    minutes = math.ceil(ahead * average_service_minutes(area, day=ticket.business_date) / windows) if ahead else 0
    return ahead, minutes
