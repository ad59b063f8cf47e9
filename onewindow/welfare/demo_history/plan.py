"""The plan of the 低保 register's history: the standards, the households confirmed and ended
year by year (2019 fitted to F13a), each one's amount and changes. Nothing is written here."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from typing import Any

from onewindow.accounts.models import OrgUnit
from onewindow.core import workdays

from ..models import Enrolment
from ..months import add_months, month_start

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


def _workday_in(rng: random.Random, first: datetime.date, last: datetime.date, county: str | None) -> datetime.date:
    for _ in range(50):
        d = _day_in(rng, first, last)
        if workdays.is_workday(d, county):
            return d
    return workdays.next_workday(first, county)


def _back(day: datetime.date, n: int, county: str | None) -> datetime.date:
    """The working day from which `day` is n working days later (on `county`'s calendar)."""
    d = day
    while workdays.workdays_between(d, day, county) < n:
        d -= datetime.timedelta(days=1)
    while not workdays.is_workday(d, county):
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


def plan_households(
    rng: random.Random, townships: list[OrgUnit], villages: dict[int, list[int]], today: datetime.date
) -> list[Plan]:
    weights = [len(villages[t.pk]) for t in townships]
    # The register's history is one county's (the default county's townships): its calendar.
    county = townships[0].county_id if townships else None

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
            p.accepted_on = _back(confirmed, work, county)
        return p

    plans: list[Plan] = []
    for size in _sizes(rng, TAKEOVER, int(TAKEOVER * 2.3)):
        plans.append(new(_day_in(rng, datetime.date(2012, 1, 1), datetime.date(2017, 12, 20)), size))
    for size in _sizes(rng, APPROVED_2018, int(APPROVED_2018 * 2.25)):
        c = _workday_in(rng, datetime.date(2018, 1, 5), datetime.date(2018, 12, 28), county)
        plans.append(new(c, size, "district", rng.randint(45, 58)))
    # 2019: confirmed Jan–Aug by the district (accepted before the delegation), Sep–Dec by townships
    for size in _sizes(rng, *F13A_APPROVED):
        c = _workday_in(rng, datetime.date(2019, 1, 3), datetime.date(2019, 12, 27), county)
        if c < datetime.date(2019, 9, 1):
            p = new(c, size, "district", rng.randint(45, 58))
            if p.accepted_on and p.accepted_on >= DELEGATED_ON:
                p.accepted_on = _back(DELEGATED_ON, 1, county)
        else:
            p = new(c, size, "township", rng.randint(11, 25))
        plans.append(p)
    for year in range(2020, today.year + 1):
        n = APPROVED_LATER if year < today.year else APPROVED_LATER * (today.timetuple().tm_yday - 15) // 365
        last = min(datetime.date(year, 12, 28), today - datetime.timedelta(days=3))
        for _ in range(max(0, n)):
            c = _workday_in(rng, datetime.date(year, 1, 4), last, county)
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


def months_2019() -> list[datetime.date]:
    return [datetime.date(2019, m, 1) for m in range(1, 13)]


def _total_2019(plans: list[Plan]) -> int:
    return sum(p.amount_in(m) for p in plans for m in months_2019())


def fit_2019(rng: random.Random, plans: list[Plan]) -> None:
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
        return sum(1 for m in months_2019() if p.amount_in(m))

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
