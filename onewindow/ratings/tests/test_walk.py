"""The 好差评 journey in a real browser at 375 px: the person rates a concluded case from the SMS
link as 不满意, the delivering unit verifies and replies, the person confirms from the reply SMS,
and the public page shows the month with the masked name and what was fixed."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone

from conftest import BROWSER_MARKS, PASSWORD
from onewindow.core.models import Notification
from onewindow.core.walk import PHONE, WIDTHS
from onewindow.ratings import services
from onewindow.ratings.models import FollowUp, Rating
from onewindow.ratings.sweeps import send_invitations

from .conftest import build_world

pytestmark = BROWSER_MARKS


def _sms_path(kind: str, pattern: str) -> str:
    body = Notification.objects.filter(kind=kind).latest("created_at").body
    m = re.search(pattern, body)
    assert m is not None, body
    return m.group(1)


@pytest.mark.django_db(transaction=True)
def test_bad_rating_from_the_sms_link_is_followed_up_and_published(
    calendar: Any, org: Any, citizen: Any, clerk: Any, approver: Any, walker: Any
) -> None:
    build_world(org, citizen, clerk, approver)
    assert send_invitations() == 1
    link = _sms_path("ratings.invitation", r"(/ratings/r/[^/\s]+/)")

    person = walker("citizen", PHONE)
    person.goto(link)  # the SMS link: no login
    person.click("label.level:has(input[value='2'])")  # 不满意
    person.click("label.chip:has(input[value='slow'])")
    person.fill("textarea[name=comment]", "等了很久，材料说明前后不一致")
    person.click("button[type=submit]:has-text('提交评价')")
    person.expect("h1:has-text('感谢您的评价')")
    person.finish("rated")
    fu = FollowUp.objects.get()
    assert fu.rating.level == 2 and fu.rating.channel == "link"

    unit = walker("approver", PHONE)
    unit.login(approver.username, PASSWORD)
    unit.click("a[href='/ratings/work/']")
    unit.click(f"a[href='/ratings/work/{fu.uuid}/']")
    unit.fill("textarea[name=note]", "已电话联系申请人，核实属实")
    unit.click("button:has-text('提交核实情况')")
    unit.fill("textarea[name=reply]", "已统一材料说明，并压缩审查时限")
    unit.click("button:has-text('提交整改反馈')")
    unit.expect("#fu-status:has-text('待群众确认')")
    unit.finish("replied")

    person.goto(_sms_path("ratings.follow_up_reply", r"(/ratings/respond/[^/\s]+/)"))  # the reply SMS
    person.click("button[value=confirm]")
    person.expect("#fu-status:has-text('群众认可')")
    person.finish("confirmed")

    public = walker("public", PHONE)
    public.goto("/")
    public.click("footer a[href='/ratings/']")
    public.expect(f"#month-label:has-text('{timezone.localdate():%Y-%m}')")
    public.expect("#corrections:has-text('已统一材料说明')")
    public.expect("#corrections:has-text('刘*英')")
    assert "刘秀英" not in public.text()
    public.finish("public")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", WIDTHS)
def test_the_window_pad_rates_the_ticket_just_finished(
    width: int, calendar: Any, org: Any, citizen: Any, clerk: Any, approver: Any, hall_manager: Any, walker: Any
) -> None:
    data = build_world(org, citizen, clerk, approver)
    _pad, token = services.pad_issue(window=data["w1"], actor=hall_manager)
    pad = walker("pad", width)
    pad.goto(f"/ratings/pad/{data['w1'].uuid}/")  # the tablet's start page, set up once
    pad.fill("input[name=token]", token)
    pad.click("button[type=submit]")
    pad.expect("text=请对本次服务进行评价")
    pad.expect("strong:has-text('clerk')")  # the clerk who served
    pad.screenshot("form")
    pad.click("label.level:has(input[value='5'])")
    pad.click("label.chip:has(input[value='friendly'])")
    pad.click("button[type=submit]:has-text('提交评价')")
    pad.expect("text=感谢您的评价！")
    pad.finish("rated")
    r = Rating.objects.get()
    assert r.channel == "pad" and r.level == 5 and r.tags == ["friendly"] and r.window == data["w1"]


@pytest.mark.django_db(transaction=True)
def test_rating_and_results_pages_in_english(
    calendar: Any, org: Any, citizen: Any, clerk: Any, approver: Any, walker: Any
) -> None:
    build_world(org, citizen, clerk, approver)
    send_invitations()
    w = walker("citizen-en", PHONE, language="en")
    w.goto(_sms_path("ratings.invitation", r"(/ratings/r/[^/\s]+/)"))
    w.expect("h1:has-text('Rate a service')")
    w.click("label.level:has(input[value='1'])")
    w.click("label.chip:has(input[value='passing_buck'])")
    w.click("button[type=submit]:has-text('Submit rating')")
    w.expect("h1:has-text('Thank you for your rating')")
    w.click("a[href='/ratings/']")
    w.expect("text=Follow-up of bad ratings")
    w.finish("results")
