"""Demo: half a year of finished cases, so that 一次不跑 (F2) is measured from cases with plausible
values: how each application came in (online, on the phone, through a village agent, at a window,
by appointment, after hours), whether the applicant had to bring a supplement, and how the result
reached them (electronic licence, post, collection at the window, sometimes on another day).

Written with bulk_create (a few seconds): finished cases and their trips in person (`CaseVisit`),
no timeline. Deterministic (its own random stream) and idempotent (marked `form_data.demo_key =
"history"`). The applicants are their own demo residents, so the personas' /me/ stays readable.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from onewindow.accounts.demo import REGION, resident_id
from onewindow.accounts.models import OrgUnit, Role, RoleAssignment, User
from onewindow.catalog.models import MatterVersion
from onewindow.catalog.selectors import delegation_in_force
from onewindow.core.demo import DemoContext
from onewindow.core.demo.people import person_name

from .models import Case, CaseNumberCounter, CaseVisit, Channel
from .services import CHECK_ALPHABET

CASES = 1500
DAYS = 180
RESIDENTS = 300
# channel -> share of applications (a county that pushes 一网通办 and village agents)
CHANNELS = [
    (Channel.ONLINE, 0.34),
    (Channel.MOBILE, 0.22),
    (Channel.AGENT, 0.09),
    (Channel.COUNTER, 0.25),
    (Channel.APPOINTMENT, 0.07),
    (Channel.OFF_HOURS, 0.03),
]
IN_PERSON = {Channel.COUNTER, Channel.APPOINTMENT, Channel.OFF_HOURS}
SUPPLEMENT_AT_WINDOW = 0.12  # of in-person applications: a missing paper brought on another day
REFUSED = 0.04
# delivery of the result: (method, share online-filed, share filed in person)
DELIVERY = [("electronic", 0.55, 0.25), ("post", 0.30, 0.15), ("window", 0.15, 0.60)]
PICKUP_SAME_DAY = 0.5  # an instant matter taken in and handed over on the spot


def _residents(rng: Any) -> list[User]:
    existing = list(User.objects.filter(username__startswith="resident-").order_by("username"))
    if existing:
        return existing
    # ID numbers are encrypted: the database cannot match a prefix, so the numbers are read and
    # compared here.
    taken = {n for n in User.objects.exclude(id_number=None).values_list("id_number", flat=True) if (n or "").startswith(REGION)}
    rows = []
    for i in range(RESIDENTS):
        while True:
            birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randrange(0, 365 * 50))
            number = resident_id(f"{birth:%Y%m%d}", rng.randrange(500, 999))
            if number not in taken:
                taken.add(number)
                break
        rows.append(
            User(
                username=f"resident-{i:04d}",
                display_name=person_name(rng),
                id_type=User.IdType.RESIDENT,
                id_number=number,
                password="!",  # no password: these residents never sign in  # noqa: S106
            )
        )
    users = User.objects.bulk_create(rows)
    RoleAssignment.objects.bulk_create([RoleAssignment(user=u, role=Role.CITIZEN) for u in users])
    return list(User.objects.filter(username__startswith="resident-").order_by("username"))


def _pick(rng: Any, table: list[tuple[Any, float]]) -> Any:
    x, acc = rng.random(), 0.0
    for value, share in table:
        acc += share
        if x < acc:
            return value
    return table[-1][0]


def _number(day: datetime.date, county: str) -> str:
    # The history is the default county's (QY): its counter row of the day.
    CaseNumberCounter.objects.get_or_create(county_id=county, day=day)
    CaseNumberCounter.objects.filter(county_id=county, day=day).update(last=F("last") + 1)
    last = CaseNumberCounter.objects.filter(county_id=county, day=day).values_list("last", flat=True).get()
    return f"QY{day:%Y%m%d}{last:05d}"


def build_history(ctx: DemoContext) -> int:
    from .demo import demo_keys

    if "history" in demo_keys():
        return 0
    from onewindow.core import workdays

    rng = ctx.rng("cases-history")
    versions = list(
        MatterVersion.objects.filter(status=MatterVersion.Status.PUBLISHED, matter__current_version__isnull=False)
        .select_related("matter__department")
        .order_by("matter__code")[:400]
    )
    hall = OrgUnit.objects.filter(parent__isnull=True).order_by("path").first()
    if not versions or hall is None:
        ctx.say("  cases history: no catalog, skipped")
        return 0
    from . import routing

    # Township-level and delegated matters run at a township (cases.routing): the applicant's, taken
    # in turn (these residents have no registered address); no random draw, so the stream is unchanged.
    townships = list(OrgUnit.objects.filter(kind__in=[OrgUnit.Kind.TOWNSHIP, OrgUnit.Kind.SUBDISTRICT]).order_by("path"))
    today = timezone.localdate()
    # The days the hall's county worked; each case's clocks on its deciding department's county's calendar.
    days = [
        d for d in (today - datetime.timedelta(days=n) for n in range(DAYS, 14, -1)) if workdays.is_workday(d, hall.county_id)
    ]
    residents = _residents(rng)
    cases, trips = [], []
    links: list[tuple[int, Any]] = []
    with transaction.atomic():
        for i in range(CASES):
            mv = rng.choice(versions)
            channel = _pick(rng, CHANNELS)
            day = rng.choice(days)
            received = timezone.make_aware(datetime.datetime.combine(day, datetime.time(rng.randint(8, 16), rng.randint(0, 59))))
            in_person = channel in IN_PERSON
            refused = rng.random() < REFUSED
            supplement = in_person and not refused and rng.random() < SUPPLEMENT_AT_WINDOW
            # The deciding unit first (it draws nothing from rng): its county's calendar counts the days.
            department, intake = mv.matter.department, hall
            if townships:
                department = routing.handling_unit_for(matter=mv.matter, township=townships[i % len(townships)], on=day)
                if department.is_township_level:
                    intake = department
                    delegation = delegation_in_force(matter=mv.matter, township=department, on=day)
                    if delegation is not None:  # kept on the case, as case_submit does (supervision reads it)
                        links.append((i, delegation))
            county = department.county_id
            accept_day = workdays.add_workdays(day, 2, county) if supplement else day
            accepted = received + (accept_day - day) if supplement else received
            committed = max(1, min(mv.committed_days or 1, mv.statutory_days or 1))
            due = workdays.add_workdays(accept_day, committed, county)
            spent = rng.randint(0, max(0, committed - 1))
            done_day = workdays.add_workdays(accept_day, spent, county) if spent else accept_day
            method = _pick(rng, [(m, on if not in_person else off) for m, on, off in DELIVERY])
            decided = timezone.make_aware(datetime.datetime.combine(done_day, datetime.time(15, rng.randint(0, 59))))
            pickup_day = done_day
            if method == "window" and not (in_person and not supplement and spent == 0 and rng.random() < PICKUP_SAME_DAY):
                pickup_day = workdays.add_workdays(done_day, rng.randint(1, 3), county)
            delivered = timezone.make_aware(datetime.datetime.combine(pickup_day, datetime.time(10, rng.randint(0, 59))))
            case = Case(
                number=_number(day, county),
                check_code="".join(rng.choice(CHECK_ALPHABET) for _ in range(6)),
                channel=channel,
                applicant=rng.choice(residents),
                matter_version=mv,
                title=mv.name,
                department=department,
                intake_unit=intake,
                form_data={"demo_key": "history"},
                received_at=received,
                received_on=day,
                intake_due=workdays.add_workdays(day, 5, county),
                committed_days=committed,
                statutory_days=max(committed, mv.statutory_days or committed),
                status=Case.Status.REFUSED if refused else Case.Status.DELIVERED,
            )
            if refused:
                case.refusal_reasons = "不属于本机关职权范围"
            else:
                case.accepted_at = accepted
                case.committed_due = due
                case.statutory_due = due
                case.decision = Case.Decision.APPROVED
                case.decided_at = decided
                case.concluded_at = decided
                case.delivery_method = method
                case.tracking_number = f"11{rng.randrange(10**10, 10**11)}" if method == "post" else ""
                case.delivered_at = delivered if method == "window" else decided
            cases.append(case)
            visits = []
            if in_person:
                visits.append((day, CaseVisit.Kind.SUBMIT))
                if supplement:
                    visits.append((accept_day, CaseVisit.Kind.SUPPLEMENT))
            if not refused and method == "window" and pickup_day not in {d for d, _k in visits}:
                visits.append((pickup_day, CaseVisit.Kind.COLLECT))
            trips.append(visits)
            ctx.progress("cases history", i + 1, CASES)
        made = Case.objects.bulk_create(cases, batch_size=500)
        Case.delegations.through.objects.bulk_create(
            [Case.delegations.through(case_id=made[i].pk, delegation_id=d.pk) for i, d in links], batch_size=1000
        )
        CaseVisit.objects.bulk_create(
            [CaseVisit(case=c, day=d, kind=k) for c, visits in zip(made, trips, strict=True) for d, k in visits], batch_size=1000
        )
    return len(made)
