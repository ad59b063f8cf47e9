"""What waits for one staff member: the work lists of their units (cases.owners.unit_lists), counted
and merged into one list, most urgent first (past its limit, then the nearest limit, then the
oldest), plus the halls they work in. Read-only; the home page renders it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils import timezone

from onewindow.cases import owners
from onewindow.cases.models import CaseStep

# The case lists that have their own page (/workbench/work/<action>/); review is the step queue.
CASE_LISTS = ("intake", "resume", "extension", "decide", "conclude", "deliver")
SHOWN = 30  # items on the home page; the list pages show the rest


@dataclass
class Row:
    action: str
    label: str
    number: str
    title: str
    detail: str
    due: datetime.date | None
    since: datetime.date | None
    url: str
    late: bool = False


@dataclass
class Tile:
    action: str
    label: str
    count: int
    url: str


def list_url(action: str) -> str:
    if action == "review":
        return reverse("workbench:queue")
    if action == "prereview":
        return reverse("workbench:prereview_queue")
    return reverse("workbench:work", args=[action])


def _day(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return timezone.localdate(value)
    return value


def rows_of(action: str, qs: Any, limit: int) -> list[Row]:
    today = timezone.localdate()
    out = []
    label = str(owners.ACTIONS[action])
    for obj in qs[:limit]:
        if isinstance(obj, CaseStep):
            case, due, since, detail = obj.case, obj.due_on, obj.opened_on, f"{obj.name} · {obj.department.name}"
        else:
            case, detail = obj, obj.department.name
            due = {"intake": case.intake_due, "prereview": case.intake_due, "deliver": None}.get(action, case.committed_due)
            since = {
                "intake": case.received_at,
                "prereview": case.received_at,
                "conclude": case.decided_at,
                "deliver": case.concluded_at,
            }.get(action, case.updated_at)
        out.append(
            Row(
                action=action,
                label=label,
                number=case.number,
                title=case.title,
                detail=detail,
                due=due,
                since=_day(since),
                url=reverse("workbench:case", args=[case.uuid]),
                late=bool(due and due < today),
            )
        )
    return out


def urgency(row: Row) -> tuple[Any, ...]:
    far = datetime.date.max
    return (not row.late, row.due or far, row.since or far, row.number)


def my_work(user: Any) -> tuple[list[Tile], list[Row], int]:
    """(a tile per list with its count, the most urgent rows across lists, the total)."""
    lists = owners.unit_lists(user)
    tiles, rows, total = [], [], 0
    for action, qs in lists.items():
        count = qs.count()
        if not count:
            continue
        total += count
        tiles.append(Tile(action=action, label=str(owners.ACTIONS[action]), count=count, url=list_url(action)))
        rows.extend(rows_of(action, qs, SHOWN))
    rows.sort(key=urgency)
    return tiles, rows[:SHOWN], total


@dataclass
class Hall:
    name: str
    url: str
    waiting: int
    longest_minutes: int | None
    manage: bool


def my_halls(user: Any) -> list[Hall]:
    """The halls the person works in: today's waiting tickets and the longest wait; the link goes
    to the windows (clerks, township officers) or to the manager's page (hall managers)."""
    from django.db.models import Count, Min

    from onewindow.hall import selectors as hall_selectors
    from onewindow.hall.models import Ticket
    from onewindow.hall.services import business_date

    now = timezone.now()
    out = []
    for point in hall_selectors.points_for(user):
        manage = hall_selectors.can_manage(user, point)
        agg = Ticket.objects.filter(point=point, business_date=business_date(), status=Ticket.Status.WAITING).aggregate(
            n=Count("id"), first=Min("queue_at")
        )
        first = agg["first"]
        out.append(
            Hall(
                name=point.name,
                url=reverse("hall:manage" if manage else "hall:windows", args=[point.uuid]),
                waiting=agg["n"],
                longest_minutes=int((now - first).total_seconds() // 60) if first else None,
                manage=manage,
            )
        )
    return out
