"""Dashboard test data: a few applications through the case services, in May 2026 and a year earlier."""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

import pytest
import time_machine

from onewindow.cases import services as svc
from onewindow.cases.tests.conftest import all_materials, make_matter

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
MAY = "date_from=2026-05-01&date_to=2026-05-31"


@pytest.fixture
def cases(org: dict[str, Any], calendar: Any, citizen: Any, clerk: Any, township_officer: Any) -> dict[str, Any]:
    """Three applications in May 2026: two to 住建局 (one at the district hall, one at 值夏镇),
    one to 民政局; and one a year earlier."""
    zjj = make_matter("ZJJ-201", "公共租赁住房保障", org["ZJJ"])
    mzj = make_matter("MZJ-201", "临时救助", org["MZJ"])

    def submit(mv: Any, actor: Any, when: datetime.datetime, channel: str = "counter") -> Any:
        with time_machine.travel(when, tick=False):
            return svc.case_submit(
                applicant=citizen,
                matter_version=mv,
                channel=channel,
                form_data={"address": "x"},
                materials=all_materials(list(mv.materials.all())),
                actor=actor,
            )

    return {
        "zjj_hall": submit(zjj, clerk, datetime.datetime(2026, 5, 6, 10, tzinfo=TZ)),
        "zjj_town": submit(zjj, township_officer, datetime.datetime(2026, 5, 7, 10, tzinfo=TZ), "online"),
        "mzj": submit(mzj, clerk, datetime.datetime(2026, 5, 8, 10, tzinfo=TZ), "mobile"),
        "last_year": submit(zjj, clerk, datetime.datetime(2025, 5, 8, 10, tzinfo=TZ)),
        "zjj": zjj,
        "mzj_matter": mzj,
    }
