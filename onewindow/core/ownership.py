"""Who holds each piece of waiting work: no case, ticket or booking may wait where nobody sees it.

Every thing that waits for a person (a case to accept, a step to review, a decision, a result to
deliver or to collect, a supplement to answer, a ticket to call, a booking to keep) has exactly one
owner: a named org unit (its staff see it in their work list) or the applicant (it is in their own
list on /me/). A parallel review stage is several things, one open step per department.

The contract, for every app (cases, hall and appointments today; townships, agents and 低保 plug in
the same way): a module `onewindow/<app>/owners.py` with

    def waiting_for(obj) -> list[Waiting] | None   # the waiting work of one object (None: not mine)
    def all_waiting() -> Iterable[Waiting]          # every open thing of the app, for the sweep

An owner names the unit (or the applicant) and says whether anyone actually holds it (`held`):
the app decides with its own permission rules, since "someone can see and act on it" is exactly
what its selectors know. `owner_of(obj)` answers for any object; `problems()` lists the work that
waits for nobody; `sweep_unowned` (in core/sweeps.py) keeps `UnownedWork` in step for the
supervisor's page; `manage.py check_owners` prints the same and fails when there is any.
"""

from __future__ import annotations

import datetime
import importlib
import pkgutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Owner:
    """A named unit's work list (`unit`) or the applicant's own (`applicant`, or only the person's
    name for someone without an account, e.g. a booking made at the counter)."""

    unit: Any = None  # accounts.OrgUnit
    applicant: Any = None  # accounts.User
    person: str = ""
    held: bool = True  # someone can see it in a list and act on it
    why_not_held: str = ""

    @classmethod
    def of_unit(cls, unit: Any, *, held: bool, why_not_held: str = "") -> Owner:
        return cls(unit=unit, held=held, why_not_held=why_not_held)

    @classmethod
    def of_applicant(cls, user: Any, person: str = "") -> Owner:
        return cls(applicant=user, person=person or (getattr(user, "display_name", "") if user else ""))

    @property
    def is_applicant(self) -> bool:
        return self.unit is None and (self.applicant is not None or bool(self.person))

    @property
    def label(self) -> str:
        if self.unit is not None:
            return str(self.unit.name)
        return str(_("申请人本人"))


@dataclass
class Waiting:
    """One piece of waiting work."""

    key: str  # stable, e.g. "case:<uuid>:decide"
    action: str  # intake, supplement, review, resume, decide, conclude, deliver, collect, call, keep...
    label: str  # the action in words
    subject: str  # what it is about: a case number and title, a ticket number, a booking code
    owner: Owner | None
    since: datetime.datetime | datetime.date | None = None
    due: datetime.date | None = None
    url: str = ""  # where the owner acts on it (staff pages); "" for the applicant's own
    obj: Any = field(default=None, repr=False)

    @property
    def problem(self) -> str:
        """Why nobody holds it ("" when somebody does)."""
        if self.owner is None:
            return str(_("没有负责的单位或个人"))
        if not self.owner.held:
            return self.owner.why_not_held or str(_("负责单位没有能办理的工作人员"))
        return ""


def providers() -> list[Any]:
    """The `owners` module of every app that has one, and its `owners_*` modules (an app whose
    parts are built separately, e.g. welfare's process and its money, keeps one per part)."""
    found = []
    for app in settings.INSTALLED_APPS:
        if not app.startswith("onewindow."):
            continue
        name = f"{app}.owners"
        try:
            found.append(importlib.import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
        package = importlib.import_module(app)
        for info in pkgutil.iter_modules(getattr(package, "__path__", [])):
            if info.name.startswith("owners_"):
                found.append(importlib.import_module(f"{app}.{info.name}"))
    return found


def waiting_for(obj: Any) -> list[Waiting]:
    """The waiting work of one object (a case: one item, or one per open step of a parallel stage)."""
    for module in providers():
        items = module.waiting_for(obj)
        if items is not None:
            return list(items)
    raise TypeError(f"no owners module knows {type(obj).__name__}")


def owner_of(obj: Any) -> Owner | None:
    """The one owner of a waiting thing (a case step, a ticket, a booking, a case in a one-owner
    state). None when it waits for nobody, or for several (a case in a parallel stage: ask each
    open step) or does not wait at all."""
    items = waiting_for(obj)
    return items[0].owner if len(items) == 1 else None


def all_waiting() -> Iterator[Waiting]:
    for module in providers():
        yield from module.all_waiting()


def problems(items: Iterable[Waiting] | None = None) -> list[Waiting]:
    """Work that waits for nobody."""
    return [w for w in (all_waiting() if items is None else items) if w.problem]


def sweep_unowned(*, now: datetime.datetime | None = None) -> int:
    """The periodic check: record what waits for nobody (for the supervisor's page) and drop what
    has found an owner since. Idempotent; returns how many things wait for nobody."""
    from django.utils import translation

    from .models import UnownedWork

    now = now or timezone.now()
    # Labels and reasons are stored in the source language (they are msgids), and shown in the
    # reader's language by the page.
    with translation.override(settings.LANGUAGE_CODE):
        found = {w.key: w for w in problems()}
    with transaction.atomic():
        UnownedWork.objects.exclude(key__in=list(found)).delete()
        known = set(UnownedWork.objects.filter(key__in=list(found)).values_list("key", flat=True))
        UnownedWork.objects.filter(key__in=known).update(last_seen=now)
        UnownedWork.objects.bulk_create(
            [
                UnownedWork(
                    key=w.key[:120],
                    action=w.label[:20],
                    subject=w.subject[:200],
                    reason=w.problem[:200],
                    url=w.url[:200],
                    first_seen=now,
                    last_seen=now,
                )
                for k, w in found.items()
                if k not in known
            ],
            ignore_conflicts=True,  # a sweep running at the same moment wrote it first
        )
    return len(found)
