"""Reads of cases, scoped by who is asking."""

from __future__ import annotations

import hmac
from typing import Any

from django.db.models import Case as DbCase
from django.db.models import Q, QuerySet, Value, When, prefetch_related_objects

from onewindow.accounts.models import OrgUnit, Role, User
from onewindow.accounts.selectors import units_for
from onewindow.accounts.tenancy import in_remit, role_rows, scoped, staff_county
from onewindow.catalog import formschema
from onewindow.catalog.models import MaterialRequirement, MatterVersion
from onewindow.catalog.prefilled import never_uploaded, provided_online

from .models import Case, CaseStep, ExtensionRequest, RouteVersion, SubmittedMaterial

APPROVER_ROLES = (Role.APPROVER, Role.TOWNSHIP_OFFICER)
INTAKE_ROLES = (Role.CLERK, Role.TOWNSHIP_OFFICER)
SUPERVISOR_ROLES = (Role.HALL_MANAGER, Role.LEADER, Role.ADMIN)


def _units(user: User, roles: tuple[str, ...]) -> QuerySet[OrgUnit]:
    qs = OrgUnit.objects.none()
    for role in roles:
        qs = qs | units_for(user, role)
    return qs


def approver_units(user: User) -> QuerySet[OrgUnit]:
    return _units(user, APPROVER_ROLES)


def leader_units(user: User) -> QuerySet[OrgUnit]:
    """Units whose 负责人 the user is (they approve extensions of those units' cases)."""
    return _units(user, (Role.LEADER,))


def hall_unit_for(unit: OrgUnit) -> OrgUnit:
    """The unit whose service point (hall) serves `unit`: the nearest ancestor-or-self with a
    ServicePoint, else the root of the tree (the district government runs the district hall)."""
    from onewindow.hall.models import ServicePoint

    parts = [p for p in unit.path.split("/") if p]
    paths = ["".join(x + "/" for x in parts[: i + 1]) for i in range(len(parts))]
    point = ServicePoint.objects.filter(org_unit__path__in=paths).select_related("org_unit").order_by("-org_unit__path").first()
    if point is not None:
        return point.org_unit
    # The root: paths[0] is the county's segment ("360803/"), no unit's path.
    return OrgUnit.objects.filter(path__in=paths[:2], parent__isnull=True).first() or unit


def intake_units(user: User) -> QuerySet[OrgUnit]:
    """Where `user` takes in applications: their units' subtrees, plus the hall each of their
    units works in (a 行政审批局 clerk accepts at the district hall, run by the government)."""
    units = _units(user, INTAKE_ROLES)
    if not units.exists() or is_admin(user):
        return units
    halls: set[int] = set()
    for a in user.role_assignments.filter(role__in=INTAKE_ROLES, org_unit__isnull=False).select_related("org_unit"):
        assert a.org_unit is not None  # filtered on org_unit__isnull=False
        halls.add(hall_unit_for(a.org_unit).pk)
    return OrgUnit.objects.filter(Q(pk__in=units.values("pk")) | Q(pk__in=halls))


def _assignments(user: User) -> list[tuple[str, str | None, int | None]]:
    """(role, unit path, unit pk) of every role the user holds, read once per user object (a
    request's user, or a service caller's) so permission checks cost no further queries."""
    return [(role, path, pk) for role, path, pk, _county in role_rows(user)]


def _covers(user: User, roles: tuple[str, ...], unit: OrgUnit) -> bool:
    return any(role in roles and (path is None or unit.path.startswith(path)) for role, path, _pk in _assignments(user))


def is_supervisor(user: User) -> bool:
    return bool(user.is_authenticated and any(role in SUPERVISOR_ROLES for role, _p, _pk in _assignments(user)))


def is_admin(user: User) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or any(role == Role.ADMIN for role, _p, _pk in _assignments(user))))


def admin_over(user: User, unit: OrgUnit) -> bool:
    """An administrator whose remit reaches `unit`: a county's administrator their county's
    units only, the platform's every unit (docs/tenancy.md)."""
    return is_admin(user) and in_remit(user, unit)


def _hall_pks(user: User) -> set[int]:
    cached = getattr(user, "_ow_halls", None)
    if cached is None:
        pks = {pk for role, _p, pk in _assignments(user) if role in INTAKE_ROLES and pk}
        cached = {hall_unit_for(u).pk for u in OrgUnit.objects.filter(pk__in=pks)}
        user._ow_halls = cached  # type: ignore[attr-defined]  # a memo on the request's user object
    return cached


def has_intake_role(user: User) -> bool:
    return bool(user.is_authenticated and (is_admin(user) or any(role in INTAKE_ROLES for role, _p, _pk in _assignments(user))))


def can_intake(user: User, case: Case) -> bool:
    if not user.is_authenticated:
        return False
    if admin_over(user, case.intake_unit) or _covers(user, INTAKE_ROLES, case.intake_unit):
        return True
    return case.intake_unit_id in _hall_pks(user)


def can_act_on_step(user: User, step: CaseStep) -> bool:
    if not user.is_authenticated:
        return False
    return admin_over(user, step.department) or _covers(user, APPROVER_ROLES, step.department)


def can_decide(user: User, case: Case) -> bool:
    """The lead department's approvers decide; the front desk concludes and delivers too."""
    if not user.is_authenticated:
        return False
    return admin_over(user, case.department) or _covers(user, APPROVER_ROLES, case.department)


def can_act_on_clock(user: User, case: Case) -> bool:
    """Pausing, resuming and extending the case's clock belong to the lead department (牵头部门)
    alone: a participating department of a joint case works on its own step and its own step clock,
    but the case's legal period is answered for by the department that decides it."""
    return can_decide(user, case)


def is_party(user: User, case: Case) -> bool:
    """The applicant, the agent who filed it, or a handler of the enterprise it is filed for."""
    if not user.is_authenticated:
        return False
    if user.pk in (case.applicant_id, case.agent_id):
        return True
    return bool(case.enterprise is not None and case.enterprise.handlers.filter(user=user).exists())


def visible_cases(user: User) -> QuerySet[Case]:
    """Cases `user` may see: own (applicant, agent, enterprise handler); staff by their units;
    supervisors every late case of their county; administrators everything of their county (the
    platform's administrators every county's)."""
    if not user.is_authenticated:
        return Case.objects.none()
    if is_admin(user):
        own = Case.objects.filter(Q(applicant=user) | Q(agent=user))
        return scoped(Case.objects.all(), user) | own if staff_county(user) else Case.objects.all()
    q = Q(applicant=user) | Q(agent=user) | Q(enterprise__handlers__user=user)
    approve = approver_units(user)
    if approve.exists():
        q |= Q(pk__in=CaseStep.objects.filter(department__in=approve).values("case_id"))
        # 网上预审: the department checks the online application before any step exists.
        q |= Q(department__in=approve) & ~Q(prereview="")
        # A district department reads (never acts on) the townships' cases of its delegated matters.
        q |= Q(pk__in=Case.delegations.through.objects.filter(delegation__matter__department__in=approve).values("case_id"))
    intake = intake_units(user)
    if intake.exists():
        q |= Q(intake_unit__in=intake)
    if is_supervisor(user):
        late = ~Q(warning_level="")
        county = staff_county(user)
        q |= late & Q(department__county_id=county) if county else late
    lead = leader_units(user)
    if lead.exists():
        # A leader reads the cases whose extension waits for their approval.
        q |= Q(pk__in=ExtensionRequest.objects.filter(status="pending", case__department__in=lead).values("case_id"))
    return Case.objects.filter(q).distinct()


def case_for(user: User, case_uuid: Any) -> Case:
    from onewindow.core.errors import NotFound

    case = visible_cases(user).filter(uuid=case_uuid).select_related("applicant", "department", "intake_unit").first()
    if case is None:
        raise NotFound()
    return case


def step_queue(user: User, *, mine: bool = False) -> QuerySet[CaseStep]:
    """Open steps of the departments `user` approves for, oldest deadline first."""
    qs = CaseStep.objects.filter(status=CaseStep.Status.OPEN, case__status=Case.Status.IN_REVIEW)
    qs = scoped(qs, user) if is_admin(user) else qs.filter(department__in=approver_units(user))
    if mine:
        qs = qs.filter(claimed_by=user)
    return qs.select_related("case", "department", "claimed_by").order_by("due_on", "id")


def intake_queue(user: User) -> QuerySet[Case]:
    """Applications waiting for the front desk's answer. A case at 待补正 waits for the applicant
    (cases.owners), so it is in their list, not here."""
    qs = Case.objects.filter(status=Case.Status.SUBMITTED)
    qs = scoped(qs, user) if is_admin(user) else qs.filter(intake_unit__in=intake_units(user))
    # Waiting for the department's 网上预审: in the department's queue (cases.prereview), not here.
    qs = qs.exclude(prereview=Case.PreReview.PENDING)
    return qs.order_by("intake_due", "received_at")


def late_cases(user: User) -> QuerySet[Case]:
    """Everything late or near its limit, for supervisors (and each approver's own units)."""
    open_statuses = [Case.Status.SUBMITTED, Case.Status.IN_REVIEW, Case.Status.PAUSED, Case.Status.REVIEWED, Case.Status.DECIDED]
    # A supervisor sees every late case (visible_cases says so), so the list needs none of
    # visible_cases' ORs and DISTINCT: it is read straight from the partial index case_late_idx.
    base = scoped(Case.objects.all(), user) if is_supervisor(user) else visible_cases(user)
    qs = base.exclude(warning_level="").filter(status__in=open_statuses)
    red_first = DbCase(When(warning_level="red", then=Value(0)), default=Value(1))
    return qs.select_related("department").order_by(red_first, "committed_due")


def case_for_public_progress(number: str, check_code: str) -> Case | None:
    """The case with this number if the check code matches (constant-time); None otherwise."""
    number, check_code = number or "", check_code or ""  # from a request: NUL already stripped
    if not number or not check_code:
        return None
    case = Case.objects.filter(number=number.strip()).first()
    if case is None or not hmac.compare_digest(case.check_code.upper(), check_code.strip().upper()):
        return None
    return case


def published_route(*, matter: Any = None, bundle: Any = None) -> RouteVersion | None:
    qs = RouteVersion.objects.filter(status=RouteVersion.Status.PUBLISHED)
    qs = qs.filter(matter=matter) if matter is not None else qs.filter(bundle=bundle)
    return qs.order_by("-number").first()


def supplement_items(case: Case) -> list[dict[str, Any]]:
    """The items of the case's supplement notice ([] when there is none): [{"name", "reason", ...}]."""
    pause = case.pauses.filter(kind="supplement").order_by("started_on").first()
    return list(pause.items) if pause else []


def timeline(case: Case, *, public: bool = True) -> list[dict[str, Any]]:
    """Dated events with their labels (in the active language) and department; the public form
    leaves out who did what and internal notes."""
    from .services import EVENT_LABELS, event_note

    out = []
    for e in case.events.select_related("department", "actor"):
        if public and e.kind == "step_claimed":
            continue
        row: dict[str, Any] = {
            "at": e.at,
            "kind": e.kind,
            "label": str(EVENT_LABELS.get(e.kind, e.kind)),
            "department": e.department.name if e.department is not None else "",
        }
        if not public:
            row["actor"] = str(e.actor) if e.actor_id else ""
            row["note"] = event_note(e.kind, e.note)
        out.append(row)
    return out


# --- a case's material list and form (merged over a bundle's matter versions) -------------------


def case_requirements(case: Case) -> list[MaterialRequirement]:
    """The merged material list: for a bundle, one entry per shared document (shared_key)."""
    if case.matter_version is not None:
        return list(case.matter_version.materials.all())
    return merged_requirements(list(case.bundle_versions.all()))


def merged_form_schema(versions: list[MatterVersion]) -> list[dict[str, Any]]:
    """One application form for a bundle: each field once (by name), the first matter's label."""
    return formschema.merged_schema([v.form_schema or [] for v in versions], fill_default=False)


def case_form_schema(case: Case) -> list[dict[str, Any]]:
    if case.matter_version is not None:
        return list(case.matter_version.form_schema or [])
    return merged_form_schema(list(case.bundle_versions.all()))


def merged_requirements(versions: list[MatterVersion]) -> list[MaterialRequirement]:
    # Every version's materials in one query (none when the caller prefetched them).
    prefetch_related_objects(versions, "materials")
    seen: set[str] = set()
    merged: list[MaterialRequirement] = []
    for mv in versions:
        for req in mv.materials.all():
            key = req.shared_key or f"req-{req.pk}"
            if key in seen:
                continue
            seen.add(key)
            merged.append(req)
    return merged


def missing_requirements(case: Case) -> list[MaterialRequirement]:
    """Required materials with no acceptable submission (a file or a paper original)."""
    have = set(
        case.materials.exclude(status__in=[SubmittedMaterial.Status.FAULTY, SubmittedMaterial.Status.REPLACED])
        .exclude(requirement__isnull=True)
        .values_list("requirement_id", flat=True)
    )
    versions = [case.matter_version] if case.matter_version is not None else list(case.bundle_versions.all())
    prefetch_related_objects(versions, "materials")  # one query; case_requirements reads them from here
    reqs = list(versions[0].materials.all()) if case.matter_version is not None else merged_requirements(versions)
    # The shared keys of what was handed in: from the case's versions, which hold the
    # requirements (always, unless the catalog changed since); read only for the rest.
    by_pk = {r.pk: r for v in versions for r in v.materials.all()}
    keys_have = {by_pk[pk].shared_key for pk in have if pk in by_pk and by_pk[pk].shared_key}
    others = [pk for pk in have if pk not in by_pk]
    if others:
        keys_have |= set(
            MaterialRequirement.objects.filter(pk__in=others).exclude(shared_key="").values_list("shared_key", flat=True)
        )
    out = []
    for req in reqs:
        if req.need != MaterialRequirement.Need.REQUIRED:
            continue
        if req.pk in have or (req.shared_key and req.shared_key in keys_have):
            continue
        if provided_online(req, form_data=case.form_data, applicant=case.applicant, enterprise=case.enterprise):
            continue  # the form or the platform already holds it: never asked for as an upload
        out.append(req)
    return out


def uploadable_requirements(case: Case) -> list[MaterialRequirement]:
    """The lines a supplement notice may ask to upload again (not those the form stands for)."""
    return [r for r in case_requirements(case) if not never_uploaded(r)]
