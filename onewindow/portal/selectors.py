"""Reads for the citizen and enterprise pages (the portal itself writes nothing)."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import User
from onewindow.core.models import Notification


def notifications_for(user: User) -> QuerySet[Notification]:
    """What the platform told this person (site messages and copies of texts sent to them)."""
    if not user.is_authenticated:
        return Notification.objects.none()
    # A text sent both by SMS and as a site message is shown once (the site copy).
    site_twin = Notification.objects.filter(
        user=OuterRef("user"), channel=Notification.Channel.SITE, kind=OuterRef("kind"), body=OuterRef("body")
    )
    return (
        Notification.objects.filter(user=user)
        .exclude(Q(channel=Notification.Channel.SMS) & Exists(site_twin))
        .order_by("-created_at")
    )


def my_cases(user: User) -> QuerySet[Any]:
    """The person's own cases (as applicant or enterprise handler), in every county (people are
    province-wide; each line names its county) - never staff scope here."""
    from onewindow.cases.models import Case

    if not user.is_authenticated:
        return Case.objects.none()
    return (
        Case.objects.filter(Q(applicant=user) | Q(enterprise__handlers__user=user))
        .distinct()
        .select_related("department", "department__county", "enterprise")
        .order_by("-received_at")
    )


def my_case(user: User, case_uuid: Any) -> Any:
    from onewindow.core.errors import NotFound

    case = my_cases(user).filter(uuid=case_uuid).first()
    if case is None:
        raise NotFound()
    return case


def current_steps(case: Any) -> list[Any]:
    return list(case.steps.filter(status="open").select_related("department"))


def open_supplement(case: Any) -> Any:
    if case.status != "supplement":
        return None
    return case.pauses.filter(kind="supplement", ended_on__isnull=True).first()


def case_documents(user: User, case: Any) -> list[dict[str, str]]:
    """The case's written notices (受理/不予受理/补正/办结通知书), served by the cases app."""
    from onewindow.cases.documents import available_kinds

    labels = {
        "acceptance": _("受理通知书"),
        "refusal": _("不予受理通知书"),
        "supplement": _("补正材料通知书"),
        "conclusion": _("办结通知书"),
    }
    return [
        {"kind": kind, "title": str(labels.get(kind, kind)), "download_url": f"/cases/{case.uuid}/notice/{kind}.pdf"}
        for kind in available_kinds(case)
    ]


def my_bookings(user: User, *, limit: int = 5) -> list[Any]:
    """Upcoming and recent bookings (appointments app's own scoping)."""
    from onewindow.appointments.selectors import my_bookings as bookings

    return list(bookings(user)[:limit])
