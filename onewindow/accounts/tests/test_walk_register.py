"""Browser walk (issue 9): a new resident registers on the web, verifies the phone with the code
texted to it, signs out, and signs in again by SMS code, at 375 px and 1280 px, in Chinese and in
English, and in 关怀版 (bigger type; no English and no codes in its header)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine

from conftest import BROWSER_MARKS, resident_id
from onewindow.accounts.models import User
from onewindow.core.walk import WIDTHS, walk
from onewindow.core.walk_sms import last_code, sms_login, use_memory_sms

pytestmark = BROWSER_MARKS
PHONE = "13912345678"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("width", WIDTHS)
def test_register_verify_phone_then_sms_sign_in(browser: Any, live_server: Any, settings: Any, width: int, language: str) -> None:
    use_memory_sms(settings)
    with walk(browser, live_server.url, name="register", width=width, language=language) as w:
        w.goto("/")
        w.click("header a[href*='/accounts/login/']")
        w.click("main a[href^='/accounts/register/']:not([href*='enterprise'])")
        w.fill("#id_display_name", "王小明")
        w.fill("#id_id_number", resident_id("19850101", 321))
        w.fill("#id_phone", PHONE)
        w.fill("#id_username", "wangxm")
        w.fill("#id_password", "Qingyuan#2021x")
        w.fill("#id_password2", "Qingyuan#2021x")
        w.page.check("#id_privacy_consent")
        w.click("main form button[type=submit]")
        # On to the phone: the code is already on its way.
        w.expect("main .msg-success")
        w.fill("input[name=sms_code]", last_code(PHONE))
        w.click("button[name=confirm]")
        w.expect("header a[href='/me/']")
        assert User.objects.get(username="wangxm").phone_verified_at is not None
        assert not w.page.locator("#phone-unverified").count()
        w.click("header form.inline button[type=submit]")  # sign out
        # A minute later (one text per number per minute, whatever its purpose).
        with time_machine.travel(datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(seconds=70)):
            sms_login(w, PHONE)
            w.expect("header a[href='/me/']")
            w.finish("signed-in-by-sms")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", WIDTHS)
def test_care_mode_unverified_resident_verifies_from_me(
    browser: Any, live_server: Any, settings: Any, width: int, citizen: User
) -> None:
    """An account from before verification existed (or registered at a counter): /me/ says the phone
    is not verified and leads to the page; all in 关怀版."""
    from conftest import PASSWORD

    use_memory_sms(settings)
    with walk(browser, live_server.url, name="care-verify", width=width) as w:
        w.login(citizen.username, PASSWORD, next_path="/me/")
        w.click(".care-toggle button[value='1']")
        w.expect("body.care")
        header = w.find("header").inner_text()
        assert "English" not in header and not any(ch.isdigit() for ch in header), header
        w.click("#phone-unverified a")
        w.click("button[name=send]")
        w.expect("main .msg-success")
        w.fill("input[name=sms_code]", last_code(citizen.phone))
        w.click("button[name=confirm]")
        w.expect("body.care")
        assert not w.page.locator("#phone-unverified").count()
        w.finish("care-verified")
