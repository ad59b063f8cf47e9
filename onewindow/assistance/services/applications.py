"""The `agent` channel: a case or a booking filed by a village agent for a resident, under a
mandate. Every refusal (no mandate, a matter that is not agent-eligible, a resident of another
village) is raised before anything is written."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import User
from onewindow.cases import services as case_services
from onewindow.cases.models import Case, Channel
from onewindow.catalog.models import Matter
from onewindow.core import workdays
from onewindow.core.audit import audit
from onewindow.core.errors import NotFound
from onewindow.core.notify import notify
from onewindow.core.uploads import collect_stored

from ..errors import AlreadyFiled
from ..models import AgentApplication, AgentPoint, MaterialForwarding
from ..policy import policy
from ._common import point_signed
from .mandates import mandate_check

ENDED = [Case.Status.REFUSED, Case.Status.CONCLUDED, Case.Status.DELIVERED]


def close_ended_applications(*, resident: User | None = None, matter: Matter | None = None) -> int:
    """Mark agent cases whose case has ended as closed, freeing the resident and matter for a new
    filing. Run before each filing (for that pair) and by the sweep (for all)."""
    qs = AgentApplication.objects.filter(kind=AgentApplication.Kind.CASE, closed_at__isnull=True, case__status__in=ENDED)
    if resident is not None:
        qs = qs.filter(resident=resident)
    if matter is not None:
        qs = qs.filter(matter=matter)
    return qs.update(closed_at=timezone.now())


def _tell_point(point: AgentPoint, body: str, kind: str) -> None:
    if point.phone:
        notify(channel="sms", recipient=point.phone, body=point_signed(point, body), kind=kind)


def agent_file_case(
    *,
    actor: User,
    resident: User,
    matter: Matter,
    form_data: dict[str, Any],
    materials: list[case_services.MaterialInput],
    deliver_at_point: bool = False,
    received_at: datetime.datetime | None = None,
) -> AgentApplication:
    """File a case for `resident`. The applicant is the resident; the agent and point are recorded.
    Paper originals collected at the point start the forwarding clock."""
    point, mandate = mandate_check(actor=actor, resident=resident, matter=matter)
    version = matter.current_version
    if version is None:
        raise NotFound(_("事项不存在或未发布。"))
    close_ended_applications(resident=resident, matter=matter)
    if AgentApplication.objects.filter(
        resident=resident, matter=matter, kind=AgentApplication.Kind.CASE, closed_at__isnull=True
    ).exists():
        raise AlreadyFiled()
    try:
        with collect_stored(), transaction.atomic():
            case = case_services.case_submit(
                applicant=resident,
                matter_version=version,
                channel=Channel.AGENT,
                form_data=form_data,
                materials=materials,
                agent=actor,
                actor=actor,
                received_at=received_at,
            )
            # The database decides between two agents filing for the same resident and matter at
            # once (partial unique constraint): the loser's whole transaction, case included, rolls back.
            application = AgentApplication.objects.create(
                kind=AgentApplication.Kind.CASE,
                point=point,
                agent=actor,
                resident=resident,
                mandate=mandate,
                matter=matter,
                case=case,
                deliver_at_point=deliver_at_point,
            )
            if deliver_at_point:
                # The resident's choice is the case's delivery method from the start: the result
                # waits for the point's agents, not the front desk (cases.owners, the work lists).
                Case.objects.filter(pk=case.pk).update(delivery_method=Case.Delivery.AGENT_POINT)
                case.delivery_method = Case.Delivery.AGENT_POINT
            paper = [m.name or (m.requirement.name if m.requirement else "") for m in materials if m.paper]
            if paper:
                collected = received_at or timezone.now()
                start = timezone.localdate(collected)  # day 1 is the first working day after it
                MaterialForwarding.objects.create(
                    application=application,
                    to_unit=case.intake_unit,
                    items=paper,
                    collected_at=collected,
                    # The case's county's calendar (the point's: an agent files in its own county only).
                    due_on=workdays.add_workdays(start, policy().forward_days, case.department.county_id),
                )
            audit(
                actor=actor,
                action="assistance.file_case",
                target=application,
                data={"case": case.number, "mandate": mandate.number, "point": point.village.code},
            )
            _tell_point(
                point,
                gettext("%(agent)s已为%(name)s代办“%(title)s”，办件编号 %(number)s。")
                % {"agent": actor.display_name, "name": resident.display_name, "title": case.title, "number": case.number},
                "assistance.filed",
            )
            _tell_resident(resident, point, case.title, case.number)
    except IntegrityError:
        # Lost the race: the other agent's application is committed now.
        if AgentApplication.objects.filter(
            resident=resident, matter=matter, kind=AgentApplication.Kind.CASE, closed_at__isnull=True
        ).exists():
            raise AlreadyFiled() from None
        raise
    return application


def _tell_resident(resident: User, point: AgentPoint, title: str, number: str) -> None:
    notify(
        channel="sms" if resident.phone else "site",
        recipient=resident.phone or resident.username,
        user=resident,
        subject=gettext("代办申请"),
        body=point_signed(
            point,
            gettext("%(point)s已受您委托代为申请“%(title)s”（%(number)s），进度可在“我的办件”查看。")
            % {"point": point.name, "title": title, "number": number},
        ),
        kind="assistance.filed",
    )


def agent_book(*, actor: User, resident: User, matter: Matter, slot: Any, phone: str = "") -> AgentApplication:
    """Book an appointment for `resident` under a mandate (the appointments app checks the slot,
    capacity and the person's quota)."""
    from onewindow.appointments.services import booking_create

    point, mandate = mandate_check(actor=actor, resident=resident, matter=matter)
    with transaction.atomic():
        booking = booking_create(
            actor=actor,
            matter=matter,
            slot=slot,
            channel="agent",
            id_number=resident.id_number,
            person_name=resident.display_name,
            phone=phone or resident.phone or point.phone,
            agent_unit=point.village,
        )
        application = AgentApplication.objects.create(
            kind=AgentApplication.Kind.BOOKING,
            point=point,
            agent=actor,
            resident=resident,
            mandate=mandate,
            matter=matter,
            booking=booking,
        )
        audit(
            actor=actor, action="assistance.book", target=application, data={"booking": booking.code, "mandate": mandate.number}
        )
        _tell_point(
            point,
            gettext("%(agent)s已为%(name)s预约“%(title)s”，预约码 %(code)s。")
            % {"agent": actor.display_name, "name": resident.display_name, "title": matter.search_name, "code": booking.code},
            "assistance.booked",
        )
        # The booking's own SMS goes to the phone given (the point's when the resident has none):
        # the resident is told in their account too, naming the point that booked for them.
        notify(
            channel="site",
            recipient=resident.username,
            user=resident,
            subject=gettext("代为预约"),
            body=point_signed(
                point,
                gettext("%(point)s已受您委托为您预约“%(title)s”，时间 %(when)s，预约码 %(code)s。")
                % {
                    "point": point.name,
                    "title": matter.search_name,
                    "when": f"{timezone.localtime(booking.starts_at):%Y-%m-%d %H:%M}",
                    "code": booking.code,
                },
            ),
            kind="assistance.booked",
        )
    return application


def agent_record_welfare(*, actor: User, resident: User, matter: Matter, welfare_ref: Any) -> AgentApplication:
    """For the 低保 application service: after `mandate_check` passed and the application was
    created in the same transaction, the point keeps a record of it."""
    point, mandate = mandate_check(actor=actor, resident=resident, matter=matter)
    with transaction.atomic():
        application = AgentApplication.objects.create(
            kind=AgentApplication.Kind.WELFARE,
            point=point,
            agent=actor,
            resident=resident,
            mandate=mandate,
            matter=matter,
            welfare_ref=welfare_ref,
        )
        audit(actor=actor, action="assistance.welfare", target=application, data={"mandate": mandate.number})
    return application
