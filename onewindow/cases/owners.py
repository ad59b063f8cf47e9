"""Who holds a waiting case (contract: onewindow.core.ownership).

| status | waits for | owner (whose work list) |
| --- | --- | --- |
| 待受理 submitted, 网上预审 pending | the department's pre-review (cases.prereview) | the lead department |
| 待受理 submitted | accept, refuse or ask for a supplement | the intake unit (front desk) |
| 待补正 supplement | the missing items | the applicant |
| 审查中 in_review | each open step | that step's department (one item per open step) |
| 中止计时 paused | a supplement asked during review: the applicant; a hearing, inspection or expert review: the lead department, which resumes the clock | |
| 待决定 reviewed | the decision | the lead department (主办/牵头部门) |
| 已决定 decided | 办结 | the lead department |
| 已办结 concluded | delivery (window, post, electronic) | the intake unit (front desk) |
| 已办结 concluded, an agent case to be handed over at the agent point | delivery at the point | the applicant's village (its agents) |
| 待领取 ready | collecting the result at the window | the applicant |
| refused, delivered | nothing | |

`held` is true when somebody can see the item in their list and act on it, by the same permission
rules the services check (selectors.can_intake / can_act_on_step / can_decide).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import OrgUnit, Role, RoleAssignment
from onewindow.accounts.tenancy import scoped
from onewindow.core.ownership import Owner, Waiting

from . import selectors
from .models import Case, CasePause, CaseStep, ExtensionRequest

ACTIONS = {
    "prereview": _("网上预审"),
    "intake": _("受理"),
    "supplement": _("补正材料"),
    "review": _("审查"),
    "resume": _("恢复计时"),
    "extension": _("批准延长期限"),
    "decide": _("作出决定"),
    "conclude": _("办结"),
    "deliver": _("送达"),
    "deliver_point": _("代办点送达"),
    "collect": _("领取结果"),
}
WAITING_STATUSES = [
    Case.Status.SUBMITTED,
    Case.Status.SUPPLEMENT,
    Case.Status.IN_REVIEW,
    Case.Status.PAUSED,
    Case.Status.REVIEWED,
    Case.Status.DECIDED,
    Case.Status.CONCLUDED,
    Case.Status.READY,
]
DONE_STATUSES = [Case.Status.REFUSED, Case.Status.DELIVERED]


class _Staffing:
    """Which units have someone to hold their work, computed once per check (role assignments
    are few; a sweep looks at every open case)."""

    def __init__(self) -> None:
        rows = list(RoleAssignment.objects.filter(org_unit__isnull=False).values_list("role", "org_unit__path", "org_unit_id"))
        self.approver_paths = {p for r, p, _pk in rows if r in selectors.APPROVER_ROLES}
        self.intake_paths = {p for r, p, _pk in rows if r in selectors.INTAKE_ROLES}
        intake_pks = {pk for r, _p, pk in rows if r in selectors.INTAKE_ROLES}
        self.halls = {selectors.hall_unit_for(u).pk for u in OrgUnit.objects.filter(pk__in=intake_pks)}
        self.agent_units = {pk for r, _p, pk in rows if r == Role.AGENT}
        self.leader_paths = {p for r, p, _pk in rows if r == Role.LEADER}
        self.leader_everywhere = RoleAssignment.objects.filter(role=Role.LEADER, org_unit__isnull=True).exists()

    @staticmethod
    def _covered(unit: OrgUnit, paths: set[str]) -> bool:
        return any(unit.path.startswith(p) for p in paths)

    def approvers(self, unit: OrgUnit) -> Owner:
        held = self._covered(unit, self.approver_paths)
        return Owner.of_unit(unit, held=held, why_not_held="" if held else str(_("该部门没有审批人员")))

    def leaders(self, unit: OrgUnit) -> Owner:
        held = self.leader_everywhere or self._covered(unit, self.leader_paths)
        return Owner.of_unit(unit, held=held, why_not_held="" if held else str(_("该部门没有负责人账号")))

    def intake(self, unit: OrgUnit) -> Owner:
        held = self._covered(unit, self.intake_paths) or unit.pk in self.halls
        return Owner.of_unit(unit, held=held, why_not_held="" if held else str(_("受理单位没有前台受理人员")))

    def agents(self, village: OrgUnit | None) -> Owner | None:
        """The agent point of a village: its agents hand results over there (case_deliver)."""
        if village is None:
            return None
        held = village.pk in self.agent_units
        return Owner.of_unit(village, held=held, why_not_held="" if held else str(_("该村（社区）没有代办员")))


def _url(case: Case, action: str = "") -> str:
    if action == "deliver_point":
        return reverse("assistance:home")  # the agent's workbench lists results to deliver
    return reverse("workbench:case", args=[case.uuid])


def _item(
    case: Case, action: str, owner: Owner | None, *, since: Any = None, due: Any = None, step: CaseStep | None = None
) -> Waiting:
    key = f"case:{case.uuid}:{action}" + (f":{step.uuid}" if step is not None else "")
    subject = f"{case.number} {case.title}" + (f" · {step.name}" if step is not None else "")
    return Waiting(
        key=key,
        action=action,
        label=str(ACTIONS[action]),
        subject=subject,
        owner=owner,
        since=since or case.updated_at,
        due=due,
        url="" if owner is not None and owner.is_applicant else _url(case, action),
        obj=step if step is not None else case,
    )


def case_waiting(case: Case, *, staffing: _Staffing | None = None) -> list[Waiting]:
    """The waiting work of one case: [] when it waits for nobody because it is finished."""
    staffing = staffing or _Staffing()
    status = case.status
    applicant = Owner.of_applicant(case.applicant)
    if status == Case.Status.SUBMITTED and case.prereview == Case.PreReview.PENDING:
        # 网上预审 (cases.prereview): the lead department checks it before the front desk accepts.
        return [_item(case, "prereview", staffing.approvers(case.department), since=case.received_at, due=case.intake_due)]
    if status == Case.Status.SUBMITTED:
        return [_item(case, "intake", staffing.intake(case.intake_unit), since=case.received_at, due=case.intake_due)]
    if status == Case.Status.SUPPLEMENT:
        return [_item(case, "supplement", applicant)]
    waiting = _clock_waiting(case, status, applicant, staffing)
    pending = next((r for r in case.extension_requests.all() if r.status == ExtensionRequest.Status.PENDING), None)
    if pending is not None and status in (Case.Status.IN_REVIEW, Case.Status.PAUSED):
        # Beside the case's own work: a leader's approval of the extension the department asked for.
        waiting.append(
            _item(case, "extension", staffing.leaders(case.department), since=pending.created_at, due=case.committed_due)
        )
    return waiting


def _clock_waiting(case: Case, status: str, applicant: Owner, staffing: _Staffing) -> list[Waiting]:
    if status == Case.Status.IN_REVIEW:
        steps = [s for s in case.steps.all() if s.status == CaseStep.Status.OPEN]
        if not steps:  # review running with no open step: nobody can move it on
            return [_item(case, "review", None, due=case.committed_due)]
        return [_item(case, "review", staffing.approvers(s.department), since=s.opened_on, due=s.due_on, step=s) for s in steps]
    if status == Case.Status.PAUSED:
        pause = next((p for p in case.pauses.all() if p.ended_on is None), None)
        if pause is not None and pause.kind == CasePause.Kind.SUPPLEMENT:
            return [_item(case, "supplement", applicant, since=pause.started_on)]
        return [_item(case, "resume", staffing.approvers(case.department), since=pause.started_on if pause else None)]
    if status == Case.Status.REVIEWED:
        return [_item(case, "decide", staffing.approvers(case.department), due=case.committed_due)]
    if status == Case.Status.DECIDED:
        return [_item(case, "conclude", staffing.approvers(case.department), since=case.decided_at, due=case.committed_due)]
    if status == Case.Status.CONCLUDED and case.delivery_method == Case.Delivery.AGENT_POINT:
        # The resident chose to collect the result at their village's agent point (filed there).
        return [_item(case, "deliver_point", staffing.agents(case.applicant.home_unit), since=case.concluded_at)]
    if status == Case.Status.CONCLUDED:
        return [_item(case, "deliver", staffing.intake(case.intake_unit), since=case.concluded_at)]
    if status == Case.Status.READY:
        return [_item(case, "collect", applicant, since=case.concluded_at)]
    return []


def _open_cases() -> Any:
    return (
        Case.objects.filter(status__in=WAITING_STATUSES)
        .select_related("applicant__home_unit", "department", "intake_unit")
        .prefetch_related(
            Prefetch("steps", queryset=CaseStep.objects.filter(status=CaseStep.Status.OPEN).select_related("department")),
            Prefetch("pauses", queryset=CasePause.objects.filter(ended_on__isnull=True)),
            Prefetch("extension_requests", queryset=ExtensionRequest.objects.filter(status=ExtensionRequest.Status.PENDING)),
        )
    )


def waiting_for(obj: Any) -> list[Waiting] | None:
    if isinstance(obj, CaseStep):
        case = obj.case
        return [w for w in case_waiting(case) if w.obj == obj] if obj.status == CaseStep.Status.OPEN else []
    if isinstance(obj, Case):
        return case_waiting(obj)
    return None


def all_waiting() -> Iterator[Waiting]:
    staffing = _Staffing()
    for case in _open_cases().iterator(chunk_size=500):
        yield from case_waiting(case, staffing=staffing)


# --- the work lists (what each person sees), as queries -------------------------------------------


def unit_lists(user: Any) -> dict[str, Any]:
    """The case work lists of a staff member, one per action, each the query of exactly the cases
    whose owner (above) is one of their units. Keys: the actions of ACTIONS held by units."""
    intake = selectors.intake_units(user)
    approve = selectors.approver_units(user)
    everything = selectors.is_admin(user)

    def by(field: str, units: Any, qs: Any) -> Any:
        return scoped(qs, user) if everything else qs.filter(**{f"{field}__in": units})

    cases = Case.objects.select_related("department", "intake_unit", "applicant")
    in_supplement = CasePause.objects.filter(ended_on__isnull=True, kind=CasePause.Kind.SUPPLEMENT).values("case_id")
    non_supplement_pause = Q(status=Case.Status.PAUSED) & ~Q(pk__in=in_supplement)
    submitted = cases.filter(status=Case.Status.SUBMITTED)
    return {
        "prereview": by("department", approve, submitted.filter(prereview=Case.PreReview.PENDING)).order_by(
            "intake_due", "received_at"
        ),
        "intake": by("intake_unit", intake, submitted.exclude(prereview=Case.PreReview.PENDING)).order_by(
            "intake_due", "received_at"
        ),
        "review": selectors.step_queue(user),
        "resume": by("department", approve, cases.filter(non_supplement_pause)).order_by("committed_due", "received_at"),
        "extension": by(
            "department",
            selectors.leader_units(user),
            cases.filter(
                status__in=[Case.Status.IN_REVIEW, Case.Status.PAUSED],
                extension_requests__status=ExtensionRequest.Status.PENDING,
            ),
        ).order_by("committed_due", "received_at"),
        "decide": by("department", approve, cases.filter(status=Case.Status.REVIEWED)).order_by("committed_due", "received_at"),
        "conclude": by("department", approve, cases.filter(status=Case.Status.DECIDED)).order_by("committed_due", "decided_at"),
        "deliver": by(
            "intake_unit",
            intake,
            cases.filter(status=Case.Status.CONCLUDED).exclude(delivery_method=Case.Delivery.AGENT_POINT),
        ).order_by("concluded_at"),
    }


def applicant_list(user: Any) -> Any:
    """The cases that wait for the applicant themselves (补正, a supplement during review, 领取)."""
    in_supplement = CasePause.objects.filter(ended_on__isnull=True, kind=CasePause.Kind.SUPPLEMENT).values("case_id")
    supplement_pause = Q(status=Case.Status.PAUSED, pk__in=in_supplement)
    return (
        Case.objects.filter(applicant=user)
        .filter(Q(status__in=[Case.Status.SUPPLEMENT, Case.Status.READY]) | supplement_pause)
        .order_by("updated_at")
    )
