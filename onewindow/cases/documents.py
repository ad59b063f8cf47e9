"""The written notices of a case (PDF): 受理通知书, 不予受理通知书, 补正材料通知书, 办结通知书.

Each carries the case number, dates, deadline, the issuing unit and a QR code that opens the
case's public progress page (case number + check code; no login, no personal data)."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.core.errors import ValidationFailed
from onewindow.core.pdf import Document, render

from .models import Case, CasePause

KINDS = ("acceptance", "refusal", "supplement", "conclusion")


def progress_url(case: Case) -> str:
    query = urlencode({"n": case.number, "c": case.check_code})
    return f"{settings.ONEWINDOW_PUBLIC_BASE_URL.rstrip('/')}{reverse('cases:progress')}?{query}"


def _date(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value)
    return f"{value:%Y年%m月%d日}"


def available_kinds(case: Case) -> list[str]:
    kinds = []
    if case.accepted_at:
        kinds.append("acceptance")
    if case.status == Case.Status.REFUSED:
        kinds.append("refusal")
    if case.pauses.filter(kind=CasePause.Kind.SUPPLEMENT).exists():
        kinds.append("supplement")
    if case.concluded_at and case.status != Case.Status.REFUSED:
        kinds.append("conclusion")
    return kinds


def notice(case: Case, kind: str) -> Document:
    if kind not in available_kinds(case):
        raise ValidationFailed(_("该办件没有这份文书。"), code="no_such_notice")
    applicant = case.enterprise.name if case.enterprise is not None else (case.applicant.display_name or case.applicant.username)
    issuer = case.intake_unit.name if kind != "conclusion" else case.department.name
    base = [
        (_("办件编号"), case.number),
        (_("申请人"), applicant),
        (_("申请事项"), case.title),
        (_("收件日期"), _date(case.received_at)),
    ]
    doc = Document(
        title="",
        number=_("编号：%(n)s") % {"n": case.number},
        issuer=issuer,
        qr_url=progress_url(case),
        qr_caption=_("扫码查询办理进度（办件编号 %(n)s，查询码 %(c)s）") % {"n": case.number, "c": case.check_code},
    )
    if kind == "acceptance":
        doc.title = _("受理通知书")
        doc.fields = [
            *base,
            (_("受理日期"), _date(case.accepted_at)),
            (_("承诺办结期限"), _date(case.committed_due)),
            (_("法定办结期限"), _date(case.statutory_due)),
        ]
        doc.paragraphs = [
            _(
                "你（单位）提交的申请材料齐全、符合法定形式，根据《中华人民共和国行政许可法》第三十二条的规定，决定予以受理。"
                "本机关将在承诺期限内作出决定；听证、检验、检测、鉴定和专家评审所需时间不计算在期限内。"
            )
        ]
        doc.issued_on = _date(case.accepted_at)
    elif kind == "refusal":
        doc.title = _("不予受理通知书")
        doc.fields = [*base, (_("不予受理理由"), case.refusal_reasons)]
        doc.paragraphs = [
            _("根据《中华人民共和国行政许可法》第三十二条的规定，决定不予受理，理由如上。"),
            _("如不服本决定，可以自收到本通知书之日起六十日内依法申请行政复议，或者六个月内依法提起行政诉讼。"),
        ]
        doc.issued_on = _date(case.concluded_at)
    elif kind == "supplement":
        pause = case.pauses.filter(kind=CasePause.Kind.SUPPLEMENT).order_by("started_on").first()
        assert pause is not None
        doc.title = _("补正材料通知书")
        doc.fields = base
        doc.paragraphs = [
            _(
                "你（单位）提交的申请材料不齐全或者不符合法定形式。根据《中华人民共和国行政许可法》第三十二条的规定，"
                "现一次性告知需要补正的全部内容如下。补正期间不计入办理时限，补齐后本机关将继续审查。"
            )
        ]
        doc.table_head = [_("序号"), _("需补正的材料"), _("补正要求")]
        doc.table_rows = [[str(i), item.get("name", ""), item.get("reason", "")] for i, item in enumerate(pause.items, start=1)]
        doc.issued_on = _date(pause.started_on)
    else:
        doc.title = _("办结通知书")
        doc.fields = [
            *base,
            (_("决定"), str(case.get_decision_display())),
            (_("理由"), case.decision_reason or "—"),
            (_("办结日期"), _date(case.concluded_at)),
            (_("承诺办结期限"), _date(case.committed_due)),
        ]
        steps = case.steps.select_related("department").order_by("stage_order", "id")
        doc.table_head = [_("序号"), _("办理环节"), _("部门"), _("结果")]
        doc.table_rows = [[str(i), s.name, s.department.name, str(s.get_status_display())] for i, s in enumerate(steps, start=1)]
        doc.paragraphs = [_("你（单位）申请的事项已办理完毕，办理结果如下。")]
        doc.issued_on = _date(case.concluded_at)
    return doc


def notice_pdf(case: Case, kind: str) -> bytes:
    return render(notice(case, kind))
