"""Reads for delegation management and supervision, scoped by who asks.

District officers are the approvers and leaders of a district department (for that department's
matters) and the leaders of the district government and administrators (for every department of
their county: docs/tenancy.md; the platform's administrators every county's). Township officers
read the delegations their township received.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from onewindow.accounts.models import OrgUnit, Role, User
from onewindow.accounts.tenancy import scoped, staff_county
from onewindow.cases.models import Case
from onewindow.catalog.models import Delegation, Matter
from onewindow.core.errors import NotFound

from .models import DelegationBatch, SupervisionReview

OPEN_STATUSES = [
    Case.Status.SUBMITTED,
    Case.Status.SUPPLEMENT,
    Case.Status.IN_REVIEW,
    Case.Status.PAUSED,
    Case.Status.REVIEWED,
    Case.Status.DECIDED,
]
DONE_STATUSES = [Case.Status.CONCLUDED, Case.Status.DELIVERED]


def _is_admin(user: User) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.has_role(Role.ADMIN)))


def managed_departments(user: User) -> QuerySet[OrgUnit]:
    """The departments whose matters `user` may delegate, revoke and supervise."""
    departments = OrgUnit.objects.filter(kind=OrgUnit.Kind.DEPARTMENT)
    if not user.is_authenticated:
        return departments.none()
    if _is_admin(user):
        mine: QuerySet[OrgUnit] = scoped(departments, user)  # their county's (the platform's: every county's)
        return mine
    q = Q()
    found = False
    for role, kind, path in user.role_assignments.filter(role__in=[Role.APPROVER, Role.LEADER]).values_list(
        "role", "org_unit__kind", "org_unit__path"
    ):
        if kind == OrgUnit.Kind.GOVERNMENT and role == Role.LEADER and path:
            # the district government's leader: every department below it (its county's)
            q |= Q(path__startswith=path)
            found = True
        elif kind == OrgUnit.Kind.DEPARTMENT and path:
            q |= Q(path__startswith=path)
            found = True
    return departments.filter(q) if found else departments.none()


def is_district_officer(user: User) -> bool:
    return managed_departments(user).exists()


def officer_townships(user: User) -> QuerySet[OrgUnit]:
    """The townships where `user` is a township officer."""
    if not user.is_authenticated:
        return OrgUnit.objects.none()
    paths = list(user.role_assignments.filter(role=Role.TOWNSHIP_OFFICER).values_list("org_unit__path", flat=True))
    q = Q()
    for p in paths:
        if p:
            q |= Q(path__startswith=p)
    if not paths:
        return OrgUnit.objects.none()
    return OrgUnit.objects.filter(q, kind__in=[OrgUnit.Kind.TOWNSHIP, OrgUnit.Kind.SUBDISTRICT])


def can_read_delegations(user: User) -> bool:
    return is_district_officer(user) or officer_townships(user).exists()


def delegatable_matters(user: User) -> QuerySet[Matter]:
    """Published matters of the departments `user` manages."""
    return Matter.objects.filter(is_listed=True, department__in=managed_departments(user)).select_related("current_version")


def townships() -> QuerySet[OrgUnit]:
    """Every county's townships (the statistics' rows; staff pages use `townships_for`)."""
    return OrgUnit.objects.filter(kind__in=[OrgUnit.Kind.TOWNSHIP, OrgUnit.Kind.SUBDISTRICT]).order_by("sort_order", "code")


def townships_for(user: User) -> QuerySet[OrgUnit]:
    """The townships `user` may name in a batch or a supervision: their county's."""
    mine: QuerySet[OrgUnit] = scoped(townships(), user)
    return mine


def batch_in_remit(user: User, batch: DelegationBatch) -> bool:
    """May `user` act on `batch`: a batch of their county (the platform's administrators: any)."""
    county = staff_county(user)
    return county is None or county == batch.county_id


def batches_for(user: User) -> QuerySet[DelegationBatch]:
    """District officers: every batch of their county (drafts included: batches are drafted
    jointly); township officers: published batches that name their township."""
    qs = DelegationBatch.objects.all()
    if is_district_officer(user):
        county_qs: QuerySet[DelegationBatch] = scoped(qs, user)
        return county_qs
    mine = officer_townships(user)
    if mine.exists():
        return qs.filter(status=DelegationBatch.Status.PUBLISHED, townships__in=mine).distinct()
    return qs.none()


def batch_for(user: User, uuid: Any) -> DelegationBatch:
    batch = batches_for(user).filter(uuid=uuid).first()
    if batch is None:
        raise NotFound()
    return batch


def delegations_for(user: User) -> QuerySet[Delegation]:
    qs = Delegation.objects.select_related("matter", "matter__department", "township").order_by(
        "township__sort_order", "matter__code", "-effective_on"
    )
    if _is_admin(user):
        mine: QuerySet[Delegation] = scoped(qs, user)
        return mine
    q = Q(matter__department__in=managed_departments(user)) | Q(township__in=officer_townships(user))
    return qs.filter(q)


def delegation_for(user: User, uuid: Any) -> Delegation:
    d = delegations_for(user).filter(uuid=uuid).first()
    if d is None:
        raise NotFound()
    return d


# --- supervision -------------------------------------------------------------------------------


def supervised_cases(user: User, *, department: OrgUnit | None = None) -> QuerySet[Case]:
    """Every township's cases of the delegated matters of the departments `user` manages
    (read-only for them: steps and decisions belong to the township)."""
    departments = managed_departments(user)
    if department is not None:
        departments = departments.filter(pk=department.pk)
    ids = Case.objects.filter(delegations__matter__department__in=departments).values("pk")
    return Case.objects.filter(pk__in=ids)


@dataclass
class TownshipSupervision:
    township: OrgUnit
    cases: int = 0
    done: int = 0
    on_time: int = 0
    open: int = 0
    overdue: int = 0
    overdue_cases: list[Case] = field(default_factory=list)

    @property
    def on_time_rate(self) -> float | None:
        """Share of concluded cases concluded by their committed deadline (None: none concluded)."""
        return round(100 * self.on_time / self.done, 1) if self.done else None


def township_supervision(cases: QuerySet[Case], *, today: datetime.date, user: User) -> list[TownshipSupervision]:
    """Per township of `user`'s county: cases, concluded, on time, open, overdue (open past the
    committed deadline)."""
    rows = {t.pk: TownshipSupervision(township=t) for t in townships_for(user)}
    for c in cases.select_related("department").only(
        "pk", "uuid", "number", "title", "status", "department", "committed_due", "concluded_at", "received_at"
    ):
        fig = rows.get(c.department_id)
        if fig is None:  # filed before the delegation, or handled by the district
            continue
        fig.cases += 1
        if c.status in DONE_STATUSES and c.concluded_at is not None:
            fig.done += 1
            if c.committed_due is not None and timezone.localdate(c.concluded_at) <= c.committed_due:
                fig.on_time += 1
        elif c.status in OPEN_STATUSES:
            fig.open += 1
            if c.committed_due is not None and c.committed_due < today:
                fig.overdue += 1
                fig.overdue_cases.append(c)
    return list(rows.values())


def reviews_for(user: User) -> QuerySet[SupervisionReview]:
    qs = SupervisionReview.objects.select_related("case", "township", "department", "reviewed_by")
    if _is_admin(user):
        mine: QuerySet[SupervisionReview] = scoped(qs, user)
        return mine
    return qs.filter(department__in=managed_departments(user))


def review_for(user: User, uuid: Any) -> SupervisionReview:
    r = reviews_for(user).filter(uuid=uuid).first()
    if r is None:
        raise NotFound()
    return r
