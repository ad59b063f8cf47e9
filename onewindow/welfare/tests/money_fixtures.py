"""Fixtures of the register and the money: a district 民政局 approver, households in payment in
值夏镇 (ZXZ) and 富滩镇 (FTZ), the standards, a clock fixed on 2026-05-12."""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

import pytest

from conftest import make_user
from onewindow.accounts.demo import resident_id
from onewindow.accounts.models import OrgUnit, Role, User
from onewindow.welfare.models import Enrolment, Household, Member, Standard
from onewindow.welfare.services.register import record_enrolment

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
TODAY = datetime.date(2026, 5, 12)


@pytest.fixture
def may_2026() -> Any:
    import time_machine

    with time_machine.travel(datetime.datetime(2026, 5, 12, 10, tzinfo=TZ), tick=True):
        yield


@pytest.fixture
def mzj(org: dict[str, OrgUnit]) -> User:
    return make_user("approver_mzj", Role.APPROVER, org["MZJ"])


@pytest.fixture
def ft_officer(org: dict[str, OrgUnit]) -> User:
    return make_user("ft_officer", Role.TOWNSHIP_OFFICER, org["FTZ"])


@pytest.fixture
def standards(db: Any) -> None:
    for year in (2025, 2026):
        Standard.objects.create(year=year, area_kind="urban", monthly_fen=80000, effective_from=datetime.date(year, 1, 1))
        Standard.objects.create(year=year, area_kind="rural", monthly_fen=62000, effective_from=datetime.date(year, 1, 1))


_seq = iter(range(100, 999))


def make_household(
    org: dict[str, OrgUnit],
    *,
    township: str = "ZXZ",
    village: str = "ZXSQ",
    number: str,
    amount_fen: int = 60000,
    people: int = 2,
    confirmed: datetime.date = datetime.date(2025, 12, 10),
    names: tuple[str, ...] = ("王秀兰", "李建国", "王小明"),
    bank: str = "6217000012345678",
    review_on: datetime.date | None = datetime.date(2026, 5, 30),
    actor: Any = None,
) -> Household:
    h = Household.objects.create(
        number=number,
        township=org[township],
        village=org[village],
        area_kind="rural",
        address="值夏镇值夏社区1号",
        status=Household.Status.IN_PAYMENT,
        monthly_amount_fen=amount_fen,
        bank_account=bank,
        next_review_on=review_on,
    )
    for i in range(people):
        Member.objects.create(
            household=h,
            name=names[i % len(names)],
            id_number=resident_id(f"1970{(i % 12) + 1:02d}15", next(_seq)),
            relationship=Member.Relationship.HEAD if i == 0 else Member.Relationship.CHILD,
            in_payment=True,
        )
    month = (confirmed.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    e = Enrolment.objects.create(
        household=h, confirmed_on=confirmed, starts_month=month, people=people, monthly_amount_fen=amount_fen
    )
    record_enrolment(enrolment=e, actor=actor)
    return h


@pytest.fixture
def households(org: dict[str, OrgUnit], standards: Any, may_2026: Any) -> list[Household]:
    return [
        make_household(org, number="ZXZ-0001", amount_fen=60000, people=2),
        make_household(org, number="ZXZ-0002", amount_fen=45000, people=3, names=("张桂英", "刘强", "刘芳")),
        make_household(
            org, number="ZXZ-0003", amount_fen=30000, people=1, names=("陈德明",), review_on=datetime.date(2026, 9, 1)
        ),
        make_household(
            org, township="FTZ", village="FTC", number="FTZ-0001", amount_fen=50000, people=2, names=("郭春花", "郭亮")
        ),
    ]
