"""Who may do what with appointments.

- Citizens and enterprise handlers book for themselves, bound to their verified ID number.
- Front-desk clerks, township officers and hall managers of the service point's organisation book
  for walk-ins and callers, see the day's bookings and check people in.
- Hall managers (and administrators) edit the weekly plans and date exceptions.
- Village agents book for residents they represent; the booking records the agent and the village.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from onewindow.accounts.models import OrgUnit, Role
from onewindow.accounts.selectors import units_for
from onewindow.hall.models import ServiceArea

DESK_ROLES = (Role.CLERK, Role.TOWNSHIP_OFFICER, Role.HALL_MANAGER)


def _is_admin(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and (user.is_superuser or user.has_role(Role.ADMIN)))


def _unit_q(units: QuerySet[OrgUnit]) -> Q:
    return Q(point__org_unit__in=units)


def desk_areas(user: Any) -> QuerySet[ServiceArea]:
    """Areas where `user` works at the desk (books for others, sees the day, checks in)."""
    if not getattr(user, "is_authenticated", False):
        return ServiceArea.objects.none()
    if _is_admin(user):
        return ServiceArea.objects.all()
    q = Q(pk__in=[])
    for role in DESK_ROLES:
        units = units_for(user, role)
        q |= _unit_q(units)
    return ServiceArea.objects.filter(q).distinct()


def managed_areas(user: Any) -> QuerySet[ServiceArea]:
    """Areas whose plans `user` may edit."""
    if not getattr(user, "is_authenticated", False):
        return ServiceArea.objects.none()
    if _is_admin(user):
        return ServiceArea.objects.all()
    return ServiceArea.objects.filter(_unit_q(units_for(user, Role.HALL_MANAGER))).distinct()


def can_desk(user: Any, area: ServiceArea) -> bool:
    return desk_areas(user).filter(pk=area.pk).exists()


def can_manage(user: Any, area: ServiceArea) -> bool:
    return managed_areas(user).filter(pk=area.pk).exists()


def agent_units(user: Any) -> QuerySet[OrgUnit]:
    """Villages / communities where `user` is an agent (the role is held at the village level)."""
    if not getattr(user, "is_authenticated", False):
        return OrgUnit.objects.none()
    return OrgUnit.objects.filter(
        pk__in=user.role_assignments.filter(role=Role.AGENT).values("org_unit"),
    )


def is_agent(user: Any) -> bool:
    return agent_units(user).exists()


def is_self_booker(user: Any) -> bool:
    """A citizen or enterprise handler with a verified ID number."""
    if not getattr(user, "is_authenticated", False) or not user.id_number or not user.verified_at:
        return False
    return bool(user.role_names() & {Role.CITIZEN, Role.ENTERPRISE})


def is_staff_viewer(user: Any) -> bool:
    return desk_areas(user).exists()
