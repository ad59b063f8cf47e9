"""Who holds the agent service's waiting work (contract: onewindow.core.ownership).

| thing | state | waits for | owner (whose work list) |
| --- | --- | --- | --- |
| paper materials (MaterialForwarding) | collected, not sent | the hand-over to the accepting unit | the point's village: its agents (`/assistance/`, 待移交材料) |
| | sent, not signed for | the accepting unit's signature | the accepting unit (`/assistance/incoming/`, 签收) |
| | signed for | nothing | |

A result to be handed over at the point is a state of the case (已办结 with the delivery method
"at the agent point", chosen at filing): `cases.owners` gives it to the village's agents, and the
front desk's delivery list leaves it out, so it has one owner.

`held`: the village has an agent (role `agent` at the village); the accepting unit has someone who
may sign (`access.can_receive_for`: its intake staff or approvers, or the clerks of the hall that
runs it).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from onewindow.cases.owners import _Staffing
from onewindow.core.ownership import Owner, Waiting

from .models import MaterialForwarding

ACTIONS = {"forward": _("移交代办材料"), "receive": _("签收代办材料")}


def _receivers(staffing: _Staffing, unit: Any) -> Owner:
    intake = staffing.intake(unit)
    if intake.held or staffing.approvers(unit).held:
        return Owner.of_unit(unit, held=True)
    return Owner.of_unit(unit, held=False, why_not_held=str(_("接收单位没有能签收材料的工作人员")))


def _item(f: MaterialForwarding, staffing: _Staffing) -> Waiting:
    app = f.application
    case = app.case
    subject = f"{case.number} {case.title}" if case is not None else str(app)
    if f.sent_at is None:
        action = "forward"
        owner = staffing.agents(app.point.village)
        url = reverse("assistance:application", args=[app.uuid])
        since: Any = f.collected_at
    else:
        action = "receive"
        owner = _receivers(staffing, f.to_unit)
        url = reverse("assistance:incoming")
        since = f.sent_at
    return Waiting(
        key=f"agent-forwarding:{f.uuid}:{action}",
        action=action,
        label=str(ACTIONS[action]),
        subject=subject,
        owner=owner,
        since=since,
        due=f.due_on,
        url=url,
        obj=f,
    )


def _pending() -> Any:
    return MaterialForwarding.objects.filter(received_at__isnull=True).select_related(
        "application__case", "application__point__village", "to_unit"
    )


def waiting_for(obj: Any) -> list[Waiting] | None:
    if not isinstance(obj, MaterialForwarding):
        return None
    if obj.received_at is not None:
        return []
    return [_item(obj, _Staffing())]


def all_waiting() -> Iterator[Waiting]:
    staffing = _Staffing()
    for f in _pending().iterator(chunk_size=500):
        yield _item(f, staffing)
