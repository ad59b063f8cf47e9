"""Adapters for the services that exist today: a served hall ticket, a concluded case, a case's
acceptance (or refusal) at intake, an attended booking, a commitment filing, an agent point's
service, a 低保 decision. See subjects.py. Ratings imports the apps it rates (here, lazily), never
the reverse: an app that needs 好差评 back asks a hook (RatingsConfig.provides, core/hooks.py)."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from .models import Kind, Mode
from .subjects import Subject, mode_for_channel, person_with_id, staff_unit

# Case events that record the applicant's own actions, not the delivery of the service.
_APPLICANT_EVENTS = ("submitted", "resubmitted")
_LIST_LIMIT = 30


def _name(user: Any) -> str:
    return (user.display_name or user.username) if user is not None else ""


def _ticket_of(ticket_uuid: Any) -> Any:
    from onewindow.hall.models import Ticket

    if not ticket_uuid:
        return None
    return Ticket.objects.select_related("window", "clerk").filter(uuid=ticket_uuid).first()


class TicketAdapter:
    kind = Kind.TICKET

    def _subject(self, t: Any) -> Subject:
        from onewindow.cases.models import Case

        case = Case.objects.filter(ticket_uuid=t.uuid).select_related("matter_version__matter").first()
        matter = case.matter_version.matter if case is not None and case.matter_version is not None else None
        label = f"{t.area.name} {t.number}"
        if case is not None:
            label = f"{case.title}（{t.number}）"
        person = person_with_id(t.id_number)
        name, phone = _name(person), t.phone or (person.phone if person is not None else "")
        if t.booking_ref:
            # A ticket from an appointment check-in: the booking knows who came.
            from onewindow.appointments.models import Booking

            b = Booking.objects.filter(code=t.booking_ref).select_related("user").first()
            if b is not None:
                person = person or b.user or person_with_id(b.id_number)
                name, phone = name or b.person_name, phone or b.phone
        return Subject(
            kind=self.kind,
            uuid=t.uuid,
            label=label[:200],
            mode=Mode.WINDOW,
            unit=staff_unit(t.clerk, t.point.org_unit),
            served_at=t.finished_at,
            person=person,
            person_name=name,
            person_phone=phone,
            staff=t.clerk,
            window=t.window,
            area=t.area,
            matter=matter,
            delivered_by=frozenset({t.clerk_id} if t.clerk_id else set()),
        )

    def _qs(self) -> Any:
        from onewindow.hall.models import Ticket

        return Ticket.objects.select_related("area", "point__org_unit", "window", "clerk").filter(
            status=Ticket.Status.FINISHED, finished_at__isnull=False
        )

    def resolve(self, subject_uuid: uuid.UUID) -> Subject | None:
        t = self._qs().filter(uuid=subject_uuid).first()
        return self._subject(t) if t is not None else None

    def served_for(self, user: Any, since: datetime.datetime) -> list[Subject]:
        if not user.id_number:
            return []
        rows = self._qs().filter(id_number=user.id_number, finished_at__gte=since).order_by("-finished_at")[:_LIST_LIMIT]
        return [self._subject(t) for t in rows]


def _case_qs() -> Any:
    from onewindow.cases.models import Case

    return Case.objects.select_related(
        "applicant", "department", "intake_unit", "matter_version__matter__service_area", "bundle__service_area"
    )


def _area_and_matter(case: Any) -> tuple[Any, Any]:
    if case.matter_version is not None:
        m = case.matter_version.matter
        return m.service_area, m
    return (case.bundle.service_area if case.bundle is not None else None), None


def _last_actor(case: Any, kinds: tuple[str, ...]) -> Any:
    e = case.events.filter(kind__in=kinds, actor__isnull=False).select_related("actor").order_by("-at", "-id").first()
    return e.actor if e is not None else None


class CaseAdapter:
    """一事一评: the whole case, answered for by its lead department."""

    kind = Kind.CASE

    def _subject(self, case: Any) -> Subject:
        area, matter = _area_and_matter(case)
        staff = _last_actor(case, ("decided", "concluded"))
        ticket = _ticket_of(case.ticket_uuid)
        workers = set(
            case.events.exclude(kind__in=_APPLICANT_EVENTS).exclude(actor__isnull=True).values_list("actor_id", flat=True)
        )
        workers |= set(case.steps.exclude(acted_by__isnull=True).values_list("acted_by_id", flat=True))
        workers.discard(case.applicant_id)
        return Subject(
            kind=self.kind,
            uuid=case.uuid,
            label=f"{case.title}（{case.number}）"[:200],
            mode=mode_for_channel(case.channel),
            unit=case.department,
            served_at=case.concluded_at,
            person=case.applicant,
            person_name=_name(case.applicant),
            person_phone=case.applicant.phone,
            staff=staff,
            window=ticket.window if ticket is not None else None,
            area=area,
            matter=matter,
            delivered_by=frozenset(workers),
        )

    def resolve(self, subject_uuid: uuid.UUID) -> Subject | None:
        from onewindow.cases.models import Case

        case = (
            _case_qs()
            .filter(uuid=subject_uuid, status__in=[Case.Status.CONCLUDED, Case.Status.DELIVERED], concluded_at__isnull=False)
            # A 低保 decision is rated as such (WelfareDecisionAdapter), not a second time as a case.
            .filter(welfare_application__isnull=True)
            .first()
        )
        return self._subject(case) if case is not None else None

    def served_for(self, user: Any, since: datetime.datetime) -> list[Subject]:
        rows = (
            _case_qs()
            .filter(applicant=user, concluded_at__gte=since, welfare_application__isnull=True)
            .order_by("-concluded_at")[:_LIST_LIMIT]
        )
        return [self._subject(c) for c in rows]


class AcceptanceAdapter:
    """The intake itself (受理 or 不予受理), answered for by the unit that took the application in."""

    kind = Kind.ACCEPTANCE

    def _subject(self, case: Any) -> Subject | None:
        e = case.events.filter(kind__in=("accepted", "refused")).select_related("actor").order_by("at", "id").first()
        if e is None:
            return None
        area, matter = _area_and_matter(case)
        ticket = _ticket_of(case.ticket_uuid)
        staff = e.actor
        return Subject(
            kind=self.kind,
            uuid=case.uuid,
            label=f"{case.title}（{case.number}）"[:200],
            mode=mode_for_channel(case.channel),
            unit=case.intake_unit,
            served_at=case.accepted_at or e.at,
            person=case.applicant,
            person_name=_name(case.applicant),
            person_phone=case.applicant.phone,
            staff=staff,
            window=ticket.window if ticket is not None else None,
            area=area,
            matter=matter,
            delivered_by=frozenset({staff.pk} if staff is not None and staff.pk != case.applicant_id else set()),
        )

    def resolve(self, subject_uuid: uuid.UUID) -> Subject | None:
        case = _case_qs().filter(uuid=subject_uuid).first()
        return self._subject(case) if case is not None else None

    def served_for(self, user: Any, since: datetime.datetime) -> list[Subject]:
        from django.db.models import Q

        rows = (
            _case_qs()
            .filter(applicant=user)
            .filter(Q(accepted_at__gte=since) | Q(status="refused", updated_at__gte=since))
            .order_by("-received_at")[:_LIST_LIMIT]
        )
        return [s for s in (self._subject(c) for c in rows) if s is not None]


class BookingAdapter:
    """An appointment the person came to (签到), answered for by the unit whose clerk served it."""

    kind = Kind.BOOKING

    def _qs(self) -> Any:
        from onewindow.appointments.models import Booking

        return Booking.objects.select_related("area__point__org_unit", "matter__department", "user").filter(
            status=Booking.Status.CHECKED_IN, checked_in_at__isnull=False
        )

    def _subject(self, b: Any) -> Subject:
        ticket = _ticket_of(b.ticket_uuid)
        clerk = ticket.clerk if ticket is not None else None
        served_at = ticket.finished_at if ticket is not None and ticket.finished_at else b.checked_in_at
        name = b.matter.current_version.name if b.matter.current_version_id else b.matter.search_name
        return Subject(
            kind=self.kind,
            uuid=b.uuid,
            label=f"{name}（{b.code}）"[:200],
            mode=Mode.WINDOW,
            # The clerk's unit served it; with no ticket to tell, the matter's department answers.
            unit=staff_unit(clerk, b.matter.department),
            served_at=served_at,
            person=b.user or person_with_id(b.id_number),
            person_name=b.person_name,
            person_phone=b.phone,
            staff=clerk,
            window=ticket.window if ticket is not None else None,
            area=b.area,
            matter=b.matter,
            delivered_by=frozenset({clerk.pk} if clerk is not None else set()),
        )

    def resolve(self, subject_uuid: uuid.UUID) -> Subject | None:
        b = self._qs().filter(uuid=subject_uuid).first()
        return self._subject(b) if b is not None else None

    def served_for(self, user: Any, since: datetime.datetime) -> list[Subject]:
        rows = self._qs().filter(user=user, checked_in_at__gte=since).order_by("-checked_in_at")[:_LIST_LIMIT]
        return [self._subject(b) for b in rows]


class FilingAdapter:
    """告知承诺备案: complete the moment it is signed; answered for by the filing department."""

    kind = Kind.FILING

    def _qs(self) -> Any:
        from onewindow.filings.models import Filing

        return Filing.objects.select_related("department", "applicant", "matter_version__matter__service_area")

    def _subject(self, f: Any) -> Subject:
        m = f.matter_version.matter
        return Subject(
            kind=self.kind,
            uuid=f.uuid,
            label=f"{f.title}（{f.number or '-'}）"[:200],
            mode=Mode.ONLINE,
            unit=f.department,
            served_at=f.signed_at,
            person=f.applicant,
            person_name=f.signer_name,
            person_phone=f.applicant.phone,
            area=m.service_area,
            matter=m,
        )

    def resolve(self, subject_uuid: uuid.UUID) -> Subject | None:
        f = self._qs().filter(uuid=subject_uuid).first()
        return self._subject(f) if f is not None else None

    def served_for(self, user: Any, since: datetime.datetime) -> list[Subject]:
        rows = self._qs().filter(applicant=user, signed_at__gte=since).order_by("-signed_at")[:_LIST_LIMIT]
        return [self._subject(f) for f in rows]


class AgentServiceAdapter:
    """帮你办: what a village agent point did for a resident under a mandate (a case filed, with its
    materials forwarded and its result handed over at the point, or a booking kept). Rateable once
    the point's part is over: the case refused, delivered, or concluded with the result going
    elsewhere; the booking checked in. Answered for by the village (its township's officers handle
    a bad rating); no agent of the point may rate it."""

    kind = Kind.AGENT_SERVICE

    def _qs(self) -> Any:
        from django.db.models import Q

        from onewindow.assistance.models import AgentApplication
        from onewindow.cases.models import Case

        done_case = Q(kind="case") & (
            Q(case__status__in=[Case.Status.REFUSED, Case.Status.DELIVERED])
            | Q(case__status=Case.Status.CONCLUDED, deliver_at_point=False)
        )
        kept_booking = Q(kind="booking", booking__checked_in_at__isnull=False)
        filed = Q(kind="filing")  # a commitment filing is complete once signed at the point
        return AgentApplication.objects.filter(done_case | kept_booking | filed).select_related(
            "point__village", "agent", "resident", "matter__service_area", "case", "booking__matter__service_area", "filing"
        )

    def _served_at(self, a: Any) -> datetime.datetime:
        served: datetime.datetime  # the rows of _qs(): a kept booking, a signed filing, a finished case
        if a.kind == "booking":
            served = a.booking.checked_in_at
        elif a.kind == "filing":
            served = a.filing.signed_at
        else:
            served = a.case.delivered_at or a.case.concluded_at or a.case.updated_at
        return served

    def _subject(self, a: Any) -> Subject:
        from onewindow.accounts.models import Role, RoleAssignment

        matter = a.matter or (a.booking.matter if a.booking is not None else None)
        what = (
            a.case.title
            if a.case is not None
            else a.filing.title
            if a.filing is not None
            else (matter.name if matter is not None else a.get_kind_display())
        )
        agents = set(RoleAssignment.objects.filter(role=Role.AGENT, org_unit=a.point.village).values_list("user_id", flat=True))
        agents.add(a.agent_id)
        return Subject(
            kind=self.kind,
            uuid=a.uuid,
            label=f"代办：{what}（{a.point.name}）"[:200],
            mode=Mode.WINDOW,  # served in person at the point
            unit=a.point.village,
            served_at=self._served_at(a),
            person=a.resident,
            person_name=_name(a.resident),
            person_phone=a.resident.phone,
            staff=a.agent,
            area=matter.service_area if matter is not None else None,
            matter=matter,
            delivered_by=frozenset(agents),
        )

    def resolve(self, subject_uuid: uuid.UUID) -> Subject | None:
        a = self._qs().filter(uuid=subject_uuid).first()
        return self._subject(a) if a is not None else None

    def served_for(self, user: Any, since: datetime.datetime) -> list[Subject]:
        rows = [self._subject(a) for a in self._qs().filter(resident=user).order_by("-created_at")[: _LIST_LIMIT * 2]]
        return [s for s in rows if s.served_at >= since][:_LIST_LIMIT]


class WelfareDecisionAdapter:
    """好差评 of a 低保 decision: the household rates the township's 审核确认 once it is decided
    (confirmed or refused). It replaces the generic case rating for these cases, so one service
    is rated once; the township answers for it, and nobody who worked on the file may rate it."""

    kind = Kind.WELFARE_DECISION

    def _qs(self) -> Any:
        from onewindow.welfare.models import Application

        return Application.objects.filter(stage__in=[Application.Stage.APPROVED, Application.Stage.REFUSED]).select_related(
            "case__applicant",
            "case__department",
            "case__intake_unit",
            "case__matter_version__matter__service_area",
            "case__bundle__service_area",
            "confirmed_by",
            "proposed_by",
        )

    def _subject(self, a: Any) -> Subject:
        base = CaseAdapter()._subject(a.case)
        workers = set(base.delivered_by)
        workers |= {u for u in (a.filed_by_id, a.agent_id, a.proposed_by_id, a.confirmed_by_id) if u}
        workers |= set(a.visits.values_list("recorded_by_id", flat=True))
        workers.discard(a.case.applicant_id)
        served = a.confirmed_at or a.case.concluded_at or a.proposed_at or a.updated_at
        return Subject(
            kind=self.kind,
            uuid=a.uuid,
            label=f"{a.case.title}（{a.case.number}）"[:200],
            mode=base.mode,
            unit=a.case.department,
            served_at=served,
            person=a.case.applicant,
            person_name=base.person_name,
            person_phone=base.person_phone,
            staff=a.confirmed_by or a.proposed_by or base.staff,
            window=base.window,
            area=base.area,
            matter=base.matter,
            delivered_by=frozenset(w for w in workers if w is not None),
        )

    def resolve(self, subject_uuid: uuid.UUID) -> Subject | None:
        a = self._qs().filter(uuid=subject_uuid).first()
        return self._subject(a) if a is not None else None

    def served_for(self, user: Any, since: datetime.datetime) -> list[Subject]:
        rows = [self._subject(a) for a in self._qs().filter(case__applicant=user).order_by("-updated_at")[:_LIST_LIMIT]]
        return [s for s in rows if s.served_at is not None and s.served_at >= since]
