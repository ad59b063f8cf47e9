"""Six months of agent cases, through the township where the matter is delegated (cases.routing
decides), with paper materials forwarded, results delivered at the point and follow-ups."""

from __future__ import annotations

import datetime

from django.db.models import F
from django.utils import timezone

from onewindow.accounts.models import County, OrgUnit, Role, RoleAssignment, User
from onewindow.cases import routing
from onewindow.cases import selectors as case_selectors
from onewindow.cases.models import Case, CaseEvent, CaseNumberCounter, Channel
from onewindow.catalog.models import Matter
from onewindow.core import workdays
from onewindow.core.demo import DemoContext

from ..models import AgentApplication, FollowUp, Mandate, MaterialForwarding, ResultDelivery
from ..services.ledger import CHECK_ALPHABET
from ._common import FAVOURITES, MONTHS, Held, _at, keep_timestamps
from .people import demo_signature, eligible_matters


def _numbers(days: list[datetime.date]) -> dict[datetime.date, list[int]]:
    """Case numbers for each day, taken from the day's counter row in one update (no max()+1)."""
    wanted: dict[datetime.date, int] = {}
    for d in days:
        wanted[d] = wanted.get(d, 0) + 1
    out: dict[datetime.date, list[int]] = {}
    county = County.default().pk  # the agents' history is the default county's (QY numbers)
    CaseNumberCounter.objects.bulk_create([CaseNumberCounter(county_id=county, day=d) for d in wanted], ignore_conflicts=True)
    for d, n in wanted.items():
        CaseNumberCounter.objects.filter(county_id=county, day=d).update(last=F("last") + n)
        last = CaseNumberCounter.objects.filter(county_id=county, day=d).values_list("last", flat=True).get()
        out[d] = list(range(last - n + 1, last + 1))
    return out


def build_cases(ctx: DemoContext, held: list[Held], agents: dict[int, User]) -> None:
    rng = ctx.rng("assistance.cases")
    today = timezone.localdate()
    matters, weights, delegated = eligible_matters()
    if not matters:
        return
    favourites = {name for name, _w in FAVOURITES}
    weight_of = {m.pk: w for m, w in zip(matters, weights, strict=True)}
    sig_file, sig_sha = demo_signature()
    active = [h for h in held if h.mandate.status == Mandate.Status.ACTIVE]
    plan: list[tuple[Held, Matter, datetime.date]] = []
    used: set[tuple[int, int]] = set()
    # 足不出镇 (F14): every point files at least one delegated matter (taken in and decided by its
    # township) for a resident whose mandate covers every eligible matter.
    township_case_at: set[int] = set()
    for h in active:
        for n in range(rng.choice([0, 1, 1, 1, 2])):
            pool = h.matters or matters
            matter = rng.choices(pool, weights=[weight_of[m.pk] for m in pool])[0]
            if n == 0 and delegated and not h.matters and h.point.pk not in township_case_at:
                matter = delegated[len(township_case_at) % len(delegated)]
                township_case_at.add(h.point.pk)
            if (h.mandate.resident_id, matter.pk) in used:
                continue
            day = max(h.mandate.valid_from, today - datetime.timedelta(days=rng.randint(0, 30 * MONTHS)))
            if day > today or day > h.mandate.valid_until:
                continue
            used.add((h.mandate.resident_id, matter.pk))
            plan.append((h, matter, day))
    plan.sort(key=lambda x: (x[2], x[1].code))
    numbers = _numbers([d for _h, _m, d in plan])
    routes: dict[tuple[int, int], routing.Routing] = {}
    halls: dict[int, OrgUnit] = {}
    cases: list[Case] = []
    for h, matter, day in plan:
        version = matter.current_version
        assert version is not None
        agent = agents[h.point.village_id]
        key = (matter.pk, h.point.village.parent_id or 0)  # the routing depends on the township only
        if key not in routes:
            if matter.pk not in halls:  # where the matter is taken in without delegation (its hall)
                halls[matter.pk] = (
                    matter.service_area.point.org_unit if matter.service_area else case_selectors.hall_unit_for(matter.department)
                )
            hall = halls[matter.pk]
            routes[key] = routing.route_submission(
                applicant=h.mandate.resident, matters=[matter], intake_unit=hall, at_counter=False, agent=agent, on=today
            )
        route = routes[key]
        received = _at(day, rng)
        # The day received, as case_submit stores it: day 1 is the first working day after it
        # (core/workdays.add_workdays is the one rule), whether or not `day` is a working day.
        start = day
        county = route.department.county_id  # the case's clocks on its county's calendar
        age = workdays.workdays_between(start, today, county) if start <= today else 0
        case = Case(
            number=f"QY{day:%Y%m%d}{numbers[day].pop(0):05d}",
            check_code="".join(rng.choice(CHECK_ALPHABET) for _ in range(6)),
            channel=Channel.AGENT,
            applicant=h.mandate.resident,
            agent=agent,
            matter_version=version,
            title=version.name,
            department=route.department,
            intake_unit=route.intake_unit,
            form_data={"demo_key": "assistance"},
            received_at=received,
            received_on=start,
            intake_due=workdays.add_workdays(start, 5, county),
            committed_days=version.committed_days,
            statutory_days=version.statutory_days,
            status=Case.Status.SUBMITTED,
        )
        limit = max(1, min(version.committed_days, 8))
        # Older than two working days: ended (the intake queue holds only the last days' filings).
        if age > 2:
            if rng.random() < 0.03:
                case.status = Case.Status.REFUSED
                case.refusal_reasons = "申请人不符合申请条件。"
                case.concluded_at = _at(workdays.add_workdays(start, 1, county), rng)
            else:
                accepted = workdays.add_workdays(start, 1, county)
                concluded = workdays.add_workdays(accepted, rng.randint(1, limit), county)
                if concluded >= today:
                    concluded = accepted
                case.accepted_at = _at(accepted, rng)
                case.committed_due = workdays.add_workdays(accepted, version.committed_days, county)
                case.statutory_due = workdays.add_workdays(accepted, version.statutory_days, county)
                case.decision = Case.Decision.APPROVED
                case.decided_at = _at(concluded, rng)
                case.concluded_at = case.decided_at + datetime.timedelta(minutes=30)
                case.status = Case.Status.CONCLUDED
        cases.append(case)
    Case.objects.bulk_create(cases)
    saved = {c.number: c for c in Case.objects.filter(number__in=[c.number for c in cases])}
    cases = [saved[c.number] for c in cases]
    apps: list[AgentApplication] = []
    for (h, matter, _day), case in zip(plan, cases, strict=True):
        apps.append(
            AgentApplication(
                kind=AgentApplication.Kind.CASE,
                point=h.point,
                agent=agents[h.point.village_id],
                resident=h.mandate.resident,
                mandate=h.mandate,
                matter=matter,
                case=case,
                deliver_at_point=rng.random() < 0.7,
                closed_at=case.concluded_at,
                created_at=case.received_at,
            )
        )
    with keep_timestamps(AgentApplication):
        AgentApplication.objects.bulk_create(apps)
    by_case = {a.case_id: a for a in AgentApplication.objects.filter(case__in=cases)}
    # Collection at the point is the case's delivery method from filing (cases.owners: the result
    # waits for the point's agents, not the front desk).
    for case in cases:
        if by_case[case.pk].deliver_at_point:
            case.delivery_method = Case.Delivery.AGENT_POINT
    Case.objects.filter(pk__in=[c.pk for c in cases if c.delivery_method]).update(delivery_method=Case.Delivery.AGENT_POINT)

    forwardings, deliveries, follow_ups, events, delivered_cases = [], [], [], [], []
    for (h, matter, _day), case in zip(plan, cases, strict=True):
        app = by_case[case.pk]
        agent = agents[h.point.village_id]
        events.append(CaseEvent(case=case, kind="submitted", actor=agent, note=Channel.AGENT))
        if rng.random() < 0.6 or (matter.current_version and matter.current_version.name in favourites and rng.random() < 0.5):
            collected = case.received_at
            county = h.point.village.county_id  # the point's (and the case's) county
            due = workdays.add_workdays(case.received_on, 3, county)
            f = MaterialForwarding(
                application=app,
                to_unit=case.intake_unit,
                items=[r.name for r in matter.current_version.materials.all()][:3] if matter.current_version else [],
                collected_at=collected,
                due_on=due,
            )
            arrive = workdays.add_workdays(case.received_on, rng.choice([0, 1, 1, 2, 2, 3, 3, 4]), county)
            if arrive < today or case.status != Case.Status.SUBMITTED:
                f.sent_at = _at(min(arrive, today), rng, 8)
                f.sent_by = agent
                f.carrier = agent.display_name if agent else ""
                f.received_at = f.sent_at + datetime.timedelta(hours=2)
                f.received_by = None  # filled below with the unit's clerk or officer
            forwardings.append(f)
        if case.status == Case.Status.CONCLUDED:
            events.append(CaseEvent(case=case, kind="accepted"))
            events.append(CaseEvent(case=case, kind="concluded"))
            assert case.concluded_at is not None
            done = timezone.localdate(case.concluded_at)
            if app.deliver_at_point and (today - done).days > 3:
                when = _at(min(today, done + datetime.timedelta(days=rng.randint(1, 3))), rng)
                deliveries.append(
                    ResultDelivery(
                        application=app,
                        delivered_at=when,
                        delivered_by=agent,
                        receiver_name=h.mandate.resident.display_name,
                        signature_file=sig_file,
                        signature_sha256=sig_sha,
                    )
                )
                case.status = Case.Status.DELIVERED
                case.delivery_method = Case.Delivery.AGENT_POINT
                case.delivered_at = when
                delivered_cases.append(case)
                events.append(CaseEvent(case=case, kind="delivered", note=Case.Delivery.AGENT_POINT))
            ended = case.delivered_at or case.concluded_at
            if (today - timezone.localdate(ended)).days > 5 and rng.random() < 0.85 and agent is not None:
                follow_ups.append(
                    FollowUp(
                        application=app,
                        at=ended + datetime.timedelta(days=rng.randint(2, 5)),
                        by=agent,
                        method=rng.choice([FollowUp.Method.PHONE, FollowUp.Method.PHONE, FollowUp.Method.VISIT]),
                        satisfaction=rng.choices([5, 4, 3, 2], weights=[70, 24, 5, 1])[0],
                        comment=rng.choice(["", "", "很方便，不用跑镇上", "代办员服务热情", "办得快"]),
                    )
                )
        elif case.status == Case.Status.REFUSED:
            events.append(CaseEvent(case=case, kind="refused"))
    _receivers(forwardings)
    MaterialForwarding.objects.bulk_create(forwardings)
    ResultDelivery.objects.bulk_create(deliveries)
    FollowUp.objects.bulk_create(follow_ups)
    for e in events:  # the timeline carries the case's own dates
        e.at = {
            "submitted": e.case.received_at,
            "accepted": e.case.accepted_at,
            "concluded": e.case.concluded_at,
            "refused": e.case.concluded_at,
            "delivered": e.case.delivered_at,
        }[e.kind] or e.case.received_at
    with keep_timestamps(CaseEvent):
        CaseEvent.objects.bulk_create(events)
    Case.objects.bulk_update(delivered_cases, ["status", "delivery_method", "delivered_at"])


def _receivers(forwardings: list[MaterialForwarding]) -> None:
    """Who signed for each arrival: an intake officer of the receiving unit (or its hall)."""
    staff: dict[int, User | None] = {}
    for f in forwardings:
        if f.sent_at is None:
            continue
        if f.to_unit_id not in staff:
            a = (
                RoleAssignment.objects.filter(role__in=[Role.TOWNSHIP_OFFICER, Role.CLERK], org_unit=f.to_unit_id)
                .select_related("user")
                .first()
                or RoleAssignment.objects.filter(role=Role.CLERK).select_related("user").first()
            )
            staff[f.to_unit_id] = a.user if a else None
        who = staff[f.to_unit_id]
        if who is None:  # nobody to sign: the materials are still on their way
            f.sent_at = f.sent_by = f.received_at = None
            f.carrier = ""
        else:
            f.received_by = who
