"""A booking's messages are signed by the county of its hall (issue 17, accounts/sms.py): a person
who books at county B's hall (吉州区, core/tests/counties.py) is told by 吉州区, never by 青原区 (the
shared test hall's county), in every message of the booking: made, moved, reminded, displaced by
the hall's plan, cancelled; and in English when the booking is made on an English page."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.utils import translation

from conftest import make_user
from onewindow.accounts.models import Role
from onewindow.appointments import services
from onewindow.appointments.models import Booking, DateException, Slot
from onewindow.appointments.scheduling import ensure_slots
from onewindow.core.models import Notification
from onewindow.core.tests.counties import county_b  # noqa: F401  (fixture)

from .conftest import at, make_matter, standard_plan

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

DAY = datetime.date(2026, 12, 3)


@pytest.fixture
def b_hall(county_b: dict[str, Any]) -> dict[str, Any]:  # noqa: F811
    area = county_b["area"]
    standard_plan(area)
    ensure_slots([area.pk], DAY, DAY + datetime.timedelta(days=1))
    return {**county_b, "b_matter": make_matter("M-JZ", county_b["zjj"], area, off_hours=True)}


def _slot(area: Any, when: datetime.datetime) -> Slot:
    return Slot.objects.select_related("area", "area__point__org_unit").get(area=area, starts_at=when)


def _sms(booking: Booking, kind: str) -> str:
    body: str = Notification.objects.get(kind=kind, channel="sms", recipient=booking.phone, body__contains=booking.code).body
    return body


def test_every_message_of_a_booking_at_county_bs_hall_is_signed_by_county_b(
    b_hall: dict[str, Any], verified_citizen: Any
) -> None:
    area = b_hall["area"]
    hall_manager_b = make_user("manager_b", Role.HALL_MANAGER, b_hall["root"])
    with translation.override("zh-hans"):
        b = services.booking_create(
            actor=verified_citizen, matter=b_hall["b_matter"], slot=_slot(area, at(2026, 12, 3, 14, 0)), channel="web"
        )
        booked = _sms(b, "appointment.booked")
        assert booked.startswith("【吉州区政务服务】") and "青原区" not in booked
        site = Notification.objects.get(kind="appointment.booked", channel="site")
        assert site.body == booked  # the site message carries the same signature
        b = services.booking_reschedule(actor=verified_citizen, booking=b, slot=_slot(area, at(2026, 12, 3, 15, 0)))
        assert _sms(b, "appointment.rescheduled").startswith("【吉州区政务服务】")
        with time_machine.travel(at(2026, 12, 3, 14, 30), tick=False):
            assert services.send_reminders() == 1
        assert _sms(b, "appointment.reminder.hour").startswith("【吉州区政务服务】提醒：")
        # The hall closes the day: the person is told to rebook, by B.
        services.exception_add(actor=hall_manager_b, area=area, date=DAY, kind=DateException.Kind.CLOSED, note="停电检修")
        assert _sms(b, "appointment.displaced").startswith("【吉州区政务服务】因大厅时段调整")
        services.booking_cancel(actor=verified_citizen, booking=Booking.objects.get(pk=b.pk))
        assert _sms(b, "appointment.cancelled").startswith("【吉州区政务服务】")
    assert not Notification.objects.filter(body__contains="青原区").exists()


def test_a_booking_at_county_as_hall_is_still_signed_by_county_a(
    hall: dict[str, Any], matters: dict[str, Any], b_hall: dict[str, Any], verified_citizen: Any
) -> None:
    ensure_slots([hall["area"].pk], DAY, DAY)
    with translation.override("zh-hans"):
        b = services.booking_create(
            actor=verified_citizen, matter=matters["off"], slot=_slot(hall["area"], at(2026, 12, 3, 14, 0)), channel="web"
        )
    assert _sms(b, "appointment.booked").startswith("【青原区政务服务】")


def test_a_booking_made_in_english_is_signed_in_english(b_hall: dict[str, Any], verified_citizen: Any) -> None:
    with translation.override("en"):
        b = services.booking_create(
            actor=verified_citizen,
            matter=b_hall["b_matter"],
            slot=_slot(b_hall["area"], at(2026, 12, 3, 14, 0)),
            channel="web",
        )
    body = _sms(b, "appointment.booked")
    assert body.startswith("[Jizhou District Government Services] ")
    assert "Qingyuan" not in body and "you are booked at" in body
