"""The bank payment file of a frozen roll (xlsx and CSV): one row per payment to send.

The file holds what the bank needs to pay and to return results by payment: the payment's id, the
household number, the head of household's name and ID number, the account, the amount in yuan and
the month. Downloading it is audited (the personal data of every household on the roll).
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.db import transaction
from django.http import HttpResponse
from django.utils.translation import gettext as _

from onewindow.core.audit import audit
from onewindow.core.errors import Conflict, NotFound

from . import selectors_money as sel
from .models import PaymentRoll


def header() -> list[str]:
    return [
        _("序号"),
        _("发放记录编号"),
        _("家庭编号"),
        _("村（社区）"),
        _("户主姓名"),
        _("户主身份证号"),
        _("银行账号"),
        _("金额（元）"),
        _("发放月份"),
        _("发放次数"),
        # Left empty for the bank: its return file fills them (`bankreturn.py`).
        _("发放结果"),
        _("失败原因"),
    ]


def rows(roll: PaymentRoll) -> list[list[Any]]:
    out = []
    for i, (uuid, number, village, name, id_number, account, fen, month, attempt) in enumerate(sel.bank_rows(roll), start=1):
        out.append(
            [
                i,
                str(uuid),
                number,
                village,
                name or "",
                id_number or "",
                account,
                f"{fen // 100}.{fen % 100:02d}",
                f"{month:%Y-%m}",
                attempt,
                "",
                "",
            ]
        )
    return out


def as_csv(roll: PaymentRoll) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header())
    # Text columns stay text in a spreadsheet: an 18-digit ID or a 19-digit account as a number
    # would lose its last digits.
    w.writerows(rows(roll))
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 CSV correctly


def as_xlsx(roll: PaymentRoll) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = f"{roll.month:%Y-%m}"
    ws.append(header())
    for r in rows(roll):
        ws.append(r)
    for col in ("B", "F", "G"):  # ids, ID numbers and accounts are text
        for cell in ws[col][1:]:
            cell.number_format = "@"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def response(roll: PaymentRoll, *, fmt: str, actor: Any) -> HttpResponse:
    if fmt not in ("xlsx", "csv"):
        raise NotFound()
    if roll.status != PaymentRoll.Status.FROZEN:
        raise Conflict(_("名册冻结后才能下载银行发放文件。"), code="welfare_roll_not_frozen")
    body = as_xlsx(roll) if fmt == "xlsx" else as_csv(roll)
    with transaction.atomic():
        audit(actor=actor, action="welfare.bank_file", target=roll, data={"format": fmt})
    name = f"dibao-{roll.township.code}-{roll.month:%Y%m}.{fmt}"
    ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" if fmt == "xlsx" else "text/csv; charset=utf-8"
    resp = HttpResponse(body, content_type=ctype)
    resp["Content-Disposition"] = f'attachment; filename="{name}"'
    resp["Cache-Control"] = "private, no-store"
    return resp
