"""What the case services share: the statutory limits, timeline events and the applicant's notices, input
cleaning, the case row lock, the permission check, trips to the hall."""

from __future__ import annotations

import datetime
import uuid as uuid_lib
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import OrgUnit
from onewindow.catalog import formschema
from onewindow.catalog.models import MaterialRequirement
from onewindow.core.errors import PermissionDenied, ValidationFailed
from onewindow.core.notify import notify
from onewindow.core.parsing import clean_text, parse_uuid

from ..models import (
    Case,
    CaseEvent,
    CasePause,
    CaseVisit,
    Channel,
)

INTAKE_DAYS = 5  # 行政许可法 art. 32


SINGLE_STATUTORY_MAX_EXTENSION = 10  # art. 42: +10 working days with approval


# Channels where the applicant hands in the application in person (a trip, unless an agent came).
IN_PERSON_CHANNELS = (Channel.COUNTER, Channel.APPOINTMENT, Channel.OFF_HOURS)


JOINT_STATUTORY_DAYS = 45  # art. 42: joint handling within 45 working days


JOINT_MAX_EXTENSION = 15


CHECK_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CHECK_CODE_LENGTH = 8  # Case.check_code holds 8; codes of cases filed before have 6


PREREVIEW_CHANNELS = (Channel.ONLINE, Channel.MOBILE)  # filed without anyone seeing the applicant


# Public labels of timeline events (shown on the progress page without personal data).
EVENT_LABELS = {
    "submitted": _("提交申请"),
    "accepted": _("已受理"),
    "refused": _("不予受理"),
    "supplement_requested": _("一次性告知补正材料"),
    "resubmitted": _("已补正材料"),
    "stage_opened": _("进入审查环节"),
    "step_approved": _("环节审查通过"),
    "step_rejected": _("环节审查不通过"),
    "step_returned": _("退回重新审查"),
    "step_claimed": _("承办人已签收"),
    "paused": _("中止计时"),
    "resumed": _("恢复计时"),
    "extended": _("延长办理期限"),
    "reviewed": _("审查完毕"),
    "decided": _("已作出决定"),
    "concluded": _("已办结"),
    "ready": _("结果待领取"),
    "delivered": _("已送达"),
    "notice_objected": _("公示期间有异议，重新调查"),
    "prereview_passed": _("网上预审通过，等待受理"),
    "prereview_fix_requested": _("网上预审：一次性告知修改"),
    "prereview_not_passed": _("网上预审未通过"),
    "visited": _("到现场办理"),
    "due_recomputed": _("办理期限因法定节假日安排公布而调整"),
}


# Events whose note is a code, shown through its choices' label in the reader's language.
CODED_NOTES: dict[str, Any] = {
    "submitted": Channel,
    "paused": CasePause.Kind,
    "decided": Case.Decision,
    "delivered": Case.Delivery,
}


def event_note(kind: str, note: str) -> str:
    choices = CODED_NOTES.get(kind)
    if choices is not None and note in choices.values:
        return str(choices(note).label)
    return note


@dataclass
class MaterialInput:
    """One submitted material: the requirement it answers and either an uploaded file or the
    private storage name of a file already held (e.g. from the applicant's material library; the
    caller has checked it belongs to the applicant)."""

    requirement: MaterialRequirement | None
    file: Any = None
    storage_name: str = ""
    name: str = ""
    paper: bool = False  # the front desk saw the paper original


def _uuid_or_blank(value: Any) -> str:
    parsed = parse_uuid(value)
    return str(parsed) if parsed else ""


def _clean(value: Any) -> str:
    """Text from a form or the API: stripped, without NUL characters (PostgreSQL refuses them)."""
    return clean_text(value)


def _clean_form(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ValidationFailed(_("申请表格式不正确。"), fields={"form_data": [_("须为 JSON 对象。")]})

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return clean_text(value, strip=False)
        if isinstance(value, dict):
            return {clean(str(k)): clean(v) for k, v in value.items()}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    cleaned: dict[str, Any] = clean(data)  # a dict in, a dict out
    return cleaned


def _today() -> datetime.date:
    return timezone.localdate()


def _event(case: Case, kind: str, *, actor: Any = None, department: OrgUnit | None = None, note: str = "") -> None:
    CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        department=department,
        note=note,
    )


def _notify_applicant(case: Case, kind: str) -> None:
    label = EVENT_LABELS.get(kind, kind)
    body = gettext("您的办件 %(number)s（%(title)s）状态更新：%(label)s。查询码 %(code)s。") % {
        "number": case.number,
        "title": case.title,
        "label": label,
        "code": case.check_code,
    }
    applicant = case.applicant
    channel = "sms" if applicant.phone else "site"
    notify(
        channel=channel,
        recipient=applicant.phone or applicant.username,
        user=applicant,
        subject=gettext("办件进度"),
        body=body,
        kind=f"case.{kind}",
    )


def _county(case: Case) -> str:
    """The county whose working calendar the case's clocks run on: its deciding department's
    (docs/tenancy.md; a delegated case's township is in the same county). The department comes
    with the locked row (`_lock`), so this reads nothing."""
    return case.department.county_id


def _lock(case: Case) -> Case:
    # The applicant and the department come with the row (the notices, the permission checks and
    # the step routing read them) but are not locked: FOR UPDATE on the department would serialise
    # every case of the department, and on the applicant every case of that person - and every
    # insert of a row that points at the person (FOR UPDATE conflicts with the foreign key's
    # KEY SHARE lock), across all their cases. No write here changes the applicant's row.
    return Case.objects.select_for_update(of=("self",)).select_related("applicant", "department").get(pk=case.pk)


def _require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied()


def _record_visit(case: Case, kind: str, *, day: datetime.date, ticket_uuid: uuid_lib.UUID | None = None) -> None:
    """One trip per case and day (the unique constraint keeps it so under concurrency too)."""
    from django.db import IntegrityError

    try:
        with transaction.atomic():
            CaseVisit.objects.get_or_create(case=case, day=day, defaults={"kind": kind, "ticket_uuid": ticket_uuid})
    except IntegrityError:  # the same trip recorded at the same moment by another request
        pass


def _validated_form(schema: list[dict[str, Any]], data: dict[str, Any]) -> dict[str, Any]:
    """The form checked against the matter's schema (every error at once, formschema.validate);
    keys the schema does not name are kept as they came (e.g. the demo's markers)."""
    if not schema:
        return data
    names = {f.name for f in formschema.fields_of(schema, fill_default=False)}
    cleaned = formschema.validate(schema, data, fill_default=False)
    return {**{k: v for k, v in data.items() if k not in names}, **cleaned}
