from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine

from onewindow.accounts.demo import resident_id
from onewindow.appointments import selectors, services
from onewindow.appointments.errors import (
    AlreadyBooked,
    BadLink,
    ChangeNotAllowed,
    CheckInRefused,
    NotOffHoursBookable,
    OutsideBookingWindow,
    SlotFull,
    WeeklyLimitReached,
)
from onewindow.appointments.models import Booking, DateException, MatterBookingRule, SessionKind, SessionRule, Slot, WeeklyQuota
from onewindow.appointments.scheduling import ensure_slots
from onewindow.core.errors import ApplicationError, PermissionDenied, ValidationFailed
from onewindow.core.models import AuditEntry, Notification
from onewindow.hall.models import Ticket

from .conftest import at, make_matter

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def slot_at(area: Any, when: datetime.datetime) -> Slot:
    ensure_slots([area.pk], when.date(), when.date())
    return Slot.objects.select_related("area", "area__point").get(area=area, starts_at=when)


def book(actor: Any, matter: Any, slot: Slot, **kw: Any) -> Booking:
    return services.booking_create(actor=actor, matter=matter, slot=slot, channel=kw.pop("channel", Booking.Channel.WEB), **kw)


# ----------------------------------------------------------------------------- plan -> slots


def kinds_on(area: Any, day: datetime.date) -> set[str]:
    ensure_slots([area.pk], day, day)
    return set(Slot.objects.filter(area=area, date=day).values_list("kind", flat=True))


def test_workday_weekend_holiday_and_makeup_day(hall: dict[str, Any]) -> None:
    area = hall["area"]
    assert kinds_on(area, datetime.date(2026, 12, 1)) == {"regular", "lunch", "evening"}  # Tuesday
    assert kinds_on(area, datetime.date(2026, 12, 2)) == {"regular", "lunch"}  # Wednesday: no evening
    assert kinds_on(area, datetime.date(2026, 12, 5)) == {"weekend"}  # Saturday
    assert kinds_on(area, datetime.date(2026, 10, 1)) == {"holiday"}  # 国庆节
    # 2026-10-10 is a Saturday and a 调休 make-up workday: the workday plan runs.
    assert kinds_on(area, datetime.date(2026, 10, 10)) == {"regular", "lunch", "evening"}
    assert Slot.objects.filter(area=area, date=datetime.date(2026, 12, 1), kind="regular").count() == 13


def test_closed_day_and_extra_session(hall: dict[str, Any], hall_manager: Any) -> None:
    area = hall["area"]
    services.exception_add(
        actor=hall_manager, area=area, date=datetime.date(2026, 12, 3), kind=DateException.Kind.CLOSED, note="停电"
    )
    day = datetime.date(2026, 12, 3)
    assert not Slot.objects.filter(area=area, date=day, is_open=True).exists()
    ensure_slots([area.pk], day, day)
    assert not Slot.objects.filter(area=area, date=day, is_open=True).exists()
    services.exception_add(
        actor=hall_manager,
        area=area,
        date=datetime.date(2026, 12, 6),
        kind=DateException.Kind.EXTRA,
        session_kind=SessionKind.WEEKEND,
        start=datetime.time(14, 0),
        end=datetime.time(16, 0),
        capacity=5,
    )
    assert Slot.objects.filter(area=area, date=datetime.date(2026, 12, 6), starts_at=at(2026, 12, 6, 14), capacity=5).exists()


def test_calendar_end_gives_uncovered_days_not_a_crash(hall: dict[str, Any], matters: dict[str, Any]) -> None:
    with time_machine.travel(at(2026, 12, 20, 9), tick=False):
        days = selectors.availability(
            matter=matters["off"], area=hall["area"], start=datetime.date(2026, 12, 20), end=datetime.date(2027, 1, 15)
        )
    covered = [d for d in days if not d.uncovered]
    uncovered = [d for d in days if d.uncovered]
    assert covered[-1].date == datetime.date(2026, 12, 31)
    assert uncovered[0].date == datetime.date(2027, 1, 1) and not uncovered[0].slots


def test_rule_validation(hall: dict[str, Any], hall_manager: Any) -> None:
    area = hall["area"]
    with pytest.raises(ValidationFailed) as e:
        services.rule_save(
            actor=hall_manager,
            area=area,
            kind="lunch",
            weekdays="01234",
            start=datetime.time(12, 0),
            end=datetime.time(11, 0),
            slot_minutes=30,
            capacity=2,
        )
    assert "end" in e.value.fields
    with pytest.raises(ValidationFailed) as invalid:  # overlaps the morning session
        services.rule_save(
            actor=hall_manager,
            area=area,
            kind="regular",
            weekdays="0",
            start=datetime.time(11, 0),
            end=datetime.time(12, 0),
            slot_minutes=30,
            capacity=2,
        )
    assert invalid.value.code == "validation_failed" and set(invalid.value.fields) == {"start"}
    assert SessionRule.objects.filter(area=area).count() == 6


def test_only_hall_managers_edit_plans(hall: dict[str, Any], clerk: Any, verified_citizen: Any) -> None:
    for actor in (clerk, verified_citizen):
        with pytest.raises(PermissionDenied) as denied:
            services.rule_save(
                actor=actor,
                area=hall["area"],
                kind="evening",
                weekdays="4",
                start=datetime.time(18),
                end=datetime.time(19),
                slot_minutes=30,
                capacity=2,
            )
        assert denied.value.code == "permission_denied"
        with pytest.raises(PermissionDenied) as denied:
            services.exception_add(actor=actor, area=hall["area"], date=datetime.date(2026, 12, 9), kind="closed")
        assert denied.value.code == "permission_denied"


# ----------------------------------------------------------------------------- booking


def test_citizen_books_and_gets_code_materials_and_sms(
    hall: dict[str, Any], matters: dict[str, Any], verified_citizen: Any
) -> None:
    slot = slot_at(hall["area"], at(2026, 12, 2, 9, 30))
    b = book(verified_citizen, matters["off"], slot)
    assert len(b.code) == 8 and b.id_number == verified_citizen.id_number and b.user == verified_citizen
    assert not b.is_off_hours and b.session_kind == "regular"
    slot.refresh_from_db()
    assert slot.booked == 1
    assert [m.name for m in selectors.materials_to_bring(b.matter)] == ["居民身份证", "户口簿"]
    sms = Notification.objects.get(dedupe_key=f"appt:{b.uuid}:booked")
    assert b.code in sms.body and "/appointments/manage/" in sms.body and sms.recipient == verified_citizen.phone
    assert AuditEntry.objects.filter(action="appointment.book", target_id=str(b.uuid)).exists()


def test_unverified_citizen_cannot_book(hall: dict[str, Any], matters: dict[str, Any], citizen: Any) -> None:
    with pytest.raises(PermissionDenied) as denied:
        book(citizen, matters["off"], slot_at(hall["area"], at(2026, 12, 2, 9, 30)))
    assert denied.value.code == "permission_denied"
    assert not Booking.objects.exists()


def test_off_hours_slots_only_for_flagged_matters(hall: dict[str, Any], matters: dict[str, Any], verified_citizen: Any) -> None:
    lunch = slot_at(hall["area"], at(2026, 12, 2, 12, 0))
    with pytest.raises(NotOffHoursBookable) as not_off_hours_bookable:
        book(verified_citizen, matters["regular"], lunch)
    assert not_off_hours_bookable.value.code == "not_off_hours_bookable"
    b = book(verified_citizen, matters["off"], lunch)
    assert b.is_off_hours and b.session_kind == "lunch"
    days = selectors.availability(
        matter=matters["regular"], area=hall["area"], start=datetime.date(2026, 12, 5), end=datetime.date(2026, 12, 5)
    )
    assert days[0].slots == []  # Saturday: off-hours only
    days = selectors.availability(
        matter=matters["off"], area=hall["area"], start=datetime.date(2026, 12, 5), end=datetime.date(2026, 12, 5)
    )
    assert len(days[0].slots) == 6 and days[0].off_hours and days[0].free == 18


def test_booking_window(hall: dict[str, Any], matters: dict[str, Any], verified_citizen: Any) -> None:
    with time_machine.travel(at(2026, 12, 1, 8, 30), tick=False), pytest.raises(OutsideBookingWindow) as outside_booking_window:
        book(verified_citizen, matters["off"], slot_at(hall["area"], at(2026, 12, 1, 9, 0)))  # 30 minutes' notice
    assert outside_booking_window.value.code == "outside_booking_window"
    with (
        time_machine.travel(at(2026, 11, 20, 9), tick=False),
        pytest.raises(OutsideBookingWindow) as outside_booking_window,
    ):  # 32 days ahead
        book(verified_citizen, matters["off"], slot_at(hall["area"], at(2026, 12, 22, 9)))
    assert outside_booking_window.value.code == "outside_booking_window"
    assert not Booking.objects.exists()
    book(verified_citizen, matters["off"], slot_at(hall["area"], at(2026, 12, 1, 9, 0)))  # 60 minutes' notice is enough


def test_one_active_booking_per_person_and_matter(hall: dict[str, Any], matters: dict[str, Any], verified_citizen: Any) -> None:
    b = book(verified_citizen, matters["off"], slot_at(hall["area"], at(2026, 12, 2, 9, 30)))
    with pytest.raises(AlreadyBooked) as already_booked:
        book(verified_citizen, matters["off"], slot_at(hall["area"], at(2026, 12, 3, 9, 30)))
    assert already_booked.value.code == "already_booked"
    assert Slot.objects.get(area=hall["area"], starts_at=at(2026, 12, 3, 9, 30)).booked == 0
    services.booking_cancel(actor=verified_citizen, booking=b)
    book(verified_citizen, matters["off"], slot_at(hall["area"], at(2026, 12, 3, 9, 30)))


def test_weekly_limit_counts_no_shows(
    org: dict[str, Any], hall: dict[str, Any], matters: dict[str, Any], verified_citizen: Any
) -> None:
    extra = [make_matter(f"M-X{i}", org["SW"], hall["area"], off_hours=True) for i in range(3)]
    first = book(verified_citizen, extra[0], slot_at(hall["area"], at(2026, 12, 1, 9, 30)))
    book(verified_citizen, extra[1], slot_at(hall["area"], at(2026, 12, 2, 9, 30)))
    book(verified_citizen, extra[2], slot_at(hall["area"], at(2026, 12, 3, 9, 30)))
    with pytest.raises(WeeklyLimitReached) as weekly_limit_reached:
        book(verified_citizen, matters["off"], slot_at(hall["area"], at(2026, 12, 4, 9, 30)))
    assert weekly_limit_reached.value.code == "weekly_limit"
    # Next week is a new week.
    book(verified_citizen, matters["off"], slot_at(hall["area"], at(2026, 12, 8, 9, 30)))
    # The first one is missed: it becomes a no-show and still counts, so nothing frees up.
    with time_machine.travel(at(2026, 12, 1, 18, 0), tick=False):
        assert services.mark_no_shows() == 1
    first.refresh_from_db()
    assert first.status == Booking.Status.NO_SHOW
    assert WeeklyQuota.objects.get(id_number=verified_citizen.id_number, week_start=datetime.date(2026, 11, 30)).count == 3


def test_clerk_books_for_walk_in_and_agent_for_resident(
    hall: dict[str, Any], matters: dict[str, Any], clerk: Any, agent: Any, org: dict[str, Any]
) -> None:
    slot = slot_at(hall["area"], at(2026, 12, 2, 10, 0))
    walk_in = resident_id("19700101", 321)
    b = book(
        clerk, matters["off"], slot, channel=Booking.Channel.COUNTER, id_number=walk_in, person_name="张三", phone="13800000000"
    )
    assert b.booked_by == clerk and b.user is None and b.id_number == walk_in
    resident = resident_id("19400202", 555)
    town_slot = slot_at(hall["town_area"], at(2026, 12, 2, 10, 0))
    b2 = book(
        agent,
        matters["town"],
        town_slot,
        channel=Booking.Channel.AGENT,
        id_number=resident,
        person_name="李奶奶",
        phone="13800000001",
    )
    assert b2.agent == agent and b2.agent_unit == org["ZXSQ"] and b2.id_number == resident
    with pytest.raises(ValidationFailed) as e:
        book(clerk, matters["regular"], slot, channel=Booking.Channel.COUNTER, id_number="123", person_name="", phone="")
    assert set(e.value.fields) == {"id_number", "person_name", "phone"}


def test_wrong_roles_cannot_book_for_others(
    hall: dict[str, Any], matters: dict[str, Any], verified_citizen: Any, approver: Any, clerk: Any
) -> None:
    slot = slot_at(hall["area"], at(2026, 12, 2, 10, 0))
    kw = {"id_number": resident_id("19700101", 321), "person_name": "张三", "phone": "13800000000"}
    with pytest.raises(PermissionDenied) as denied:
        book(verified_citizen, matters["off"], slot, channel=Booking.Channel.COUNTER, **kw)
    assert denied.value.code == "permission_denied"
    with pytest.raises(PermissionDenied) as denied:
        book(verified_citizen, matters["off"], slot, channel=Booking.Channel.AGENT, **kw)
    assert denied.value.code == "permission_denied"
    with pytest.raises(PermissionDenied) as denied:
        book(approver, matters["off"], slot, channel=Booking.Channel.COUNTER, **kw)
    assert denied.value.code == "permission_denied"
    with pytest.raises(PermissionDenied) as denied:  # the district clerk does not work at the township hall
        book(clerk, matters["town"], slot_at(hall["town_area"], at(2026, 12, 2, 10, 0)), channel=Booking.Channel.COUNTER, **kw)
    assert denied.value.code == "permission_denied"
    assert not Booking.objects.exists()


def test_longer_slot_takes_consecutive_places(hall: dict[str, Any], matters: dict[str, Any], verified_citizen: Any) -> None:
    MatterBookingRule.objects.create(matter=matters["off"], slot_units=2)
    b = book(verified_citizen, matters["off"], slot_at(hall["area"], at(2026, 12, 2, 9, 0)))
    assert b.ends_at == at(2026, 12, 2, 10, 0)
    assert list(
        Slot.objects.filter(area=hall["area"], date=datetime.date(2026, 12, 2), booked=1).values_list("starts_at", flat=True)
    ) == [
        at(2026, 12, 2, 9, 0),
        at(2026, 12, 2, 9, 30),
    ]
    with pytest.raises(ValidationFailed) as invalid:  # 11:30 is the morning's last slot
        services.booking_cancel(actor=verified_citizen, booking=b)
        book(verified_citizen, matters["off"], slot_at(hall["area"], at(2026, 12, 2, 11, 30)))
    assert invalid.value.code == "validation_failed" and set(invalid.value.fields) == {"slot"}
    assert Slot.objects.filter(area=hall["area"], booked__gt=0).count() == 0


def test_slot_full(hall: dict[str, Any], matters: dict[str, Any], clerk: Any) -> None:
    slot = slot_at(hall["area"], at(2026, 12, 2, 12, 0))  # lunch: 2 places
    for i in range(2):
        book(
            clerk,
            matters["off"],
            slot,
            channel=Booking.Channel.CALL,
            id_number=resident_id("19800101", 100 + i),
            person_name="甲",
            phone="1",
        )
    with pytest.raises(SlotFull) as slot_full:
        book(
            clerk,
            matters["off"],
            slot,
            channel=Booking.Channel.CALL,
            id_number=resident_id("19800101", 200),
            person_name="乙",
            phone="1",
        )
    assert slot_full.value.code == "slot_full"
    assert not WeeklyQuota.objects.filter(id_number=resident_id("19800101", 200), count__gt=0).exists()


# ----------------------------------------------------------------------------- cancel / reschedule


def test_cancel_by_signed_link_and_cutoff(hall: dict[str, Any], matters: dict[str, Any], verified_citizen: Any) -> None:
    b = book(verified_citizen, matters["off"], slot_at(hall["area"], at(2026, 12, 1, 10, 0)))
    token = services.manage_token(b)
    assert services.booking_from_token(token) == b
    with pytest.raises(BadLink) as bad_link:
        services.booking_from_token(token[:-2] + "xx")
    assert bad_link.value.code == "bad_link"
    with time_machine.travel(at(2026, 12, 1, 8, 30), tick=False), pytest.raises(ChangeNotAllowed) as change_not_allowed:
        services.booking_cancel(actor=None, booking=b, via_link=True)  # inside the 2-hour cutoff
    assert change_not_allowed.value.code == "change_not_allowed"
    with time_machine.travel(at(2026, 12, 1, 7, 59), tick=False):
        services.booking_cancel(actor=None, booking=b, via_link=True)
    b.refresh_from_db()
    assert b.status == Booking.Status.CANCELLED and b.slot.booked == 0
    with pytest.raises(ChangeNotAllowed) as change_not_allowed:
        services.booking_cancel(actor=None, booking=b, via_link=True)
    assert change_not_allowed.value.code == "change_not_allowed"


def test_expired_link_refused(hall: dict[str, Any], matters: dict[str, Any], verified_citizen: Any) -> None:
    b = book(verified_citizen, matters["off"], slot_at(hall["area"], at(2026, 12, 2, 10, 0)))
    token = services.manage_token(b)
    with time_machine.travel(at(2026, 12, 1) + datetime.timedelta(days=61), tick=False), pytest.raises(BadLink) as bad_link:
        services.booking_from_token(token)
    assert bad_link.value.code == "bad_link"


def test_reschedule_limit_and_places_move(
    hall: dict[str, Any], matters: dict[str, Any], verified_citizen: Any, verified_outsider: Any
) -> None:
    area = hall["area"]
    b = book(verified_citizen, matters["off"], slot_at(area, at(2026, 12, 2, 9, 0)))
    with pytest.raises(PermissionDenied) as denied:
        services.booking_reschedule(actor=verified_outsider, booking=b, slot=slot_at(area, at(2026, 12, 2, 10, 0)))
    assert denied.value.code == "permission_denied"
    services.booking_reschedule(actor=verified_citizen, booking=b, slot=slot_at(area, at(2026, 12, 2, 10, 0)))
    services.booking_reschedule(actor=None, booking=b, slot=slot_at(area, at(2026, 12, 9, 10, 0)), via_link=True)  # next week
    b.refresh_from_db()
    assert b.reschedule_count == 2 and b.starts_at == at(2026, 12, 9, 10, 0)
    assert Slot.objects.get(area=area, starts_at=at(2026, 12, 2, 9, 0)).booked == 0
    assert Slot.objects.get(area=area, starts_at=at(2026, 12, 9, 10, 0)).booked == 1
    assert WeeklyQuota.objects.get(id_number=b.id_number, week_start=datetime.date(2026, 11, 30)).count == 0
    assert WeeklyQuota.objects.get(id_number=b.id_number, week_start=datetime.date(2026, 12, 7)).count == 1
    with pytest.raises(ChangeNotAllowed) as change_not_allowed:
        services.booking_reschedule(actor=verified_citizen, booking=b, slot=slot_at(area, at(2026, 12, 9, 11, 0)))
    assert change_not_allowed.value.code == "change_not_allowed"


# ----------------------------------------------------------------------------- check-in


def test_check_in_on_time_gives_priority_ticket(
    hall: dict[str, Any], matters: dict[str, Any], verified_citizen: Any, clerk: Any
) -> None:
    b = book(verified_citizen, matters["off"], slot_at(hall["area"], at(2026, 12, 1, 10, 0)))
    with time_machine.travel(at(2026, 12, 1, 9, 20), tick=False), pytest.raises(CheckInRefused) as check_in_refused:
        services.booking_check_in(actor=clerk, code=b.code)  # 40 minutes early
    assert check_in_refused.value.code == "check_in_refused"
    with time_machine.travel(at(2026, 12, 1, 9, 45), tick=False):
        r = services.booking_check_in(actor=clerk, code=b.code.lower())
    assert not r.late and r.booking.status == Booking.Status.CHECKED_IN
    assert r.booking.ticket_uuid is not None
    ticket = Ticket.objects.get(uuid=r.booking.ticket_uuid)
    assert ticket.priority == "appointment" and ticket.source == "appointment" and ticket.booking_ref == b.code
    with time_machine.travel(at(2026, 12, 1, 9, 46), tick=False), pytest.raises(CheckInRefused) as check_in_refused:
        services.booking_check_in(actor=clerk, code=b.code)
    assert check_in_refused.value.code == "check_in_refused"


def test_late_arrival_joins_normal_queue(
    hall: dict[str, Any], matters: dict[str, Any], verified_citizen: Any, clerk: Any
) -> None:
    b = book(verified_citizen, matters["off"], slot_at(hall["area"], at(2026, 12, 1, 10, 0)))
    with time_machine.travel(at(2026, 12, 1, 10, 40), tick=False):
        r = services.booking_check_in(actor=clerk, code=b.code)
    assert r.late and r.booking.ticket_uuid is not None
    assert Ticket.objects.get(uuid=r.booking.ticket_uuid).priority == "normal"


def test_check_in_refused_for_outsider_and_other_hall(
    hall: dict[str, Any], matters: dict[str, Any], verified_citizen: Any, verified_outsider: Any, township_officer: Any
) -> None:
    b = book(verified_citizen, matters["off"], slot_at(hall["area"], at(2026, 12, 1, 10, 0)))
    with time_machine.travel(at(2026, 12, 1, 9, 50), tick=False):
        for actor in (verified_outsider, verified_citizen, township_officer):
            with pytest.raises(ApplicationError) as e:
                services.booking_check_in(actor=actor, code=b.code)
            assert e.value.code == "not_found" and e.value.status == 404
    b.refresh_from_db()
    assert b.status == Booking.Status.BOOKED and not Ticket.objects.exists()


def test_no_show_after_session(hall: dict[str, Any], matters: dict[str, Any], verified_citizen: Any, clerk: Any) -> None:
    b = book(verified_citizen, matters["off"], slot_at(hall["area"], at(2026, 12, 1, 10, 0)))
    with time_machine.travel(at(2026, 12, 1, 11, 0), tick=False):
        assert services.mark_no_shows() == 0  # the morning session runs to 12:00
    with time_machine.travel(at(2026, 12, 1, 12, 16), tick=False):
        assert services.mark_no_shows() == 1
        assert services.mark_no_shows() == 0
        with pytest.raises(CheckInRefused) as check_in_refused:
            services.booking_check_in(actor=clerk, code=b.code)
        assert check_in_refused.value.code == "check_in_refused"


# ----------------------------------------------------------------------------- reminders


def test_reminders_sent_once_each(hall: dict[str, Any], matters: dict[str, Any], verified_citizen: Any) -> None:
    b = book(verified_citizen, matters["off"], slot_at(hall["area"], at(2026, 12, 2, 10, 0)))
    assert services.send_reminders() == 0  # 26 hours ahead
    with time_machine.travel(at(2026, 12, 1, 10, 30), tick=False):
        assert services.send_reminders() == 1
        assert services.send_reminders() == 0
    with time_machine.travel(at(2026, 12, 2, 9, 10), tick=False):
        assert services.send_reminders() == 1
        assert services.send_reminders() == 0
    kinds = sorted(
        Notification.objects.filter(channel="sms", kind__startswith="appointment.reminder").values_list("kind", flat=True)
    )
    assert kinds == ["appointment.reminder.day", "appointment.reminder.hour"]
    assert b.code in Notification.objects.get(kind="appointment.reminder.day", channel="sms").body


# ----------------------------------------------------------------------------- plan changes


def test_plan_change_lists_and_notifies_displaced_bookings(
    hall: dict[str, Any], matters: dict[str, Any], verified_citizen: Any, hall_manager: Any
) -> None:
    area = hall["area"]
    b = book(verified_citizen, matters["off"], slot_at(area, at(2026, 12, 3, 18, 0)))  # Thursday evening
    rule = SessionRule.objects.get(area=area, kind="evening")
    change = services.rule_deactivate(actor=hall_manager, rule=rule)
    assert [x.code for x in change.displaced] == [b.code]
    b.refresh_from_db()
    assert b.status == Booking.Status.BOOKED and b.displaced_at is not None  # never dropped
    assert not Slot.objects.get(pk=b.slot_id).is_open
    assert Notification.objects.filter(kind="appointment.displaced", recipient=verified_citizen.phone).count() == 1
    assert list(selectors.displaced_bookings(user=hall_manager, area=area)) == [b]
    # The person moves it for free even though the change was not theirs.
    services.booking_reschedule(actor=verified_citizen, booking=b, slot=slot_at(area, at(2026, 12, 3, 10, 0)))
    b.refresh_from_db()
    assert b.displaced_at is None and b.slot.is_open


def test_capacity_cut_never_below_booked(hall: dict[str, Any], matters: dict[str, Any], clerk: Any, hall_manager: Any) -> None:
    area = hall["area"]
    slot = slot_at(area, at(2026, 12, 2, 9, 0))
    for i in range(3):
        book(
            clerk,
            matters["off"],
            slot,
            channel=Booking.Channel.CALL,
            id_number=resident_id("19800101", 300 + i),
            person_name="甲",
            phone="1",
        )
    rule = SessionRule.objects.get(area=area, kind="regular", start=datetime.time(9))
    services.rule_save(
        actor=hall_manager,
        area=area,
        rule=rule,
        kind="regular",
        weekdays="01234",
        start=datetime.time(9),
        end=datetime.time(12),
        slot_minutes=30,
        capacity=1,
    )
    slot.refresh_from_db()
    assert (slot.capacity, slot.booked) == (3, 3)
    assert Slot.objects.get(area=area, starts_at=at(2026, 12, 2, 9, 30)).capacity == 1


def test_materialised_days_follow_plan_changes(hall: dict[str, Any], matters: dict[str, Any], hall_manager: Any) -> None:
    area = hall["area"]
    ensure_slots([area.pk], datetime.date(2026, 12, 1), datetime.date(2026, 12, 31))
    assert not Slot.objects.filter(area=area, date=datetime.date(2026, 12, 4), kind="evening").exists()
    services.rule_save(
        actor=hall_manager,
        area=area,
        kind="evening",
        weekdays="4",
        start=datetime.time(17, 30),
        end=datetime.time(19),
        slot_minutes=30,
        capacity=2,
    )
    days = selectors.availability(
        matter=matters["off"], area=area, start=datetime.date(2026, 12, 4), end=datetime.date(2026, 12, 25)
    )
    fridays = [d for d in days if d.date.weekday() == 4]
    assert all(any(s.kind == "evening" for s in d.slots) for d in fridays) and len(fridays) == 4
    services.exception_add(actor=hall_manager, area=area, date=datetime.date(2026, 12, 18), kind=DateException.Kind.CLOSED)
    day = selectors.availability(
        matter=matters["off"], area=area, start=datetime.date(2026, 12, 18), end=datetime.date(2026, 12, 18)
    )[0]
    assert day.slots == [] and day.free == 0
