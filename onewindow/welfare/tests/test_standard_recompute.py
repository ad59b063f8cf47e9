"""A new or corrected standard recomputes the allowance of every household in payment it applies
to: register lines (增发 / 减发) with the reason, from the month it takes effect but never into a
frozen month; rolls of later months not frozen become stale; saving it again changes nothing."""

from __future__ import annotations

import datetime
from typing import Any

from onewindow.accounts.models import User
from onewindow.core.models import AuditEntry
from onewindow.welfare.models import Household, Payment, RegisterChange, RollItem
from onewindow.welfare.services import register, rolls
from onewindow.welfare.services.standards import standard_enter

JAN, JUNE, JULY = datetime.date(2026, 1, 1), datetime.date(2026, 6, 1), datetime.date(2026, 7, 1)


def save(mzj: User, fen: int, year: int = 2026, kind: str = "rural") -> Any:
    return standard_enter(actor=mzj, year=year, area_kind=kind, monthly_fen=fen, effective_from=datetime.date(year, 1, 1))[1]


def amounts() -> dict[str, int]:
    return dict(Household.objects.values_list("number", "monthly_amount_fen"))


def test_a_raised_standard_recomputes_every_household_once(households: list[Household], mzj: User) -> None:
    assert set(RegisterChange.objects.values_list("standard_fen", flat=True)) == {62000}  # enrolments
    s = save(mzj, 65000)  # +30 yuan a person
    assert s.households == 4
    # amount + 3,000 fen × people: 2, 3, 1 and 2 people
    assert amounts() == {"ZXZ-0001": 66000, "ZXZ-0002": 54000, "ZXZ-0003": 33000, "FTZ-0001": 56000}
    c = RegisterChange.objects.filter(household__number="ZXZ-0002").order_by("-id").first()
    assert c is not None and c.kind == "increase" and (c.old_amount_fen, c.new_amount_fen) == (45000, 54000)
    assert c.effective_month == JAN and c.standard_fen == 65000 and "620.00" in c.reason and "650.00" in c.reason
    assert c.actor == mzj and c.new_people == 3
    entry = AuditEntry.objects.filter(action="welfare.standard_save").latest("id")
    assert entry.data["recomputed_households"] == 4
    # the same standard again: nothing new; a correction moves from what was written
    assert save(mzj, 65000).households == 0 and RegisterChange.objects.count() == 8
    save(mzj, 64000)
    assert amounts()["ZXZ-0002"] == 51000
    assert RegisterChange.objects.filter(household__number="ZXZ-0002").order_by("-id")[0].kind == "decrease"
    # urban households (none here) and the other kind's standard are untouched
    assert save(mzj, 90000, kind="urban").households == 0


def test_frozen_months_are_untouched_and_later_rolls_go_stale(
    households: list[Household], township_officer: User, ft_officer: User, mzj: User
) -> None:
    zxz, ftz = households[0].township, households[3].township
    frozen = rolls.roll_generate(township=zxz, month=JUNE, actor=township_officer)
    frozen = rolls.roll_approve_township(roll=rolls.roll_check(roll=frozen, actor=township_officer), actor=township_officer)
    frozen = rolls.roll_freeze(roll=rolls.roll_approve_district(roll=frozen, actor=mzj), actor=mzj)
    ft_roll = rolls.roll_generate(township=ftz, month=JUNE, actor=ft_officer)
    items_before = list(RollItem.objects.filter(roll=frozen).values_list("amount_fen", flat=True).order_by("amount_fen"))
    s = save(mzj, 65000)
    assert s.from_months == {"ZXZ": "2026-07", "FTZ": "2026-01"} and s.stale_rolls == 1
    # 值夏镇: June is with the bank; the new amounts start in July
    assert set(
        RegisterChange.objects.filter(household__township=zxz, standard_fen=65000).values_list("effective_month", flat=True)
    ) == {JULY}
    frozen.refresh_from_db()
    assert frozen.status == "frozen" and frozen.total_fen == 135000
    assert list(RollItem.objects.filter(roll=frozen).values_list("amount_fen", flat=True).order_by("amount_fen")) == items_before
    assert sorted(Payment.objects.filter(roll=frozen).values_list("amount_fen", flat=True)) == items_before
    # 富滩镇: its June roll was only generated: stale, and generated again at the new amount
    ft_roll.refresh_from_db()
    assert ft_roll.status == "stale"
    assert rolls.roll_generate(township=ftz, month=JUNE, actor=ft_officer).total_fen == 56000
    # a township's own change after the recompute builds on it (the standard it used is recorded)
    c = register.change_amount(
        household=households[0],
        actor=township_officer,
        new_amount_fen=60000,
        reason="务工收入增加",
        effective_month=datetime.date(2026, 8, 1),
    )
    assert c.old_amount_fen == 66000 and c.standard_fen == 65000


def test_a_past_years_standard_stops_where_the_next_year_starts(households: list[Household], mzj: User) -> None:
    # every household started in 2026, under 2026's standard: 2025's correction reaches nobody
    assert save(mzj, 70000, year=2025).households == 0
    assert amounts()["ZXZ-0001"] == 60000


def test_a_fall_to_zero_is_left_to_the_township(households: list[Household], township_officer: User, mzj: User) -> None:
    register.suspend(household=households[1], actor=township_officer, reason="联系不上", effective_month=JAN)
    s = save(mzj, 40000)  # −220 yuan a person: ZXZ-0001 (2 people, 600 yuan) would get 160; ZXZ-0003 80
    assert s.households == 3 and amounts()["ZXZ-0001"] == 16000
    s = save(mzj, 20000)  # another −200 a person: nobody stays above zero
    assert s.households == 0 and s.skipped_to_zero == 3
    assert Household.objects.get(number="ZXZ-0002").monthly_amount_fen == 45000  # suspended: as it was


def test_the_standards_page_says_what_was_recomputed(client: Any, households: list[Household], mzj: User) -> None:
    client.force_login(mzj)
    r = client.post(
        "/welfare/standards/",
        {"year": "2026", "area_kind": "rural", "monthly": "650.00", "effective_from": "2026-01-01"},
        follow=True,
    )
    assert r.status_code == 200 and "4 户在保家庭" in r.content.decode()
    assert amounts()["ZXZ-0001"] == 66000
