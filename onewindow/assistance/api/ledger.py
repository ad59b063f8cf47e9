"""Collections ledger API (on the assistance router): collect, reverse, the day's till and its
close, receipts, hand-over batches, reconciliation. Amounts: `amount` in yuan as a string
("380.50") on input, integer fen on output."""

from __future__ import annotations

import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Query, Schema, Status

from onewindow.core.apikit import AUTH, ERROR_CODES, ErrorOut, PageParams, actor, page_of, paginate
from onewindow.core.errors import NotFound, ValidationFailed

from .. import access, selectors, services
from ..models import HandoverBatch, LedgerEntry, TillDay
from ..receipts import receipt_pdf, verify_url
from .base import _point, _resident_of_mandate, router


class CollectIn(Schema):
    mandate: UUID
    kind: str  # social | medical
    method: str  # cash | transfer
    amount: str  # yuan, e.g. "380" or "380.50"
    period: str


class EntryOut(Schema):
    uuid: UUID
    number: str
    kind: str
    collection_kind: str
    method: str
    amount_fen: int
    resident_name: str
    period: str
    payment_ref: str
    reverses: str
    reason: str
    created_at: datetime.datetime
    verify_url: str


def _entry(e: LedgerEntry) -> dict[str, Any]:
    return {
        "uuid": e.uuid,
        "number": e.number,
        "kind": e.kind,
        "collection_kind": e.collection_kind,
        "method": e.method,
        "amount_fen": e.amount_fen,
        "resident_name": e.resident.display_name,
        "period": e.period,
        "payment_ref": e.payment_ref,
        "reverses": e.reverses.number if e.reverses else "",
        "reason": e.reason,
        "created_at": e.created_at,
        "verify_url": verify_url(e),
    }


@router.post("/collections", response={201: EntryOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def collect(request: HttpRequest, data: CollectIn) -> Any:
    """Collect a contribution for the resident of `mandate` (the mandate must cover a matter of
    the receiving department, or every agent-eligible matter). Refused: `bad_amount` (zero,
    negative, malformed, too large), `till_closed`, `no_mandate`."""
    point = _point(request)
    resident = _resident_of_mandate(point, data.mandate)
    e = services.collect(
        actor=actor(request),
        point=point,
        resident=resident,
        kind=data.kind,
        method=data.method,
        amount=data.amount,
        period=data.period,
    )
    return Status(201, _entry(e))


class ReverseIn(Schema):
    reason: str


@router.post("/collections/{uuid}/reverse", response={201: EntryOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def reverse(request: HttpRequest, uuid: UUID, data: ReverseIn) -> Any:
    """A reversing entry for a collection of a still-open day. `reversal_of_reversal`,
    `already_reversed`, `till_closed` otherwise."""
    entry = selectors.entry_for(actor(request), uuid)
    return Status(201, _entry(services.reverse(actor=actor(request), entry=entry, reason=data.reason)))


@router.get(
    "/collections/{uuid}/receipt",
    response={200: bytes, ERROR_CODES: ErrorOut},
    auth=AUTH,
    openapi_extra={
        "responses": {
            200: {"description": "PDF", "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}
        }
    },
)
def receipt(request: HttpRequest, uuid: UUID) -> Any:
    entry = selectors.entry_for(actor(request), uuid)
    response = HttpResponse(receipt_pdf(entry), content_type="application/pdf")
    response["Cache-Control"] = "private, no-store"
    return response


class TillOut(Schema):
    day: datetime.date
    status: str
    cash_fen: int
    transfer_fen: int
    entry_count: int
    counted_cash_fen: int | None
    replay_matches: bool
    entries: list[EntryOut]


def _till(t: TillDay) -> dict[str, Any]:
    replay = services.till_replay(t)
    return {
        "day": t.day,
        "status": t.status,
        "cash_fen": t.cash_fen,
        "transfer_fen": t.transfer_fen,
        "entry_count": t.entry_count,
        "counted_cash_fen": t.counted_cash_fen,
        "replay_matches": replay == {"cash_fen": t.cash_fen, "transfer_fen": t.transfer_fen, "entry_count": t.entry_count},
        "entries": [_entry(e) for e in selectors.till_entries(t)],
    }


class DayQuery(Schema):
    day: datetime.date | None = None


@router.get("/till", response={200: TillOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def till(request: HttpRequest, q: Query[DayQuery]) -> Any:
    """The point's till for `day` (default today) with its entries and the replay check."""
    point = _point(request)
    t = TillDay.objects.filter(point=point, day=q.day or timezone.localdate()).first()
    if t is None:
        raise NotFound()
    return _till(t)


class CloseIn(Schema):
    counted_cash: str  # yuan


@router.post("/till/close", response={200: TillOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def till_close(request: HttpRequest, data: CloseIn) -> Any:
    """Close today's till: the counted cash must equal the cash total (`till_unbalanced`)."""
    point = _point(request)
    return _till(services.till_close(actor=actor(request), point=point, day=timezone.localdate(), counted_cash=data.counted_cash))


class HandoverBatchIn(Schema):
    kind: str


class HandoverBatchOut(Schema):
    uuid: UUID
    number: str
    point: str
    kind: str
    department: str
    status: str
    total_fen: int
    entry_count: int
    handed_over_at: datetime.datetime | None
    received_by: str


def _batch(b: HandoverBatch) -> dict[str, Any]:
    return {
        "uuid": b.uuid,
        "number": b.number,
        "point": b.point.name,
        "kind": b.kind,
        "department": b.department.name,
        "status": b.status,
        "total_fen": b.total_fen,
        "entry_count": b.entry_count,
        "handed_over_at": b.handed_over_at,
        "received_by": b.received_by.display_name if b.received_by else "",
    }


@router.post("/batches", response={201: HandoverBatchOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def batch_prepare(request: HttpRequest, data: HandoverBatchIn) -> Any:
    """Gather the closed days' entries of one kind not yet handed over (`nothing_to_hand_over`)."""
    return Status(201, _batch(services.batch_prepare(actor=actor(request), point=_point(request), kind=data.kind)))


@router.get("/batches", response={200: page_of(HandoverBatchOut), ERROR_CODES: ErrorOut}, auth=AUTH)
def batch_list(request: HttpRequest, params: Query[PageParams]) -> Any:
    return paginate(selectors.batches_for(actor(request)).select_related("received_by"), params, _batch)


@router.post("/batches/{uuid}/hand-over", response={200: HandoverBatchOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def batch_hand_over(request: HttpRequest, uuid: UUID) -> Any:
    """The receiving department signs for the batch, once (`already_handed_over`)."""
    batch = selectors.batches_for(actor(request)).filter(uuid=uuid).first()
    if batch is None:
        raise NotFound()
    return _batch(services.batch_hand_over(actor=actor(request), batch=batch))


class ReconciliationQuery(Schema):
    start: datetime.date
    end: datetime.date


class TillCheckOut(Schema):
    point: str
    day: datetime.date
    status: str
    cash_fen: int
    transfer_fen: int
    replayed_cash_fen: int
    replayed_transfer_fen: int
    balanced: bool


class ReconciliationOut(Schema):
    total_fen: int
    unbatched_fen: int
    tills: list[TillCheckOut]
    unbalanced: int
    bad_batches: list[str]


@router.get("/reconciliation", response={200: ReconciliationOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def reconciliation(request: HttpRequest, q: Query[ReconciliationQuery]) -> Any:
    """Per day and point: stored totals against the replayed entries; batches against their entries."""
    user = actor(request)
    points = access.agent_points(user) | access.overseen_points(user)
    if not points.exists():
        raise NotFound()
    if q.end < q.start or (q.end - q.start).days > 366:
        raise ValidationFailed(_("对账期间为 1 至 366 天。"), fields={"end": [_("对账期间为 1 至 366 天。")]})
    r = selectors.reconciliation(points, start=q.start, end=q.end)
    return {
        "total_fen": r["total_fen"],
        "unbatched_fen": r["unbatched_fen"],
        "tills": [
            {
                "point": c.till.point.name,
                "day": c.till.day,
                "status": c.till.status,
                "cash_fen": c.till.cash_fen,
                "transfer_fen": c.till.transfer_fen,
                "replayed_cash_fen": c.replay["cash_fen"],
                "replayed_transfer_fen": c.replay["transfer_fen"],
                "balanced": c.balanced,
            }
            for c in r["tills"]
        ],
        "unbalanced": len(r["unbalanced"]),
        "bad_batches": [b.number for b in r["bad_batches"]],
    }
