"""Which unit handles a case: the district department that owns the matter, or the township the
matter was delegated to (赋权 → 就近办, F13 and F14).

One rule, used by `case_submit` and by every app that files or routes cases (the 低保 process, the
village agent points):

- The township of a case is the one whose hall or agent point accepted it (the intake unit, when it
  is township level or below; for an agent application, the agent's village), else the applicant's
  registered township (`User.home_township`).
- A matter with a `catalog.Delegation` in force for that township on the day the application is
  received is handled there: the case's deciding unit (`Case.department`) is the township and the
  steps of the matter's own department go to the township's officers. So is a matter the catalog
  says is exercised at township level (`MatterVersion.handling_level == "township"`, the townships'
  own ~74 matters of F14): every township handles it for its residents, without a delegation.
  Otherwise the district department handles it, as before.
- A resident of another township applying at a township's hall or agent point for a matter that is
  delegated (to that township or to their own) is refused before anything is stored, and told where
  to go (`OtherTownship`, code `other_township`).

The decision is taken once, when the application is filed, and kept on the case (`Case.department`
and `Case.delegations`), so revoking a delegation never moves an open case: it finishes where it
started, and only new applications go back to the district.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import OrgUnit, Role, RoleAssignment, User
from onewindow.catalog.models import Delegation, Matter
from onewindow.catalog.selectors import delegation_in_force
from onewindow.core.errors import ValidationFailed

if TYPE_CHECKING:
    from .models import Case


class OtherTownship(ValidationFailed):
    """The applicant is registered in another township, which (or the district) handles this."""

    code = "other_township"

    def __init__(self, *, matter_name: str, township: OrgUnit, handled_by: OrgUnit) -> None:
        self.township = township
        self.handled_by = handled_by
        if handled_by.is_township_level:
            template = _(
                "“%(matter)s”已下放乡镇（街道）办理，由申请人户籍所在地%(unit)s受理。"
                "请到%(unit)s便民服务中心或所在村（社区）代办点申请。"
            )
        else:
            template = _("申请人户籍所在地%(township)s未承接“%(matter)s”，该事项由%(unit)s办理，请到区行政服务中心申请。")
        params = {"matter": matter_name, "township": township.name, "unit": handled_by.name}
        # Lazy, so the page or API that shows it renders it in the reader's language.
        message = lazy(lambda: str(template) % params, str)()
        super().__init__(message, fields={"applicant": [message]})


def township_of(unit: OrgUnit | None) -> OrgUnit | None:
    """The township (or subdistrict) a unit belongs to: itself, or a village's parent."""
    if unit is None:
        return None
    if unit.is_township_level:
        return unit
    if unit.is_village_level and unit.parent_id is not None:
        return unit.parent
    return None


def is_township_level(matter: Matter) -> bool:
    """The catalog exercises the matter at township level (its published version says so): every
    township handles it for its own residents, no delegation needed."""
    from onewindow.catalog.models import MatterVersion

    version = matter.current_version
    return version is not None and version.handling_level == MatterVersion.Level.TOWNSHIP


def handled_by_township(*, matter: Matter, township: OrgUnit, on: datetime.date) -> bool:
    return is_township_level(matter) or delegation_in_force(matter=matter, township=township, on=on) is not None


def handling_unit_for(*, matter: Matter, township: OrgUnit | None, on: datetime.date) -> OrgUnit:
    """The unit that decides `matter` for `township` on day `on`: the township when the matter is a
    township-level one or a delegation is in force there, else the matter's district department."""
    if township is not None and handled_by_township(matter=matter, township=township, on=on):
        return township
    return matter.department


def agent_village(agent: User | None) -> OrgUnit | None:
    """The village (or community) where `agent` holds the agent role."""
    if agent is None:
        return None
    a = RoleAssignment.objects.filter(user=agent, role=Role.AGENT, org_unit__isnull=False).select_related("org_unit").first()
    return a.org_unit if a is not None else None


@dataclass(frozen=True)
class Routing:
    """Where a new case goes. `department` is the deciding unit (`Case.department`); `delegations`
    the delegations in force for its matters (empty: all handled by the district)."""

    department: OrgUnit
    intake_unit: OrgUnit
    township: OrgUnit | None
    delegations: tuple[Delegation, ...] = field(default=())

    @property
    def is_delegated(self) -> bool:
        return bool(self.delegations)


def route_submission(
    *,
    applicant: User,
    matters: Sequence[Matter],
    intake_unit: OrgUnit,
    at_counter: bool,
    agent: User | None = None,
    on: datetime.date,
    is_bundle: bool = False,
) -> Routing:
    """Decide the township, the deciding unit and the intake unit of a new application.

    `matters`: the matter, or a bundle's matters with the lead one first. `intake_unit`: where the
    application would be taken in without delegation (the clerk's unit at a counter, else the
    hall). `at_counter`: a clerk or township officer is filing it at their own window. Raises
    `OtherTownship` for a resident of another township (see the module's docstring)."""
    point = agent_village(agent) if agent is not None else None
    if point is None and at_counter:
        point = intake_unit
    point_township = township_of(point)
    home = applicant.home_township
    township = point_township or home
    if township is None:
        return Routing(department=matters[0].department, intake_unit=intake_unit, township=None)

    found = {m.pk: delegation_in_force(matter=m, township=township, on=on) for m in matters}
    local = {m.pk for m in matters if found[m.pk] is not None or is_township_level(m)}
    if point_township is not None and home is not None and home.pk != point_township.pk:
        for m in matters:
            if m.pk in local or handled_by_township(matter=m, township=home, on=on):
                handled_by = handling_unit_for(matter=m, township=home, on=on)
                raise OtherTownship(matter_name=m.search_name or m.code, township=home, handled_by=handled_by)

    lead = matters[0]
    department = township if lead.pk in local else lead.department
    delegations = tuple(d for d in found.values() if d is not None)
    if local and not is_bundle and (agent is not None or not at_counter):
        # Online, by phone or through a village agent: the township accepts what it decides. At a
        # district window the front desk accepts for everyone (一窗受理) and the township decides.
        intake_unit = township
    return Routing(department=department, intake_unit=intake_unit, township=township, delegations=delegations)


def counter_unit(actor: User) -> OrgUnit | None:
    """The unit of the window `actor` files at (a clerk or township officer), if any."""
    from .selectors import INTAKE_ROLES

    a = (
        RoleAssignment.objects.filter(user=actor, role__in=INTAKE_ROLES, org_unit__isnull=False)
        .select_related("org_unit")
        .first()
    )
    return a.org_unit if a is not None else None


@dataclass(frozen=True)
class StepUnits:
    """Maps a route step's (or a matter's) department to the unit that does the step for a case:
    the township for the departments whose matter was delegated, the department otherwise."""

    by_department: dict[int, int]
    by_matter: dict[int, int]

    def for_department(self, department_id: int) -> int:
        return self.by_department.get(department_id, department_id)

    def for_matter(self, matter: Matter) -> int:
        return self.by_matter.get(matter.pk, matter.department_id)


def step_units(case: Case) -> StepUnits:
    """From the delegations recorded on the case when it was filed (never from today's, so a
    revocation after filing does not move the case). A route step belongs to the township when its
    department owns a delegated matter of the case. A township-level matter's steps belong to the
    township that decides the case (`Case.department`, fixed when filed, with the case's own
    version of the matter); in a bundle only when the lead matter made the township decide it."""
    from onewindow.catalog.models import MatterVersion

    by_department: dict[int, int] = {}
    by_matter: dict[int, int] = {}
    if case.department.is_township_level:
        versions = (
            [case.matter_version] if case.matter_version is not None else list(case.bundle_versions.select_related("matter"))
        )
        for v in versions:
            if v.handling_level == MatterVersion.Level.TOWNSHIP:
                by_department[v.matter.department_id] = case.department_id
                by_matter[v.matter_id] = case.department_id
    for d in case.delegations.select_related("matter"):
        by_department[d.matter.department_id] = d.township_id
        by_matter[d.matter_id] = d.township_id
    return StepUnits(by_department=by_department, by_matter=by_matter)
