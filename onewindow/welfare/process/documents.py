"""The written documents of the 低保 process (PDF, core.pdf):

- 不予确认通知书: the refusal with its reasons (2021 rules art. 23: in writing, within 3 working
  days, through the township);
- 最低生活保障证: the certificate of a confirmed household (art. 23), with a QR code that opens
  the public check (`certificate_check`): anyone with the number and code sees whether it is valid,
  with the head's name masked — nothing more.

The article numbers of the 2021 审核确认办法 cited here are unverified (see docs/welfare.md).
"""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.core.errors import ValidationFailed
from onewindow.core.identity import mask_name
from onewindow.core.pdf import Document, render

from ..models import Application, Enrolment


def _date(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value)
    return f"{value:%Y年%m月%d日}"


def _yuan(fen: int) -> str:
    return f"{fen / 100:.2f}"


def check_url(app: Application) -> str:
    query = urlencode({"n": app.certificate_number, "c": app.certificate_code})
    return f"{settings.ONEWINDOW_PUBLIC_BASE_URL.rstrip('/')}{reverse('welfare:certificate_check')}?{query}"


def refusal_notice(app: Application) -> Document:
    if app.stage != Application.Stage.REFUSED:
        raise ValidationFailed(_("该申请没有不予确认通知书。"), code="no_such_notice")
    head = app.household.head
    case = app.case
    doc = Document(
        title=_("最低生活保障不予确认通知书"),
        number=_("编号：%(n)s") % {"n": case.number},
        issuer=app.household.township.name,
        issued_on=_date(app.refusal_notified_at),
        fields=[
            (_("申请人"), head.name if head else case.applicant.display_name),
            (_("家庭住址"), app.household.address),
            (_("受理日期"), _date(case.accepted_at)),
            (_("不予确认理由"), app.proposal_reasons),
        ],
        paragraphs=[
            _(
                "经家庭经济状况调查和审核，你家庭的申请不符合最低生活保障条件，"
                "根据《最低生活保障审核确认办法》的规定，决定不予确认，理由如上。"
            ),
            _("如对本决定有异议，可以自收到本通知书之日起六十日内依法申请行政复议，或者六个月内依法提起行政诉讼。"),
        ],
    )
    return doc


def certificate(app: Application) -> Document:
    if app.stage != Application.Stage.APPROVED or not app.certificate_number:
        raise ValidationFailed(_("该申请尚未审核确认，没有低保证。"), code="no_certificate")
    enrolment = Enrolment.objects.filter(case=app.case).first()
    assert enrolment is not None  # created with the confirmation
    head = app.household.head
    members = list(app.household.members.order_by("id"))
    return Document(
        title=_("最低生活保障证"),
        number=_("证号：%(n)s") % {"n": app.certificate_number},
        issuer=app.household.township.name,
        issued_on=_date(app.confirmed_at),
        fields=[
            (_("户主"), head.name if head else ""),
            (_("家庭住址"), app.household.address),
            (_("保障人数"), str(enrolment.people)),
            (_("月保障金（元）"), _yuan(enrolment.monthly_amount_fen)),
            (_("起始发放月"), f"{enrolment.starts_month:%Y年%m月}"),
        ],
        table_head=[_("序号"), _("姓名"), _("与户主关系")],
        table_rows=[[str(i), m.name, str(m.get_relationship_display())] for i, m in enumerate(members, start=1)],
        paragraphs=[_("经审核确认，该家庭纳入最低生活保障，自确认之日下月起按月发放最低生活保障金。")],
        qr_url=check_url(app),
        qr_caption=_("扫码核验（证号 %(n)s，校验码 %(c)s）") % {"n": app.certificate_number, "c": app.certificate_code},
    )


def pdf(doc: Document) -> bytes:
    return render(doc)


def certificate_check(number: str, code: str) -> dict[str, object] | None:
    """The public check: valid or not, the head masked, the township, in payment or not."""
    number, code = (number or "").strip()[:24], (code or "").strip().upper()[:12]
    if not number or not code:
        return None
    app = (
        Application.objects.select_related("household", "household__township", "household__township__county")
        .filter(certificate_number=number, certificate_code=code)
        .first()
    )
    if app is None:
        return None
    enrolment = Enrolment.objects.filter(case=app.case).first()
    head = app.household.head
    return {
        "number": app.certificate_number,
        "head": mask_name(head.name if head else ""),
        "township": app.household.township.name,
        # Whose certificate it is: a code reaches any county's (a landlord or a bank in 青原区 checks
        # a 吉州区 family's certificate), so the page names the county that issued it.
        "county": app.household.township.county.name,
        "county_code": app.household.township.county_id,
        "people": enrolment.people if enrolment else 0,
        "starts_month": enrolment.starts_month if enrolment else None,
        "in_force": bool(enrolment and enrolment.ended_on is None),
        "ended_on": enrolment.ended_on if enrolment else None,
    }
