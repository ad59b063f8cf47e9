"""The register's rows of the planned history: households, members, enrolments, their cases (a
case per approval since 2018, numbered by the day's counter) and register changes, in bulk."""

from __future__ import annotations

import datetime
import random

from django.db.models import F
from django.utils import timezone

from onewindow.accounts.demo import resident_id
from onewindow.accounts.models import OrgUnit, User
from onewindow.catalog.models import MatterVersion
from onewindow.core import workdays
from onewindow.core.demo import DemoContext
from onewindow.core.demo.people import person_name

from ..models import Enrolment, Household, Member, RegisterChange
from ..models.money import CircumstanceReport
from ..months import add_months, month_start
from ..services.register import STOP_REASONS, next_review
from .plan import END_WORDS, Plan, _day_in, _pick


def write_rows(
    ctx: DemoContext,
    rng: random.Random,
    plans: list[Plan],
    *,
    mv: MatterVersion,
    mzj: OrgUnit,
    residents: list[User],
    today: datetime.date,
) -> None:
    from onewindow.cases.models import Case, CaseNumberCounter, CaseVisit, Channel
    from onewindow.cases.services import CHECK_ALPHABET

    plans.sort(key=lambda p: (p.confirmed_on, p.township.code))
    government = OrgUnit.objects.filter(parent__isnull=True).order_by("path").first() or mzj
    tz = timezone.get_current_timezone()
    # case numbers: each day's counter advanced once by the day's count
    per_day: dict[datetime.date, int] = {}
    for p in plans:
        if p.accepted_on:
            per_day[p.accepted_on] = per_day.get(p.accepted_on, 0) + 1
    first_number: dict[datetime.date, int] = {}
    county = mzj.county_id  # the register's history is the default county's (QY numbers)
    for day, n in per_day.items():
        CaseNumberCounter.objects.get_or_create(county_id=county, day=day)
        CaseNumberCounter.objects.filter(county_id=county, day=day).update(last=F("last") + n)
        first_number[day] = CaseNumberCounter.objects.filter(county_id=county, day=day).values_list("last", flat=True).get() - n
    cases, visits = [], []
    committed = max(1, min(mv.committed_days or 25, mv.statutory_days or 30))
    statutory = max(committed, mv.statutory_days or committed)
    for p in plans:
        if not p.accepted_on:
            continue
        first_number[p.accepted_on] += 1
        channel = _pick(rng, [(Channel.COUNTER, 0.5), (Channel.AGENT, 0.4), (Channel.ONLINE, 0.1)])
        received = timezone.make_aware(
            datetime.datetime.combine(p.accepted_on, datetime.time(rng.randint(8, 16), rng.randint(0, 59))), tz
        )
        decided = timezone.make_aware(datetime.datetime.combine(p.confirmed_on, datetime.time(16, rng.randint(0, 59))), tz)
        dept = mzj if p.decider == "district" else p.township
        cases.append(
            Case(
                number=f"QY{p.accepted_on:%Y%m%d}{first_number[p.accepted_on]:05d}",
                check_code="".join(rng.choice(CHECK_ALPHABET) for _ in range(6)),
                channel=channel,
                applicant=rng.choice(residents),
                matter_version=mv,
                title=mv.name,
                department=dept,
                intake_unit=government if p.decider == "district" else p.township,
                form_data={"demo_key": "welfare-history"},
                received_at=received,
                received_on=p.accepted_on,
                intake_due=workdays.add_workdays(p.accepted_on, 5, dept.county_id),
                accepted_at=received,
                committed_days=committed,
                statutory_days=statutory,
                committed_due=workdays.add_workdays(p.accepted_on, committed, dept.county_id),
                statutory_due=workdays.add_workdays(p.accepted_on, statutory, dept.county_id),
                status=Case.Status.DELIVERED,
                decision=Case.Decision.APPROVED,
                decided_at=decided,
                concluded_at=decided,
                delivery_method="electronic",
                delivered_at=decided,
            )
        )
        visits.append(channel == Channel.COUNTER)
        ctx.progress("welfare cases", len(cases), sum(per_day.values()))
    made = Case.objects.bulk_create(cases, batch_size=500)
    CaseVisit.objects.bulk_create(
        [CaseVisit(case=c, day=c.received_on, kind=CaseVisit.Kind.SUBMIT) for c, v in zip(made, visits, strict=True) if v],
        batch_size=1000,
    )
    case_of = iter(made)

    households, members_of = [], []
    taken: set[str] = set(Member.objects.values_list("id_number", flat=True))
    for seq, p in enumerate(plans, start=1):
        in_payment = p.ended_on is None
        current = p.amount_in(month_start(today)) or (p.changes[-1][1] if p.changes and in_payment else p.amount)
        review_class = _pick(rng, [("stable", 0.6), ("medium", 0.3), ("changing", 0.1)])
        last_review = _day_in(rng, today - datetime.timedelta(days=300), today - datetime.timedelta(days=20))
        households.append(
            Household(
                number=f"DB-{p.township.code}-{seq:05d}",
                township=p.township,
                village_id=p.village_id,
                area_kind=p.area_kind,
                address=f"{p.township.name}{rng.randint(1, 120)}号",
                phone=f"13{rng.randint(500000000, 999999999)}",
                status=Household.Status.IN_PAYMENT if in_payment else Household.Status.EXITED,
                review_class=review_class,
                monthly_amount_fen=current if in_payment else 0,
                next_review_on=next_review(last_review, review_class) if in_payment else None,
                bank_account=f"6217{rng.randrange(10**14, 10**15)}",
            )
        )
        people = []
        for i in range(p.people):
            while True:
                birth = _day_in(rng, datetime.date(1940, 1, 1), datetime.date(2015, 12, 31))
                number = resident_id(f"{birth:%Y%m%d}", rng.randrange(1, 999))
                if number not in taken:
                    taken.add(number)
                    break
            relationship = (
                Member.Relationship.HEAD if i == 0 else rng.choice([Member.Relationship.SPOUSE, Member.Relationship.CHILD])
            )
            people.append((person_name(rng), number, relationship, birth.year > 2003))
        members_of.append(people)
    made_h = Household.objects.bulk_create(households, batch_size=1000)
    Member.objects.bulk_create(
        [
            Member(
                household=h,
                name=name,
                id_number=number,
                relationship=rel,
                student=student,
                labour=Member.Labour.NONE if student else Member.Labour.FULL,
                in_payment=h.status == Household.Status.IN_PAYMENT,
            )
            for h, people in zip(made_h, members_of, strict=True)
            for name, number, rel, student in people
        ],
        batch_size=2000,
    )
    enrolments = []
    for h, p in zip(made_h, plans, strict=True):
        enrolments.append(
            Enrolment(
                household=h,
                case=next(case_of) if p.accepted_on else None,
                confirmed_on=p.confirmed_on,
                starts_month=p.starts,
                people=p.people,
                monthly_amount_fen=p.amount,
                ended_on=p.ended_on,
                end_reason=p.end_reason,
            )
        )
    made_e = Enrolment.objects.bulk_create(enrolments, batch_size=1000)
    changes = []
    for h, e, p in zip(made_h, made_e, plans, strict=True):
        changes.append(
            RegisterChange(
                household=h,
                enrolment=e,
                kind=RegisterChange.Kind.ENROL,
                old_amount_fen=0,
                new_amount_fen=p.amount,
                new_people=p.people,
                reason="审核确认，纳入最低生活保障" if p.accepted_on else "原低保名册转入",
                effective_month=p.starts,
                decided_on=p.confirmed_on,
            )
        )
        amount = p.amount
        for month, new in p.changes:
            if p.stops and month >= p.stops:
                break
            changes.append(
                RegisterChange(
                    household=h,
                    enrolment=e,
                    kind=RegisterChange.Kind.INCREASE if new > amount else RegisterChange.Kind.DECREASE,
                    old_amount_fen=amount,
                    new_amount_fen=new,
                    old_people=p.people,
                    new_people=p.people,
                    reason="定期核查，家庭收入增加" if new < amount else "家庭成员患重病，支出型困难",
                    effective_month=month,
                    decided_on=add_months(month, -1) + datetime.timedelta(days=rng.randint(5, 25)),
                )
            )
            amount = new
        if p.ended_on:
            changes.append(
                RegisterChange(
                    household=h,
                    enrolment=e,
                    kind=RegisterChange.Kind.STOP if p.end_reason in STOP_REASONS else RegisterChange.Kind.EXIT,
                    old_amount_fen=amount,
                    new_amount_fen=0,
                    old_people=p.people,
                    new_people=0,
                    reason=END_WORDS[p.end_reason],
                    effective_month=add_months(month_start(p.ended_on), 1),
                    decided_on=p.ended_on,
                )
            )
    RegisterChange.objects.bulk_create(changes, batch_size=2000)
    # a few reported changes of circumstance waiting for the townships
    open_hh = [h for h in made_h if h.status == Household.Status.IN_PAYMENT]
    CircumstanceReport.objects.bulk_create(
        [
            CircumstanceReport(
                household=h,
                source=rng.choice(["household", "village", "data"]),
                reported_on=today - datetime.timedelta(days=rng.randint(1, 20)),
                description=rng.choice(
                    [
                        "户主在县城找到保洁工作，月收入约1800元",
                        "长子大学毕业已就业",
                        "家庭成员住院，医疗支出较大",
                        "信息比对发现新登记车辆一辆",
                    ]
                ),
            )
            for h in rng.sample(open_hh, min(24, len(open_hh)))
        ]
    )
    ctx.say(f"  welfare history: {len(made_h)} households, {len(made)} cases, {len(changes)} register changes")
