"""Fees collected for residents: receipts, the daily till that must balance, reversing entries
only, hand-over batches signed by the department; bad input stores nothing; a replayed day's
ledger equals the stored totals."""

from __future__ import annotations

import datetime
import random
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from conftest import make_user
from onewindow.accounts.models import Role
from onewindow.assistance import services
from onewindow.assistance.models import HandoverBatch, LedgerEntry, TillDay
from onewindow.core.errors import ApplicationError, PermissionDenied

from .conftest import TODAY, record

pytestmark = pytest.mark.django_db


def take(
    agent: Any, points: Any, resident: Any, amount: Any = "380", method: str = "cash", kind: str = "medical", **kw: Any
) -> LedgerEntry:
    return services.collect(
        actor=agent, point=points["ZXSQ"], resident=resident, kind=kind, method=method, amount=amount, period="2027", **kw
    )


def test_collection_and_receipt(mandate: Any, agent: Any, points: Any, resident: Any) -> None:
    e = take(agent, points, resident, "380.50")
    assert (e.amount_fen, e.kind, e.number) == (38050, "collection", "DSZXZ-V01202604010001")
    assert e.payment_ref.startswith("LOCAL-CASH-")
    till = e.till
    till.refresh_from_db()
    assert (till.cash_fen, till.transfer_fen, till.entry_count) == (38050, 0, 1)


@pytest.mark.parametrize("amount", [0, -5, "0", "-1", "abc", "1.234", "", "99999999", True, "1e3"])
def test_bad_amounts_store_nothing(mandate: Any, agent: Any, points: Any, resident: Any, amount: Any) -> None:
    with pytest.raises(ApplicationError) as exc:
        take(agent, points, resident, amount)
    assert exc.value.code == "bad_amount"
    assert not LedgerEntry.objects.exists()
    assert not TillDay.objects.filter(entry_count__gt=0).exists()


def test_collection_needs_a_mandate_covering_the_department(agent: Any, points: Any, resident: Any, matters: Any) -> None:
    record(agent, points["ZXSQ"], resident, matters=[matters["medical"]])
    assert take(agent, points, resident, kind="medical")
    with pytest.raises(PermissionDenied) as exc:
        take(agent, points, resident, kind="social")
    assert exc.value.code == "no_mandate"


def test_collection_on_a_closed_day_refused(mandate: Any, agent: Any, points: Any, resident: Any) -> None:
    take(agent, points, resident, "100")
    services.till_close(actor=agent, point=points["ZXSQ"], day=TODAY, counted_cash="100")
    with pytest.raises(ApplicationError) as exc:
        take(agent, points, resident, "100")
    assert exc.value.code == "till_closed"
    assert LedgerEntry.objects.count() == 1


def test_unbalanced_till_is_not_closed(mandate: Any, agent: Any, points: Any, resident: Any) -> None:
    take(agent, points, resident, "100")
    take(agent, points, resident, "50", method="transfer")
    with pytest.raises(ApplicationError) as exc:
        services.till_close(actor=agent, point=points["ZXSQ"], day=TODAY, counted_cash="90")
    assert exc.value.code == "till_unbalanced"
    assert TillDay.objects.get().status == "open"
    till = services.till_close(actor=agent, point=points["ZXSQ"], day=TODAY, counted_cash="100.00")
    assert till.status == "closed" and till.counted_cash_fen == 10000


def test_reversal_rules(mandate: Any, agent: Any, points: Any, resident: Any) -> None:
    e = take(agent, points, resident, "200")
    with pytest.raises(ApplicationError) as refused:
        services.reverse(actor=agent, entry=e, reason="")
    assert refused.value.code == "validation_failed" and set(refused.value.fields) == {"reason"}
    r = services.reverse(actor=agent, entry=e, reason="金额录错")
    assert (r.amount_fen, r.reverses) == (-20000, e)
    with pytest.raises(ApplicationError) as exc:
        services.reverse(actor=agent, entry=e, reason="again")
    assert exc.value.code == "already_reversed"
    with pytest.raises(ApplicationError) as exc:
        services.reverse(actor=agent, entry=r, reason="reverse the reversal")
    assert exc.value.code == "reversal_of_reversal"
    till = TillDay.objects.get()
    assert (till.cash_fen, till.entry_count) == (0, 2)
    e.refresh_from_db()
    assert e.amount_fen == 20000  # never edited


def test_database_refuses_what_the_services_refuse(mandate: Any, agent: Any, points: Any, resident: Any) -> None:
    e = take(agent, points, resident, "200")
    till = e.till
    bad = [
        {"kind": "collection", "amount_fen": -1},
        {"kind": "collection", "amount_fen": 0},
        {"kind": "reversal", "amount_fen": -5, "reason": "x"},  # names no entry
        {"kind": "reversal", "amount_fen": 5, "reverses": e, "reason": "x"},
    ]
    for i, fields in enumerate(bad):
        data = {
            "till": till,
            "number": f"X{i}",
            "check_code": "AAAAAA",
            "collection_kind": "medical",
            "method": "cash",
            "resident": resident,
            "mandate": mandate,
            "period": "2027",
            "payment_ref": "x",
            "created_by": agent,
            **fields,
        }
        with pytest.raises(IntegrityError), transaction.atomic():
            LedgerEntry.objects.create(**data)
    with pytest.raises(IntegrityError), transaction.atomic():
        TillDay.objects.filter(pk=till.pk).update(cash_fen=-1)
    with pytest.raises(IntegrityError), transaction.atomic():  # closed with a count that does not match
        TillDay.objects.filter(pk=till.pk).update(status="closed", closed_at=till.created_at, counted_cash_fen=1)


def test_handover_batch_signed_once(mandate: Any, agent: Any, points: Any, resident: Any, depts: Any, approver: Any) -> None:
    a = take(agent, points, resident, "300")
    take(agent, points, resident, "120", method="transfer")
    services.reverse(actor=agent, entry=a, reason="重复收款")
    take(agent, points, resident, "500", kind="social")
    with pytest.raises(ApplicationError) as exc:
        services.batch_prepare(actor=agent, point=points["ZXSQ"], kind="medical")
    assert exc.value.code == "nothing_to_hand_over"  # the day is still open
    services.till_close(actor=agent, point=points["ZXSQ"], day=TODAY, counted_cash="500")
    batch = services.batch_prepare(actor=agent, point=points["ZXSQ"], kind="medical")
    assert (batch.total_fen, batch.entry_count, batch.department.code) == (12000, 3, "YBJ")
    with pytest.raises(ApplicationError) as exc:
        services.batch_prepare(actor=agent, point=points["ZXSQ"], kind="medical")
    assert exc.value.code == "nothing_to_hand_over"
    with pytest.raises(PermissionDenied) as denied:
        services.batch_hand_over(actor=approver, batch=batch)  # 住建局 does not receive medical insurance
    assert denied.value.code == "permission_denied"
    ybj = make_user("ybj_clerk", Role.APPROVER, depts["YBJ"])
    batch = services.batch_hand_over(actor=ybj, batch=batch)
    assert batch.status == HandoverBatch.Status.HANDED_OVER and batch.received_by == ybj
    with pytest.raises(ApplicationError) as exc:
        services.batch_hand_over(actor=ybj, batch=batch)
    assert exc.value.code == "already_handed_over"


def test_replay_of_a_day(mandate: Any, agent: Any, agent2: Any, points: Any, resident: Any) -> None:
    """A busy day of random collections and reversals: the stored totals equal the replayed entries
    at every step, and the close balances to the cent."""
    rng = random.Random(12)
    taken: list[LedgerEntry] = []
    for i in range(60):
        who = agent if i % 2 else agent2
        if taken and rng.random() < 0.2:
            e = taken.pop(rng.randrange(len(taken)))
            services.reverse(actor=who, entry=e, reason="更正")
        else:
            taken.append(
                take(
                    who,
                    points,
                    resident,
                    f"{rng.randint(1, 2000)}.{rng.randint(0, 99):02d}",
                    method=rng.choice(["cash", "transfer"]),
                )
            )
        till = TillDay.objects.get()
        assert services.till_replay(till) == {
            "cash_fen": till.cash_fen,
            "transfer_fen": till.transfer_fen,
            "entry_count": till.entry_count,
        }
    expected_cash = sum(e.amount_fen for e in LedgerEntry.objects.filter(method="cash"))
    till = services.till_close(actor=agent, point=points["ZXSQ"], day=TODAY, counted_cash=f"{expected_cash / 100:.2f}")
    assert till.cash_fen == expected_cash


def test_receipt_pdf_has_qr_to_verification(mandate: Any, agent: Any, points: Any, resident: Any) -> None:
    import pypdfium2 as pdfium

    from onewindow.assistance.receipts import receipt_pdf, verify_url

    e = take(agent, points, resident, "380")
    pdf = receipt_pdf(e)
    text = pdfium.PdfDocument(pdf)[0].get_textpage().get_text_range()
    assert e.number in text and "380.00" in text
    assert resident.id_number not in text
    assert e.check_code in verify_url(e)


def test_only_the_points_agents_collect(mandate: Any, other_agent: Any, points: Any, resident: Any) -> None:
    with pytest.raises(PermissionDenied) as denied:
        take(other_agent, points, resident)
    assert denied.value.code == "not_agent_of_point"


def test_collect_backdated_for_the_demo(mandate: Any, agent: Any, points: Any, resident: Any) -> None:
    import zoneinfo

    at = datetime.datetime(2026, 4, 1, 9, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    e = take(agent, points, resident, at=at)
    e.refresh_from_db()
    assert e.created_at == at
