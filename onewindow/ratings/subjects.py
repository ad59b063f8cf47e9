"""What can be rated: one small adapter per kind of service.

An adapter turns (kind, subject UUID) into a `Subject`: what it was, who delivered it (unit and
person), who was served, when it ended, and where (window, area, matter). The ratings code never
imports another app's models outside these adapters, so a new kind of service (an agent's
service, a 低保 decision) plugs in with one adapter and one line in `REGISTRY`.

`resolve()` returns None for an unknown subject and for a service that has not ended yet: both
are "nothing to rate" to the caller.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.utils.module_loading import import_string

from onewindow.core.parsing import parse_uuid

from .models import Kind, Mode


@dataclass
class Subject:
    kind: str
    uuid: uuid.UUID
    label: str
    mode: str
    unit: Any  # accounts.OrgUnit
    served_at: datetime.datetime
    person: Any = None  # accounts.User served, when the person has an account
    # The person served as the service knows them (a booking by phone has no account).
    person_name: str = ""
    person_phone: str = ""
    staff: Any = None  # accounts.User who delivered it, when one person did
    window: Any = None
    area: Any = None
    matter: Any = None
    # Everyone who took part in delivering it: none of them may rate it.
    delivered_by: frozenset[int] = field(default_factory=frozenset)

    @property
    def identified(self) -> bool:
        return self.person is not None or bool(self.person_name and self.person_phone)

    @property
    def staff_name(self) -> str:
        return (self.staff.display_name or self.staff.username) if self.staff is not None else ""


class Adapter(Protocol):
    kind: str

    def resolve(self, subject_uuid: uuid.UUID) -> Subject | None: ...

    def served_for(self, user: Any, since: datetime.datetime) -> list[Subject]:
        """Services delivered to `user` that ended after `since` (for "rate my services")."""
        ...


# kind -> dotted path of the adapter class. A new kind of service adds its adapter and its line here
# (ratings imports the apps it rates; they never import ratings).
REGISTRY: dict[str, str] = {
    Kind.TICKET: "onewindow.ratings.adapters.TicketAdapter",
    Kind.CASE: "onewindow.ratings.adapters.CaseAdapter",
    Kind.ACCEPTANCE: "onewindow.ratings.adapters.AcceptanceAdapter",
    Kind.BOOKING: "onewindow.ratings.adapters.BookingAdapter",
    Kind.FILING: "onewindow.ratings.adapters.FilingAdapter",
    Kind.AGENT_SERVICE: "onewindow.ratings.adapters.AgentServiceAdapter",
    Kind.WELFARE_DECISION: "onewindow.ratings.adapters.WelfareDecisionAdapter",
}

_instances: dict[str, Adapter] = {}


def adapter(kind: str) -> Adapter | None:
    if kind not in REGISTRY:
        return None
    if kind not in _instances:
        _instances[kind] = import_string(REGISTRY[kind])()
    return _instances[kind]


def known_kinds() -> list[str]:
    return list(REGISTRY)


as_uuid = parse_uuid  # the one UUID parser


def resolve(kind: str, subject_uuid: Any) -> Subject | None:
    a = adapter(kind)
    key = as_uuid(subject_uuid)
    if a is None or key is None:
        return None
    return a.resolve(key)


def served_for(user: Any, since: datetime.datetime) -> list[Subject]:
    out: list[Subject] = []
    for kind in REGISTRY:
        a = adapter(kind)
        if a is not None:
            out.extend(a.served_for(user, since))
    return sorted(out, key=lambda s: s.served_at, reverse=True)


def mode_for_channel(channel: str) -> str:
    """Cases filed online or on the phone are judged as online services, the rest as window ones."""
    return Mode.ONLINE if channel in ("online", "mobile") else Mode.WINDOW


def person_with_id(id_number: str) -> Any:
    from onewindow.accounts.models import User

    return User.objects.filter(id_number=id_number).first() if id_number else None


def staff_unit(user: Any, fallback: Any) -> Any:
    """The unit a front-desk person works for (their clerk or township role), else `fallback`."""
    from onewindow.accounts.models import Role

    if user is None:
        return fallback
    a = (
        user.role_assignments.filter(role__in=[Role.CLERK, Role.TOWNSHIP_OFFICER], org_unit__isnull=False)
        .select_related("org_unit")
        .first()
    )
    return a.org_unit if a is not None else fallback
