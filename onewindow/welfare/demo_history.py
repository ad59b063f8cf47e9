"""Demo: the 低保 register's history, so that F13 and F13a come out of rows.

- the district's standards for 2018 to this year (城市 / 农村);
- households taken over from the old register (enrolled before 2018, no case), 2018 approvals
  decided by the district 民政局 (45 working days or more from acceptance to confirmation), 2019
  approvals before the delegation of 2019-07-01 by the district and after it by the townships
  (25 working days at most), and the townships' approvals since;
- exits every year, with reasons, and a few increases and decreases;
- a 2019 generated to fit F13a: 322 households / 706 people confirmed, 637 / 1,485 ended and
  14,915,300 yuan paid — the generator aims at these numbers (sizes and amounts are drawn, then
  adjusted), the rolls and payments are then written by the same SQL as the real roll
  (`services.rolls.fill_regular_many` / `write_payments_many`), and the figures are read back by `stats.figures`;
  the build fails if they do not come out;
- frozen, paid rolls of every township for every month of 2019 and from 2020 to last month (all
  written at once, see `_rolls`); this month's rolls
  at different stages (frozen awaiting the bank's return, approved by the township, not generated
  in 值夏镇 so the township persona can generate it).

Quick (bulk_create and set-based SQL) and idempotent (households numbered "DB-…").
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from onewindow.accounts.demo import resident_id
from onewindow.accounts.models import OrgUnit, User
from onewindow.catalog.models import MatterVersion
from onewindow.core import workdays
from onewindow.core.demo import DemoContext
from onewindow.core.demo.people import person_name

from . import scope
from .models import Enrolment, Household, Member, Payment, PaymentRoll, RegisterChange, RollItem, Standard
from .models.money import CircumstanceReport
from .months import add_months, month_start
from .services import rolls
from .services.register import STOP_REASONS, next_review

# The district's standards, yuan per person per month (城市, 农村), as published each January.
STANDARDS = {
    2018: (580, 390),
    2019: (630, 430),
    2020: (680, 490),
    2021: (720, 530),
    2022: (760, 580),
    2023: (800, 620),
    2024: (830, 650),
    2025: (860, 680),
    2026: (890, 710),
}
DIBAO = "最低生活保障（低保）审批"
DELEGATED_ON = datetime.date(2019, 7, 1)
# The rolls and payments after 2019 start here (every township, every month to this one).
ROLLS_FROM = datetime.date(2020, 1, 1)
# F13a (demo): what 2019 must come out as. The generator fits the rows to it; `stats` reads it back.
F13A_APPROVED = (322, 706)
F13A_REMOVED = (637, 1485)
F13A_PAID_FEN = 14_915_300_00
F13A: dict[str, Any] = {"approved": F13A_APPROVED, "removed": F13A_REMOVED, "paid_fen": F13A_PAID_FEN}
TAKEOVER = 2650  # in payment before 2018, from the old register
APPROVED_2018, REMOVED_2018 = 380, 420
APPROVED_LATER, REMOVED_LATER = 150, 170  # a year, 2020 on
END_REASONS = [
    (Enrolment.EndReason.INCOME_ROSE, 0.38),
    (Enrolment.EndReason.ASSETS, 0.06),
    (Enrolment.EndReason.MOVED, 0.12),
    (Enrolment.EndReason.DECEASED, 0.24),
    (Enrolment.EndReason.REFUSED_REVIEW, 0.04),
    (Enrolment.EndReason.FALSE_INFO, 0.03),
    (Enrolment.EndReason.VOLUNTARY, 0.13),
]
END_WORDS = {
    "income_rose": "家庭成员务工收入增加，人均收入超过当地低保标准",
    "assets": "核查发现家庭购置机动车，财产状况不符合条件",
    "moved": "全户户籍迁出本区",
    "deceased": "唯一保障对象死亡",
    "refused_review": "无正当理由拒不配合定期核查",
    "false_info": "隐瞒家庭收入，经核实不再符合条件",
    "voluntary": "家庭申请自愿退出",
}


@dataclass
class Plan:
    township: OrgUnit
    village_id: int
    area_kind: str
    people: int
    amount: int  # fen, at confirmation
    confirmed_on: datetime.date
    accepted_on: datetime.date | None = None  # with a case
    decider: str = ""  # district | township
    ended_on: datetime.date | None = None
    end_reason: str = ""
    # (effective month, new amount) after confirmation
    changes: list[tuple[datetime.date, int]] = field(default_factory=list)

    @property
    def starts(self) -> datetime.date:
        return add_months(month_start(self.confirmed_on), 1)

    @property
    def stops(self) -> datetime.date | None:
        return add_months(month_start(self.ended_on), 1) if self.ended_on else None

    def amount_in(self, month: datetime.date) -> int:
        if month < self.starts or (self.stops and month >= self.stops):
            return 0
        amount = self.amount
        for eff, new in self.changes:
            if eff <= month:
                amount = new
        return amount


def _pick(rng: random.Random, table: list[tuple[Any, float]]) -> Any:
    x, acc = rng.random(), 0.0
    for value, share in table:
        acc += share
        if x < acc:
            return value
    return table[-1][0]


def _day_in(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=rng.randrange((last - first).days + 1))


def _workday_in(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    for _ in range(50):
        d = _day_in(rng, first, last)
        if workdays.is_workday(d):
            return d
    return workdays.next_workday(first)


def _back(day: datetime.date, n: int) -> datetime.date:
    """The working day from which `day` is n working days later."""
    d = day
    while workdays.workdays_between(d, day) < n:
        d -= datetime.timedelta(days=1)
    while not workdays.is_workday(d):
        d -= datetime.timedelta(days=1)
    return d


def _sizes(rng: random.Random, n: int, total: int) -> list[int]:
    """n household sizes (1..6) that add up to `total`."""
    sizes = [_pick(rng, [(1, 0.3), (2, 0.3), (3, 0.22), (4, 0.12), (5, 0.06)]) for _ in range(n)]
    while sum(sizes) != total:
        i = rng.randrange(n)
        if sum(sizes) < total and sizes[i] < 6:
            sizes[i] += 1
        elif sum(sizes) > total and sizes[i] > 1:
            sizes[i] -= 1
    return sizes


def _amount(rng: random.Random, area_kind: str, year: int, people: int) -> int:
    """补差 at confirmation: (standard − per-capita income) × people (`allowance.compute`)."""
    standard = STANDARDS[min(max(year, 2018), max(STANDARDS))][0 if area_kind == "urban" else 1] * 100
    per_capita = int(standard * rng.uniform(0.05, 0.7))
    return max(1000, (standard - per_capita) * people)


def _standards(today: datetime.date) -> None:
    for year, (urban, rural) in STANDARDS.items():
        if year > today.year:
            continue
        for kind, yuan in (("urban", urban), ("rural", rural)):
            Standard.objects.get_or_create(
                year=year,
                area_kind=kind,
                defaults={
                    "monthly_fen": yuan * 100,
                    "effective_from": datetime.date(year, 1, 1),
                    "basis": f"吉安市人民政府关于提高{year}年城乡最低生活保障标准的通知",
                },
            )


def build(ctx: DemoContext) -> None:
    today = timezone.localdate()
    _standards(today)
    if Household.objects.filter(number__startswith="DB-").exists():
        return
    townships = list(scope.all_townships())
    villages: dict[int, list[int]] = {}
    for t in townships:
        villages[t.pk] = list(OrgUnit.objects.filter(parent=t).order_by("code").values_list("pk", flat=True))
    mzj = OrgUnit.objects.filter(code=scope.department_code()).first()
    mv = (
        MatterVersion.objects.filter(name=DIBAO, status=MatterVersion.Status.PUBLISHED).order_by("-id").first()
        or MatterVersion.objects.filter(name=DIBAO).order_by("-id").first()
    )
    if not townships or not all(villages.values()) or mzj is None or mv is None:
        ctx.say("  welfare history: no townships, 民政局 or 低保 matter; skipped")
        return
    from onewindow.cases.demo_history import _residents

    residents = _residents(ctx.rng("cases-history"))
    rng = ctx.rng("welfare-history")
    if connection.vendor == "sqlite":
        # SQLite's default page cache (2 MB) makes the rolls' bulk inserts (indexes of some
        # 200,000 lines and payments) thrash: 128 MB for this connection halves their time.
        with connection.cursor() as cur:
            cur.execute("PRAGMA cache_size = -131072")
    plans = _plan(rng, townships, villages, today)
    _fit_2019(rng, plans)
    with transaction.atomic():
        _write(ctx, rng, plans, mv=mv, mzj=mzj, residents=residents, today=today)
        _rolls(ctx, rng, townships, today)
        _check_2019()


def _plan(rng: random.Random, townships: list[OrgUnit], villages: dict[int, list[int]], today: datetime.date) -> list[Plan]:
    weights = [len(villages[t.pk]) for t in townships]

    def new(confirmed: datetime.date, people: int, decider: str = "", work: int = 0) -> Plan:
        t = rng.choices(townships, weights=weights)[0]
        kind = "urban" if t.kind == OrgUnit.Kind.SUBDISTRICT or rng.random() < 0.1 else "rural"
        p = Plan(
            township=t,
            village_id=rng.choice(villages[t.pk]),
            area_kind=kind,
            people=people,
            amount=_amount(rng, kind, confirmed.year, people),
            confirmed_on=confirmed,
            decider=decider,
        )
        if decider:
            p.accepted_on = _back(confirmed, work)
        return p

    plans: list[Plan] = []
    for size in _sizes(rng, TAKEOVER, int(TAKEOVER * 2.3)):
        plans.append(new(_day_in(rng, datetime.date(2012, 1, 1), datetime.date(2017, 12, 20)), size))
    for size in _sizes(rng, APPROVED_2018, int(APPROVED_2018 * 2.25)):
        c = _workday_in(rng, datetime.date(2018, 1, 5), datetime.date(2018, 12, 28))
        plans.append(new(c, size, "district", rng.randint(45, 58)))
    # 2019: confirmed Jan–Aug by the district (accepted before the delegation), Sep–Dec by townships
    for size in _sizes(rng, *F13A_APPROVED):
        c = _workday_in(rng, datetime.date(2019, 1, 3), datetime.date(2019, 12, 27))
        if c < datetime.date(2019, 9, 1):
            p = new(c, size, "district", rng.randint(45, 58))
            if p.accepted_on and p.accepted_on >= DELEGATED_ON:
                p.accepted_on = _back(DELEGATED_ON, 1)
        else:
            p = new(c, size, "township", rng.randint(11, 25))
        plans.append(p)
    for year in range(2020, today.year + 1):
        n = APPROVED_LATER if year < today.year else APPROVED_LATER * (today.timetuple().tm_yday - 15) // 365
        last = min(datetime.date(year, 12, 28), today - datetime.timedelta(days=3))
        for _ in range(max(0, n)):
            c = _workday_in(rng, datetime.date(year, 1, 4), last)
            plans.append(
                new(c, _pick(rng, [(1, 0.3), (2, 0.3), (3, 0.22), (4, 0.12), (5, 0.06)]), "township", rng.randint(9, 25))
            )

    def remove(year: int, n: int, people_total: int | None = None) -> None:
        first, last = datetime.date(year, 1, 2), min(datetime.date(year, 12, 30), today - datetime.timedelta(days=2))
        pool = [p for p in plans if p.ended_on is None and p.confirmed_on < first - datetime.timedelta(days=60)]
        chosen = rng.sample(pool, n)
        if people_total is not None:
            for p, size in zip(chosen, _sizes(rng, n, people_total), strict=True):
                p.people = size
                p.amount = _amount(rng, p.area_kind, p.confirmed_on.year, size)
        for p in chosen:
            p.ended_on = _day_in(rng, first, last)
            p.end_reason = _pick(rng, END_REASONS)

    remove(2018, REMOVED_2018)
    remove(2019, *F13A_REMOVED)
    for year in range(2020, today.year + 1):
        remove(year, REMOVED_LATER if year < today.year else REMOVED_LATER * (today.timetuple().tm_yday - 15) // 365)
    # a few increases and decreases a year (reported changes, reviews)
    for p in plans:
        month = p.starts
        end = p.stops or add_months(month_start(today), 2)
        while True:
            month = add_months(month, rng.randint(14, 40))
            if month >= end:
                break
            factor = rng.choice([0.7, 0.8, 1.15, 1.3])
            p.changes.append((month, max(1000, int((p.changes[-1][1] if p.changes else p.amount) * factor))))
    return plans


def _months_2019() -> list[datetime.date]:
    return [datetime.date(2019, m, 1) for m in range(1, 13)]


def _total_2019(plans: list[Plan]) -> int:
    return sum(p.amount_in(m) for p in plans for m in _months_2019())


def _fit_2019(rng: random.Random, plans: list[Plan]) -> None:
    """Scale the amounts so 2019's payments add up to F13a, then settle the last fen on households
    paid the same amount every month of 2019 (12 fen a fen) and one paid for exactly r months."""
    target = F13A_PAID_FEN
    factor = target / _total_2019(plans)
    for p in plans:
        p.amount = max(1000, round(p.amount * factor))
        p.changes = [(m, max(1000, round(a * factor))) for m, a in p.changes]

    def constant(p: Plan) -> bool:
        return not any(datetime.date(2019, 1, 1) < m <= datetime.date(2019, 12, 1) for m, _a in p.changes)

    def months(p: Plan) -> int:
        return sum(1 for m in _months_2019() if p.amount_in(m))

    full = [
        p for p in plans if constant(p) and months(p) == 12 and not any(m <= datetime.date(2019, 1, 1) for m, _a in p.changes)
    ]
    q, r = divmod(target - _total_2019(plans), 12)
    base, extra = divmod(q, len(full))
    for i, p in enumerate(full):
        p.amount += base + (1 if i < extra else 0)
    if r:
        partial = next(p for p in plans if constant(p) and months(p) == r and not p.changes)
        partial.amount += 1
    assert _total_2019(plans) == target, "the 2019 plan does not fit F13a"


def _write(
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
    for day, n in per_day.items():
        CaseNumberCounter.objects.get_or_create(day=day)
        CaseNumberCounter.objects.filter(day=day).update(last=F("last") + n)
        first_number[day] = CaseNumberCounter.objects.filter(day=day).values_list("last", flat=True).get() - n
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
                intake_due=workdays.add_workdays(p.accepted_on, 5),
                accepted_at=received,
                committed_days=committed,
                statutory_days=statutory,
                committed_due=workdays.add_workdays(p.accepted_on, committed),
                statutory_due=workdays.add_workdays(p.accepted_on, statutory),
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


def month_end_of(day: datetime.date) -> datetime.date:
    return add_months(month_start(day), 1) - datetime.timedelta(days=1)


def _reissue_day(paid_on: datetime.date | None) -> datetime.date:
    """A failed transfer re-issued: paid about a week after the first attempt, within its month."""
    assert paid_on is not None  # the failures are drawn from paid payments
    return min(paid_on + datetime.timedelta(days=8), month_end_of(paid_on))


def _roll_months(today: datetime.date) -> list[datetime.date]:
    """2019 (F13a) and every month from ROLLS_FROM to this one."""
    months, m = _months_2019(), ROLLS_FROM
    while m <= month_start(today):
        months.append(m)
        m = add_months(m, 1)
    return months


def _rolls(ctx: DemoContext, rng: random.Random, townships: list[OrgUnit], today: datetime.date) -> None:
    """The rolls of every township and month of `_roll_months`, all at once: the rolls in one bulk
    insert, their lines by the roll's own statement for all of them (`rolls.fill_regular_many`),
    one payment per line (`rolls.write_payments_many`, paid on the 12th or the next working day
    for months whose day is past, as the bank's return would mark them), then one failed
    transfer in about 300 re-issued and paid a week later. This month: frozen and waiting for
    the bank, 富滩镇's approved by the township, 值夏镇's not generated (the township persona
    generates it)."""
    S = PaymentRoll.Status
    tz = timezone.get_current_timezone()
    this_month = month_start(today)
    new_rolls = []
    for month in _roll_months(today):
        at = timezone.make_aware(datetime.datetime.combine(month + datetime.timedelta(days=2), datetime.time(9)), tz)
        for t in townships:
            current = month == this_month
            if current and t.code == "ZXZ":
                continue
            waiting = current and t.code == "FTZ"
            new_rolls.append(
                PaymentRoll(
                    township=t,
                    month=month,
                    status=S.TOWNSHIP_APPROVED if waiting else S.FROZEN,
                    generated_at=at,
                    checked_at=at,
                    township_approved_at=at,
                    district_approved_at=None if waiting else at + datetime.timedelta(days=1),
                    frozen_at=None if waiting else at + datetime.timedelta(days=1),
                )
            )
    PaymentRoll.objects.bulk_create(new_rolls, batch_size=1000)
    made = list(PaymentRoll.objects.filter(uuid__in=[r.uuid for r in new_rolls]).values_list("pk", "status"))
    ids = [pk for pk, _s in made]
    with connection.cursor() as cur:
        rolls.fill_regular_many(cur, ids)
    items = RollItem.objects.filter(roll=OuterRef("pk")).order_by().values("roll")
    PaymentRoll.objects.filter(pk__in=ids).update(
        households=Coalesce(Subquery(items.annotate(n=Count("household_id", distinct=True)).values("n")), 0),
        people=Coalesce(Subquery(items.annotate(n=Sum("people")).values("n")), 0),
        total_fen=Coalesce(Subquery(items.annotate(n=Sum("amount_fen")).values("n")), 0),
    )
    paid_on = {m: workdays.next_workday(m + datetime.timedelta(days=11)) for m in _roll_months(today)}
    paid_on = {m: d for m, d in paid_on.items() if d < today}
    now = timezone.make_aware(datetime.datetime.combine(this_month, datetime.time(9)), tz)
    rolls.write_payments_many([pk for pk, status in made if status == S.FROZEN], now, paid_on_by_month=paid_on)
    # the bank's failures: about one transfer in 300, re-issued (attempt 2) and paid a week later
    paid = Payment.objects.filter(roll_id__in=ids, status=Payment.Status.PAID, paid_on__lt=today - datetime.timedelta(days=8))
    failed = rng.sample(sorted(paid.values_list("pk", flat=True)), paid.count() // 300)
    again = [
        Payment(
            roll_id=p.roll_id,
            household_id=p.household_id,
            month=p.month,
            amount_fen=p.amount_fen,
            status=Payment.Status.PAID,
            attempt=2,
            bank_account=p.bank_account,
            paid_on=_reissue_day(p.paid_on),
            reissue_of=p,
        )
        for p in Payment.objects.filter(pk__in=failed)
    ]
    Payment.objects.filter(pk__in=failed).update(status=Payment.Status.FAILED, paid_on=None, failure_reason="账户已冻结")
    Payment.objects.bulk_create(again, batch_size=1000)
    n_items = RollItem.objects.filter(roll_id__in=ids).count()
    ctx.say(f"  welfare rolls: {len(ids)} rolls, {n_items} lines, {len(failed)} failed transfers re-issued")


def _check_2019() -> None:
    from .stats import figures

    f = figures(date_from=datetime.date(2019, 1, 1), date_to=datetime.date(2019, 12, 31))
    got = {
        "approved": (f.approved_households, f.approved_people),
        "removed": (f.removed_households, f.removed_people),
        "paid_fen": f.paid_fen,
    }
    if got != F13A:
        raise RuntimeError(f"welfare demo: 2019 came out as {got}, not F13a {F13A}")
