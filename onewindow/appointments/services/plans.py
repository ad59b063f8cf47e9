"""Plan editing (hall managers). Every change reconciles the area's future slots in the same transaction
and reports the bookings it displaced; those people are told to rebook.

A county's calendar override (accounts/calendar.py) re-plans the county's areas on the day it
changes the same way (`county_calendar_changed`, the hook `accounts.county_calendar_changed`)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.sms import signed
from onewindow.core.audit import audit
from onewindow.core.errors import NotFound, PermissionDenied, ValidationFailed
from onewindow.hall.models import ServiceArea

from .. import access
from ..models import Booking, DateException, SessionKind, SessionRule
from ..policy import area_county
from ..scheduling import ReconcileResult, ensure_slots, forget_days, reconcile
from ._common import _tell, _when_text
from .links import manage_url


@dataclass
class PlanChange:
    result: ReconcileResult

    @property
    def displaced(self) -> list[Booking]:
        return self.result.displaced


def _after_plan_change(
    *, actor: Any, area: ServiceArea, what: str, target: Any, dates: list[datetime.date] | None = None
) -> PlanChange:
    result = reconcile(area_id=area.pk, dates=dates)
    if result.displaced:
        now = timezone.now()
        county = area_county(area)  # every displaced booking is of this area
        Booking.objects.filter(pk__in=[b.pk for b in result.displaced]).update(displaced_at=now)
        for b in result.displaced:
            b.displaced_at = now
            if dates is None:
                body = gettext("因大厅时段调整，您 %(when)s 的预约（%(code)s）需要改约，可免费改到其他时段：%(url)s")
            else:
                body = gettext("因本地工作日历调整，您 %(when)s 的预约（%(code)s）需要改约，可免费改到其他时段：%(url)s")
            _tell(  # notify() queues the messages; they leave after commit
                b,
                kind="appointment.displaced",
                body=signed(body % {"when": _when_text(b), "code": b.code, "url": manage_url(b)}, county),
                dedupe_key=f"appt:{b.uuid}:displaced:{b.slot_id}:{b.reschedule_count}",
            )
    data: dict[str, Any] = {
        "area": area.code,
        "created": result.created,
        "updated": result.updated,
        "closed": result.closed,
        "displaced": [b.code for b in result.displaced],
    }
    if dates is not None:
        if not (result.created or result.updated or result.closed):
            return PlanChange(result)  # the county's calendar change left this area's slots as they were
        data["dates"] = [str(d) for d in dates]
    audit(actor=actor, action=f"appointment.plan.{what}", target=target, data=data)
    return PlanChange(result)


def county_calendar_changed(*, county: str, dates: list[datetime.date], actor: Any) -> int:
    """The hook `accounts.county_calendar_changed` (AppointmentsConfig.provides): `county`'s
    calendar changed on `dates` (an override entered, changed or removed), inside the override's
    transaction and on the new calendar. Each of the county's areas re-plans those days as a date
    exception re-plans them: a slot the plan no longer gives closes and its bookings are displaced
    (the people told after commit, the desk's displaced list shows them); a slot the plan gives
    again opens. Only days already stored change (`scheduling.reconcile`); an area where nothing
    changed writes no audit row (the override's own row counts the displaced bookings). Returns how
    many bookings were displaced. The override service checked who may enter it."""
    displaced = 0
    for area in ServiceArea.objects.filter(point__org_unit__county_id=county).select_related("point__org_unit").order_by("pk"):
        change = _after_plan_change(actor=actor, area=area, what="calendar", target=area, dates=dates)
        displaced += len(change.displaced)
    return displaced


def _check_manager(actor: Any, area: ServiceArea) -> None:
    if not access.can_manage(actor, area):
        raise PermissionDenied()


def _parse_weekdays(weekdays: str) -> str:
    digits = "".join(sorted({c for c in weekdays if c in "0123456"}))
    if not digits:
        raise ValidationFailed(_("请至少选择一个星期。"), fields={"weekdays": [_("请至少选择一个星期。")]})
    return digits


def _validate_times(start: datetime.time, end: datetime.time, slot_minutes: int, capacity: int) -> None:
    fields: dict[str, Any] = {}
    if end <= start:
        fields["end"] = [_("结束时间应晚于开始时间。")]
    if not 5 <= slot_minutes <= 240:
        fields["slot_minutes"] = [_("每段时长应在 5 到 240 分钟之间。")]
    elif end > start:
        span = datetime.datetime.combine(datetime.date.min, end) - datetime.datetime.combine(datetime.date.min, start)
        if span < datetime.timedelta(minutes=slot_minutes):
            fields["slot_minutes"] = [_("时段长度超过了开始到结束的时间。")]
    if not 1 <= capacity <= 500:
        fields["capacity"] = [_("每段名额应在 1 到 500 之间。")]
    if fields:
        raise ValidationFailed(_("请检查时段设置。"), fields=fields)


def _overlaps(area: ServiceArea, kind: str, weekdays: str, start: datetime.time, end: datetime.time, exclude: int | None) -> bool:
    from ..models import WORKDAY_KINDS

    same_days = WORKDAY_KINDS if kind in WORKDAY_KINDS else {kind}
    rules = SessionRule.objects.filter(area=area, is_active=True, kind__in=list(same_days))
    if exclude is not None:
        rules = rules.exclude(pk=exclude)
    for r in rules:
        shares_day = kind == SessionKind.HOLIDAY or bool(set(r.weekdays) & set(weekdays))
        if shares_day and r.start < end and start < r.end:
            return True
    return False


def rule_save(
    *,
    actor: Any,
    area: ServiceArea,
    kind: str,
    weekdays: str,
    start: datetime.time,
    end: datetime.time,
    slot_minutes: int,
    capacity: int,
    rule: SessionRule | None = None,
) -> tuple[SessionRule, PlanChange]:
    """Create or change one line of the weekly plan."""
    _check_manager(actor, area)
    if kind not in SessionKind.values:
        raise ValidationFailed(_("时段类型不正确。"), fields={"kind": [_("时段类型不正确。")]})
    weekdays = _parse_weekdays(weekdays)
    _validate_times(start, end, slot_minutes, capacity)
    if rule is not None and rule.area_id != area.pk:
        raise NotFound()
    if _overlaps(area, kind, weekdays, start, end, rule.pk if rule else None):
        raise ValidationFailed(_("与已有时段重叠。"), fields={"start": [_("与已有时段重叠。")]})
    with transaction.atomic():
        if rule is None:
            rule = SessionRule.objects.create(
                area=area, kind=kind, weekdays=weekdays, start=start, end=end, slot_minutes=slot_minutes, capacity=capacity
            )
            what = "rule_add"
        else:
            SessionRule.objects.filter(pk=rule.pk).update(
                kind=kind, weekdays=weekdays, start=start, end=end, slot_minutes=slot_minutes, capacity=capacity, is_active=True
            )
            rule.refresh_from_db()
            what = "rule_change"
        change = _after_plan_change(actor=actor, area=area, what=what, target=rule)
    return rule, change


def rule_deactivate(*, actor: Any, rule: SessionRule) -> PlanChange:
    _check_manager(actor, rule.area)
    with transaction.atomic():
        SessionRule.objects.filter(pk=rule.pk).update(is_active=False)
        return _after_plan_change(actor=actor, area=rule.area, what="rule_off", target=rule)


def exception_add(
    *,
    actor: Any,
    area: ServiceArea,
    date: datetime.date,
    kind: str,
    note: str = "",
    session_kind: str = "",
    start: datetime.time | None = None,
    end: datetime.time | None = None,
    slot_minutes: int = 30,
    capacity: int = 4,
) -> tuple[DateException, PlanChange]:
    _check_manager(actor, area)
    if date < timezone.localdate():
        raise ValidationFailed(_("不能修改过去的日期。"), fields={"date": [_("不能修改过去的日期。")]})
    if kind == DateException.Kind.EXTRA:
        if session_kind not in SessionKind.values:
            raise ValidationFailed(_("时段类型不正确。"), fields={"session_kind": [_("时段类型不正确。")]})
        if start is None or end is None:
            raise ValidationFailed(_("请填写加开时段的起止时间。"), fields={"start": [_("请填写加开时段的起止时间。")]})
        _validate_times(start, end, slot_minutes, capacity)
    elif kind == DateException.Kind.CLOSED:
        session_kind, start, end = "", None, None
        if DateException.objects.filter(area=area, date=date, kind=kind).exists():
            raise ValidationFailed(_("该日已设为闭厅。"), fields={"date": [_("该日已设为闭厅。")]})
    else:
        raise ValidationFailed(_("例外类型不正确。"), fields={"kind": [_("例外类型不正确。")]})
    with transaction.atomic():
        exc = DateException.objects.create(
            area=area,
            date=date,
            kind=kind,
            session_kind=session_kind,
            start=start,
            end=end,
            slot_minutes=slot_minutes,
            capacity=capacity,
            note=note[:200],
        )
        if kind == DateException.Kind.EXTRA:
            forget_days(area_id=area.pk, start=date)
            ensure_slots([area.pk], date, date)
        change = _after_plan_change(actor=actor, area=area, what="exception_add", target=exc)
    return exc, change


def exception_remove(*, actor: Any, exception: DateException) -> PlanChange:
    _check_manager(actor, exception.area)
    if exception.date < timezone.localdate():
        raise ValidationFailed(_("不能修改过去的日期。"))
    with transaction.atomic():
        area = exception.area
        audit_target = exception
        exception.delete()
        forget_days(area_id=area.pk, start=audit_target.date)
        ensure_slots([area.pk], audit_target.date, audit_target.date)
        return _after_plan_change(actor=actor, area=area, what="exception_remove", target=area)
