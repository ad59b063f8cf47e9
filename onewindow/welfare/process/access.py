"""Who may see and handle 低保 data (personal data of the poorest households).

- handle (record visits, propose, confirm): civil-affairs staff of the household's township — the
  township officer (乡镇工作人员) at that township — and administrators of its county (the
  platform's: every county);
- read: those, the district 民政局 of the household's county (welfare.scope, as for the register), the
  village agents of the point that applied for the household, and the household's own applicant;
- nobody else: other townships, other departments, other villages' agents, other citizens.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import Role
from onewindow.accounts.tenancy import staff_county
from onewindow.cases import selectors as case_selectors
from onewindow.core.errors import PermissionDenied

from .. import scope
from ..models import Household


def _assignments(user: Any) -> list[tuple[str, str | None, int | None]]:
    return case_selectors._assignments(user)  # one cached read of the user's roles per request


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def handles_township(user: Any, township: Any) -> bool:
    if not _authenticated(user):
        return False
    if case_selectors.admin_over(user, township):
        return True
    return any(
        role == Role.TOWNSHIP_OFFICER and path is not None and township.path.startswith(path)
        for role, path, _pk in _assignments(user)
    )


def is_district_civil_affairs(user: Any) -> bool:
    """The district 民政局 (the register's rule, welfare.scope)."""
    return scope.is_district(user)


def agent_villages(user: Any) -> list[int]:
    return [pk for role, _p, pk in _assignments(user) if role == Role.AGENT and pk] if _authenticated(user) else []


def readable_households(user: Any) -> QuerySet[Household]:
    """The households `user` may read."""
    if not _authenticated(user):
        return Household.objects.none()
    if case_selectors.is_admin(user):
        county = staff_county(user)  # a county's administrator: its households; the platform's: all
        return (
            Household.objects.all()
            if county is None
            else Household.objects.filter(Q(township__county_id=county) | Q(account=user))
        )
    district = scope.district_county(user)
    if district is not None:
        return Household.objects.filter(Q(township__county_id=district) | Q(account=user))
    q = Q(account=user)
    for role, path, _pk in _assignments(user):
        if role == Role.TOWNSHIP_OFFICER and path:
            q |= Q(township__path__startswith=path)
    villages = agent_villages(user)
    if villages:
        # The point (not one agent) applied for them: any agent of that village's point.
        q |= Q(village_id__in=villages, applications__channel="agent")
    return Household.objects.filter(q).distinct()


def can_read(user: Any, household: Household) -> bool:
    return readable_households(user).filter(pk=household.pk).exists()


def require_handles(user: Any, household: Household) -> None:
    if not handles_township(user, household.township):
        raise PermissionDenied(_("只有该家庭所在乡镇（街道）的民政工作人员可以办理。"))
