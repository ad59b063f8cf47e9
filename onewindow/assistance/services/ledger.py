"""Fees collected for residents (代收代缴): collections, reversing entries, the daily till, and
hand-over batches to the department. Amounts are integer fen.

Every write locks the till row (`select_for_update`) and moves its totals with `F()` in the same
transaction as the entry, so concurrent collections at one point are serialised and the totals
always equal the sum of the entries (`till_replay` recomputes them; the tests replay a day).
"""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import OrgUnit, User
from onewindow.core.audit import audit
from onewindow.core.errors import Conflict, PermissionDenied, ValidationFailed
from onewindow.core.notify import notify

from .. import access
from ..errors import (
    AlreadyHandedOver,
    AlreadyReversed,
    BadAmount,
    NothingToHandOver,
    ReversalOfReversal,
    TillClosed,
    TillUnbalanced,
)
from ..models import AgentPoint, CollectionKind, HandoverBatch, LedgerEntry, PaymentMethod, TillDay
from ..payments import backend
from ..policy import policy
from ._common import clean, point_signed
from .mandates import mandate_in_force, require_home_village

# The department that receives each kind of collection (its code in the organisation tree).
DEPARTMENT_OF = {CollectionKind.SOCIAL_INSURANCE: "RSJ", CollectionKind.MEDICAL_INSURANCE: "YBJ"}
CHECK_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _check_code() -> str:
    return "".join(secrets.choice(CHECK_ALPHABET) for _ in range(6))


def _amount(value: Any) -> int:
    """Fen from an int (fen) or a decimal string in yuan ("120.50"); refuses anything else."""
    if isinstance(value, bool):
        raise BadAmount(_("金额不正确。"), fields={"amount": [_("金额不正确。")]})
    if isinstance(value, int):
        fen = value
    else:
        text = clean(value, 20)
        try:
            whole, _dot, frac = text.partition(".")
            if not whole.lstrip("-").isdigit() or (frac and (not frac.isdigit() or len(frac) > 2)):
                raise ValueError
            sign = -1 if whole.startswith("-") else 1
            fen = sign * (abs(int(whole)) * 100 + int((frac or "0").ljust(2, "0")))
        except ValueError:
            raise BadAmount(_("金额格式不正确，例如 380 或 380.50。"), fields={"amount": [_("金额格式不正确。")]}) from None
    if fen <= 0:
        raise BadAmount(_("金额必须大于零。"), fields={"amount": [_("金额必须大于零。")]})
    if fen > policy().max_collection_fen:
        raise BadAmount(
            _("单笔金额不能超过 %(yuan)s 元。") % {"yuan": policy().max_collection_fen // 100},
            fields={"amount": [_("金额过大。")]},
        )
    return fen


def yuan(fen: int) -> str:
    return f"{fen / 100:,.2f}"


def _till(point: AgentPoint, day: datetime.date) -> TillDay:
    """Today's till for `point`, created on first use, locked for the rest of the transaction."""
    TillDay.objects.bulk_create([TillDay(point=point, day=day)], ignore_conflicts=True)
    return TillDay.objects.select_for_update().get(point=point, day=day)


def _next_number(till: TillDay) -> str:
    TillDay.objects.filter(pk=till.pk).update(last_seq=F("last_seq") + 1)
    till.refresh_from_db(fields=["last_seq"])
    return f"DS{till.point.village.code}{till.day:%Y%m%d}{till.last_seq:04d}"


def _move_totals(till: TillDay, method: str, amount_fen: int) -> None:
    field = "cash_fen" if method == PaymentMethod.CASH else "transfer_fen"
    TillDay.objects.filter(pk=till.pk).update(**{field: F(field) + amount_fen}, entry_count=F("entry_count") + 1)


def collect(
    *,
    actor: User,
    point: AgentPoint,
    resident: User,
    kind: str,
    method: str,
    amount: Any,
    period: str,
    at: datetime.datetime | None = None,
) -> LedgerEntry:
    """Take a resident's contribution at the point: one entry, one receipt."""
    access.require_agent_of(actor, point)
    if kind not in CollectionKind.values:
        raise ValidationFailed(_("请选择代收项目。"), fields={"kind": [_("请选择代收项目。")]})
    if method not in PaymentMethod.values:
        raise ValidationFailed(_("请选择支付方式。"), fields={"method": [_("请选择支付方式。")]})
    period = clean(period, 16)
    if not period:
        raise ValidationFailed(_("请填写缴费年度或期间。"), fields={"period": [_("必填项。")]})
    fen = _amount(amount)
    require_home_village(point, resident)
    backdated = at is not None  # the demo replays past months
    at = at or timezone.now()
    day = timezone.localdate(at)
    mandate = mandate_in_force(point=point, resident=resident, department_code=DEPARTMENT_OF[CollectionKind(kind)], day=day)
    with transaction.atomic():
        till = _till(point, day)
        if till.status != TillDay.Status.OPEN:
            raise TillClosed()
        number = _next_number(till)
        payment = backend().collect(method=method, amount_fen=fen, receipt_number=number)
        entry = LedgerEntry.objects.create(
            till=till,
            number=number,
            check_code=_check_code(),
            kind=LedgerEntry.Kind.COLLECTION,
            collection_kind=kind,
            method=method,
            amount_fen=fen,
            resident=resident,
            mandate=mandate,
            period=period,
            payment_ref=payment.reference,
            created_by=actor,
        )
        if backdated:
            LedgerEntry.objects.filter(pk=entry.pk).update(created_at=at)
        _move_totals(till, method, fen)
        audit(actor=actor, action="assistance.collect", target=entry, data={"number": number, "fen": fen, "method": method})
        notify(
            channel="sms" if resident.phone else "site",
            recipient=resident.phone or resident.username,
            user=resident,
            subject=gettext("代收缴费"),
            body=point_signed(
                point,
                gettext("%(point)s已代收您的%(kind)s %(amount)s 元，收据号 %(number)s。")
                % {"point": point.name, "kind": CollectionKind(kind).label, "amount": yuan(fen), "number": number},
            ),
            kind="assistance.collect",
        )
    return entry


def reverse(*, actor: User, entry: LedgerEntry, reason: str) -> LedgerEntry:
    """Correct a collection with a reversing entry on the same (still open) day. Entries are never
    edited; a reversal is never reversed; an entry is reversed at most once."""
    point = entry.till.point
    access.require_agent_of(actor, point)
    reason = clean(reason, 200)
    if not reason:
        raise ValidationFailed(_("冲正须写明原因。"), fields={"reason": [_("必填项。")]})
    if entry.kind != LedgerEntry.Kind.COLLECTION:
        raise ReversalOfReversal()
    with transaction.atomic():
        till = TillDay.objects.select_for_update().select_related("point__village").get(pk=entry.till_id)
        if till.status != TillDay.Status.OPEN:
            raise TillClosed()
        if LedgerEntry.objects.filter(reverses=entry).exists():
            raise AlreadyReversed()
        number = _next_number(till)
        refund = backend().refund(
            method=entry.method, amount_fen=entry.amount_fen, receipt_number=number, original_reference=entry.payment_ref
        )
        reversal = LedgerEntry.objects.create(
            till=till,
            number=number,
            check_code=_check_code(),
            kind=LedgerEntry.Kind.REVERSAL,
            collection_kind=entry.collection_kind,
            method=entry.method,
            amount_fen=-entry.amount_fen,
            resident=entry.resident,
            mandate=entry.mandate,
            period=entry.period,
            payment_ref=refund.reference,
            reverses=entry,
            reason=reason,
            created_by=actor,
        )
        _move_totals(till, entry.method, -entry.amount_fen)
        audit(actor=actor, action="assistance.reverse", target=reversal, data={"reverses": entry.number, "reason": reason})
    return reversal


def till_replay(till: TillDay) -> dict[str, int]:
    """The till's totals recomputed from its entries (what the stored totals must equal)."""
    sums = dict.fromkeys(PaymentMethod.values, 0)
    count = 0
    for method, amount in LedgerEntry.objects.filter(till=till).values_list("method", "amount_fen"):
        sums[method] += amount
        count += 1
    return {"cash_fen": sums[PaymentMethod.CASH], "transfer_fen": sums[PaymentMethod.TRANSFER], "entry_count": count}


def till_close(*, actor: User, point: AgentPoint, day: datetime.date, counted_cash: Any) -> TillDay:
    """日结: the agent counts the cash; it must equal the day's cash total (transfers are matched
    by reference). An unbalanced till is refused and stays open."""
    access.require_agent_of(actor, point)
    counted = 0 if str(counted_cash).strip() in ("0", "0.0", "0.00") else _amount(counted_cash)
    with transaction.atomic():
        till = _till(point, day)
        if till.status != TillDay.Status.OPEN:
            raise TillClosed()
        replay = till_replay(till)
        if (replay["cash_fen"], replay["transfer_fen"], replay["entry_count"]) != (
            till.cash_fen,
            till.transfer_fen,
            till.entry_count,
        ):
            # Never expected (every write moves both in one transaction); refuse to close on drift.
            raise Conflict(_("台账合计与明细不一致，请联系管理员核查。"), code="ledger_drift")
        if counted != till.cash_fen:
            raise TillUnbalanced(
                _("现金不平：应有 %(expected)s 元，清点 %(counted)s 元。")
                % {"expected": yuan(till.cash_fen), "counted": yuan(counted)},
                fields={"counted_cash": [_("与应收现金不符。")]},
            )
        till.status = TillDay.Status.CLOSED
        till.counted_cash_fen = counted
        till.closed_at = timezone.now()
        till.closed_by = actor
        till.save(update_fields=["status", "counted_cash_fen", "closed_at", "closed_by", "updated_at"])
        audit(
            actor=actor,
            action="assistance.till_close",
            target=till,
            data={"cash_fen": till.cash_fen, "transfer_fen": till.transfer_fen},
        )
    return till


def batch_prepare(*, actor: User, point: AgentPoint, kind: str) -> HandoverBatch:
    """Gather every entry of closed days not yet handed over, of one kind, into a batch."""
    access.require_agent_of(actor, point)
    if kind not in CollectionKind.values:
        raise ValidationFailed(_("请选择代收项目。"), fields={"kind": [_("请选择代收项目。")]})
    # The receiving department of the point's own county (unit codes are unique per county).
    department = OrgUnit.objects.filter(
        code=DEPARTMENT_OF[CollectionKind(kind)],
        county_id=OrgUnit.objects.filter(pk=point.village_id).values("county_id")[:1],
    ).first()
    if department is None:
        raise ValidationFailed(_("未找到接收部门。"), code="no_department")
    with transaction.atomic():
        entries = list(
            LedgerEntry.objects.select_for_update()
            .filter(till__point=point, till__status=TillDay.Status.CLOSED, batch__isnull=True, collection_kind=kind)
            .order_by("id")
        )
        if not entries:
            raise NothingToHandOver()
        total = sum(e.amount_fen for e in entries)
        batch = HandoverBatch.objects.create(
            number=f"YJ{point.village.code}{timezone.localdate():%Y%m%d}{secrets.token_hex(2).upper()}",
            point=point,
            kind=kind,
            department=department,
            total_fen=total,
            entry_count=len(entries),
            prepared_by=actor,
        )
        moved = LedgerEntry.objects.filter(pk__in=[e.pk for e in entries], batch__isnull=True).update(batch=batch)
        if moved != len(entries):
            raise Conflict(_("有收款已被其他批次移交，请重试。"), code="batch_race")
        audit(actor=actor, action="assistance.batch_prepare", target=batch, data={"total_fen": total, "count": len(entries)})
    return batch


def batch_hand_over(*, actor: User, batch: HandoverBatch) -> HandoverBatch:
    """The department's staff member signs for the batch (their sign-in is the signature)."""
    if not access.can_receive_for(actor, batch.department):
        raise PermissionDenied()
    with transaction.atomic():
        now = timezone.now()
        if not HandoverBatch.objects.filter(pk=batch.pk, status=HandoverBatch.Status.PREPARED).update(
            status=HandoverBatch.Status.HANDED_OVER, handed_over_at=now, received_by=actor, updated_at=now
        ):
            raise AlreadyHandedOver()
        batch.refresh_from_db()
        entry_sum = LedgerEntry.objects.filter(batch=batch).aggregate(s=Sum("amount_fen"))["s"] or 0
        if entry_sum != batch.total_fen:
            raise Conflict(_("批次金额与明细不一致。"), code="ledger_drift")
        audit(actor=actor, action="assistance.batch_hand_over", target=batch, data={"total_fen": batch.total_fen})
    return batch
