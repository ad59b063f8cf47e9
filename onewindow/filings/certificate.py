"""The filing certificate (备案回执): a one-page PDF with a QR code that opens the public check page.

Its page layout is its own; the PDF and its CJK font come from core.pdf like every other document."""

from __future__ import annotations

import io

import segno
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.core.pdf import FONT_FAMILY, new_pdf

from .models import Filing


def verify_url(filing: Filing) -> str:
    return f"{settings.ONEWINDOW_PUBLIC_BASE_URL.rstrip('/')}/filings/check/{filing.uuid}/"


def certificate_pdf(filing: Filing) -> bytes:
    pdf = new_pdf()  # the one CJK font lookup (core.pdf), which knows the collections' faces
    pdf.set_margins(10, 10, 10)
    pdf.add_page()
    pdf.set_font(FONT_FAMILY, size=20)
    pdf.cell(0, 14, _("告知承诺备案回执"), align="C", new_x="LMARGIN", new_y="NEXT")
    qr = segno.make(verify_url(filing), error="m")
    buf = io.BytesIO()
    qr.save(buf, kind="png", scale=5, border=2)
    buf.seek(0)
    pdf.image(buf, x=160, y=30, w=34)
    pdf.set_font(FONT_FAMILY, size=12)
    pdf.ln(4)
    signed = timezone.localtime(filing.signed_at)
    rows = [
        (_("备案编号"), filing.number or ""),
        (_("备案事项"), filing.title),
        (_("备案部门"), filing.department.name),
        (_("备案主体"), filing.enterprise.name if filing.enterprise else filing.signer_name),
        (_("统一社会信用代码"), filing.enterprise.masked_uscc if filing.enterprise else "-"),
        (_("承诺人"), f"{filing.signer_name}（{filing.signer_id_masked}）"),
        (_("签署时间"), signed.strftime("%Y-%m-%d %H:%M:%S")),
        (_("状态"), str(filing.get_status_display())),
        (_("承诺书摘要 SHA-256"), filing.text_sha256),
    ]
    for label, value in rows:
        pdf.set_x(16)
        pdf.cell(42, 9, label)
        pdf.multi_cell(100 if pdf.get_y() < 70 else 0, 9, str(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(FONT_FAMILY, size=11)
    pdf.multi_cell(0, 7, _("承诺书全文："), new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 7, filing.commitment_text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.multi_cell(
        0,
        7,
        _("本备案依申请人承诺即时办结。如经事后核查发现承诺不实，备案将被撤销并记入失信记录。扫描二维码可核验本回执。"),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())
