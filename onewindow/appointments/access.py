"""Who may do what with appointments.

- Citizens and enterprise handlers book for themselves, bound to their verified ID number.
- Front-desk clerks, township officers and hall managers of the service point's organisation book
  for walk-ins and callers, see the day's bookings and check people in.
- Hall managers (and administrators) edit the weekly plans and date exceptions.
- An administrator's reach is their county's halls (a platform administrator with no unit: every
  county's; docs/tenancy.md).
- Village agents book for residents they represent; the booking records the agent and the village.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from onewindow.accounts.models import OrgUnit, Role
from onewindow.accounts.tenancy import in_remit, scoped
from onewindow.hall import selectors as hall_selectors
from onewindow.hall.models import ServiceArea


def _is_admin(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and (user.is_superuser or user.has_role(Role.ADMIN)))


def desk_areas(user: Any) -> QuerySet[ServiceArea]:
    """Areas where `user` works at the desk (books for others, sees the day, checks in). Same scope
    as the hall's windows: a desk role held at the point's organisation, above it or below it."""
    if not getattr(user, "is_authenticated", False):
        return ServiceArea.objects.none()
    if _is_admin(user):
        return scoped(ServiceArea.objects.all(), user)  # type: ignore[no-any-return]
    points = hall_selectors.points_for(user, hall_selectors.WINDOW_ROLES)
    return ServiceArea.objects.filter(point__in=points)


def managed_areas(user: Any) -> QuerySet[ServiceArea]:
    """Areas whose plans `user` may edit (hall managers of the point, administrators)."""
    if not getattr(user, "is_authenticated", False):
        return ServiceArea.objects.none()
    if _is_admin(user):
        return scoped(ServiceArea.objects.all(), user)  # type: ignore[no-any-return]
    points = hall_selectors.points_for(user, hall_selectors.MANAGER_ROLES)
    return ServiceArea.objects.filter(point__in=points)


def _admin_over(user: Any, area: ServiceArea) -> bool:
    """An administrator whose county holds the area's hall (the platform's: every county's)."""
    return _is_admin(user) and in_remit(user, area.point.org_unit)


def can_desk(user: Any, area: ServiceArea) -> bool:
    # The desk scope first: the clerks who book all day pass on it without the admin look-up.
    return hall_selectors.can_work_at(user, area.point) or _admin_over(user, area)


def can_manage(user: Any, area: ServiceArea) -> bool:
    return _admin_over(user, area) or hall_selectors.can_manage(user, area.point)


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
