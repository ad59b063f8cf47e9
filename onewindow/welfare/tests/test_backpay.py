"""补发 (back pay) after a standard rises over months already frozen, through the normal roll flow;
nothing paid twice for a household, month and kind; a suspended household resumed after the
standard's change; a later decided line recomputed too."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.db import IntegrityError, transaction

from onewindow.accounts.models import User
from onewindow.core.models import AuditEntry
from onewindow.welfare.models import Household, Payment, PaymentRoll, RegisterChange, RollItem
from onewindow.welfare.services import register, rolls
from onewindow.welfare.services.standards import standard_enter

from .money_fixtures import TZ

pytestmark = pytest.mark.django_db
APR, MAY, JUNE, JULY, AUG = (datetime.date(2026, m, 1) for m in (4, 5, 6, 7, 8))


def save(mzj: User, fen: int) -> Any:
    return standard_enter(actor=mzj, year=2026, area_kind="rural", monthly_fen=fen, effective_from=datetime.date(2026, 1, 1))[1]


def through(roll: PaymentRoll, officer: User, mzj: User) -> PaymentRoll:
    roll = rolls.roll_approve_township(roll=rolls.roll_check(roll=roll, actor=officer), actor=officer)
    return rolls.roll_freeze(roll=rolls.roll_approve_district(roll=roll, actor=mzj), actor=mzj)


def frozen_months(township: Any, officer: User, mzj: User, *months: datetime.date) -> list[PaymentRoll]:
    return [through(rolls.roll_generate(township=township, month=m, actor=officer), officer, mzj) for m in months]


def test_a_raise_over_frozen_months_is_back_paid_once_through_the_roll(
    households: list[Household], township_officer: User, mzj: User, ft_officer: User
) -> None:
    zxz, ftz = households[0].township, households[3].township
    regular = frozen_months(zxz, township_officer, mzj, APR, MAY, JUNE)
    assert set(RollItem.objects.filter(roll__in=regular).values_list("standard_fen", flat=True)) == {62000}
    s = save(mzj, 65000)  # +30 yuan a person from January: April to June of 值夏镇 are with the bank
    assert s.from_months["ZXZ"] == "2026-07"
    back = rolls.roll_generate(township=zxz, month=JUNE, actor=township_officer, kind="backpay")
    lines = list(RollItem.objects.filter(roll=back).order_by("household__number", "month"))
    # 3,000 fen a person a month: 2, 3 and 1 people, for April, May and June
    assert [(i.household.number, i.month, i.amount_fen) for i in lines[:3]] == [
        ("ZXZ-0001", APR, 6000),
        ("ZXZ-0001", MAY, 6000),
        ("ZXZ-0001", JUNE, 6000),
    ]
    assert back.households == 3 and back.total_fen == (6000 + 9000 + 3000) * 3 and len(lines) == 9
    assert {i.kind for i in lines} == {"backpay"} and {i.standard_fen for i in lines} == {65000}
    back = through(back, township_officer, mzj)
    pays = Payment.objects.filter(roll=back)
    assert pays.count() == 9 and {p.kind for p in pays} == {"backpay"} and sum(p.amount_fen for p in pays) == 54000
    # the frozen monthly rolls are as they were
    assert [r.total_fen for r in PaymentRoll.objects.filter(pk__in=[r.pk for r in regular]).order_by("month")] == [135000] * 3
    # another back pay roll finds nothing left to pay for those months
    again = rolls.roll_generate(township=zxz, month=MAY, actor=township_officer, kind="backpay")
    assert again.households == 0 and again.total_fen == 0
    # the database refuses a second live back pay of a household and month
    p = pays.first()
    assert p is not None
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(roll=back, household=p.household, month=p.month, kind="backpay", amount_fen=1)
    # ... and a second line of the same kind on any roll
    with pytest.raises(IntegrityError), transaction.atomic():
        RollItem.objects.create(
            roll=again,
            household=p.household,
            enrolment_id=lines[0].enrolment_id,
            month=p.month,
            kind="backpay",
            people=1,
            amount_fen=1,
        )
    # 富滩镇 froze nothing: its register was recomputed from January, no back pay owed
    assert rolls.roll_generate(township=ftz, month=JUNE, actor=ft_officer, kind="backpay").households == 0
    assert AuditEntry.objects.filter(action="welfare.roll_generate", data__kind="backpay").count() == 3


def test_back_pay_roll_goes_stale_when_the_standard_moves_again(
    households: list[Household], township_officer: User, mzj: User
) -> None:
    zxz = households[0].township
    frozen_months(zxz, township_officer, mzj, JUNE)
    save(mzj, 65000)
    back = rolls.roll_generate(township=zxz, month=JUNE, actor=township_officer, kind="backpay")
    assert back.total_fen == 18000
    save(mzj, 66000)  # corrected before the back pay was approved
    back.refresh_from_db()
    assert back.status == "stale"
    assert rolls.roll_generate(township=zxz, month=JUNE, actor=township_officer, kind="backpay").total_fen == 24000
    # a back pay roll is approved and frozen like any other: not before it is checked
    with pytest.raises(rolls.WrongRollStatus) as wrong_roll_status:
        rolls.roll_approve_township(roll=back, actor=township_officer)
    assert wrong_roll_status.value.code == "welfare_roll_status"


def test_a_suspended_household_resumes_at_the_recomputed_amount(
    households: list[Household], township_officer: User, mzj: User
) -> None:
    h = households[1]  # ZXZ-0002: 3 people, 450 yuan at the standard of 620
    register.suspend(household=h, actor=township_officer, reason="外出务工联系不上", effective_month=JUNE)
    save(mzj, 65000)
    h.refresh_from_db()
    assert h.status == "suspended" and h.monthly_amount_fen == 45000  # the recompute passed it by
    c = register.resume(household=h, actor=township_officer, reason="已联系上，继续保障", effective_month=JULY)
    h.refresh_from_db()
    assert (c.new_amount_fen, c.standard_fen, h.monthly_amount_fen) == (54000, 65000, 54000)
    with time_machine.travel(datetime.datetime(2026, 6, 20, 10, tzinfo=TZ), tick=True):
        july = rolls.roll_generate(township=h.township, month=JULY, actor=township_officer)
    assert RollItem.objects.get(roll=july, household=h).amount_fen == 54000
    # a later raise moves it like every other household
    save(mzj, 66000)
    h.refresh_from_db()
    assert h.monthly_amount_fen == 57000


def test_a_later_decided_line_is_recomputed_too(households: list[Household], township_officer: User, mzj: User) -> None:
    h = households[0]  # 2 people, 600 yuan
    register.change_amount(household=h, actor=township_officer, new_amount_fen=50000, reason="务工收入增加", effective_month=AUG)
    save(mzj, 65000)
    lines = RegisterChange.objects.filter(household=h, standard_fen=65000).order_by("effective_month")
    assert [(c.effective_month, c.new_amount_fen) for c in lines] == [(datetime.date(2026, 1, 1), 66000), (AUG, 56000)]
    h.refresh_from_db()
    assert h.monthly_amount_fen == 56000
    with time_machine.travel(datetime.datetime(2026, 6, 20, 10, tzinfo=TZ), tick=True):
        july = rolls.roll_generate(township=h.township, month=JULY, actor=township_officer)
    assert RollItem.objects.get(roll=july, household=h).amount_fen == 66000
