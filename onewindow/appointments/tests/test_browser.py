"""A real browser (Playwright driving Debian's chromium), at phone width (the pages are mobile first): a citizen
picks a matter, a place, a Saturday and a slot, books, and sees the booking code, the QR code and
the materials to bring; at 375 px no page scrolls sideways."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from playwright.sync_api import expect

from conftest import BROWSER_MARKS, PASSWORD
from onewindow.appointments.models import Booking
from onewindow.core.walk import overflow_px

from .conftest import NOW

pytestmark = BROWSER_MARKS


def fits(page: Any, width: int) -> None:
    if width <= 400:
        overflow = overflow_px(page)  # of the page a click lands on, once it has settled
        assert overflow <= 1, f"{page.url} is {overflow}px wider than the phone"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [375], ids=["phone"])
def test_citizen_books_a_saturday_slot(
    browser: Any, live_server: Any, width: int, hall: Any, matters: Any, verified_citizen: Any
) -> None:
    with time_machine.travel(NOW, tick=True):
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
        context.set_default_timeout(15000)
        page = context.new_page()
        try:
            page.goto(live_server.url + "/accounts/login/?way=password&next=/appointments/")
            page.fill("input[name=username]", verified_citizen.username)
            page.fill("input[name=password]", PASSWORD)
            page.click("main form button[type=submit]")
            page.wait_for_url("**/appointments/")
            fits(page, width)
            page.click(f"text={matters['off'].current_version.name}")
            fits(page, width)
            page.click("text=青原区行政服务中心")
            page.click("a.day:has-text('12-05')")  # Saturday: weekend sessions only
            # The click navigates: wait for the Saturday's page, not whatever page is up when count() runs.
            page.wait_for_url("**/?day=2026-12-05")
            expect(page.locator(".slot")).to_have_count(6)
            fits(page, width)
            page.click("label:has-text('10:00')")
            page.click("text=确认预约")
            page.wait_for_url("**/appointments/b/*/")
            b = Booking.objects.get()
            assert page.locator(".bk-code").inner_text() == b.code
            expect(page.locator(".qr svg")).to_have_count(1)
            assert "户口簿" in page.locator(".materials").inner_text()
            fits(page, width)
            assert b.session_kind == "weekend" and b.is_off_hours
        finally:
            context.close()
