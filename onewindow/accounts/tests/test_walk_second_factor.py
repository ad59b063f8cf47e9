"""Browser walk (issue 13): a clerk signs in with the password and the authenticator's code and
reaches the workbench; a new clerk binds an authenticator by its QR code; at 375 px and 1280 px,
in Chinese and English, with the second factor switched on."""

from __future__ import annotations

from typing import Any

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import BROWSER_MARKS, PASSWORD
from onewindow.accounts.demo import DEMO_TOTP_KEY
from onewindow.accounts.mfa import demo_code
from onewindow.accounts.models import User
from onewindow.core.walk import WIDTHS, walk

pytestmark = BROWSER_MARKS


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("width", WIDTHS)
def test_clerk_passes_the_second_factor_and_a_new_one_enrols(
    browser: Any, live_server: Any, settings: Any, width: int, language: str, clerk: User, approver: User
) -> None:
    settings.ONEWINDOW_STAFF_OTP_REQUIRED = True
    TOTPDevice.objects.create(user=clerk, name="demo", key=DEMO_TOTP_KEY, confirmed=True)
    with walk(browser, live_server.url, name="second-factor", width=width, language=language) as w:
        # The harness's login sees the second-factor page, checks it and types the code.
        w.login("clerk", PASSWORD, next_path="/workbench/")
        assert w.page.url.endswith("/workbench/"), w.page.url
        w.click("header form.inline button[type=submit]")
    with walk(browser, live_server.url, name="enrol", width=width, language=language) as w:
        w.goto("/accounts/login/?way=password&next=/workbench/")
        w.fill("input[name=username]", "approver_zjj")
        w.fill("input[name=password]", PASSWORD)
        w.click("form button[type=submit].btn-block")
        w.expect("figure.qr svg")
        w.check()
        w.screenshot("enrol")
        device = TOTPDevice.objects.get(user=approver, confirmed=False)
        w.fill("input[name=otp]", demo_code(device.key))
        w.click("main form button[type=submit]")
        w.page.wait_for_url(f"{live_server.url}/workbench/")
        w.finish("enrolled")
    assert TOTPDevice.objects.filter(user=approver, confirmed=True).exists()
