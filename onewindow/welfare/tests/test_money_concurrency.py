"""Real concurrent connections against the roll: two generators make one roll, two approvers at
once give one approval, two re-issues of one failed payment give one. Run on SQLite too; the
PostgreSQL run (DATABASE_URL) is the one that matters (row locks, not a database-wide lock)."""

from __future__ import annotations

import datetime

import pytest

from onewindow.accounts.models import User
from onewindow.core.errors import ApplicationError
from onewindow.core.testing import run_concurrently
from onewindow.welfare.models import Household, Payment, PaymentRoll, RollItem
from onewindow.welfare.services import rolls

JUNE = datetime.date(2026, 6, 1)
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_generators_make_one_roll(households: list[Household], township_officer: User) -> None:
    zxz = households[0].township
    results = run_concurrently(lambda i: rolls.roll_generate(township=zxz, month=JUNE, actor=township_officer).pk, 4)
    assert all(isinstance(r, int) for r in results), results
    assert len(set(results)) == 1
    roll = PaymentRoll.objects.get(township=zxz, month=JUNE)
    assert RollItem.objects.filter(roll=roll).count() == 3 and roll.households == 3


def test_two_approvers_at_once_give_one_approval(households: list[Household], township_officer: User, mzj: User) -> None:
    roll = rolls.roll_generate(township=households[0].township, month=JUNE, actor=township_officer)
    roll = rolls.roll_approve_township(roll=rolls.roll_check(roll=roll, actor=township_officer), actor=township_officer)
    results = run_concurrently(lambda i: rolls.roll_approve_district(roll=roll, actor=mzj).status, 2)
    ok = [r for r in results if r == PaymentRoll.Status.DISTRICT_APPROVED]
    refused = [r for r in results if isinstance(r, rolls.WrongRollStatus)]
    assert len(ok) == 1 and len(refused) == 1, results
    # and two freezes at once write the payments once
    results = run_concurrently(lambda i: rolls.roll_freeze(roll=roll, actor=mzj).status, 2)
    assert sorted(str(type(r).__name__) for r in results) == ["WrongRollStatus", "str"], results
    assert Payment.objects.filter(roll=roll).count() == 3


def test_two_reissues_of_one_failed_payment_give_one(households: list[Household], township_officer: User, mzj: User) -> None:
    roll = rolls.roll_generate(township=households[0].township, month=JUNE, actor=township_officer)
    roll = rolls.roll_approve_township(roll=rolls.roll_check(roll=roll, actor=township_officer), actor=township_officer)
    roll = rolls.roll_freeze(roll=rolls.roll_approve_district(roll=roll, actor=mzj), actor=mzj)
    p = Payment.objects.filter(roll=roll).order_by("id").first()
    assert p is not None
    rolls.payments_record(roll=roll, actor=mzj, paid_on=datetime.date(2026, 5, 12), failed={p.uuid: "户名不符"})
    p.refresh_from_db()
    results = run_concurrently(lambda i: rolls.payment_reissue(payment=p, actor=township_officer).attempt, 3)
    assert results.count(2) == 1 and sum(isinstance(r, ApplicationError) for r in results) == 2, results
    assert Payment.objects.filter(household=p.household, month=JUNE, status__in=["pending", "paid"]).count() == 1


def test_two_back_pay_rolls_at_once_pay_each_household_and_month_once(
    households: list[Household], township_officer: User, mzj: User
) -> None:
    from onewindow.welfare.services.standards import standard_enter

    zxz = households[0].township
    for month in (datetime.date(2026, 5, 1), JUNE):
        r = rolls.roll_generate(township=zxz, month=month, actor=township_officer)
        r = rolls.roll_approve_township(roll=rolls.roll_check(roll=r, actor=township_officer), actor=township_officer)
        rolls.roll_freeze(roll=rolls.roll_approve_district(roll=r, actor=mzj), actor=mzj)
    standard_enter(actor=mzj, year=2026, area_kind="rural", monthly_fen=65000, effective_from=datetime.date(2026, 1, 1))
    # two officers generate back pay rolls of two different months at the same moment
    months = [datetime.date(2026, 5, 1), JUNE]
    results = run_concurrently(
        lambda i: rolls.roll_generate(township=zxz, month=months[i], actor=township_officer, kind="backpay").households, 2
    )
    assert all(isinstance(r, int | ApplicationError) for r in results), results
    items = RollItem.objects.filter(kind="backpay")
    assert items.count() == 6  # 3 households × May and June, once
    assert items.values("household_id", "month").distinct().count() == 6
    back = PaymentRoll.objects.filter(kind="backpay", households=3).get()
    back = rolls.roll_approve_township(roll=rolls.roll_check(roll=back, actor=township_officer), actor=township_officer)
    back = rolls.roll_approve_district(roll=back, actor=mzj)
    freezes = run_concurrently(lambda i: rolls.roll_freeze(roll=back, actor=mzj).status, 2)
    assert sorted(type(r).__name__ for r in freezes) == ["WrongRollStatus", "str"], freezes
    assert Payment.objects.filter(kind="backpay").count() == 6
    assert Payment.objects.filter(kind="regular").count() == 6
