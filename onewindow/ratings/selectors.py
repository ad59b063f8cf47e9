"""Reads of 好差评 with permission scoping.

- A delivering unit's staff (approvers, clerks, township officers of the unit or above it) see and
  act on the unit's bad ratings and their follow-up.
- The hall manager (district service administration) and administrators decide appeals and read
  the monthly window ranking; their reach is their county (a platform administrator or superuser
  with no unit: every county; docs/tenancy.md).
- The person rated sees their own ratings and follow-ups.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from onewindow.accounts.models import OrgUnit, Role
from onewindow.accounts.tenancy import in_remit, scoped, staff_county

from . import conf, subjects
from .models import Appeal, FollowUp, Rating

HANDLER_ROLES = (Role.APPROVER, Role.CLERK, Role.TOWNSHIP_OFFICER, Role.HALL_MANAGER, Role.ADMIN)
MANAGER_ROLES = (Role.HALL_MANAGER, Role.ADMIN)
FIGURE_ROLES = (Role.HALL_MANAGER, Role.ADMIN, Role.LEADER)


def _roles(user: Any) -> list[tuple[str, str | None]]:
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_ow_rating_roles", None)
    if cached is None:
        cached = list(user.role_assignments.values_list("role", "org_unit__path"))
        user._ow_rating_roles = cached
    return cached


def is_manager(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False)) or any(r in MANAGER_ROLES for r, _p in _roles(user))


def reads_figures(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False)) or any(r in FIGURE_ROLES for r, _p in _roles(user))


def manages(user: Any, unit: OrgUnit) -> bool:
    """A hall manager or administrator whose county holds `unit`."""
    return is_manager(user) and in_remit(user, unit)


def can_handle(user: Any, unit: OrgUnit) -> bool:
    """Staff of the delivering unit (or of a unit above it) act on its follow-ups; the county's
    hall managers and administrators on every unit of their county."""
    if manages(user, unit):
        return True
    return any(r in HANDLER_ROLES and p is not None and unit.path.startswith(p) for r, p in _roles(user))


def handled_units_q(user: Any, field: str = "unit") -> Q:
    if is_manager(user):
        county = staff_county(user)
        return Q() if county is None else Q(**{f"{field}__county": county})
    paths = [p for r, p in _roles(user) if r in HANDLER_ROLES and p]
    if not paths:
        return Q(pk__in=[])
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(**{f"{field}__path__startswith": p})
    return q


def counted() -> QuerySet[Rating]:
    """The ratings that make the figures: the newest row of each service (a correction replaces
    what it corrects) and none whose appeal was upheld."""
    return Rating.objects.filter(correction__isnull=True).exclude(appeal__status=Appeal.Status.UPHELD)


def follow_ups_for(user: Any) -> QuerySet[FollowUp]:
    return (
        FollowUp.objects.filter(handled_units_q(user))
        .select_related("rating", "unit", "rating__staff", "rating__window")
        .order_by("reply_due", "id")
    )


def open_follow_ups_for(user: Any) -> QuerySet[FollowUp]:
    return follow_ups_for(user).filter(status__in=FollowUp.OPEN_STATUSES)


def follow_ups_to_act(user: Any) -> QuerySet[FollowUp]:
    """The unit's work: verify, then fix and reply (a replied one waits for the person; ratings.owners)."""
    return follow_ups_for(user).filter(status__in=(FollowUp.Status.OPEN, FollowUp.Status.VERIFIED))


def follow_ups_to_answer(user: Any) -> QuerySet[FollowUp]:
    """The person's own work: replies to confirm or dispute."""
    if not getattr(user, "is_authenticated", False):
        return FollowUp.objects.none()
    return FollowUp.objects.filter(rating__rater=user, status=FollowUp.Status.REPLIED).order_by("replied_at", "id")


def follow_up_for(user: Any, follow_up_uuid: Any) -> FollowUp | None:
    key = subjects.as_uuid(follow_up_uuid)
    if key is None:
        return None
    fu = FollowUp.objects.select_related("rating", "unit", "rating__rater").filter(uuid=key).first()
    if fu is None:
        return None
    if can_handle(user, fu.unit) or (getattr(user, "is_authenticated", False) and fu.rating.rater_id == user.pk):
        return fu
    return None


def rating_for_staff(user: Any, rating_uuid: Any) -> Rating | None:
    key = subjects.as_uuid(rating_uuid)
    r = Rating.objects.select_related("unit").filter(uuid=key).first() if key else None
    return r if r is not None and can_handle(user, r.unit) else None


def my_rating(user: Any, rating_uuid: Any) -> Rating | None:
    key = subjects.as_uuid(rating_uuid)
    if key is None or not getattr(user, "is_authenticated", False):
        return None
    return Rating.objects.filter(uuid=key, rater=user).first()


def my_ratings(user: Any) -> QuerySet[Rating]:
    return Rating.objects.filter(rater=user).select_related("follow_up").order_by("-created_at")


def appeals_for(user: Any) -> QuerySet[Appeal]:
    """The appeals a manager decides: their county's (none for anyone else)."""
    if not is_manager(user):
        return Appeal.objects.none()
    return scoped(Appeal.objects.select_related("rating", "unit", "filed_by"), user)  # type: ignore[no-any-return]


def appeals_pending(user: Any) -> QuerySet[Appeal]:
    return appeals_for(user).filter(status=Appeal.Status.PENDING)


def appeal_for_manager(user: Any, appeal_uuid: Any) -> Appeal | None:
    key = subjects.as_uuid(appeal_uuid)
    if key is None:
        return None
    return appeals_for(user).filter(uuid=key).first()


def rateable_for(user: Any, *, now: datetime.datetime | None = None) -> list[subjects.Subject]:
    """Services delivered to `user` still within the rating period and not rated yet."""
    if not getattr(user, "is_authenticated", False):
        return []
    now = now or timezone.now()
    since = now - datetime.timedelta(days=int(conf.get("rate_within_days")))
    found = [s for s in subjects.served_for(user, since) if user.pk not in s.delivered_by]
    rated = set(
        Rating.objects.filter(subject_uuid__in=[s.uuid for s in found], corrects__isnull=True).values_list("kind", "subject_uuid")
    )
    return [s for s in found if (s.kind, s.uuid) not in rated]


def pad_ticket(pad: Any, *, now: datetime.datetime | None = None) -> subjects.Subject | None:
    """The ticket just finished at the pad's window, if it is not rated yet."""
    from onewindow.hall.models import Ticket

    now = now or timezone.now()
    since = now - datetime.timedelta(minutes=int(conf.get("pad_minutes")))
    t = (
        Ticket.objects.filter(window_id=pad.window_id, status=Ticket.Status.FINISHED, finished_at__gte=since)
        .order_by("-finished_at", "-id")
        .values_list("uuid", flat=True)
        .first()
    )
    if t is None or Rating.objects.filter(kind="ticket", subject_uuid=t).exists():
        return None
    return subjects.resolve("ticket", t)


def pad_clerk(pad: Any) -> Any:
    """Who is on duty at the pad's window now (shown while nobody is being rated)."""
    from onewindow.hall.models import WindowSession

    s = WindowSession.objects.filter(window_id=pad.window_id, ended_at__isnull=True).select_related("user").first()
    return s.user if s is not None else None
