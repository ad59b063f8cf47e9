"""Receipts (收据) for fees collected at the point: a PDF per entry with a QR code to the public
verification page, which shows the amount and the kind without the payer's identity."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from onewindow.core import pdf

from .models import LedgerEntry
from .services import yuan


def verify_url(entry: LedgerEntry) -> str:
    query = urlencode({"n": entry.number, "c": entry.check_code})
    return f"{settings.ONEWINDOW_PUBLIC_BASE_URL.rstrip('/')}{reverse('assistance:receipt_verify')}?{query}"


def receipt_pdf(entry: LedgerEntry) -> bytes:
    point = entry.till.point
    # The receipt is an official paper: always in Chinese, like the case notices.
    with translation.override("zh-hans"):
        reversal = entry.kind == LedgerEntry.Kind.REVERSAL
        doc = pdf.Document(
            title="代收款冲正凭证" if reversal else "代收代缴收据",
            number=f"收据号 {entry.number}",
            fields=[
                ("缴费人", f"{entry.resident.display_name}（{entry.resident.masked_id_number}）"),
                ("代收项目", str(entry.get_collection_kind_display())),
                ("缴费年度/期间", entry.period),
                ("金额（元）", yuan(entry.amount_fen)),
                ("支付方式", str(entry.get_method_display())),
                ("支付流水号", entry.payment_ref),
                ("代收点", f"{point.name}  {point.phone}"),
                ("收款时间", f"{timezone.localtime(entry.created_at):%Y-%m-%d %H:%M}"),
                ("校验码", entry.check_code),
            ]
            + ([("冲正原收据", entry.reverses.number if entry.reverses else ""), ("冲正原因", entry.reason)] if reversal else []),
            paragraphs=["本收据由村（社区）代办点代收代缴时出具，款项按日结算后移交主管部门。扫描二维码可核验真伪。"],
            issuer=point.name,
            issued_on=f"{timezone.localtime(entry.created_at):%Y年%m月%d日}",
            qr_url=verify_url(entry),
            qr_caption="扫码核验收据",
        )
        return pdf.render(doc)
