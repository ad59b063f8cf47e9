"""Reads of the 低保 process, scoped by who asks (access.py). Every read of an application's
household file is audited (`welfare.application_read`), in its own small transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet

from onewindow.accounts.models import Role
from onewindow.accounts.tenancy import staff_county
from onewindow.cases import selectors as case_selectors
from onewindow.core.audit import audit
from onewindow.core.errors import NotFound, PermissionDenied

from .. import scope
from ..models import Application, Household
from . import access


def applications_for(user: Any, *, stage: str = "") -> QuerySet[Application]:
    """The applications a user works on or follows: a township officer's township, the district
    民政局 (its county's, read only), administrators (their county's), the agent point's own
    filings, the applicant's own."""
    if not getattr(user, "is_authenticated", False):
        return Application.objects.none()
    qs = Application.objects.select_related("household", "household__village", "household__township", "case")
    district = None if case_selectors.is_admin(user) else scope.district_county(user)
    if case_selectors.is_admin(user):
        county = staff_county(user)  # a county's administrator: its county's; the platform's: all
        if county is not None:
            qs = qs.filter(Q(household__township__county_id=county) | Q(household__account=user))
    elif district is not None:  # the 民政局 (read only): its county's
        qs = qs.filter(Q(household__township__county_id=district) | Q(household__account=user))
    else:
        q = Q(household__account=user)
        for role, path, _pk in case_selectors._assignments(user):
            if role == Role.TOWNSHIP_OFFICER and path:
                q |= Q(household__township__path__startswith=path)
        villages = access.agent_villages(user)
        if villages:
            q |= Q(channel=Application.Channel.AGENT, household__village_id__in=villages)
        qs = qs.filter(q)
    if stage:
        qs = qs.filter(stage=stage)
    return qs.order_by("case__committed_due", "-created_at")


def application_for(user: Any, uuid: Any) -> Application:
    """One application with its household file; the read is audited."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied()
    try:
        app = applications_for(user).filter(uuid=uuid).first()
    except Exception:  # a malformed UUID
        app = None
    if app is None:
        raise NotFound()
    with transaction.atomic():
        audit(actor=user, action="welfare.application_read", target=app.household, data={"application": str(app.uuid)})
    return app


def members_of(household: Household) -> list[Any]:
    return list(household.members.prefetch_related("incomes", "assets").order_by("id"))


def can_handle(user: Any, app: Application) -> bool:
    return access.handles_township(user, app.household.township)
