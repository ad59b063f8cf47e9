"""Browser walk of the month's allowance roll, at 375 px and 1280 px: the 值夏镇 township officer
generates this month's roll from the register, checks and approves it and looks at the register;
the district 民政局 approves and freezes it and downloads the bank file."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from conftest import BROWSER_MARKS, PASSWORD, make_user
from onewindow.accounts.models import OrgUnit, Role, User
from onewindow.core.walk import DESKTOP, PHONE, walk
from onewindow.welfare.models import Payment, PaymentRoll

from .money_fixtures import make_household

pytestmark = BROWSER_MARKS


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_the_month_roll_from_township_to_bank_file(
    live_server: Any, org: dict[str, OrgUnit], calendar: Any, township_officer: User, width: int, browser: Any
) -> None:
    make_user("approver_mzj", Role.APPROVER, org["MZJ"], display_name="彭海涛")
    User.objects.filter(pk=township_officer.pk).update(display_name="曾庆华")
    confirmed = timezone.localdate().replace(day=1) - datetime.timedelta(days=40)
    make_household(org, number="DB-ZXZ-00001", amount_fen=61000, people=2, confirmed=confirmed, names=("刘桂兰", "王强"))
    make_household(org, number="DB-ZXZ-00002", amount_fen=35050, people=1, confirmed=confirmed, names=("陈德明",))
    with walk(browser, live_server.url, name="welfare-roll-township", width=width) as w:
        w.login("township", PASSWORD)
        w.click("a.tile[href='/welfare/rolls/']")
        w.click("form:has(select[name=township]) button[type=submit]")
        w.expect("[data-roll-status=generated]")
        w.expect("text=¥960.50")
        w.click("form:has(input[value=check]) button[type=submit]")
        w.click("form:has(input[value=approve_township]) button[type=submit]")
        w.expect("[data-roll-status=township_approved]")
        w.click(".wb-nav a[href='/welfare/register/']")
        w.fill("input[name=q]", "刘桂兰").click("form[role=search] button[type=submit]")
        w.click("a:has-text('DB-ZXZ-00001')")
        w.expect("text=纳入保障")
        w.finish("household")
    with walk(browser, live_server.url, name="welfare-roll-district", width=width) as w:
        w.sign_in("approver_mzj", PASSWORD)
        w.click("a.tile[href='/welfare/rolls/']")
        w.click("ul.plain a[href^='/welfare/rolls/']")
        w.click("form:has(input[value=approve_district]) button[type=submit]")
        w.click("form:has(input[value=freeze]) button[type=submit]")
        w.expect("[data-roll-status=frozen]")
        with w.page.expect_download() as info:
            w.find("a[href$='bank.xlsx']").click()
        download = info.value
        assert download.suggested_filename.endswith(".xlsx")
        w.finish("frozen")
    roll = PaymentRoll.objects.get()
    assert roll.status == PaymentRoll.Status.FROZEN and roll.total_fen == 96050
    assert Payment.objects.filter(roll=roll, status="pending").count() == 2
