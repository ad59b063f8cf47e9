"""Who holds the waiting work of 好差评 (contract: onewindow.core.ownership).

| thing | state | waits for | owner (whose work list) |
| --- | --- | --- | --- |
| 差评整改 FollowUp | 待回访核实 open | 回访核实 by `verify_due` | the delivering unit (`/ratings/work/`; `selectors.follow_ups_to_act`) |
| | 整改中 verified | 整改反馈 by `reply_due` | the delivering unit |
| | 待群众确认 replied | the person confirms or disputes | the person rated (`/ratings/me/`, the SMS link; `selectors.follow_ups_to_answer`) |
| | confirmed, disputed, no_response, withdrawn | nothing | |
| 申诉 Appeal | 待审核 pending | the decision | the county's service administration: the unit of its hall managers (`/ratings/appeals/`) |
| | upheld, rejected | nothing | |

An open follow-up and a pending appeal of the same rating are two things with one owner each: the
unit keeps its clock while the hall manager decides. `held`: the unit (or a unit above it) has
staff who handle follow-ups (approvers, clerks, township officers: `selectors.can_handle`); an
appeal is held when a hall manager of the appealing unit's county exists (else its administrator's unit).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import OrgUnit, Role, RoleAssignment
from onewindow.core.ownership import Owner, Waiting

from .models import Appeal, FollowUp

ACTIONS = {
    "verify": _("差评回访核实"),
    "reply": _("差评整改反馈"),
    "answer": _("确认整改结果"),
    "appeal": _("审核差评申诉"),
}
UNIT_ROLES = (Role.APPROVER, Role.CLERK, Role.TOWNSHIP_OFFICER)


class _Staffing:
    """Role assignments read once per check."""

    def __init__(self) -> None:
        rows = list(
            RoleAssignment.objects.filter(org_unit__isnull=False).values_list(
                "role", "org_unit__path", "org_unit_id", "org_unit__county_id"
            )
        )
        self.handler_paths = {p for r, p, _pk, _c in rows if r in UNIT_ROLES}
        # An appeal is decided in the county of the unit that filed it (docs/tenancy.md): per county
        # its hall managers' unit, else its administrators'.
        chosen: dict[str, tuple[int, str, int]] = {}
        for r, p, pk, county in rows:
            if r in (Role.HALL_MANAGER, Role.ADMIN):
                key = (0 if r == Role.HALL_MANAGER else 1, p, pk)
                chosen[county] = min(chosen.get(county, key), key)
        self._appeal_pks = {county: pk for county, (_rank, _p, pk) in chosen.items()}
        self._appeal_units: dict[int, OrgUnit] = {}

    def appeal_unit(self, unit: OrgUnit) -> OrgUnit | None:
        pk = self._appeal_pks.get(unit.county_id)
        if pk is None:
            return None
        if pk not in self._appeal_units:
            self._appeal_units[pk] = OrgUnit.objects.get(pk=pk)
        return self._appeal_units[pk]

    def unit(self, unit: OrgUnit) -> Owner:
        held = any(unit.path.startswith(p) for p in self.handler_paths)
        return Owner.of_unit(unit, held=held, why_not_held="" if held else str(_("责任单位没有能处理差评的工作人员")))


def _follow_up(fu: FollowUp, staffing: _Staffing) -> list[Waiting]:
    r = fu.rating
    if fu.status == FollowUp.Status.OPEN:
        action, owner, due = "verify", staffing.unit(fu.unit), fu.verify_due
    elif fu.status == FollowUp.Status.VERIFIED:
        action, owner, due = "reply", staffing.unit(fu.unit), fu.reply_due
    elif fu.status == FollowUp.Status.REPLIED:
        action, owner, due = "answer", Owner.of_applicant(r.rater, r.rater_name), None
    else:
        return []
    return [
        Waiting(
            key=f"rating-follow-up:{fu.uuid}:{action}",
            action=action,
            label=str(ACTIONS[action]),
            subject=f"{r.subject_label} · {r.get_level_display()}",
            owner=owner,
            since=fu.replied_at if action == "answer" else fu.opened_on,
            due=due,
            url="" if owner.is_applicant else reverse("ratings:follow_up", args=[fu.uuid]),
            obj=fu,
        )
    ]


def _appeal(a: Appeal, staffing: _Staffing) -> list[Waiting]:
    if a.status != Appeal.Status.PENDING:
        return []
    unit = staffing.appeal_unit(a.unit)
    return [
        Waiting(
            key=f"rating-appeal:{a.uuid}",
            action="appeal",
            label=str(ACTIONS["appeal"]),
            subject=f"{a.rating.subject_label} · {a.unit.name}",
            owner=Owner.of_unit(unit, held=True) if unit is not None else None,
            since=a.created_at,
            url=reverse("ratings:appeals"),
            obj=a,
        )
    ]


def waiting_for(obj: Any) -> list[Waiting] | None:
    if isinstance(obj, FollowUp):
        return _follow_up(obj, _Staffing())
    if isinstance(obj, Appeal):
        return _appeal(obj, _Staffing())
    return None


def all_waiting() -> Iterator[Waiting]:
    staffing = _Staffing()
    open_ = FollowUp.objects.filter(status__in=FollowUp.OPEN_STATUSES).select_related("rating__rater", "unit")
    for fu in open_.iterator(chunk_size=500):
        yield from _follow_up(fu, staffing)
    for a in Appeal.objects.filter(status=Appeal.Status.PENDING).select_related("rating", "unit"):
        yield from _appeal(a, staffing)
