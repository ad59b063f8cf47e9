"""Reads of filings, scoped to who asks."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from onewindow.accounts.models import Enterprise, OrgUnit, Role, User
from onewindow.accounts.selectors import units_for
from onewindow.accounts.tenancy import in_remit, scoped
from onewindow.catalog.models import Matter, MatterVersion
from onewindow.core.errors import NotFound
from onewindow.core.tenancy import for_county

from .models import CommitmentBreach, Filing


def filing_matters(county: Any = None) -> QuerySet[Matter]:
    """Published commitment-filing matters; `county`'s only when given (the public lists)."""
    matters = Matter.objects.all() if county is None else for_county(Matter.objects.all(), county)
    return matters.filter(
        current_version__status=MatterVersion.Status.PUBLISHED, current_version__kind=MatterVersion.Kind.FILING
    ).select_related("current_version", "department")


def filing_matter(matter_uuid: Any) -> Matter:
    matter = filing_matters().filter(uuid=matter_uuid).first()
    if matter is None:
        raise NotFound()
    return matter


def is_admin(user: User) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.role_assignments.filter(role=Role.ADMIN).exists()))


def my_filings(user: User) -> QuerySet[Filing]:
    """Filings the person signed or that were made for an enterprise they act for."""
    if not user.is_authenticated:
        return Filing.objects.none()
    return (
        Filing.objects.filter(Q(applicant=user) | Q(enterprise__handlers__user=user))
        .distinct()
        .select_related("enterprise", "department")
    )


def admin_over(user: User, unit: OrgUnit) -> bool:
    """An administrator whose county holds `unit` (the platform's: every county's; docs/tenancy.md)."""
    return is_admin(user) and in_remit(user, unit)


def staff_filings(user: User) -> QuerySet[Filing]:
    """Filings of the departments the user approves for (spot checks); all of their county's for
    administrators (every county's for the platform's)."""
    if not user.is_authenticated:
        return Filing.objects.none()
    qs = Filing.objects.select_related("enterprise", "department", "applicant")
    if is_admin(user):
        return scoped(qs, user)  # type: ignore[no-any-return]
    return qs.filter(department__in=units_for(user, Role.APPROVER))


def filing_for(user: User, filing_uuid: Any) -> Filing:
    filing = my_filings(user).filter(uuid=filing_uuid).first() or staff_filings(user).filter(uuid=filing_uuid).first()
    if filing is None:
        raise NotFound()
    return filing


def open_breach(*, user: User | None = None, enterprise: Enterprise | None = None) -> CommitmentBreach | None:
    """The person's or enterprise's uncleared false commitment, recorded in any county: the bar on
    filing on commitment follows the applicant across the province (people are province-wide),
    while clearing it is the recording county's (breaches_for_admin)."""
    qs = CommitmentBreach.objects.filter(cleared_at__isnull=True)
    if enterprise is not None:
        return qs.filter(enterprise=enterprise).first()
    return qs.filter(user=user).first()


def breaches_for_admin(user: User) -> QuerySet[CommitmentBreach]:
    """The breaches recorded on the administrator's county's filings."""
    if not is_admin(user):
        return CommitmentBreach.objects.none()
    return scoped(CommitmentBreach.objects.select_related("user", "enterprise", "filing"), user)  # type: ignore[no-any-return]
