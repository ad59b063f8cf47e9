"""The register and the money through the services: standards, changes, exits, reviews, rolls,
payments and re-issues, with their refusals."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from onewindow.accounts.models import OrgUnit, User
from onewindow.core.errors import ApplicationError, PermissionDenied
from onewindow.core.models import AuditEntry
from onewindow.core.testing import is_postgres
from onewindow.welfare import selectors_money as sel
from onewindow.welfare.models import Enrolment, Household, Member, Payment, PaymentRoll, RegisterChange, RollItem, Standard
from onewindow.welfare.services import register as reg
from onewindow.welfare.services import rolls
from onewindow.welfare.services.standards import standard_save

from .money_fixtures import TODAY

JUNE = datetime.date(2026, 6, 1)
MAY = datetime.date(2026, 5, 1)


def test_the_district_enters_standards_and_nobody_else(mzj: User, township_officer: User, db: Any) -> None:
    s = standard_save(actor=mzj, year=2027, area_kind="urban", monthly_fen=85000, effective_from=datetime.date(2027, 1, 1))
    assert (s.year, s.monthly_fen) == (2027, 85000)
    s = standard_save(actor=mzj, year=2027, area_kind="urban", monthly_fen=86000, effective_from=datetime.date(2027, 1, 1))
    assert Standard.objects.get(year=2027, area_kind="urban").monthly_fen == 86000
    assert AuditEntry.objects.filter(action="welfare.standard_save").count() == 2
    with pytest.raises(PermissionDenied) as denied:
        standard_save(
            actor=township_officer, year=2027, area_kind="rural", monthly_fen=1, effective_from=datetime.date(2027, 1, 1)
        )
    assert denied.value.code == "permission_denied"
    for bad in (
        {"monthly_fen": -5},
        {"monthly_fen": 0},
        {"area_kind": "mars"},
        {"effective_from": datetime.date(2026, 12, 1)},
    ):
        kw: dict[str, Any] = {
            "year": 2027,
            "area_kind": "rural",
            "monthly_fen": 62000,
            "effective_from": datetime.date(2027, 1, 1),
            **bad,
        }
        with pytest.raises(ApplicationError) as exc:
            standard_save(actor=mzj, **kw)
        assert exc.value.code == "validation_failed"
        assert exc.value.status == 422
    assert not Standard.objects.filter(year=2027, area_kind="rural").exists()


def test_a_decrease_takes_effect_next_month_and_is_in_the_history(households: list[Household], township_officer: User) -> None:
    h = households[0]
    change = reg.change_amount(household=h, actor=township_officer, new_amount_fen=40000, reason="儿子务工收入增加")
    assert change.kind == RegisterChange.Kind.DECREASE
    assert (change.old_amount_fen, change.new_amount_fen, change.effective_month) == (60000, 40000, JUNE)
    h.refresh_from_db()
    assert h.monthly_amount_fen == 40000
    kinds = [c.kind for c in sel.household_history(h)]
    assert kinds == ["decrease", "enrol"]
    # May is still paid at the old amount, June at the new one
    may = rolls.roll_generate(township=h.township, month=MAY, actor=township_officer)
    june = rolls.roll_generate(township=h.township, month=JUNE, actor=township_officer)
    assert RollItem.objects.get(roll=may, household=h).amount_fen == 60000
    assert RollItem.objects.get(roll=june, household=h).amount_fen == 40000
    up = reg.change_amount(household=h, actor=township_officer, new_amount_fen=50000, new_people=3, reason="新增成员")
    assert up.kind == RegisterChange.Kind.INCREASE and up.old_people == 2 and up.new_people == 3
    # the June roll no longer matches the register: it must be generated again
    june.refresh_from_db()
    assert june.status == PaymentRoll.Status.STALE


@pytest.mark.parametrize(
    ("kw", "code", "field"),
    [
        ({"new_amount_fen": -100}, "validation_failed", "new_amount_fen"),
        ({"new_amount_fen": 0}, "validation_failed", "new_amount_fen"),
        ({"new_amount_fen": 60000}, "welfare_no_change", None),  # no change
        ({"new_amount_fen": 50000, "reason": "  "}, "validation_failed", "reason"),
        # before the payment started
        ({"new_amount_fen": 50000, "effective_month": datetime.date(2025, 12, 1)}, "validation_failed", "effective_month"),
    ],
)
def test_bad_changes_store_nothing(
    households: list[Household], township_officer: User, kw: dict[str, Any], code: str, field: str | None
) -> None:
    h = households[0]
    with pytest.raises(ApplicationError) as refused:
        reg.change_amount(household=h, actor=township_officer, **{"reason": "收入变化", **kw})
    assert refused.value.code == code and set(refused.value.fields) == ({field} if field else set())
    assert RegisterChange.objects.filter(household=h).count() == 1
    h.refresh_from_db()
    assert h.monthly_amount_fen == 60000


def test_only_the_households_township_changes_it(households: list[Household], ft_officer: User, mzj: User) -> None:
    for who in (ft_officer, mzj):
        with pytest.raises(PermissionDenied) as denied:
            reg.change_amount(household=households[0], actor=who, new_amount_fen=1000, reason="x")
        assert denied.value.code == "permission_denied"


def test_a_change_cannot_reach_into_an_approved_month(households: list[Household], township_officer: User) -> None:
    h = households[0]
    roll = rolls.roll_generate(township=h.township, month=JUNE, actor=township_officer)
    rolls.roll_check(roll=roll, actor=township_officer)
    rolls.roll_approve_township(roll=roll, actor=township_officer)
    with pytest.raises(reg.MonthDecided) as month_decided:
        reg.change_amount(household=h, actor=township_officer, new_amount_fen=1000, reason="x", effective_month=JUNE)
    assert month_decided.value.code == "welfare_month_decided"
    c = reg.change_amount(
        household=h, actor=township_officer, new_amount_fen=1000, reason="x", effective_month=datetime.date(2026, 7, 1)
    )
    assert c.effective_month == datetime.date(2026, 7, 1)


def test_suspend_and_resume(households: list[Household], township_officer: User) -> None:
    h = households[1]
    reg.suspend(household=h, actor=township_officer, reason="连续两次联系不上，暂停待核实")
    h.refresh_from_db()
    assert h.status == Household.Status.SUSPENDED
    june = rolls.roll_generate(township=h.township, month=JUNE, actor=township_officer)
    assert not RollItem.objects.filter(roll=june, household=h).exists()
    with pytest.raises(reg.NotInPayment) as not_in_payment:
        reg.change_amount(household=h, actor=township_officer, new_amount_fen=1000, reason="x")
    assert not_in_payment.value.code == "welfare_not_in_payment"
    reg.resume(household=h, actor=township_officer, reason="已核实", effective_month=datetime.date(2026, 7, 1))
    h.refresh_from_db()
    july = rolls.roll_generate(township=h.township, month=datetime.date(2026, 6, 1), actor=township_officer)
    assert not RollItem.objects.filter(roll=july, household=h).exists()  # still suspended in June
    assert [c.kind for c in sel.household_history(h)] == ["resume", "suspend", "enrol"]
    assert h.status == Household.Status.IN_PAYMENT and h.monthly_amount_fen == 45000


def test_exit_ends_the_enrolment_and_frees_the_members(
    households: list[Household], township_officer: User, org: dict[str, OrgUnit]
) -> None:
    h = households[0]
    with pytest.raises(ApplicationError) as refused:
        reg.exit_household(household=h, actor=township_officer, end_reason="bored", reason="x")
    assert refused.value.code == "validation_failed" and set(refused.value.fields) == {"end_reason"}
    change = reg.exit_household(household=h, actor=township_officer, end_reason="income_rose", reason="家庭人均收入超过标准")
    assert change.kind == RegisterChange.Kind.STOP and change.new_amount_fen == 0
    e = Enrolment.objects.get(household=h)
    assert e.ended_on == TODAY and e.end_reason == "income_rose"
    assert not Member.objects.filter(household=h, in_payment=True).exists()
    h.refresh_from_db()
    assert h.status == Household.Status.EXITED and h.monthly_amount_fen == 0
    assert not RollItem.objects.filter(
        roll=rolls.roll_generate(township=h.township, month=JUNE, actor=township_officer), household=h
    )
    # a member who left may now be in payment in another household; moving out is an exit, not a stop
    other = households[1]
    head = h.members.first()
    assert head is not None
    Member.objects.create(household=other, name=head.name, id_number=head.id_number, relationship="other", in_payment=True)
    change = reg.exit_household(household=other, actor=township_officer, end_reason="moved", reason="全户迁往吉州区")
    assert change.kind == RegisterChange.Kind.EXIT
    with pytest.raises(reg.NotInPayment) as not_in_payment:
        reg.exit_household(household=other, actor=township_officer, end_reason="moved", reason="again")
    assert not_in_payment.value.code == "welfare_not_in_payment"


def test_reports_and_reviews(households: list[Household], township_officer: User) -> None:
    h = households[0]
    report = reg.report_create(
        household=h, actor=township_officer, source="household", description="长子外出务工，月收入约2000元"
    )
    assert list(sel.open_reports(township_officer)) == [report]
    reg.change_amount(household=h, actor=township_officer, new_amount_fen=30000, reason="务工收入", report=report)
    report.refresh_from_db()
    assert report.status == "handled" and not sel.open_reports(township_officer).exists()
    with pytest.raises(ApplicationError) as refused:
        reg.report_create(household=h, actor=township_officer, source="household", description="")
    assert refused.value.code == "validation_failed" and set(refused.value.fields) == {"description"}
    due = [x.number for x in sel.reviews_due(township_officer)]
    assert due == ["ZXZ-0001", "ZXZ-0002"]  # ZXZ-0003 is due in September
    review = reg.review_record(
        household=h, actor=township_officer, findings="入户核查，无变化", outcome="unchanged", review_class="medium"
    )
    h.refresh_from_db()
    assert review.due_on == datetime.date(2026, 5, 30)
    assert h.next_review_on == datetime.date(2026, 11, 12)  # half-yearly (B class)
    assert [x.number for x in sel.reviews_due(township_officer)] == ["ZXZ-0002"]


def test_review_months_are_a_setting(settings: Any) -> None:
    assert reg.next_review(datetime.date(2026, 1, 31), "changing") == datetime.date(2026, 4, 30)
    settings.WELFARE_REVIEW_MONTHS = {"changing": 2}
    assert reg.next_review(datetime.date(2026, 1, 31), "changing") == datetime.date(2026, 3, 31)
    assert reg.next_review(datetime.date(2026, 1, 31), "stable") == datetime.date(2027, 1, 31)


def test_the_roll_from_generation_to_payment(
    households: list[Household], township_officer: User, mzj: User, ft_officer: User
) -> None:
    zxz = households[0].township
    roll = rolls.roll_generate(township=zxz, month=JUNE, actor=township_officer)
    assert (roll.households, roll.people, roll.total_fen) == (3, 6, 135000)
    # again: the same lines, still one roll
    roll = rolls.roll_generate(township=zxz, month=JUNE, actor=township_officer)
    assert PaymentRoll.objects.filter(township=zxz, month=JUNE).count() == 1 and RollItem.objects.filter(roll=roll).count() == 3
    with pytest.raises(PermissionDenied) as denied:
        rolls.roll_generate(township=zxz, month=JUNE, actor=ft_officer)
    assert denied.value.code == "permission_denied"
    with pytest.raises(ApplicationError) as refused:
        rolls.roll_generate(township=zxz, month=datetime.date(2026, 8, 1), actor=township_officer)  # too far ahead
    assert refused.value.code == "validation_failed" and set(refused.value.fields) == {"month"}
    # the steps in order, each by its own role
    with pytest.raises(rolls.WrongRollStatus) as wrong_roll_status:
        rolls.roll_approve_township(roll=roll, actor=township_officer)
    assert wrong_roll_status.value.code == "welfare_roll_status"
    with pytest.raises(PermissionDenied) as denied:
        rolls.roll_check(roll=roll, actor=mzj)
    assert denied.value.code == "permission_denied"
    roll = rolls.roll_check(roll=roll, actor=township_officer)
    roll = rolls.roll_approve_township(roll=roll, actor=township_officer)
    with pytest.raises(PermissionDenied) as denied:
        rolls.roll_approve_district(roll=roll, actor=township_officer)
    assert denied.value.code == "permission_denied"
    with pytest.raises(rolls.RollApproved) as roll_approved:
        rolls.roll_generate(township=zxz, month=JUNE, actor=township_officer)
    assert roll_approved.value.code == "welfare_roll_approved"
    roll = rolls.roll_approve_district(roll=roll, actor=mzj)
    with pytest.raises(rolls.WrongRollStatus) as wrong_roll_status:
        rolls.roll_approve_district(roll=roll, actor=mzj)
    assert wrong_roll_status.value.code == "welfare_roll_status"
    roll = rolls.roll_freeze(roll=roll, actor=mzj)
    assert roll.status == PaymentRoll.Status.FROZEN
    with pytest.raises(rolls.RollFrozen) as exc:
        rolls.roll_generate(township=zxz, month=JUNE, actor=township_officer)
    assert exc.value.code == "welfare_roll_frozen"
    assert "已冻结" in str(exc.value.message)
    rows = list(sel.bank_rows(roll))
    assert [r[1] for r in rows] == ["ZXZ-0001", "ZXZ-0002", "ZXZ-0003"]
    assert rows[0][3] == "王秀兰" and rows[0][5] == "6217000012345678" and rows[0][6] == 60000
    # the bank's return: one failed, the rest paid
    failed = rows[1][0]
    with pytest.raises(ApplicationError) as refused:
        rolls.payments_record(roll=roll, actor=township_officer, paid_on=datetime.date(2026, 5, 12), failed={failed: ""})
    assert refused.value.code == "validation_failed" and set(refused.value.fields) == {"failed"}
    out = rolls.payments_record(
        roll=roll, actor=township_officer, paid_on=datetime.date(2026, 5, 12), failed={failed: "账户已销户"}
    )
    assert out == {"paid": 2, "failed": 1}
    bad = Payment.objects.get(uuid=failed)
    assert bad.status == "failed"
    with pytest.raises(PermissionDenied) as denied:
        rolls.payment_reissue(payment=bad, actor=ft_officer)
    assert denied.value.code == "permission_denied"
    with pytest.raises(ApplicationError) as refused:
        rolls.payment_reissue(payment=bad, actor=township_officer, bank_account="12ab")
    assert refused.value.code == "validation_failed" and set(refused.value.fields) == {"bank_account"}
    again = rolls.payment_reissue(payment=bad, actor=township_officer, bank_account="6228480012345678901")
    assert again.attempt == 2 and again.status == "pending" and again.bank_account == "6228480012345678901"
    with pytest.raises(ApplicationError) as refused:
        rolls.payment_reissue(payment=bad, actor=township_officer)
    assert refused.value.code == "welfare_reissued"
    assert [r[1] for r in sel.bank_rows(roll)] == ["ZXZ-0002"]  # the re-issue file
    paid = Payment.objects.filter(status="paid").first()
    assert paid is not None
    with pytest.raises(ApplicationError) as refused:
        rolls.payment_reissue(payment=paid, actor=township_officer)
    assert refused.value.code == "welfare_not_failed"


def test_nothing_is_paid_twice_for_a_household_and_month(households: list[Household], township_officer: User, mzj: User) -> None:
    roll = rolls.roll_generate(township=households[0].township, month=JUNE, actor=township_officer)
    for step in (rolls.roll_check, rolls.roll_approve_township):
        roll = step(roll=roll, actor=township_officer)
    roll = rolls.roll_freeze(roll=rolls.roll_approve_district(roll=roll, actor=mzj), actor=mzj)
    p = Payment.objects.filter(roll=roll).first()
    assert p is not None
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(roll=roll, household=p.household, month=p.month, amount_fen=1, attempt=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        RollItem.objects.create(
            roll=roll,
            household=p.household,
            enrolment=Enrolment.objects.get(household=p.household),
            month=JUNE,
            people=1,
            amount_fen=1,
        )


@pytest.mark.postgres
def test_a_roll_line_belongs_to_its_enrolment_and_its_household(households: list[Household], township_officer: User) -> None:
    """Migration 0010: one composite foreign key (enrolment, household) instead of one key each —
    a line naming another household than its enrolment's, an enrolment that does not exist, or an
    enrolment deleted under its lines is refused by the database."""
    if not is_postgres():
        pytest.skip("the composite key is PostgreSQL's (SQLite cannot add one to a table)")
    roll = rolls.roll_generate(township=households[0].township, month=JUNE, actor=township_officer)
    line = RollItem.objects.filter(roll=roll).order_by("id").first()
    assert line is not None
    other = Enrolment.objects.exclude(household_id=line.household_id).first()
    assert other is not None
    with connection.cursor() as cur:
        for statements in (
            [("UPDATE welfare_rollitem SET household_id = %s WHERE id = %s", [other.household_id, line.pk])],
            [("UPDATE welfare_rollitem SET enrolment_id = %s WHERE id = %s", [other.pk, line.pk])],
            [("UPDATE welfare_rollitem SET enrolment_id = -1 WHERE id = %s", [line.pk])],
            [  # the register lines' own key would refuse it first: without them, only the roll line's
                ("DELETE FROM welfare_registerchange WHERE enrolment_id = %s", [line.enrolment_id]),
                ("DELETE FROM welfare_enrolment WHERE id = %s", [line.enrolment_id]),
            ],
        ):
            with pytest.raises(IntegrityError), transaction.atomic():
                cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the key is deferred to the commit, as Django's are
                for sql, params in statements:
                    cur.execute(sql, params)
    # the enrolment's and household's lines as written: unchanged
    assert RollItem.objects.get(pk=line.pk).household_id == Enrolment.objects.get(pk=line.enrolment_id).household_id


def test_register_search_and_the_audited_file(
    households: list[Household], township_officer: User, mzj: User, ft_officer: User
) -> None:
    head = households[1].members.order_by("id").first()
    assert head is not None
    assert [h.number for h in sel.register_search(township_officer, q=head.id_number)] == ["ZXZ-0002"]
    assert [h.number for h in sel.register_search(township_officer, q="zxz-000")] == ["ZXZ-0001", "ZXZ-0002", "ZXZ-0003"]
    assert [h.number for h in sel.register_search(township_officer, q="刘")] == ["ZXZ-0002"]
    assert sel.register_search(township_officer, q="郭") == []  # another township's household
    assert [h.number for h in sel.register_search(mzj, q="郭")] == ["FTZ-0001"]
    assert [getattr(h, "head_name", None) for h in sel.register_search(ft_officer)] == ["郭春花"]
    before = AuditEntry.objects.filter(action="welfare.household_read").count()
    sel.household_file(mzj, households[0].uuid)
    assert AuditEntry.objects.filter(action="welfare.household_read").count() == before + 1
    with pytest.raises(ApplicationError) as refused:
        sel.household_file(ft_officer, households[0].uuid)
    assert refused.value.code == "not_found"


# Statements per register search: who may read (one: `scope.reader`), the audit row in its own
# transaction (here, inside the test's transaction, a savepoint and its release around the INSERT;
# in a request BEGIN and COMMIT, which the count does not see), then one for an ID number or a
# household number and two for a name. At a million households the search's time is these round
# trips, not its rows (docs/welfare.md, benchmark), so the ceilings keep them from creeping back
# (before: district 6/6/7, officer 8/8/10).
SEARCH_STATEMENTS = {"district": {"id": 5, "number": 5, "name": 6}, "officer": {"id": 5, "number": 5, "name": 6}}


@pytest.mark.parametrize("who", ["district", "officer"])
def test_register_search_statement_ceilings(
    households: list[Household], township_officer: User, mzj: User, who: str, django_assert_max_num_queries: Any
) -> None:
    user = mzj if who == "district" else township_officer
    head = households[1].members.order_by("id").first()
    assert head is not None
    terms = {"id": head.id_number, "number": "ZXZ-000", "name": head.name[:1]}
    for kind, q in terms.items():
        before = AuditEntry.objects.filter(action="welfare.register_search").count()
        with django_assert_max_num_queries(SEARCH_STATEMENTS[who][kind]):
            rows = sel.register_search(user, q=q)
        assert "ZXZ-0002" in [h.number for h in rows], kind
        assert AuditEntry.objects.filter(action="welfare.register_search").count() == before + 1  # each read audited
