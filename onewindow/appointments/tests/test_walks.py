"""Browser walk (issue 9): a citizen signs in by SMS code, books a slot on the phone or the
desktop, and on the day checks in at the hall's kiosk (a registered device) by the booking code,
which turns the booking into its priority ticket - at 1280 px and 375 px in Chinese and at 375 px in
English (core.walk.RUNS), failing on dead ends,
sideways scrolls, requests to other hosts and untranslated strings (core.walk)."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.utils import timezone

from conftest import BROWSER_MARKS
from onewindow.accounts.models import User
from onewindow.appointments.models import Booking
from onewindow.core.walk import RUN_IDS, RUNS, walk
from onewindow.core.walk_sms import sms_login, use_memory_sms
from onewindow.hall.kiosk import KIOSK_COOKIE
from onewindow.hall.models import Ticket

from .conftest import NOW, at

pytestmark = BROWSER_MARKS


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("width", "language"), RUNS, ids=RUN_IDS)
def test_citizen_walk_book_then_check_in_at_the_kiosk(
    browser: Any, live_server: Any, settings: Any, width: int, language: str, hall: Any, matters: Any, verified_citizen: User
) -> None:
    use_memory_sms(settings)
    User.objects.filter(pk=verified_citizen.pk).update(phone_verified_at=timezone.now())
    point = hall["point"]
    point.kiosk_token = "walk-kiosk-token"
    point.save(update_fields=["kiosk_token"])
    matter = matters["off"]

    with (
        time_machine.travel(NOW, tick=True),
        walk(browser, live_server.url, name="citizen-booking", width=width, language=language) as w,
    ):
        w.goto("/")
        sms_login(w, verified_citizen.phone)
        w.click("header a[href='/appointments/']")
        w.click(f"text={matter.current_version.name}")
        w.click("text=青原区行政服务中心")
        w.click("a.day:has-text('12-02')")
        w.click("label:has-text('10:00–')")
        w.click("text=" + w.tr("确认预约"))
        w.expect(".bk-code")
        booking = Booking.objects.get(user=verified_citizen)
        assert w.page.locator(".qr svg").count() == 1
        w.finish("booked")

    # On the day, at the hall: the kiosk (registered by the hall manager) checks the booking in.
    with (
        time_machine.travel(at(2026, 12, 2, 9, 45), tick=True),
        walk(browser, live_server.url, name="kiosk-check-in", width=width, language=language) as k,
    ):
        k.context.add_cookies([{"name": KIOSK_COOKIE, "value": "walk-kiosk-token", "url": live_server.url}])
        k.goto(f"/hall/kiosk/{point.uuid}/")
        k.click(".kiosk-checkin-link")
        k.fill("input[name=code]", booking.code)
        k.click("#checkin-form button[type=submit]")
        ticket = Ticket.objects.get(booking_ref=booking.code)
        k.expect(f"text={ticket.number}")
        assert ticket.priority == "appointment"
        k.finish("ticket")
    booking.refresh_from_db()
    assert booking.status == "checked_in" and booking.ticket_number == ticket.number
