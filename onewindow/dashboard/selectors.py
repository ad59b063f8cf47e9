"""Who may see the dashboard, and which cases a dashboard reader may list when drilling down to
the cases themselves (the figures are counts; the list names people, so it is scoped)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from onewindow.accounts.models import Role, User
from onewindow.accounts.selectors import units_for
from onewindow.cases.models import Case
from onewindow.cases.stats import OPEN_STATUSES, case_scope

DASHBOARD_ROLES = {Role.LEADER, Role.HALL_MANAGER, Role.ADMIN}


def can_view_dashboard(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or (user.role_names() & {r.value for r in DASHBOARD_ROLES}))


def listable_cases(user: User) -> QuerySet[Case]:
    """Administrators: every case. Leaders: cases whose lead department or intake unit is inside
    their units. Hall managers: cases taken in inside their units or at the halls they manage.
    Nobody else lists cases here."""
    if not user.is_authenticated:
        return Case.objects.none()
    if user.is_superuser or user.has_role(Role.ADMIN):
        return Case.objects.all()
    q = Q(pk__in=[])
    leader_paths = list(units_for(user, Role.LEADER).values_list("path", flat=True))
    for path in _roots(leader_paths):
        q |= Q(department__path__startswith=path) | Q(intake_unit__path__startswith=path)
    manager_paths = list(units_for(user, Role.HALL_MANAGER).values_list("path", flat=True))
    if manager_paths:
        from onewindow.hall.selectors import MANAGER_ROLES, points_for

        halls = [p.org_unit_id for p in points_for(user, MANAGER_ROLES)]
        q |= Q(intake_unit_id__in=halls)
        for path in _roots(manager_paths):
            q |= Q(intake_unit__path__startswith=path)
    return Case.objects.filter(q)


def _roots(paths: list[str]) -> list[str]:
    """The outermost of a set of subtree paths (a subtree inside another adds nothing)."""
    out: list[str] = []
    for p in sorted(paths, key=len):
        if not any(p.startswith(r) for r in out):
            out.append(p)
    return out


def case_list(user: User, params: dict[str, Any]) -> QuerySet[Case]:
    """The cases behind a figure: the reader's cases narrowed by the dashboard's filters (the
    period by day received, unless the list is of cases late now, which ignores the period)."""
    qs = listable_cases(user).filter(case_scope(params))
    late = params.get("late")
    if late in ("red", "yellow"):
        qs = qs.filter(status__in=OPEN_STATUSES, warning_level=late)
    else:
        from onewindow.cases.stats import Period

        period = Period.of(params)
        tz = timezone.get_current_timezone()
        start = datetime.datetime.combine(period.date_from, datetime.time.min, tzinfo=tz)
        end = datetime.datetime.combine(period.date_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
        qs = qs.filter(received_at__gte=start, received_at__lt=end)
    if params.get("joint") == "1":
        qs = qs.filter(is_joint=True)
    return qs.select_related("department", "intake_unit").order_by("-received_at", "-id")
