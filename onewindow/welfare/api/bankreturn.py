"""The bank's return file over the API: POST /api/v1/welfare/rolls/{uuid}/bank-return (multipart:
the file and the day paid), and the list of a roll's imported files. Same service as the page."""

from __future__ import annotations

import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from onewindow.core.apikit import AUTH, ERROR_CODES, ErrorOut, PageParams, actor, page_of, paginate

from .. import bankreturn
from .. import selectors_money as sel
from ..models import BankReturn

router = Router(tags=["welfare: register and money"])


class BankReturnOut(Schema):
    uuid: UUID
    roll: UUID
    filename: str
    sha256: str
    paid_on: datetime.date
    lines: int
    paid: int
    failed: int
    imported_at: datetime.datetime


def _out(b: BankReturn) -> dict[str, Any]:
    return {
        "uuid": b.uuid,
        "roll": b.roll.uuid,
        "filename": b.filename,
        "sha256": b.sha256,
        "paid_on": b.paid_on,
        "lines": b.lines,
        "paid": b.paid,
        "failed": b.failed,
        "imported_at": b.created_at,
    }


@router.post("/rolls/{uuid}/bank-return", response={201: BankReturnOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def bank_return_import(request: HttpRequest, uuid: UUID, paid_on: Form[datetime.date], file: File[UploadedFile]) -> Any:
    """Import the bank's return file (xlsx or CSV: the bank file plus 发放结果 and 失败原因)."""
    user = actor(request)
    roll = sel.roll_for(user, uuid)
    record = bankreturn.return_import(
        roll=roll, actor=user, data=file.read(bankreturn.MAX_BYTES + 1), filename=file.name or "", paid_on=paid_on
    )
    return Status(201, _out(record))


@router.get("/rolls/{uuid}/bank-returns", response={200: page_of(BankReturnOut), ERROR_CODES: ErrorOut}, auth=AUTH)
def bank_return_list(request: HttpRequest, params: Query[PageParams], uuid: UUID) -> Any:
    roll = sel.roll_for(actor(request), uuid)
    return paginate(roll.bank_returns.select_related("roll").order_by("-created_at"), params, _out)
