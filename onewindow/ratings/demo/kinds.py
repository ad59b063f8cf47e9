"""The ratings of each kind of service the demo has: served tickets, concluded cases and
acceptances, attended bookings, filings, 低保 decisions, agent services and the agents' 回访."""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.db.models import Q

from onewindow.core.demo import DemoContext

from .. import conf
from ..models import Kind, Mode, Rating, RatingChannel
from ._common import COMMENTS, SHARE, _forced_bad, _from_subject, _rng, _row, _staff_units


def _tickets(ctx: DemoContext, rated: set[tuple[str, Any]], people: dict[str, tuple[int, str]]) -> list[Rating]:
    from onewindow.hall.models import Ticket

    units = _staff_units()
    rows = (
        Ticket.objects.filter(status=Ticket.Status.FINISHED, finished_at__isnull=False, window__isnull=False)
        .order_by("id")
        .values_list(
            "uuid", "number", "area_id", "area__name", "window_id", "clerk_id", "point__org_unit_id", "finished_at", "id_number"
        )
    )
    out = []
    for uuid, number, area_id, area_name, window_id, clerk_id, point_unit, finished_at, id_number in rows.iterator():
        rng = _rng(ctx, Kind.TICKET, uuid)
        if (Kind.TICKET, uuid) in rated or rng.random() >= SHARE[Kind.TICKET]:
            continue
        person = people.get(id_number or "")
        out.append(
            _row(
                rng,
                kind=Kind.TICKET,
                subject_uuid=uuid,
                subject_label=f"{area_name} {number}",
                mode=Mode.WINDOW,
                unit_id=units.get(clerk_id, point_unit),
                staff_id=clerk_id,
                window_id=window_id,
                area_id=area_id,
                served_at=finished_at,
                rater_id=person[0] if person else None,
                rater_name=person[1] if person else "",
                real_name=person is not None,
                channel=RatingChannel.PAD,
            )
        )
    return out


def _cases(ctx: DemoContext, rated: set[tuple[str, Any]]) -> list[Rating]:
    from onewindow.cases.models import Case, CaseEvent

    cases = list(
        Case.objects.filter(accepted_at__isnull=False)
        # The 低保 register's history (welfare/demo_history, a later step: cases of the 低保 matter
        # with no application) is years of decisions written as rows, not services of the rating
        # period; rated, they appeared only when the demo ran a second time (bin/run loads it at
        # every start) and moved the figures.
        .exclude(
            Q(welfare_application__isnull=True)
            & Q(
                matter_version__matter__in=Case.objects.filter(welfare_application__isnull=False).values("matter_version__matter")
            )
        )
        .order_by("id")
        .values(
            "id",
            "uuid",
            "number",
            "title",
            "channel",
            "status",
            "department_id",
            "intake_unit_id",
            "applicant_id",
            "applicant__display_name",
            "applicant__username",
            "applicant__phone",
            "matter_version__matter_id",
            "matter_version__matter__service_area_id",
            "accepted_at",
            "concluded_at",
            "welfare_application__id",
        )
    )
    actors: dict[tuple[int, str], int] = {}
    for case_id, kind, actor_id in (
        CaseEvent.objects.filter(case_id__in=[c["id"] for c in cases], kind__in=["accepted", "decided"], actor__isnull=False)
        .order_by("at", "id")
        .values_list("case_id", "kind", "actor_id")
    ):
        actors[(case_id, kind)] = actor_id
    out = []
    for c in cases:
        mode = Mode.ONLINE if c["channel"] in ("online", "mobile") else Mode.WINDOW
        common = {
            "subject_uuid": c["uuid"],
            "subject_label": f"{c['title']}（{c['number']}）"[:200],
            "mode": mode,
            "matter_id": c["matter_version__matter_id"],
            "area_id": c["matter_version__matter__service_area_id"],
            "rater_id": c["applicant_id"],
            "rater_name": c["applicant__display_name"] or c["applicant__username"],
            "rater_phone": c["applicant__phone"],
            "real_name": True,
        }
        # A 低保 case is rated as a decision (welfare_decision), never a second time as a case.
        concluded = (
            c["status"] in (Case.Status.CONCLUDED, Case.Status.DELIVERED)
            and c["concluded_at"]
            and c["welfare_application__id"] is None
        )
        rng = _rng(ctx, Kind.CASE, c["uuid"])
        if concluded and (Kind.CASE, c["uuid"]) not in rated and rng.random() < SHARE[Kind.CASE]:
            channel = rng.choice([RatingChannel.LINK, RatingChannel.LINK, RatingChannel.WEB, RatingChannel.PHONE])
            out.append(
                _row(
                    rng,
                    kind=Kind.CASE,
                    unit_id=c["department_id"],
                    staff_id=actors.get((c["id"], "decided")),
                    served_at=c["concluded_at"],
                    channel=channel,
                    **common,
                )
            )
        rng = _rng(ctx, Kind.ACCEPTANCE, c["uuid"])
        if (Kind.ACCEPTANCE, c["uuid"]) not in rated and rng.random() < SHARE[Kind.ACCEPTANCE]:
            out.append(
                _row(
                    rng,
                    kind=Kind.ACCEPTANCE,
                    unit_id=c["intake_unit_id"],
                    staff_id=actors.get((c["id"], "accepted")),
                    served_at=c["accepted_at"],
                    channel=RatingChannel.WEB,
                    **common,
                )
            )
    return out


def _bookings(ctx: DemoContext, rated: set[tuple[str, Any]]) -> list[Rating]:
    from onewindow.appointments.models import Booking
    from onewindow.hall.models import Ticket

    units = _staff_units()
    rows = list(
        Booking.objects.filter(status=Booking.Status.CHECKED_IN, checked_in_at__isnull=False)
        .order_by("id")
        .values_list(
            "uuid",
            "code",
            "matter_id",
            "matter__search_name",
            "area_id",
            "matter__department_id",
            "user_id",
            "person_name",
            "checked_in_at",
            "ticket_uuid",
            "phone",
        )
    )
    tickets: dict[Any, tuple[Any, Any, Any]] = {
        t[0]: t[1:]
        for t in Ticket.objects.filter(uuid__in=[r[9] for r in rows if r[9]]).values_list(
            "uuid", "clerk_id", "window_id", "finished_at"
        )
    }
    out = []
    for uuid, code, matter_id, matter_name, area_id, dept_id, user_id, name, checked_in_at, ticket_uuid, phone in rows:
        rng = _rng(ctx, Kind.BOOKING, uuid)
        if (Kind.BOOKING, uuid) in rated or rng.random() >= SHARE[Kind.BOOKING]:
            continue
        clerk_id, window_id, finished_at = tickets.get(ticket_uuid, (None, None, None))
        out.append(
            _row(
                rng,
                kind=Kind.BOOKING,
                subject_uuid=uuid,
                subject_label=f"{matter_name}（{code}）"[:200],
                mode=Mode.WINDOW,
                unit_id=units.get(clerk_id, dept_id),
                staff_id=clerk_id,
                window_id=window_id,
                area_id=area_id,
                matter_id=matter_id,
                served_at=finished_at or checked_in_at,
                rater_id=user_id,
                rater_name=name,
                rater_phone=phone,
                real_name=bool(name and phone),
                channel=RatingChannel.WEB if user_id else RatingChannel.PAD,
            )
        )
    return out


def _filings(ctx: DemoContext, rated: set[tuple[str, Any]]) -> list[Rating]:
    from onewindow.filings.models import Filing

    rows = Filing.objects.order_by("id").values_list(
        "uuid",
        "title",
        "number",
        "department_id",
        "applicant_id",
        "signer_name",
        "signed_at",
        "matter_version__matter_id",
        "matter_version__matter__service_area_id",
    )
    out = []
    for uuid, title, number, dept, applicant, signer, signed_at, matter_id, area_id in rows.iterator():
        rng = _rng(ctx, Kind.FILING, uuid)
        if (Kind.FILING, uuid) in rated or rng.random() >= SHARE[Kind.FILING]:
            continue
        out.append(
            _row(
                rng,
                kind=Kind.FILING,
                subject_uuid=uuid,
                subject_label=f"{title}（{number or '-'}）"[:200],
                mode=Mode.ONLINE,
                unit_id=dept,
                served_at=signed_at,
                rater_id=applicant,
                rater_name=signer,
                real_name=True,
                matter_id=matter_id,
                area_id=area_id,
                channel=RatingChannel.WEB,
            )
        )
    return out


def _welfare(ctx: DemoContext, rated: set[tuple[str, Any]]) -> list[Rating]:
    """The households rate the township's 低保 decision (the welfare app's adapter), by the link
    or on the phone; refused households are less pleased."""
    from onewindow.welfare.models import Application

    from ..subjects import adapter

    a = adapter(Kind.WELFARE_DECISION)
    assert a is not None
    uuids = list(Application.objects.filter(stage__in=["approved", "refused"]).order_by("id").values_list("uuid", flat=True))
    # The demo has a dozen or so decisions: most of the bad ones are the refused households'.
    bad = _forced_bad(ctx, Kind.WELFARE_DECISION, uuids, len(uuids))
    out = []
    for uuid in uuids:
        rng = _rng(ctx, Kind.WELFARE_DECISION, uuid)
        subject = a.resolve(uuid)
        if subject is None or (Kind.WELFARE_DECISION, uuid) in rated or (uuid not in bad and rng.random() >= 0.8):
            continue
        level = rng.choice([2, 1]) if uuid in bad else None
        out.append(_from_subject(rng, subject, rng.choice([RatingChannel.LINK, RatingChannel.PHONE]), level))
    return out


def _agent_services(ctx: DemoContext, rated: set[tuple[str, Any]]) -> list[Rating]:
    """Residents rate what their village's agent point did for them (kind agent_service)."""
    from ..subjects import adapter

    a = adapter(Kind.AGENT_SERVICE)
    assert a is not None
    qs = a._qs().order_by("id")  # type: ignore[attr-defined]  # the agent-service adapter's own rows
    apps = list(qs)
    share = 0.3
    chosen = [x for x in apps if _rng(ctx, Kind.AGENT_SERVICE, x.uuid).random() < share]
    bad = _forced_bad(ctx, Kind.AGENT_SERVICE, [x.uuid for x in chosen], len(chosen) // 3)
    out = []
    for x in chosen:
        if (Kind.AGENT_SERVICE, x.uuid) in rated:
            continue
        rng = _rng(ctx, Kind.AGENT_SERVICE, x.uuid)
        rng.random()  # the draw that chose it
        subject = a._subject(x)  # type: ignore[attr-defined]  # and its subject of one row
        level = rng.choice([2, 1]) if x.uuid in bad else None
        out.append(_from_subject(rng, subject, rng.choice([RatingChannel.WEB, RatingChannel.PHONE]), level))
    return out


def _agent_follow_ups(rated: set[tuple[str, Any]]) -> list[Rating]:
    """The agent points' 回访 feed 好差评 (ratings.recorded): the satisfaction recorded within the
    rating period becomes the resident's rating of the case, unless the case is rated already."""
    from onewindow.assistance.models import FollowUp as AgentFollowUp

    from ..subjects import resolve

    out = []
    days = datetime.timedelta(days=int(conf.get("rate_within_days")))
    for fu in AgentFollowUp.objects.select_related("application__case").order_by("id"):
        case = fu.application.case
        if case is None or (Kind.CASE, case.uuid) in rated:
            continue
        subject = resolve(Kind.CASE, case.uuid)
        if subject is None or subject.person is None or fu.at > subject.served_at + days:
            continue
        rng = random.Random(f"ratings:followup:{case.uuid}")
        row = _from_subject(rng, subject, RatingChannel.FOLLOW_UP, fu.satisfaction)
        row.indicators, row.tags = {"overall": fu.satisfaction}, []
        row.comment = fu.comment or (rng.choice(COMMENTS[fu.satisfaction][:2]) if fu.satisfaction <= 2 else "")
        row.real_name = True
        out.append(row)
        rated.add((Kind.CASE, case.uuid))
    return out
