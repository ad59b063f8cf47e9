"""The register's and the money's waiting work has one owner who holds it (core/ownership.py)."""

from __future__ import annotations

import datetime
from typing import Any

from onewindow.accounts.models import RoleAssignment, User
from onewindow.core import ownership
from onewindow.welfare.models import Household, Payment
from onewindow.welfare.services import register as reg
from onewindow.welfare.services import rolls


def test_each_step_waits_for_its_owner(households: list[Household], township_officer: User, mzj: User, ft_officer: User) -> None:
    zxz = households[0].township
    roll = rolls.roll_generate(township=zxz, month=datetime.date(2026, 6, 1), actor=township_officer)
    assert [(w.action, w.owner.unit.code) for w in ownership.waiting_for(roll) if w.owner] == [("roll", "ZXZ")]
    roll = rolls.roll_approve_township(roll=rolls.roll_check(roll=roll, actor=township_officer), actor=township_officer)
    assert [w.owner.unit.code for w in ownership.waiting_for(roll) if w.owner] == ["MZJ"]
    roll = rolls.roll_freeze(roll=rolls.roll_approve_district(roll=roll, actor=mzj), actor=mzj)
    assert [w.action for w in ownership.waiting_for(roll)] == ["record"]
    p = Payment.objects.filter(roll=roll).first()
    assert p is not None
    rolls.payments_record(roll=roll, actor=mzj, paid_on=datetime.date(2026, 5, 12), failed={p.uuid: "销户"})
    roll.refresh_from_db()
    assert ownership.waiting_for(roll) == []
    p.refresh_from_db()
    assert [(w.action, w.owner.unit.code) for w in ownership.waiting_for(p) if w.owner] == [("reissue", "ZXZ")]
    rolls.payment_reissue(payment=p, actor=township_officer)
    assert ownership.waiting_for(p) == []
    report = reg.report_create(household=households[0], actor=township_officer, source="village", description="务工")
    assert [w.action for w in ownership.waiting_for(report)] == ["report"]
    # reviews due within 30 days: ZXZ-0001, ZXZ-0002 (ZXZ-0003 in September, FTZ-0001 also in May)
    actions = sorted((w.action, w.subject) for w in ownership.all_waiting() if w.key.startswith("welfare-"))
    assert ("review", "ZXZ-0001") in actions and ("review", "ZXZ-0003") not in actions and ("review", "FTZ-0001") in actions
    assert not [w for w in ownership.problems() if w.key.startswith("welfare-")]


def test_work_of_a_township_without_officers_waits_for_nobody(
    households: list[Household], ft_officer: User, township_officer: User, db: Any
) -> None:
    RoleAssignment.objects.filter(user=ft_officer).delete()
    bad = [w for w in ownership.problems() if w.key.startswith("welfare-")]
    assert [w.subject for w in bad] == ["FTZ-0001"] and "乡镇工作人员" in bad[0].problem
