"""The money over the API: payment rolls and their steps, bank files, payment results and re-issues;
the public figures. Same services and scoping as the pages."""

from __future__ import annotations

import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Status

from onewindow.core.apikit import AUTH, ERROR_CODES, ErrorOut, PageParams, actor, page_of, paginate
from onewindow.core.errors import ValidationFailed

from .. import bankfile, scope, stats
from .. import selectors_money as sel
from ..models import Payment
from ..months import parse_month
from ..services import rolls
from .money_common import (
    FiguresOut,
    OutcomeIn,
    PaymentOut,
    PaymentResultsIn,
    PaymentResultsOut,
    ReissueIn,
    RollIn,
    RollOut,
    _payment,
    _roll,
    router,
)

# Operation ids name the module these operations were first written in (config/api.py).
OPERATION_IDS_MODULE = "onewindow.welfare.api_money"


@router.get("/rolls", response={200: page_of(RollOut), ERROR_CODES: ErrorOut}, auth=AUTH)
def roll_list(request: HttpRequest, params: Query[PageParams], month: str = "") -> Any:
    try:
        m = parse_month(month) if month else None
    except ValueError:
        raise ValidationFailed(fields={"month": ["YYYY-MM"]}) from None
    return paginate(sel.rolls_for(actor(request), month=m), params, _roll)


@router.post("/rolls", response={201: RollOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def roll_generate(request: HttpRequest, data: RollIn) -> Any:
    user = actor(request)
    township = scope.township_by_code(user, data.township)
    if township is None:
        raise ValidationFailed(fields={"township": ["unknown township"]})
    return Status(201, _roll(rolls.roll_generate(township=township, month=data.month, actor=user, kind=data.kind)))


@router.get("/rolls/{uuid}", response={200: RollOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def roll_detail(request: HttpRequest, uuid: UUID) -> Any:
    return _roll(sel.roll_for(actor(request), uuid))


def _step(request: HttpRequest, uuid: UUID, fn: Any) -> Any:
    user = actor(request)
    return _roll(fn(roll=sel.roll_for(user, uuid), actor=user))


@router.post("/rolls/{uuid}/check", response={200: RollOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def roll_check(request: HttpRequest, uuid: UUID) -> Any:
    return _step(request, uuid, rolls.roll_check)


@router.post("/rolls/{uuid}/approve-township", response={200: RollOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def roll_approve_township(request: HttpRequest, uuid: UUID) -> Any:
    return _step(request, uuid, rolls.roll_approve_township)


@router.post("/rolls/{uuid}/approve-district", response={200: RollOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def roll_approve_district(request: HttpRequest, uuid: UUID) -> Any:
    return _step(request, uuid, rolls.roll_approve_district)


@router.post("/rolls/{uuid}/return", response={200: RollOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def roll_return(request: HttpRequest, uuid: UUID, data: OutcomeIn) -> Any:
    user = actor(request)
    return _roll(rolls.roll_return(roll=sel.roll_for(user, uuid), actor=user, reason=data.outcome))


@router.post("/rolls/{uuid}/freeze", response={200: RollOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def roll_freeze(request: HttpRequest, uuid: UUID) -> Any:
    return _step(request, uuid, rolls.roll_freeze)


@router.get("/rolls/{uuid}/payments", response={200: page_of(PaymentOut), ERROR_CODES: ErrorOut}, auth=AUTH)
def roll_payments(request: HttpRequest, params: Query[PageParams], uuid: UUID, status: str = "") -> Any:
    r = sel.roll_for(actor(request), uuid)
    return paginate(sel.roll_payments(r, status=status if status in Payment.Status.values else ""), params, _payment)


@router.post("/rolls/{uuid}/results", response={200: PaymentResultsOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def roll_results(request: HttpRequest, uuid: UUID, data: PaymentResultsIn) -> Any:
    user = actor(request)
    return rolls.payments_record(
        roll=sel.roll_for(user, uuid), actor=user, paid_on=data.paid_on, failed={f.payment: f.reason for f in data.failed}
    )


@router.get(
    "/rolls/{uuid}/bank.{fmt}",
    response={200: bytes, ERROR_CODES: ErrorOut},
    auth=AUTH,
    openapi_extra={
        "responses": {
            200: {
                "description": "the bank file (xlsx or csv)",
                "content": {"application/octet-stream": {"schema": {"type": "string"}}},
            }
        }
    },
)
def roll_bank_file(request: HttpRequest, uuid: UUID, fmt: str) -> Any:
    user = actor(request)
    return bankfile.response(sel.roll_for(user, uuid), fmt=fmt, actor=user)


@router.post("/payments/{uuid}/reissue", response={201: PaymentOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def payment_reissue(request: HttpRequest, uuid: UUID, data: ReissueIn) -> Any:
    user = actor(request)
    return Status(
        201, _payment(rolls.payment_reissue(payment=sel.payment_for(user, uuid), actor=user, bank_account=data.bank_account))
    )


@router.get("/figures", response={200: FiguresOut, ERROR_CODES: ErrorOut}, auth=None)
def figures(request: HttpRequest, date_from: datetime.date, date_to: datetime.date) -> Any:
    """Public: the 低保 figures of a period, computed from the rows (no personal data)."""
    if date_to < date_from or (date_to - date_from).days > 366 * 20:
        raise ValidationFailed(fields={"date_to": ["after date_from, within 20 years"]})
    f = stats.figures(date_from=date_from, date_to=date_to)
    return {**f.__dict__}
