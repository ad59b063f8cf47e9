"""The monthly payment roll (发放名册) per township, its approvals and the payments.

社会救助暂行办法 art. 12 and the 2021 最低生活保障审核确认办法 (管理和监督, 社会化发放): the
allowance is paid monthly into the household's bank account. The district's procedure: the
township generates the month's roll from the register, checks it and approves it; the district
民政局 approves it and freezes it; the bank pays from the frozen roll's file; a failed transfer is
re-issued; nothing is paid twice for a household and month (the partial unique constraint on
`Payment`, not a check before insert).

Generation and freezing are single INSERT … SELECT statements (composed from ORM querysets), so a
province-size roll is written by the database, not row by row in Python (bench/welfare_roll.py).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import OrgUnit
from onewindow.core.audit import audit
from onewindow.core.errors import Conflict, ValidationFailed

from .. import scope
from ..models import Enrolment, Household, Payment, PaymentRoll, RegisterChange, RollItem, Standard
from ..months import add_months, month_start

S = PaymentRoll.Status


class RollFrozen(Conflict):
    code = "welfare_roll_frozen"

    def __init__(self, roll: PaymentRoll) -> None:
        super().__init__(
            _("%(township)s %(month)s 的发放名册已冻结，不能重新生成。")
            % {"township": roll.township.name, "month": f"{roll.month:%Y-%m}"}
        )


class RollApproved(Conflict):
    code = "welfare_roll_approved"

    def __init__(self) -> None:
        super().__init__(_("该发放名册已经审批，不能重新生成。"))


class WrongRollStatus(Conflict):
    code = "welfare_roll_status"

    def __init__(self, roll: PaymentRoll, expected: str) -> None:
        super().__init__(
            _("发放名册当前状态为“%(status)s”，不能%(action)s。") % {"status": roll.get_status_display(), "action": expected}
        )


def _now_user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _standard_case(alias: str, month_sql: str, **county: Any) -> tuple[str, list[Any]]:
    """SQL for the per-person standard in force in `month_sql` for the household `alias` (by its
    area kind): the year's standard from the month it takes effect, last year's before that. The
    standards are one county's (`county_id=…`, or `county__units=<township id>`: the roll's)."""
    whens: list[str] = []
    params: list[Any] = []
    for s in Standard.objects.filter(**county).order_by("-effective_from", "-year"):
        whens.append(f"WHEN {alias}.area_kind = %s AND {month_sql} >= %s THEN {int(s.monthly_fen)}")
        params += [s.area_kind, month_start(s.effective_from)]
    if not whens:
        return "NULL", []
    return "CASE " + " ".join(whens) + " END", params


def fill(roll: PaymentRoll) -> None:
    """Write the roll's lines (one INSERT … SELECT) and its totals (not saved)."""
    table = RollItem._meta.db_table
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {table} WHERE roll_id = %s", [roll.pk])  # noqa: S608 - table name from the model
        if roll.kind == PaymentRoll.Kind.BACKPAY:
            _fill_backpay(cur, roll)
        else:
            _fill_regular(cur, roll)
    totals = RollItem.objects.filter(roll=roll).aggregate(
        h=Count("household_id", distinct=True), p=Sum("people"), t=Sum("amount_fen")
    )
    roll.households = totals["h"] or 0
    roll.people = totals["p"] or 0
    roll.total_fen = totals["t"] or 0


def _fill_regular(cur: Any, roll: PaymentRoll) -> None:
    _fill_regular_county(cur, [roll.pk], county__units=roll.township_id)


def fill_regular_many(cur: Any, roll_ids: list[int]) -> None:
    """`_fill_regular_county` of rolls of any counties, a statement per county (each county's
    lines by its own standards)."""
    by_county: dict[str, list[int]] = {}
    for pk, county in PaymentRoll.objects.filter(pk__in=roll_ids).values_list("pk", "township__county_id"):
        by_county.setdefault(county, []).append(pk)
    for county, ids in sorted(by_county.items()):
        _fill_regular_county(cur, ids, county_id=county)


def _fill_regular_county(cur: Any, roll_ids: list[int], **county: Any) -> None:
    """The lines of monthly rolls (one INSERT … SELECT for all of them; the demo writes years of
    rolls with it): each enrolment of the roll's township started by its month, at the amount and
    people of its latest register change at or before the month (found by the `(enrolment,
    effective_month, id)` index; an enrolment without changes: as confirmed, while open), with the
    standard that amount was computed with (or the one in force that month); lines with nothing to
    pay dropped.

    PostgreSQL: the change in force is a `LEFT JOIN LATERAL (… ORDER BY effective_month DESC, id
    DESC LIMIT 1)`, one backward index probe per enrolment. The portable form below (the change's
    id from a correlated subquery, then joined by id) made PostgreSQL hash the whole register-change
    table and run the subquery twice per line: EXPLAIN ANALYZE of one township's 110,555 lines at
    a million households, 2026-12-07, 9.1 s for the SELECT (222,235 subquery runs, a 1.1-million-row
    hash in 16 batches) — see docs/welfare.md. SQLite has no LATERAL; there the subquery form is
    fast (0.6 s for the demo's 160,000 lines of six years)."""
    rc, en, hh = RegisterChange._meta.db_table, Enrolment._meta.db_table, Household._meta.db_table
    item, pr = RollItem._meta.db_table, PaymentRoll._meta.db_table
    in_force, std_params = _standard_case("x", "x.month", **county)
    amount = "COALESCE(c.new_amount_fen, CASE WHEN x.ended_on IS NULL THEN x.monthly_amount_fen ELSE 0 END)"
    ids = ",".join(str(int(i)) for i in roll_ids)
    if connection.vendor == "postgresql":
        source = f"""(
            SELECT r.id AS roll_id, r.month, e.id, e.household_id, e.people, e.ended_on, e.monthly_amount_fen, h.area_kind
            FROM {pr} r JOIN {hh} h ON h.township_id = r.township_id
            JOIN {en} e ON e.household_id = h.id AND e.starts_month <= r.month
            WHERE r.id IN ({ids})
        ) x LEFT JOIN LATERAL (
            SELECT c2.new_amount_fen, c2.new_people, c2.standard_fen FROM {rc} c2
            WHERE c2.enrolment_id = x.id AND c2.effective_month <= x.month
            ORDER BY c2.effective_month DESC, c2.id DESC LIMIT 1
        ) c ON true"""  # noqa: S608 - table names from the models, ids ints
    else:
        source = f"""(
            SELECT r.id AS roll_id, r.month, e.id, e.household_id, e.people, e.ended_on, e.monthly_amount_fen, h.area_kind,
                   (SELECT c2.id FROM {rc} c2 WHERE c2.enrolment_id = e.id AND c2.effective_month <= r.month
                    ORDER BY c2.effective_month DESC, c2.id DESC LIMIT 1) AS cid
            FROM {pr} r JOIN {hh} h ON h.township_id = r.township_id
            JOIN {en} e ON e.household_id = h.id AND e.starts_month <= r.month
            WHERE r.id IN ({ids})
        ) x LEFT JOIN {rc} c ON c.id = x.cid"""  # noqa: S608 - table names from the models, ids ints
    cur.execute(
        f"""INSERT INTO {item} (roll_id, household_id, enrolment_id, month, kind, people, amount_fen, standard_fen)
        SELECT x.roll_id, x.household_id, x.id, x.month, 'regular', COALESCE(c.new_people, x.people), {amount},
               COALESCE(c.standard_fen, {in_force})
        FROM {source}
        WHERE {amount} > 0""",  # noqa: S608 - table names from the models
        std_params,
    )


BACKPAY_YEARS = 2  # a back pay reaches the frozen months of this year and last year


def _fill_backpay(cur: Any, roll: PaymentRoll) -> None:
    """补发: for every household line of the township's frozen monthly rolls (this year and last)
    paid at a lower standard than the one now in force for that month, the difference times the
    people, once per household and month (a month already on a back pay roll is left out: the
    unique (household, month, kind) constraint would refuse it)."""
    item, pr, hh = RollItem._meta.db_table, PaymentRoll._meta.db_table, Household._meta.db_table
    target, std_params = _standard_case("h", "i.month", county__units=roll.township_id)
    since = datetime.date(roll.month.year - BACKPAY_YEARS + 1, 1, 1)
    cur.execute(
        f"""INSERT INTO {item} (roll_id, household_id, enrolment_id, month, kind, people, amount_fen, standard_fen)
        SELECT %s, i.household_id, i.enrolment_id, i.month, 'backpay', i.people, ({target} - i.standard_fen) * i.people,
               {target}
        FROM {item} i JOIN {pr} r ON r.id = i.roll_id JOIN {hh} h ON h.id = i.household_id
        WHERE r.township_id = %s AND r.kind = 'regular' AND r.status = 'frozen' AND r.month >= %s
          AND i.kind = 'regular' AND i.standard_fen IS NOT NULL AND {target} > i.standard_fen
          AND NOT EXISTS (SELECT 1 FROM {item} b WHERE b.household_id = i.household_id AND b.month = i.month
                          AND b.kind = 'backpay')""",  # noqa: S608 - table names from the models
        [roll.pk, *std_params, *std_params, roll.township_id, since, *std_params],
    )


def roll_generate(*, township: OrgUnit, month: datetime.date, actor: Any, kind: str = PaymentRoll.Kind.REGULAR) -> PaymentRoll:
    """Generate (or generate again, until the township approves it) a township's roll for a month.

    Two generators at once make one roll: the unique (township, month) constraint lets one insert
    it, the other waits on the row lock and regenerates the same lines.

    `kind="backpay"`: the township's 补发 roll paid in `month` (`_fill_backpay`), through the same
    check, two approvals and freeze."""
    scope.require_township(actor, township)
    if kind not in PaymentRoll.Kind.values:
        raise ValidationFailed(_("名册类型不正确。"), fields={"kind": [_("名册类型不正确。")]})
    if month.day != 1:
        raise ValidationFailed(_("发放月份不正确。"), fields={"month": [_("发放月份不正确。")]})
    latest = add_months(month_start(timezone.localdate()), 1)
    if month > latest:
        raise ValidationFailed(_("最多只能生成下个月的发放名册。"), fields={"month": [_("发放月份不正确。")]})
    now = timezone.now()
    with transaction.atomic():
        roll = PaymentRoll.objects.select_for_update().filter(township=township, month=month, kind=kind).first()
        if roll is None:
            try:
                with transaction.atomic():
                    roll = PaymentRoll.objects.create(township=township, month=month, kind=kind)
            except IntegrityError:
                roll = PaymentRoll.objects.select_for_update().get(township=township, month=month, kind=kind)
        roll.township = township
        if roll.status == S.FROZEN:
            raise RollFrozen(roll)
        if roll.status in (S.TOWNSHIP_APPROVED, S.DISTRICT_APPROVED):
            raise RollApproved()
        try:
            with transaction.atomic():
                fill(roll)
        except IntegrityError:
            # another roll (a back pay roll of another month) took the same household and month just now
            raise Conflict(_("部分家庭该月已列入另一份名册，请刷新后重新生成。"), code="welfare_item_taken") from None
        roll.status = S.GENERATED
        roll.generated_at = now
        roll.generated_by = _now_user(actor)
        roll.checked_at = roll.checked_by = None
        roll.save()
        audit(
            actor=actor,
            action="welfare.roll_generate",
            target=roll,
            data={
                "month": f"{month:%Y-%m}",
                "kind": kind,
                "households": roll.households,
                "people": roll.people,
                "total_fen": roll.total_fen,
            },
        )
    return roll


def _advance(roll: PaymentRoll, *, actor: Any, frm: str, to: str, at: str, by: str, action: str, words: Any) -> PaymentRoll:
    """One approval step as a conditional UPDATE: of two approvers at once, one moves the roll and
    the other is told it already moved."""
    now = timezone.now()
    with transaction.atomic():
        moved = PaymentRoll.objects.filter(pk=roll.pk, status=frm).update(
            status=to, **{at: now, by: _now_user(actor)}, updated_at=now
        )
        if not moved:
            raise WrongRollStatus(PaymentRoll.objects.get(pk=roll.pk), str(words))
        roll = PaymentRoll.objects.select_related("township").get(pk=roll.pk)
        audit(actor=actor, action=action, target=roll, data={"month": f"{roll.month:%Y-%m}", "status": to})
    return roll


def roll_check(*, roll: PaymentRoll, actor: Any) -> PaymentRoll:
    """核对: the township's staff compared the roll with last month's (`selectors_money.roll_diff`)."""
    scope.require_township(actor, roll.township)
    return _advance(
        roll,
        actor=actor,
        frm=S.GENERATED,
        to=S.CHECKED,
        at="checked_at",
        by="checked_by",
        action="welfare.roll_check",
        words=_("核对"),
    )


def roll_approve_township(*, roll: PaymentRoll, actor: Any) -> PaymentRoll:
    scope.require_township(actor, roll.township)
    return _advance(
        roll,
        actor=actor,
        frm=S.CHECKED,
        to=S.TOWNSHIP_APPROVED,
        at="township_approved_at",
        by="township_approved_by",
        action="welfare.roll_approve_township",
        words=_("乡镇审批"),
    )


def roll_approve_district(*, roll: PaymentRoll, actor: Any) -> PaymentRoll:
    scope.require_district(actor, roll.township)
    return _advance(
        roll,
        actor=actor,
        frm=S.TOWNSHIP_APPROVED,
        to=S.DISTRICT_APPROVED,
        at="district_approved_at",
        by="district_approved_by",
        action="welfare.roll_approve_district",
        words=_("区民政局审批"),
    )


def roll_return(*, roll: PaymentRoll, actor: Any, reason: str) -> PaymentRoll:
    """The district sends an approved roll back to the township (to be generated again)."""
    scope.require_district(actor, roll.township)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("请填写退回原因。"), fields={"reason": [_("请填写退回原因。")]})
    with transaction.atomic():
        moved = PaymentRoll.objects.filter(pk=roll.pk, status__in=[S.TOWNSHIP_APPROVED, S.CHECKED]).update(
            status=S.STALE, updated_at=timezone.now()
        )
        if not moved:
            raise WrongRollStatus(PaymentRoll.objects.get(pk=roll.pk), str(_("退回")))
        roll = PaymentRoll.objects.select_related("township").get(pk=roll.pk)
        audit(actor=actor, action="welfare.roll_return", target=roll, data={"reason": reason[:300]})
    return roll


def _uuid_sql() -> str:
    return "gen_random_uuid()" if connection.vendor == "postgresql" else "lower(hex(randomblob(16)))"


def write_payments(roll: PaymentRoll, now: datetime.datetime) -> None:
    """One pending payment per line of the roll, in one INSERT … SELECT (also used by the demo)."""
    write_payments_many([roll.pk], now)


def write_payments_many(
    roll_ids: list[int], now: datetime.datetime, *, paid_on_by_month: dict[datetime.date, datetime.date] | None = None
) -> None:
    """One pending payment per line of the rolls, in one INSERT … SELECT.

    `paid_on_by_month` (the demo's history only): the lines of those months are written already
    paid on the given day, as the bank's return would leave them, instead of pending and then
    updated — one write per row instead of two, which is most of the demo's cost."""
    pay, item, hh = Payment._meta.db_table, RollItem._meta.db_table, Household._meta.db_table
    ids = ",".join(str(int(i)) for i in roll_ids)
    status, paid_on, params = "'pending'", "NULL", list[Any]([now, now])
    if paid_on_by_month:
        whens = " ".join("WHEN %s THEN %s" for _m in paid_on_by_month)
        status = f"CASE i.month {whens} ELSE 'pending' END"
        paid_on = f"CASE i.month {whens} END"
        pairs = [v for m, d in sorted(paid_on_by_month.items()) for v in (m, d)]
        flags = [v for m, _d in sorted(paid_on_by_month.items()) for v in (m, "paid")]
        params = [now, now, *flags, *pairs]
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {pay} (created_at, updated_at, uuid, roll_id, household_id, month, kind, amount_fen, status,"  # noqa: S608
            f" paid_on, attempt, bank_account, failure_reason) SELECT %s, %s, {_uuid_sql()}, i.roll_id, i.household_id,"
            f" i.month, i.kind, i.amount_fen, {status}, {paid_on}, 1, h.bank_account, '' FROM {item} i JOIN {hh} h"
            f" ON h.id = i.household_id WHERE i.roll_id IN ({ids})",
            params,
        )


def roll_freeze(*, roll: PaymentRoll, actor: Any) -> PaymentRoll:
    """冻结: the roll can no longer change; one pending payment per line is written (one INSERT …
    SELECT) with the household's bank account, for the bank file."""
    scope.require_district(actor, roll.township)
    now = timezone.now()
    with transaction.atomic():
        moved = PaymentRoll.objects.filter(pk=roll.pk, status=S.DISTRICT_APPROVED).update(
            status=S.FROZEN, frozen_at=now, frozen_by=_now_user(actor), updated_at=now
        )
        if not moved:
            raise WrongRollStatus(PaymentRoll.objects.get(pk=roll.pk), str(_("冻结")))
        try:
            with transaction.atomic():
                write_payments(roll, now)
        except IntegrityError:
            raise Conflict(_("名册中有家庭本月已有发放记录，不能重复发放。"), code="welfare_paid_twice") from None
        roll = PaymentRoll.objects.select_related("township").get(pk=roll.pk)
        audit(
            actor=actor,
            action="welfare.roll_freeze",
            target=roll,
            data={"month": f"{roll.month:%Y-%m}", "households": roll.households, "total_fen": roll.total_fen},
        )
    return roll


def payments_record(
    *, roll: PaymentRoll, actor: Any, paid_on: datetime.date, failed: dict[Any, str] | None = None
) -> dict[str, int]:
    """The bank's return: the listed payments failed (with the bank's reason), every other pending
    payment of the roll was paid on `paid_on`."""
    scope.require_township_or_district(actor, roll.township)
    failed = failed or {}
    if roll.status != S.FROZEN:
        raise WrongRollStatus(roll, str(_("登记发放结果")))
    if paid_on > timezone.localdate() or paid_on < roll.month - datetime.timedelta(days=31):
        raise ValidationFailed(_("到账日期不正确。"), fields={"paid_on": [_("到账日期不正确。")]})
    if any(not (r or "").strip() for r in failed.values()):
        raise ValidationFailed(_("请填写每笔失败的原因。"), fields={"failed": [_("请填写失败原因。")]})
    with transaction.atomic():
        pending = Payment.objects.select_for_update().filter(roll=roll, status=Payment.Status.PENDING)
        known = set(pending.filter(uuid__in=list(failed)).values_list("uuid", flat=True))
        unknown = [str(u) for u in failed if u not in known and str(u) not in {str(k) for k in known}]
        if unknown:
            raise ValidationFailed(_("部分发放记录不存在或已登记结果。"), fields={"failed": unknown})
        n_failed = 0
        for uuid, reason in failed.items():
            n_failed += Payment.objects.filter(roll=roll, uuid=uuid, status=Payment.Status.PENDING).update(
                status=Payment.Status.FAILED, failure_reason=reason.strip()[:200], updated_at=timezone.now()
            )
        n_paid = pending.update(status=Payment.Status.PAID, paid_on=paid_on, updated_at=timezone.now())
        audit(
            actor=actor,
            action="welfare.payments_record",
            target=roll,
            data={"paid": n_paid, "failed": n_failed, "paid_on": paid_on.isoformat()},
        )
    return {"paid": n_paid, "failed": n_failed}


def payment_reissue(*, payment: Payment, actor: Any, bank_account: str = "") -> Payment:
    """Re-issue a failed payment (e.g. to a corrected account). The failed one stays as it was;
    the partial unique constraint refuses a second live payment of the household and month."""
    scope.require_township_or_district(actor, payment.roll.township)
    bank_account = (bank_account or "").strip()
    if bank_account and (not bank_account.isdigit() or not 8 <= len(bank_account) <= 32):
        raise ValidationFailed(_("银行账号不正确。"), fields={"bank_account": [_("银行账号不正确。")]})
    with transaction.atomic():
        p = Payment.objects.select_for_update().select_related("household").get(pk=payment.pk)
        if p.status != Payment.Status.FAILED:
            raise Conflict(_("只有发放失败的记录可以重发。"), code="welfare_not_failed")
        if Payment.objects.filter(reissue_of=p).exists():
            raise Conflict(_("该笔已重发。"), code="welfare_reissued")
        if bank_account:
            Household.objects.filter(pk=p.household_id).update(bank_account=bank_account, updated_at=timezone.now())
        try:
            with transaction.atomic():
                again = Payment.objects.create(
                    roll_id=p.roll_id,
                    household_id=p.household_id,
                    month=p.month,
                    kind=p.kind,
                    amount_fen=p.amount_fen,
                    attempt=p.attempt + 1,
                    bank_account=bank_account or p.household.bank_account,
                    reissue_of=p,
                )
        except IntegrityError:
            raise Conflict(_("该家庭本月已有待发或已发的记录，不能重复发放。"), code="welfare_paid_twice") from None
        audit(
            actor=actor,
            action="welfare.payment_reissue",
            target=p.household,
            data={"payment": str(p.uuid), "reissue": str(again.uuid), "month": f"{p.month:%Y-%m}"},
        )
    return again
