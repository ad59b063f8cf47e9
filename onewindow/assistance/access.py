"""Who acts for which agent point. The agent role is held at the point's village (community);
township officers see the points of their township; supervisors and administrators see their
county's (the platform's administrators every county's: docs/tenancy.md)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from onewindow.accounts.models import Role
from onewindow.accounts.tenancy import scoped
from onewindow.cases import selectors as case_selectors

from .errors import NotAgentOfPoint
from .models import AgentPoint


def _assignments(user: Any) -> list[tuple[str, str | None, int | None]]:
    return case_selectors._assignments(user)  # one cached read of the user's roles per request


def agent_points(user: Any) -> QuerySet[AgentPoint]:
    """Points where `user` is an agent."""
    if not getattr(user, "is_authenticated", False):
        return AgentPoint.objects.none()
    pks = [pk for role, _path, pk in _assignments(user) if role == Role.AGENT and pk]
    return AgentPoint.objects.filter(village_id__in=pks).select_related("village", "village__parent")


def point_of(user: Any) -> AgentPoint | None:
    return agent_points(user).first()


def is_agent_of(user: Any, point: AgentPoint) -> bool:
    return any(role == Role.AGENT and pk == point.village_id for role, _path, pk in _assignments(user))


def require_agent_of(user: Any, point: AgentPoint) -> None:
    if not is_agent_of(user, point):
        raise NotAgentOfPoint()


def overseen_points(user: Any) -> QuerySet[AgentPoint]:
    """Points a township officer (their township's), a supervisor or an administrator (their
    county's) oversees."""
    if not getattr(user, "is_authenticated", False):
        return AgentPoint.objects.none()
    if case_selectors.is_admin(user) or case_selectors.is_supervisor(user):
        mine: QuerySet[AgentPoint] = scoped(AgentPoint.objects.all(), user)
        return mine
    paths = [path for role, path, _pk in _assignments(user) if role == Role.TOWNSHIP_OFFICER and path]
    if not paths:
        return AgentPoint.objects.none()
    q = Q()
    for p in paths:
        q |= Q(village__path__startswith=p)
    return AgentPoint.objects.filter(q)


def can_receive_for(user: Any, unit: Any) -> bool:
    """Staff who take in applications at `unit` (township officers, clerks) sign for materials."""
    if not getattr(user, "is_authenticated", False):
        return False
    if case_selectors.admin_over(user, unit):
        return True
    if case_selectors._covers(user, (*case_selectors.INTAKE_ROLES, Role.APPROVER), unit):
        return True
    return unit.pk in case_selectors._hall_pks(user)  # a clerk of the hall that unit runs
