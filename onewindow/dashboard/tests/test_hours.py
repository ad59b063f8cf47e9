"""The hall's chart by hour counts a ticket under the local hour it was issued (Asia/Shanghai), in
the rollups and on the page: a ticket taken at 8:05 is 8:00's, though it is 0:05 in UTC, and one
taken at 7:50 (23:50 UTC the day before) is 7:00's, of its local business day. (On the benchmark's
data 8:00 once showed no service time: the bench drew the time of issue and the no-show from one
random number, so every ticket before 9:13 was a no-show; bench/dashboard.py draws them apart.)"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from onewindow.hall import rollups, services, stats
from onewindow.hall.models import HallDay
from onewindow.hall.services import SHANGHAI
from onewindow.hall.tests.conftest import hall, make_area, make_point  # noqa: F401  (the hall fixture)

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 3)  # a Tuesday


def test_tickets_count_under_their_local_hour_of_issue(hall: dict[str, Any], leader: Any, client: Any) -> None:  # noqa: F811
    for hour, minute in ((7, 50), (8, 5), (8, 55), (17, 20)):
        with time_machine.travel(dt.datetime(2026, 11, 3, hour, minute, tzinfo=SHANGHAI), tick=False):
            services.ticket_issue(area=hall["A"], source="kiosk")
    with time_machine.travel(dt.datetime(2026, 11, 3, 18, tzinfo=SHANGHAI), tick=False):
        rollups.refresh()
        assert sorted(HallDay.objects.filter(business_date=DAY).values_list("hour", "issued")) == [(7, 1), (8, 2), (17, 1)]
        hours = stats.by_hour(date_from=DAY, date_to=DAY)
        assert {h: s["issued"] for h, s in hours.items()} == {7: 1, 8: 2, 17: 1}
        f = stats.figures(date_from=DAY, date_to=DAY, hours=True)
        assert {h: s["issued"] for h, s in f.per_hour.items()} == {7: 1, 8: 2, 17: 1}
        client.force_login(leader)
        page = client.get("/dashboard/?date_from=2026-11-03&date_to=2026-11-03")
        chart = page.context["charts"]["hall-hours"]
        assert dict(zip(chart["categories"], chart["series"][0]["data"], strict=False))["8:00"] == 2
