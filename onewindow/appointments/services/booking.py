"""Booking, cancel and reschedule (the person, the desk or a call centre), and retrying a failed notice."""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import OrgUnit
from onewindow.accounts.sms import signed
from onewindow.catalog.models import Matter
from onewindow.core.audit import audit
from onewindow.core.errors import NotFound, PermissionDenied, ValidationFailed
from onewindow.core.identity import validate_resident_id
from onewindow.core.models import Notification
from onewindow.hall.models import ServiceArea

from .. import access
from ..errors import (
    AlreadyBooked,
    ChangeNotAllowed,
    NotOffHoursBookable,
    OutsideBookingWindow,
    SlotClosed,
    SlotFull,
    WeeklyLimitReached,
)
from ..models import OFF_HOURS_KINDS, Booking, BookingSlot, Slot, WeeklyQuota
from ..policy import area_county, policy
from ..scheduling import ensure_slots
from ..selectors import matter_places, slot_units_for
from ._common import DESK_CHANNELS, SELF_CHANNELS, _new_code, _place_text, _tell, _when_text, week_start
from .links import manage_url


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
        # A village's agent serves its own county's halls (docs/tenancy.md): a booking in another
        # county's hall would put that county's desk to work for an agent it does not know.
        if agent_unit.county_id != area.point.org_unit.county_id:
            raise PermissionDenied(_("代办员只能在本区县的服务场所代为预约。"), code="other_county")
        return person, owner, agent_unit
    raise ValidationFailed(_("预约渠道不正确。"), fields={"channel": [_("预约渠道不正确。")]})


def _check_slot_for(*, matter: Matter, slot: Slot, now: datetime.datetime) -> None:
    version = matter.current_version
    if version is None:
        raise NotFound(_("事项不存在或未发布。"))
    # The matter's own hall area is always one of its places: only another area needs the read.
    if slot.area_id != matter.service_area_id and not matter_places(matter).filter(pk=slot.area_id).exists():
        raise ValidationFailed(_("该事项不在此服务区办理。"), fields={"slot": [_("该事项不在此服务区办理。")]})
    if slot.kind in OFF_HOURS_KINDS and not version.off_hours_bookable:
        raise NotOffHoursBookable()
    if not slot.is_open:
        raise SlotClosed()
    p = policy(area_county(slot.area))  # the hall's county's window (slots come with point__org_unit)
    if slot.starts_at < now + datetime.timedelta(minutes=p.min_notice_minutes):
        raise OutsideBookingWindow(_("请至少提前 %(n)s 分钟预约。") % {"n": p.min_notice_minutes})
    if slot.date > timezone.localdate(now) + datetime.timedelta(days=p.max_days_ahead):
        raise OutsideBookingWindow(_("最多可预约 %(n)s 天内的时段。") % {"n": p.max_days_ahead})


def _stored(slot: Slot) -> Slot:
    """The stored row of `slot`. A slot of a day not materialised yet (pk None: selectors build it
    from the plan without writing) has its day stored here, inside the booking's transaction;
    INSERT ... ON CONFLICT DO NOTHING lets racing bookers of that day store it once, and each then
    takes its place on the one row by the conditional UPDATE."""
    if slot.pk is not None:
        return slot
    ensure_slots([slot.area_id], slot.date, slot.date)
    stored = (
        Slot.objects.select_related("area", "area__point__org_unit")
        .filter(area_id=slot.area_id, starts_at=slot.starts_at)
        .first()
    )
    if stored is None:  # the plan changed since the page was shown
        raise SlotClosed()
    return stored


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
    # The province's limit, not a county's: a person's bookings in every county's halls count.
    limit = policy(None).per_week_limit
    ws = week_start(day)
    WeeklyQuota.objects.bulk_create([WeeklyQuota(id_number=id_number, week_start=ws)], ignore_conflicts=True)
    if not WeeklyQuota.objects.filter(id_number=id_number, week_start=ws, count__lt=limit).update(count=F("count") + 1):
        raise WeeklyLimitReached(limit)


def _uncount_in_week(id_number: str, day: datetime.date) -> None:
    WeeklyQuota.objects.filter(id_number=id_number, week_start=week_start(day), count__gt=0).update(count=F("count") - 1)


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
    # The booking row is inserted without a savepoint of its own (two statements fewer): a drawn
    # code that is taken already (1 in 32^8 per booking held) fails the whole transaction, which
    # is then run again with a new code; the person's one active booking per matter is checked
    # before, and a race for it still ends in the unique constraint, reported as AlreadyBooked.
    for _attempt in range(5):
        try:
            return _book(
                actor=actor,
                matter=matter,
                slot=slot,
                units=units,
                channel=channel,
                person=person,
                owner=owner,
                agent_village=agent_village,
            )
        except _CodeTaken:
            continue
    raise IntegrityError("could not draw a unique booking code")  # pragma: no cover - 32^8 codes


class _CodeTaken(Exception):
    """The drawn booking code is held by another booking: draw again."""


def _book(
    *,
    actor: Any,
    matter: Matter,
    slot: Slot,
    units: int,
    channel: str,
    person: Person,
    owner: Any,
    agent_village: OrgUnit | None,
) -> Booking:
    with transaction.atomic():
        slot = _stored(slot)
        if Booking.objects.filter(id_number=person.id_number, matter=matter, status=Booking.Status.BOOKED).exists():
            raise AlreadyBooked()
        run = _run_of_slots(slot, units)
        _count_in_week(person.id_number, slot.date)
        _take_places(run)
        try:
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
        except IntegrityError as exc:
            # Leaving the block by an exception rolls the whole booking back (places, quota).
            if "code" in str(exc).lower() and "id_number" not in str(exc).lower():
                raise _CodeTaken() from None
            raise AlreadyBooked() from None  # lost the race for this person's one active booking
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
            body=signed(
                gettext("%(name)s，您已预约%(place)s %(when)s 办理“%(matter)s”，预约码 %(code)s。取消或改约：%(url)s")
                % {
                    "name": booking.person_name,
                    "place": _place_text(booking),
                    "when": _when_text(booking),
                    "matter": matter.search_name or matter.code,
                    "code": booking.code,
                    "url": manage_url(booking),
                },
                area_county(slot.area),  # the hall's county (the slot came with its point's unit)
            ),
            dedupe_key=f"appt:{booking.uuid}:booked",
            new_key=True,  # the booking was made just now: nothing was sent under its key
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
    minutes = policy(area_county(booking.area)).change_cutoff_minutes
    cutoff = booking.starts_at - datetime.timedelta(minutes=minutes)
    if not desk and now > cutoff and booking.displaced_at is None:
        raise ChangeNotAllowed(_("预约开始前 %(n)s 分钟内不能在线取消或改约，请联系大厅。") % {"n": minutes})
    return desk


def booking_cancel(*, actor: Any, booking: Booking, via_link: bool = False, now: datetime.datetime | None = None) -> Booking:
    now = now or timezone.now()
    _check_change(actor=actor, booking=booking, via_link=via_link, now=now)
    county = area_county(booking.area)  # read by the check above; the refresh below drops the area
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
            body=signed(
                gettext("您 %(when)s 的预约（%(code)s）已取消。") % {"when": _when_text(booking), "code": booking.code}, county
            ),
            dedupe_key=f"appt:{booking.uuid}:cancelled",
        )
    return booking


def booking_reschedule(
    *, actor: Any, booking: Booking, slot: Slot, via_link: bool = False, now: datetime.datetime | None = None
) -> Booking:
    now = now or timezone.now()
    desk = _check_change(actor=actor, booking=booking, via_link=via_link, now=now)
    p = policy(area_county(booking.area))
    # A booking displaced by a plan change may always move: the change was not the person's doing.
    if not desk and booking.displaced_at is None and booking.reschedule_count >= p.reschedule_limit:
        raise ChangeNotAllowed(_("每个预约最多改约 %(n)s 次。") % {"n": p.reschedule_limit})
    if slot.area_id != booking.area_id and not matter_places(booking.matter).filter(pk=slot.area_id).exists():
        raise ValidationFailed(_("该事项不在此服务区办理。"), fields={"slot": [_("该事项不在此服务区办理。")]})
    _check_slot_for(matter=booking.matter, slot=slot, now=now)
    with transaction.atomic():
        slot = _stored(slot)
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
            body=signed(
                gettext("您的预约（%(code)s）已改到 %(place)s %(when)s。")
                % {
                    "code": booking.code,
                    "place": _place_text(booking),
                    "when": _when_text(booking),
                },
                area_county(slot.area),  # the new hall's county (checked with the slot above)
            ),
            dedupe_key=f"appt:{booking.uuid}:moved:{booking.reschedule_count}",
        )
    return booking


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
