"""The bank's return file (回盘文件) of a frozen roll: per payment, paid or failed with the reason.

The bank sends back the file we gave it (`bankfile.py`, xlsx or CSV, Chinese or English headers)
with two more columns: the result (成功 / 失败) and the reason of a failure. Importing it marks the
listed payments paid (on the day given) or failed; failed ones then wait for a re-issue
(`rolls.payment_reissue`). All or nothing: a line naming an unknown payment, a payment of another
roll, a different amount or household, a line twice, a payment whose result is already recorded,
a file already imported or a roll not frozen — each is a clear error and nothing is stored.

Two imports of one roll at once are serialised by the roll's row lock; the same file twice is
refused by the unique (roll, SHA-256) constraint as a last guard, and every payment moves with a
conditional UPDATE (`status = 'pending'`) whose count must match, or the whole import rolls back.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onewindow.core.audit import audit
from onewindow.core.errors import Conflict, ValidationFailed

from . import scope
from .models import BankReturn, Payment, PaymentRoll
from .services.rolls import WrongRollStatus

MAX_BYTES = 20 * 1024 * 1024  # a province township's roll is ~110,000 lines, about 15 MB as CSV
MAX_ERRORS = 20
CHUNK = 500  # payment ids per UPDATE (SQLite's bound-parameter limit)

# Column keys and the header msgids that name them (the bank file's own, plus the two the bank adds).
COLUMNS = {
    "payment": "发放记录编号",
    "household": "家庭编号",
    "amount": "金额（元）",
    "month": "发放月份",
    "result": "发放结果",
    "reason": "失败原因",
}
PAID_WORDS = {"成功", "已到账", "已发放", "到账", "success", "succeeded", "paid", "ok"}
FAILED_WORDS = {"失败", "发放失败", "退回", "failed", "failure", "fail", "returned"}


class AlreadyImported(Conflict):
    code = "welfare_return_imported"

    def __init__(self) -> None:
        super().__init__(_("该回盘文件已经导入过，不能重复导入。"))


class BadReturnFile(ValidationFailed):
    code = "welfare_return_invalid"

    def __init__(self, problems: list[str]) -> None:
        shown = problems[:MAX_ERRORS]
        if len(problems) > MAX_ERRORS:
            shown.append(str(_("另有 %(n)d 处错误未列出。") % {"n": len(problems) - MAX_ERRORS}))
        super().__init__(_("回盘文件有错误，未导入任何结果。"), fields={"file": shown})


@dataclass(frozen=True)
class Line:
    number: int  # line in the file, the header being line 1
    payment: str
    household: str
    amount_fen: int | None
    month: str
    paid: bool | None  # None: the result is not one we know
    reason: str


def _header_names() -> dict[str, str]:
    """Header text (Chinese msgid and its English translation, lower-cased) -> column key."""
    names = {}
    for key, msgid in COLUMNS.items():
        names[msgid.lower()] = key
        with translation.override("en"):
            names[gettext(msgid).strip().lower()] = key
    names["状态"] = names["status"] = names["result"] = "result"
    names["原因"] = names["reason"] = "reason"
    return names


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime | datetime.date):
        return f"{value:%Y-%m}"  # a spreadsheet turned "2026-05" into a date
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _fen(value: Any) -> int | None:
    try:
        amount = Decimal(_text(value).replace(",", ""))
    except InvalidOperation:
        return None
    fen = amount * 100
    return int(fen) if fen == fen.to_integral_value() and fen >= 0 else None


def _rows(data: bytes) -> list[list[Any]]:
    if data[:2] == b"PK":  # xlsx is a zip
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            ws = wb.worksheets[0]
            return [list(r) for r in ws.iter_rows(values_only=True)]
        except Exception:
            raise BadReturnFile([str(_("无法读取该 xlsx 文件。"))]) from None
    for encoding in ("utf-8-sig", "gb18030"):  # banks' systems often write GBK
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise BadReturnFile([str(_("无法识别文件的编码，请使用 UTF-8 的 CSV 或 xlsx 文件。"))])
    dialect = "excel-tab" if "\t" in text.split("\n", 1)[0] else "excel"
    return list(csv.reader(io.StringIO(text), dialect=dialect))


def parse(data: bytes) -> list[Line]:
    """The file's lines, or `BadReturnFile` for a file we cannot read (no payment is looked at)."""
    if not data:
        raise BadReturnFile([str(_("文件为空。"))])
    if len(data) > MAX_BYTES:
        raise BadReturnFile([str(_("文件过大（最大 20 MB）。"))])
    rows = _rows(data)
    if not rows:
        raise BadReturnFile([str(_("文件为空。"))])
    names = _header_names()
    where: dict[str, int] = {}
    for i, head in enumerate(rows[0]):
        key = names.get(_text(head).lower())
        if key and key not in where:
            where[key] = i
    missing = [COLUMNS[k] for k in COLUMNS if k not in where]
    if missing:
        raise BadReturnFile(
            [
                str(_("缺少列“%(col)s”：请使用本系统导出的银行发放文件加上发放结果和失败原因两列。") % {"col": gettext(c)})
                for c in missing
            ]
        )

    def cell(row: list[Any], key: str) -> Any:
        i = where[key]
        return row[i] if i < len(row) else None

    lines = []
    for n, row in enumerate(rows[1:], start=2):
        if not any(_text(c) for c in row):
            continue  # blank lines at the end of a spreadsheet
        result = _text(cell(row, "result")).lower()
        lines.append(
            Line(
                number=n,
                payment=_text(cell(row, "payment")).lower(),
                household=_text(cell(row, "household")),
                amount_fen=_fen(cell(row, "amount")),
                month=_text(cell(row, "month"))[:7],
                paid=True if result in PAID_WORDS else False if result in FAILED_WORDS else None,
                reason=_text(cell(row, "reason"))[:200],
            )
        )
    if not lines:
        raise BadReturnFile([str(_("文件中没有发放结果。"))])
    return lines


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def _problems(roll: PaymentRoll, lines: list[Line]) -> list[str]:
    """Every line checked against the roll's payments (read once, as a dict)."""
    known = {
        str(u): (status, amount, month, number)
        for u, status, amount, month, number in Payment.objects.filter(roll=roll).values_list(
            "uuid", "status", "amount_fen", "month", "household__number"
        )
    }
    elsewhere = set()
    strangers = [ln.payment for ln in lines if ln.payment not in known]
    for i in range(0, len(strangers), CHUNK):
        ids = []
        for s in strangers[i : i + CHUNK]:
            try:
                ids.append(uuid.UUID(s))
            except ValueError:
                continue
        elsewhere |= {str(u) for u in Payment.objects.filter(uuid__in=ids).values_list("uuid", flat=True)}
    status_words = dict(Payment.Status.choices)
    seen: dict[str, int] = {}
    out: list[str] = []
    for ln in lines:
        at = {"line": ln.number, "id": ln.payment or "—"}
        if ln.payment in seen:
            out.append(str(_("第 %(line)d 行：发放记录 %(id)s 与第 %(first)d 行重复。") % {**at, "first": seen[ln.payment]}))
            continue
        seen[ln.payment] = ln.number
        if ln.paid is None:
            out.append(str(_("第 %(line)d 行：发放结果须为“成功”或“失败”。") % at))
        elif not ln.paid and not ln.reason:
            out.append(str(_("第 %(line)d 行：发放失败须写明原因。") % at))
        if ln.payment not in known:
            if ln.payment in elsewhere:
                out.append(str(_("第 %(line)d 行：发放记录 %(id)s 不属于本名册。") % at))
            else:
                out.append(str(_("第 %(line)d 行：发放记录 %(id)s 不存在。") % at))
            continue
        status, amount, month, number = known[ln.payment]
        if ln.month != f"{month:%Y-%m}":
            out.append(
                str(
                    _("第 %(line)d 行：发放月份 %(got)s 与本名册 %(want)s 不符。")
                    % {**at, "got": ln.month or "—", "want": f"{month:%Y-%m}"}
                )
            )
        if ln.household != number:
            out.append(
                str(
                    _("第 %(line)d 行：家庭编号 %(got)s 与发放记录（%(want)s）不符。")
                    % {**at, "got": ln.household or "—", "want": number}
                )
            )
        if ln.amount_fen != amount:
            out.append(str(_("第 %(line)d 行：金额与发放记录（%(want)s 元）不符。") % {**at, "want": _yuan(amount)}))
        if status != Payment.Status.PENDING:
            out.append(
                str(_("第 %(line)d 行：该笔已登记结果（%(status)s）。") % {**at, "status": status_words.get(status, status)})
            )
    return out


def _mark(roll: PaymentRoll, ids: list[str], **values: Any) -> int:
    moved = 0
    for i in range(0, len(ids), CHUNK):
        moved += Payment.objects.filter(roll=roll, status=Payment.Status.PENDING, uuid__in=ids[i : i + CHUNK]).update(
            **values, updated_at=timezone.now()
        )
    return moved


def return_import(*, roll: PaymentRoll, actor: Any, data: bytes, filename: str, paid_on: datetime.date) -> BankReturn:
    """Import a bank return file: the lines marked 成功 are paid on `paid_on`, those marked 失败 failed
    with the bank's reason. Payments the file does not list stay pending (a later file)."""
    scope.require_township_or_district(actor, roll.township)
    if paid_on > timezone.localdate() or paid_on < roll.month - datetime.timedelta(days=31):
        raise ValidationFailed(_("到账日期不正确。"), fields={"paid_on": [_("到账日期不正确。")]})
    lines = parse(data)
    digest = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        # One import of a roll at a time: the second waits here, then finds the first's record.
        r = PaymentRoll.objects.select_for_update().select_related("township").get(pk=roll.pk)
        if r.status != PaymentRoll.Status.FROZEN:
            raise WrongRollStatus(r, str(_("导入银行回盘文件")))
        if BankReturn.objects.filter(roll=r, sha256=digest).exists():
            raise AlreadyImported()
        problems = _problems(r, lines)
        if problems:
            raise BadReturnFile(problems)
        paid_ids = [ln.payment for ln in lines if ln.paid]
        n_paid = _mark(r, paid_ids, status=Payment.Status.PAID, paid_on=paid_on)
        by_reason: dict[str, list[str]] = {}
        for ln in lines:
            if not ln.paid:
                by_reason.setdefault(ln.reason, []).append(ln.payment)
        n_failed = sum(_mark(r, ids, status=Payment.Status.FAILED, failure_reason=reason) for reason, ids in by_reason.items())
        if n_paid + n_failed != len(lines):
            # Another import moved some of these payments after we read them: take nothing.
            raise Conflict(_("部分发放记录刚刚被其他操作登记了结果，请刷新后重试。"), code="welfare_return_race")
        try:
            with transaction.atomic():
                record = BankReturn.objects.create(
                    roll=r,
                    sha256=digest,
                    filename=(filename or "")[:200],
                    paid_on=paid_on,
                    lines=len(lines),
                    paid=n_paid,
                    failed=n_failed,
                    imported_by=actor if getattr(actor, "is_authenticated", False) else None,
                )
        except IntegrityError:
            raise AlreadyImported() from None
        audit(
            actor=actor,
            action="welfare.bank_return",
            target=r,
            data={"file": record.filename, "sha256": digest, "paid": n_paid, "failed": n_failed, "paid_on": paid_on.isoformat()},
        )
    return record
