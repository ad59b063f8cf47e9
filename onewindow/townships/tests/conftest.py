"""Fixtures for delegation management: a few published matters of 民政局 and 住建局, district
officers (民政局 approver, district leader), township officers and residents."""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

import pytest

from conftest import make_user
from onewindow.accounts.models import OrgUnit, Role, User
from onewindow.cases.tests.conftest import make_matter
from onewindow.catalog.models import MatterVersion


@pytest.fixture(autouse=True)
def fixed_now() -> Any:
    import time_machine

    from onewindow.core import workdays

    workdays.invalidate()
    with time_machine.travel(datetime.datetime(2026, 4, 1, 10, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai")), tick=True):
        yield
    workdays.invalidate()


@pytest.fixture
def cal(db: Any) -> None:
    from onewindow.core.calendar_seed import seed_from_chinesecalendar
    from onewindow.core.models import WorkCalendarDay

    if not WorkCalendarDay.objects.exists():
        seed_from_chinesecalendar(first_year=2025)


def _listed(mv: MatterVersion) -> MatterVersion:
    mv.matter.is_listed = True
    mv.matter.save(update_fields=["is_listed"])
    return mv


@pytest.fixture
def dibao(org: dict[str, OrgUnit], cal: Any) -> MatterVersion:
    return _listed(make_matter("MZJ-001", "最低生活保障审核确认", org["MZJ"], committed=20, statutory=20))


@pytest.fixture
def relief(org: dict[str, OrgUnit], cal: Any) -> MatterVersion:
    return _listed(make_matter("MZJ-002", "临时救助", org["MZJ"], committed=10, statutory=20))


@pytest.fixture
def housing(org: dict[str, OrgUnit], cal: Any) -> MatterVersion:
    return _listed(make_matter("ZJJ-001", "公共租赁住房保障申请", org["ZJJ"]))


@pytest.fixture
def officer_mzj(org: dict[str, OrgUnit]) -> User:
    """A district officer: approver of 民政局."""
    return make_user("officer_mzj", Role.APPROVER, org["MZJ"])


@pytest.fixture
def ft_officer(org: dict[str, OrgUnit]) -> User:
    return make_user("ft_officer", Role.TOWNSHIP_OFFICER, org["FTZ"])


@pytest.fixture
def resident(org: dict[str, OrgUnit]) -> User:
    return make_user("zx_resident", Role.CITIZEN, display_name="刘秀英", home_unit=org["ZXSQ"], phone="13900000011")


# The counties' isolation matrix (test_isolation.py): county B's rows, built once for the three apps.
from onewindow.welfare.tests.isolation_fixtures import (  # noqa: E402, F401
    a_users,
    b_rows,
    county_b,
    isolation_clock,
    more_a_users,
)
