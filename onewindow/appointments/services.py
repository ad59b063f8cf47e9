"""Every write of appointments: booking, cancel, reschedule, check-in, plan editing, sweeps.

Capacity is the database's job: a booking takes a place with
`UPDATE slot SET booked = booked + 1 WHERE id = %s AND booked < capacity AND is_open` and checks the
row count; the CHECK constraint booked <= capacity backs it. The per-person limits are a partial
unique constraint (one active booking per ID number and matter) and a weekly counter row advanced
by a conditional UPDATE (count < limit).
"""

from __future__ import annotations

import datetime
import itertools
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import OrgUnit
from onewindow.catalog.models import Matter
from onewindow.core.audit import audit
from onewindow.core.errors import NotFound, PermissionDenied, ValidationFailed
from onewindow.core.identity import validate_resident_id
from onewindow.core.models import Notification
from onewindow.core.notify import notify
from onewindow.hall.models import ServiceArea

from . import access
from .errors import (
    AlreadyBooked,
    BadLink,
    ChangeNotAllowed,
    CheckInRefused,
    NotOffHoursBookable,
    OutsideBookingWindow,
    SlotClosed,
    SlotFull,
    WeeklyLimitReached,
)
from .models import OFF_HOURS_KINDS, Booking, BookingSlot, DateException, SessionKind, SessionRule, Slot, WeeklyQuota
from .policy import policy
from .scheduling import ReconcileResult, ensure_slots, forget_days, reconcile
from .selectors import matter_places, slot_units_for

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out over the phone
SELF_CHANNELS = (Booking.Channel.WEB, Booking.Channel.PHONE)
DESK_CHANNELS = (Booking.Channel.COUNTER, Booking.Channel.CALL)
LINK_SALT = "onewindow.appointments.manage"


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


# ---------------------------------------------------------------------------------------------
# Signed links


def manage_token(booking: Booking) -> str:
    return signing.dumps({"b": str(booking.uuid)}, salt=LINK_SALT, compress=True)


def manage_url(booking: Booking) -> str:
    return settings.ONEWINDOW_PUBLIC_BASE_URL.rstrip("/") + reverse("appointments:manage", args=[manage_token(booking)])


def booking_from_token(token: str) -> Booking:
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=datetime.timedelta(days=policy().link_max_age_days))
        return Booking.objects.select_related("matter", "area", "area__point", "slot").get(uuid=data["b"])
    except (signing.BadSignature, KeyError, ValueError, Booking.DoesNotExist):
        raise BadLink() from None


# ---------------------------------------------------------------------------------------------
# Booking


@dataclass
class Person:
    id_number: str
    name: str
    phone: str


def _who(
    *,
    actor: Any,
    channel: str,
    area: ServiceArea,
    id_number: str | None,
    person_name: str,
    phone: str,
    agent_unit: OrgUnit | None,
) -> tuple[Person, Any, OrgUnit | None]:
    """Resolve the person served, the account the booking belongs to, and the agent's village."""
    if channel in SELF_CHANNELS:
        if not access.is_self_booker(actor):
            raise PermissionDenied(_("请先完成实名认证后再预约。"))
        return Person(actor.id_number, actor.display_name or actor.username, phone or actor.phone), actor, None
    fields: dict[str, Any] = {}
    if not person_name.strip():
        fields["person_name"] = [_("请填写姓名。")]
    if not phone.strip():
        fields["phone"] = [_("请填写手机号，用于接收预约提醒。")]
    try:
        number = validate_resident_id(id_number or "")
    except ValidationFailed as exc:
        fields["id_number"] = [exc.message]
        number = ""
    if fields:
        raise ValidationFailed(_("请检查填写的信息。"), fields=fields)
    person = Person(number, person_name.strip(), phone.strip())
    from onewindow.accounts.models import User

    owner = User.objects.filter(id_number=number).first()
    if channel in DESK_CHANNELS:
        if not access.can_desk(actor, area):
            raise PermissionDenied()
        return person, owner, None
    if channel == Booking.Channel.AGENT:
        units = access.agent_units(actor)
        if agent_unit is None:
            agent_unit = units.first()
        if agent_unit is None or not units.filter(pk=agent_unit.pk).exists():
            raise PermissionDenied(_("只有村（社区）代办员可以代为预约。"))
        return person, owner, agent_unit
    raise ValidationFailed(_("预约渠道不正确。"), fields={"channel": [_("预约渠道不正确。")]})


def _check_slot_for(*, matter: Matter, slot: Slot, now: datetime.datetime) -> None:
    version = matter.current_version
    if version is None:
        raise NotFound(_("事项不存在或未发布。"))
    if not matter_places(matter).filter(pk=slot.area_id).exists():
        raise ValidationFailed(_("该事项不在此服务区办理。"), fields={"slot": [_("该事项不在此服务区办理。")]})
    if slot.kind in OFF_HOURS_KINDS and not version.off_hours_bookable:
        raise NotOffHoursBookable()
    if not slot.is_open:
        raise SlotClosed()
    p = policy()
    if slot.starts_at < now + datetime.timedelta(minutes=p.min_notice_minutes):
        raise OutsideBookingWindow(_("请至少提前 %(n)s 分钟预约。") % {"n": p.min_notice_minutes})
    if slot.date > timezone.localdate(now) + datetime.timedelta(days=p.max_days_ahead):
        raise OutsideBookingWindow(_("最多可预约 %(n)s 天内的时段。") % {"n": p.max_days_ahead})


def _run_of_slots(slot: Slot, units: int) -> list[Slot]:
    """`units` consecutive slots of one session starting at `slot`."""
    if units == 1:
        return [slot]
    run = list(
        Slot.objects.filter(area_id=slot.area_id, session_key=slot.session_key, starts_at__gte=slot.starts_at).order_by(
            "starts_at"
        )[:units]
    )
    if len(run) < units or any(a.ends_at != b.starts_at for a, b in itertools.pairwise(run)):
        raise ValidationFailed(
            _("该事项需要连续 %(n)s 个时段，所选时段之后的时间不足。") % {"n": units},
            fields={"slot": [_("请选择更早的时段。")]},
        )
    return run


def _take_places(slots: list[Slot]) -> None:
    for s in slots:  # ascending start: every transaction locks rows in the same order, no deadlock
        if not Slot.objects.filter(pk=s.pk, booked__lt=F("capacity"), is_open=True).update(booked=F("booked") + 1):
            raise SlotFull()


def _release_places(slot_ids: list[int]) -> None:
    Slot.objects.filter(pk__in=slot_ids, booked__gt=0).update(booked=F("booked") - 1)


def _count_in_week(id_number: str, day: datetime.date) -> None:
    limit = policy().per_week_limit
    ws = week_start(day)
    WeeklyQuota.objects.bulk_create([WeeklyQuota(id_number=id_number, week_start=ws)], ignore_conflicts=True)
    if not WeeklyQuota.objects.filter(id_number=id_number, week_start=ws, count__lt=limit).update(count=F("count") + 1):
        raise WeeklyLimitReached(limit)


def _uncount_in_week(id_number: str, day: datetime.date) -> None:
    WeeklyQuota.objects.filter(id_number=id_number, week_start=week_start(day), count__gt=0).update(count=F("count") - 1)


def _place_text(b: Booking) -> str:
    return f"{b.area.point.name} {b.area.name}"


def _when_text(b: Booking) -> str:
    start = timezone.localtime(b.starts_at)
    return f"{start:%Y-%m-%d %H:%M}-{timezone.localtime(b.ends_at):%H:%M}"


def _tell(b: Booking, *, kind: str, body: str, dedupe_key: str | None = None) -> None:
    """SMS to the person served (and a site message to the account, if any)."""
    if b.phone:
        notify(channel=Notification.Channel.SMS, recipient=b.phone, body=body, user=b.user, kind=kind, dedupe_key=dedupe_key)
    if b.user_id and b.user is not None:
        notify(
            channel=Notification.Channel.SITE,
            recipient=b.user.username,
            body=body,
            user=b.user,
            kind=kind,
            dedupe_key=f"{dedupe_key}:site" if dedupe_key else None,
        )


def booking_create(
    *,
    actor: Any,
    matter: Matter,
    slot: Slot,
    channel: str,
    id_number: str | None = None,
    person_name: str = "",
    phone: str = "",
    agent_unit: OrgUnit | None = None,
    now: datetime.datetime | None = None,
) -> Booking:
    """Book `slot` for `matter`. Citizens (web/phone) book for themselves; desk staff
    (counter/call) and village agents (agent) book for the person whose ID number they give."""
    now = now or timezone.now()
    person, owner, agent_village = _who(
        actor=actor,
        channel=channel,
        area=slot.area,
        id_number=id_number,
        person_name=person_name,
        phone=phone,
        agent_unit=agent_unit,
    )
    _check_slot_for(matter=matter, slot=slot, now=now)
    units = slot_units_for(matter)
    with transaction.atomic():
        if Booking.objects.filter(id_number=person.id_number, matter=matter, status=Booking.Status.BOOKED).exists():
            raise AlreadyBooked()
        run = _run_of_slots(slot, units)
        _count_in_week(person.id_number, slot.date)
        _take_places(run)
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    booking = Booking.objects.create(
                        code=_new_code(),
                        matter=matter,
                        area=slot.area,
                        slot=slot,
                        slot_units=units,
                        starts_at=run[0].starts_at,
                        ends_at=run[-1].ends_at,
                        session_kind=slot.kind,
                        is_off_hours=slot.kind in OFF_HOURS_KINDS,
                        id_number=person.id_number,
                        person_name=person.name,
                        phone=person.phone,
                        user=owner,
                        booked_by=actor,
                        channel=channel,
                        agent=actor if channel == Booking.Channel.AGENT else None,
                        agent_unit=agent_village,
                    )
                break
            except IntegrityError as exc:
                if "code" in str(exc).lower() and "id_number" not in str(exc).lower():
                    continue  # code collision: draw again
                raise AlreadyBooked() from None  # lost the race for this person's one active booking
        else:  # pragma: no cover - 32^8 codes
            raise IntegrityError("could not draw a unique booking code")
        BookingSlot.objects.bulk_create([BookingSlot(booking=booking, slot=s) for s in run])
        audit(
            actor=actor,
            action="appointment.book",
            target=booking,
            data={"code": booking.code, "matter": matter.code, "slot": slot.starts_at.isoformat(), "channel": channel},
        )
        _tell(
            booking,
            kind="appointment.booked",
            body=gettext(
                "【青原区政务服务】%(name)s，您已预约%(place)s %(when)s 办理“%(matter)s”，预约码 %(code)s。取消或改约：%(url)s"
            )
            % {
                "name": booking.person_name,
                "place": _place_text(booking),
                "when": _when_text(booking),
                "matter": matter.search_name or matter.code,
                "code": booking.code,
                "url": manage_url(booking),
            },
            dedupe_key=f"appt:{booking.uuid}:booked",
        )
    return booking


def _may_change(actor: Any, booking: Booking, via_link: bool) -> bool:
    """Desk staff of the area may change any booking (no cutoff for them); the person may change
    their own, by the signed link or logged in."""
    if via_link:
        return True
    if getattr(actor, "is_authenticated", False):
        if booking.user_id == actor.pk or (actor.id_number and actor.id_number == booking.id_number):
            return True
        if booking.agent_id == actor.pk:
            return True
    return False


def _is_desk(actor: Any, booking: Booking) -> bool:
    return bool(getattr(actor, "is_authenticated", False)) and access.can_desk(actor, booking.area)


def _check_change(*, actor: Any, booking: Booking, via_link: bool, now: datetime.datetime) -> bool:
    desk = _is_desk(actor, booking)
    if not desk and not _may_change(actor, booking, via_link):
        raise PermissionDenied()
    if booking.status != Booking.Status.BOOKED:
        raise ChangeNotAllowed(_("该预约已%(status)s，不能再修改。") % {"status": booking.get_status_display()})
    cutoff = booking.starts_at - datetime.timedelta(minutes=policy().change_cutoff_minutes)
    if not desk and now > cutoff and booking.displaced_at is None:
        raise ChangeNotAllowed(
            _("预约开始前 %(n)s 分钟内不能在线取消或改约，请联系大厅。") % {"n": policy().change_cutoff_minutes}
        )
    return desk


def booking_cancel(*, actor: Any, booking: Booking, via_link: bool = False, now: datetime.datetime | None = None) -> Booking:
    now = now or timezone.now()
    _check_change(actor=actor, booking=booking, via_link=via_link, now=now)
    with transaction.atomic():
        if not Booking.objects.filter(pk=booking.pk, status=Booking.Status.BOOKED).update(
            status=Booking.Status.CANCELLED, cancelled_at=now
        ):
            raise ChangeNotAllowed(_("该预约已变更，请刷新后重试。"))
        _release_places(list(booking.held.values_list("slot_id", flat=True)))
        _uncount_in_week(booking.id_number, timezone.localdate(booking.starts_at))
        booking.refresh_from_db()
        audit(actor=actor, action="appointment.cancel", target=booking, data={"code": booking.code, "via_link": via_link})
        _tell(
            booking,
            kind="appointment.cancelled",
            body=gettext("【青原区政务服务】您 %(when)s 的预约（%(code)s）已取消。")
            % {"when": _when_text(booking), "code": booking.code},
            dedupe_key=f"appt:{booking.uuid}:cancelled",
        )
    return booking


def booking_reschedule(
    *, actor: Any, booking: Booking, slot: Slot, via_link: bool = False, now: datetime.datetime | None = None
) -> Booking:
    now = now or timezone.now()
    desk = _check_change(actor=actor, booking=booking, via_link=via_link, now=now)
    p = policy()
    # A booking displaced by a plan change may always move: the change was not the person's doing.
    if not desk and booking.displaced_at is None and booking.reschedule_count >= p.reschedule_limit:
        raise ChangeNotAllowed(_("每个预约最多改约 %(n)s 次。") % {"n": p.reschedule_limit})
    if slot.area_id != booking.area_id and not matter_places(booking.matter).filter(pk=slot.area_id).exists():
        raise ValidationFailed(_("该事项不在此服务区办理。"), fields={"slot": [_("该事项不在此服务区办理。")]})
    _check_slot_for(matter=booking.matter, slot=slot, now=now)
    with transaction.atomic():
        old_ids = list(booking.held.values_list("slot_id", flat=True))
        if slot.pk in old_ids and slot.pk == booking.slot_id:
            raise ValidationFailed(_("新时段与原时段相同。"), fields={"slot": [_("新时段与原时段相同。")]})
        run = _run_of_slots(slot, booking.slot_units)
        old_day, new_day = timezone.localdate(booking.starts_at), slot.date
        if week_start(old_day) != week_start(new_day):
            _count_in_week(booking.id_number, new_day)
            _uncount_in_week(booking.id_number, old_day)
        _release_places(old_ids)
        _take_places(run)
        updated = Booking.objects.filter(
            pk=booking.pk, status=Booking.Status.BOOKED, reschedule_count=booking.reschedule_count
        ).update(
            slot=slot,
            area=slot.area,
            starts_at=run[0].starts_at,
            ends_at=run[-1].ends_at,
            session_kind=slot.kind,
            is_off_hours=slot.kind in OFF_HOURS_KINDS,
            reschedule_count=F("reschedule_count") + 1,
            displaced_at=None,
            day_reminder_at=None,
            hour_reminder_at=None,
        )
        if not updated:
            raise ChangeNotAllowed(_("该预约已变更，请刷新后重试。"))
        BookingSlot.objects.filter(booking=booking).delete()
        BookingSlot.objects.bulk_create([BookingSlot(booking=booking, slot=s) for s in run])
        booking.refresh_from_db()
        audit(
            actor=actor,
            action="appointment.reschedule",
            target=booking,
            data={"code": booking.code, "slot": slot.starts_at.isoformat(), "count": booking.reschedule_count},
        )
        _tell(
            booking,
            kind="appointment.rescheduled",
            body=gettext("【青原区政务服务】您的预约（%(code)s）已改到 %(place)s %(when)s。")
            % {
                "code": booking.code,
                "place": _place_text(booking),
                "when": _when_text(booking),
            },
            dedupe_key=f"appt:{booking.uuid}:moved:{booking.reschedule_count}",
        )
    return booking


# ---------------------------------------------------------------------------------------------
# Check-in


@dataclass
class CheckInResult:
    booking: Booking
    ticket: Any
    late: bool


def booking_check_in(
    *,
    actor: Any,
    code: str,
    area: ServiceArea | None = None,
    kiosk_token: str | None = None,
    now: datetime.datetime | None = None,
) -> CheckInResult:
    """Turn a booking into a hall ticket: a priority ticket within the tolerance, a normal one for
    a late arrival. Typed by desk staff of the booking's service point, or scanned at a kiosk of
    that point (the kiosk proves itself with the point's device token, as for taking tickets)."""
    import hmac

    from onewindow.hall import services as hall_services

    now = now or timezone.now()
    booking = Booking.objects.select_related("area", "area__point", "matter").filter(code=(code or "").strip().upper()).first()
    if kiosk_token is not None:
        point_token = booking.area.point.kiosk_token if booking is not None else ""
        allowed = bool(point_token) and hmac.compare_digest(point_token.encode(), kiosk_token.encode())
        actor = None
    else:
        allowed = booking is not None and access.can_desk(actor, booking.area)
    if booking is None or not allowed:
        raise NotFound(_("没有找到该预约码。"))
    if area is not None and area.point_id != booking.area.point_id:
        raise CheckInRefused(_("该预约不在本服务场所办理。"))
    p = policy()
    if booking.status != Booking.Status.BOOKED:
        raise CheckInRefused(_("该预约已%(status)s，不能签到。") % {"status": booking.get_status_display()})
    if timezone.localdate(booking.starts_at) != timezone.localdate(now):
        raise CheckInRefused(
            _("预约日期是 %(day)s，请在预约当天签到。") % {"day": f"{timezone.localtime(booking.starts_at):%Y-%m-%d}"}
        )
    if now < booking.starts_at - datetime.timedelta(minutes=p.checkin_early_minutes):
        raise CheckInRefused(_("签到时间未到：请在预约开始前 %(n)s 分钟内签到。") % {"n": p.checkin_early_minutes})
    late = now > booking.starts_at + datetime.timedelta(minutes=p.checkin_late_minutes)
    with transaction.atomic():
        if not Booking.objects.filter(pk=booking.pk, status=Booking.Status.BOOKED).update(
            status=Booking.Status.CHECKED_IN, checked_in_at=now, checked_in_late=late
        ):
            raise CheckInRefused(_("该预约已签到或已变更。"))
        ticket = hall_services.ticket_issue(
            area=booking.area,
            source="appointment",
            actor=actor,
            id_number=booking.id_number,
            priority="normal" if late else "appointment",
            booking_ref=booking.code,
            phone=booking.phone,
        )
        Booking.objects.filter(pk=booking.pk).update(
            ticket_uuid=getattr(ticket, "uuid", None), ticket_number=getattr(ticket, "number", "") or ""
        )
        booking.refresh_from_db()
        audit(
            actor=actor,
            action="appointment.check_in",
            target=booking,
            data={"code": booking.code, "late": late, "by": "kiosk" if kiosk_token is not None else "desk"},
        )
    return CheckInResult(booking, ticket, late)


# ---------------------------------------------------------------------------------------------
# Plan editing (hall managers). Every change reconciles the area's future slots in the same
# transaction and reports the bookings it displaced; those people are told to rebook.


@dataclass
class PlanChange:
    result: ReconcileResult

    @property
    def displaced(self) -> list[Booking]:
        return self.result.displaced


def _after_plan_change(*, actor: Any, area: ServiceArea, what: str, target: Any) -> PlanChange:
    result = reconcile(area_id=area.pk)
    if result.displaced:
        now = timezone.now()
        Booking.objects.filter(pk__in=[b.pk for b in result.displaced]).update(displaced_at=now)
        for b in result.displaced:
            b.displaced_at = now
            _tell(
                b,
                kind="appointment.displaced",
                body=gettext(
                    "【青原区政务服务】因大厅时段调整，您 %(when)s 的预约（%(code)s）需要改约，可免费改到其他时段：%(url)s"
                )
                % {"when": _when_text(b), "code": b.code, "url": manage_url(b)},
                dedupe_key=f"appt:{b.uuid}:displaced:{b.slot_id}:{b.reschedule_count}",
            )
    audit(
        actor=actor,
        action=f"appointment.plan.{what}",
        target=target,
        data={
            "area": area.code,
            "created": result.created,
            "updated": result.updated,
            "closed": result.closed,
            "displaced": [b.code for b in result.displaced],
        },
    )
    return PlanChange(result)


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
    from .models import WORKDAY_KINDS

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


def notification_retry(*, actor: Any, dedupe_key: str) -> bool:
    """Desk staff re-queue a failed notification about a booking of their area."""
    from onewindow.core import notify as outbox

    n = Notification.objects.filter(dedupe_key=dedupe_key, status=Notification.Status.FAILED).first()
    parts = (dedupe_key or "").split(":")
    booking = (
        Booking.objects.select_related("area", "area__point").filter(uuid=parts[1]).first()
        if len(parts) > 2 and parts[0] == "appt"
        else None
    )
    if n is None or booking is None or not access.can_desk(actor, booking.area):
        raise NotFound()
    with transaction.atomic():
        ok = outbox.retry(int(n.pk))
        audit(actor=actor, action="appointment.notification_retry", target=booking, data={"kind": n.kind})
    return ok


# ---------------------------------------------------------------------------------------------
# Sweeps (core/sweeps.py runs them every minute; each is idempotent and returns a count)


def send_reminders(*, now: datetime.datetime | None = None, limit: int = 500) -> int:
    """The day-before and hour-before reminders. A flag on the booking (set by a conditional
    UPDATE) and an outbox dedupe key make each reminder go out once."""
    now = now or timezone.now()
    sent = 0
    plans = [
        ("day", "day_reminder_at", datetime.timedelta(hours=24), datetime.timedelta(hours=2)),
        ("hour", "hour_reminder_at", datetime.timedelta(hours=1), datetime.timedelta(0)),
    ]
    for label, field, ahead, skip_if_closer in plans:
        due = (
            Booking.objects.filter(status=Booking.Status.BOOKED, starts_at__gt=now + skip_if_closer, starts_at__lte=now + ahead)
            .filter(**{f"{field}__isnull": True})
            .select_related("area", "area__point", "matter", "user")
            .order_by("starts_at")[:limit]
        )
        for b in due:
            with transaction.atomic():
                if not Booking.objects.filter(pk=b.pk, **{f"{field}__isnull": True}).update(**{field: now}):
                    continue
                # The hour reminder also covers a booking made less than a day ahead.
                body = (
                    gettext("【青原区政务服务】提醒：您 %(when)s 在%(place)s 有预约（%(code)s），请携带所需材料。")
                    if label == "day"
                    else gettext("【青原区政务服务】提醒：您的预约 %(when)s 即将开始，地点%(place)s，预约码 %(code)s。")
                ) % {"when": _when_text(b), "place": _place_text(b), "code": b.code}
                _tell(
                    b, kind=f"appointment.reminder.{label}", body=body, dedupe_key=f"appt:{b.uuid}:{label}:{b.reschedule_count}"
                )
                sent += 1
    return sent


def mark_no_shows(*, now: datetime.datetime | None = None) -> int:
    """Bookings still unclaimed when their session is over become no-shows. They keep counting in
    the person's weekly limit (the counter is not given back)."""
    now = now or timezone.now()
    grace = datetime.timedelta(minutes=policy().checkin_late_minutes)
    n = 0
    for b in Booking.objects.filter(status=Booking.Status.BOOKED, ends_at__lt=now - grace).select_related("slot")[:1000]:
        session_end = (
            Slot.objects.filter(area_id=b.area_id, session_key=b.slot.session_key)
            .order_by("-ends_at")
            .values_list("ends_at", flat=True)
            .first()
        ) or b.ends_at
        if session_end + grace > now:
            continue
        with transaction.atomic():
            if Booking.objects.filter(pk=b.pk, status=Booking.Status.BOOKED).update(
                status=Booking.Status.NO_SHOW, no_show_at=now
            ):
                b.status = Booking.Status.NO_SHOW
                audit(actor=None, action="appointment.no_show", target=b, data={"code": b.code})
                n += 1
    return n
