"""Who holds an open hall ticket (contract: onewindow.core.ownership).

Every open ticket of today belongs to its hall (the service point's org unit): a waiting ticket is
in the line of each window that serves its area (or of the one window it was transferred to); a
called, serving or held ticket is at its window. Nobody holds a waiting ticket when no active
window serves its area (or its target window is closed): nobody will ever call it. Tickets of an
earlier business day are left to the end-of-day sweep (`close_day`, every minute).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import OrgUnit, RoleAssignment
from onewindow.core.ownership import Owner, Waiting

from .days import business_date
from .models import ServicePoint, Ticket, WindowArea
from .selectors import TOWNSHIP_KINDS, WINDOW_ROLES, _ancestor_paths

ACTIONS: dict[str, Any] = {
    Ticket.Status.WAITING: _("叫号"),
    Ticket.Status.CALLED: _("接待"),
    Ticket.Status.SERVING: _("办理"),
    Ticket.Status.ON_HOLD: _("继续办理"),
}


class _Hall:
    """Staffing and window coverage of every hall, read once per check."""

    def __init__(self) -> None:
        rows = list(
            RoleAssignment.objects.filter(role__in=WINDOW_ROLES, org_unit__isnull=False).values_list("org_unit__path", flat=True)
        )
        self.staff_paths = set(rows)
        self.township_paths = set(OrgUnit.objects.filter(kind__in=TOWNSHIP_KINDS).values_list("path", flat=True))
        served = WindowArea.objects.filter(window__is_active=True).values_list("area_id", "window_id")
        self.served_areas: set[int] = {a for a, _w in served}
        self.active_windows: set[int] = {w for _a, w in served}
        self._staffed: dict[int, bool] = {}

    def staffed(self, point: ServicePoint) -> bool:
        """Somebody may work at the point's windows (hall.selectors' scope rule, for anyone)."""
        if point.pk not in self._staffed:
            path = point.org_unit.path
            ancestors = set(_ancestor_paths(path))
            ok = False
            for unit_path in self.staff_paths:
                if unit_path in ancestors:
                    ok = True
                elif unit_path.startswith(path):
                    between = [p for p in _ancestor_paths(unit_path) if len(p) > len(path)]
                    ok = not any(p in self.township_paths for p in between)
                if ok:
                    break
            self._staffed[point.pk] = ok
        return self._staffed[point.pk]

    def owner(self, ticket: Ticket) -> Owner:
        point = ticket.point
        if not self.staffed(point):
            return Owner.of_unit(point.org_unit, held=False, why_not_held=str(_("该大厅没有窗口工作人员")))
        if ticket.status == Ticket.Status.WAITING:
            if ticket.target_window_id is not None and ticket.target_window_id not in self.active_windows:
                return Owner.of_unit(point.org_unit, held=False, why_not_held=str(_("指定的窗口已停用")))
            if ticket.target_window_id is None and ticket.area_id not in self.served_areas:
                return Owner.of_unit(point.org_unit, held=False, why_not_held=str(_("没有窗口服务这个服务区")))
        return Owner.of_unit(point.org_unit, held=True)


def _item(ticket: Ticket, hall: _Hall) -> Waiting:
    window = ticket.window
    url = reverse("hall:window", args=[window.uuid]) if window is not None else reverse("hall:manage", args=[ticket.point.uuid])
    return Waiting(
        key=f"ticket:{ticket.uuid}",
        action="call" if ticket.status == Ticket.Status.WAITING else "serve",
        label=str(ACTIONS[ticket.status]),
        subject=f"{ticket.number} · {ticket.area.name}",
        owner=hall.owner(ticket),
        since=ticket.queue_at,
        url=url,
        obj=ticket,
    )


def waiting_for(obj: Any) -> list[Waiting] | None:
    if not isinstance(obj, Ticket):
        return None
    if obj.status not in Ticket.OPEN_STATUSES or obj.business_date < business_date():
        return []
    return [_item(obj, _Hall())]


def all_waiting() -> Iterator[Waiting]:
    hall = _Hall()
    tickets = Ticket.objects.filter(status__in=Ticket.OPEN_STATUSES, business_date=business_date()).select_related(
        "point__org_unit", "area", "window"
    )
    for ticket in tickets.iterator(chunk_size=500):
        yield _item(ticket, hall)
