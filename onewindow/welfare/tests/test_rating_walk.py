"""A household rates its 低保 decision in a real browser at 375 px: signed in on the phone, 我的评价
lists the township's decision, the household rates it 不满意 with a reason; the rating is the
decision's (not the case's) and the township's follow-up opens."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine

from conftest import BROWSER_MARKS, PASSWORD
from onewindow.core.walk import PHONE
from onewindow.ratings.models import FollowUp, Kind, Rating

from .process_fixtures import TZ
from .test_rating import refused

pytestmark = BROWSER_MARKS


@pytest.mark.django_db(transaction=True)
def test_the_household_rates_its_dibao_decision(dibao: Any, officer: Any, resident: Any, walker: Any) -> None:
    app = refused(officer, resident, dibao)
    # The next morning, with the clock running (the browser waits on real time).
    with time_machine.travel(datetime.datetime(2026, 4, 2, 9, tzinfo=TZ), tick=True):
        household = walker("household", PHONE)
        household.login(resident.username, PASSWORD, next_path="")
        household.goto("/ratings/me/")
        household.click(f"a[href='/ratings/me/rate/{Kind.WELFARE_DECISION}/{app.uuid}/']")
        household.click("label.level:has(input[value='2'])")  # 不满意
        household.click("label.chip:has(input[value='slow'])")
        household.fill("textarea[name=comment]", "入户调查后等了很久才告知结果")
        household.click("button[type=submit]:has-text('提交评价')")
        household.expect("h1:has-text('我的评价')")  # back to 我的评价, the rating listed with its follow-up
        household.expect("text=差评整改：待回访核实")
        household.finish("rated")
    r = Rating.objects.get()
    assert (r.kind, r.subject_uuid, r.level, r.rater) == (Kind.WELFARE_DECISION, app.uuid, 2, resident)
    assert r.unit == app.case.department  # the township answers for its decision
    assert FollowUp.objects.get(rating=r).status == "open"
