"""What waits for one staff member: the work lists of their units (cases.owners.unit_lists), counted
and their 低保 work (welfare.worklist), merged into one list, most urgent first (past its limit, then the nearest limit, then the
oldest), plus the halls they work in. Read-only; the home page renders it."""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils import timezone

from onewindow.cases import owners
from onewindow.cases.models import CaseStep
from onewindow.welfare import worklist as welfare_worklist

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


def _day(value: datetime.date | datetime.datetime | None) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return timezone.localdate(value)
    return value


def rows_of(action: str, qs: Any, limit: int) -> list[Row]:
    today = timezone.localdate()
    out = []
    label = str(owners.ACTIONS[action])
    objs = list(qs[:limit])
    # A 低保 application's case steps are done on the application's page (the visit, the proposal,
    # the confirmation), not on the general case page.
    welfare = welfare_worklist.application_urls([o.case_id if isinstance(o, CaseStep) else o.pk for o in objs])
    for obj in objs:
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
                url=welfare.get(case.pk) or reverse("workbench:case", args=[case.uuid]),
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
    for group in welfare_worklist.groups_for(user):
        total += group.count
        tiles.append(Tile(action=group.key, label=group.label, count=group.count, url=group.url))
        rows.extend(_welfare_row(group.key, w) for w in group.items)
    rows.sort(key=urgency)
    return tiles, _once(rows)[:SHOWN], total


def _once(rows: list[Row]) -> list[Row]:
    """A 低保 application waits both as its case's step and as the application: list it once, in
    the place of its most urgent row, named as the 低保 stage."""
    by_url: dict[str, Row] = {}
    for r in rows:
        first = by_url.get(r.url)
        if first is None:
            by_url[r.url] = r
        elif r.action.startswith("welfare_") and not first.action.startswith("welfare_"):
            by_url[r.url] = dataclasses.replace(r, due=first.due, since=first.since, late=first.late)
    return list(by_url.values())


def _welfare_row(action: str, w: Any) -> Row:
    """A 低保 item (welfare.worklist): an application, a roll, a payment, a report or a review."""
    today = timezone.localdate()
    return Row(
        action=action,
        label=w.label,
        number=w.subject,
        title="",
        detail=w.owner.unit.name if w.owner and w.owner.unit else "",
        due=w.due,
        since=_day(w.since),
        url=w.url,
        late=bool(w.due and w.due < today),
    )


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
