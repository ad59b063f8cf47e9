"""Fixtures of the 低保 process (审核确认): the 低保 matter of 民政局 delegated to 值夏镇 and 富滩镇 (as
in 2019), its four-stage route published, the 2026 standards, a household of 值夏社区 and its
village agent point with a mandate; the clock frozen on a working day."""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from conftest import make_user
from onewindow.accounts.demo import resident_id
from onewindow.accounts.models import OrgUnit, Role, User
from onewindow.catalog.models import Delegation, Matter, MatterVersion
from onewindow.catalog.tests.factories import make_matter
from onewindow.core import workdays
from onewindow.welfare.models import Standard
from onewindow.welfare.process import application as apply_svc
from onewindow.welfare.process import route

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
TODAY = datetime.date(2026, 4, 1)


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=TZ)


@pytest.fixture
def frozen() -> Iterator[Any]:
    """The process tests' clock: 2026-04-01 10:00 in Qingyuan, moved by the tests."""
    from django.utils import translation

    workdays.invalidate()
    with translation.override("zh-hans"), time_machine.travel(at(TODAY), tick=False) as traveller:
        yield traveller
    workdays.invalidate()


@pytest.fixture
def welfare_calendar(db: Any) -> None:
    """2025-2026 only: seeding from 2019 (the root `calendar`) is slower."""
    from onewindow.core.calendar_seed import seed_from_chinesecalendar
    from onewindow.core.models import WorkCalendarDay

    if not WorkCalendarDay.objects.exists():
        seed_from_chinesecalendar(first_year=2025)
    workdays.invalidate()


@pytest.fixture
def admin(db: Any) -> User:
    return make_user("wadmin", Role.ADMIN, is_staff=True, is_superuser=True)


@pytest.fixture
def dibao(org: dict[str, OrgUnit], welfare_calendar: Any, admin: User, frozen: Any) -> Matter:
    matter = make_matter(
        org["MZJ"],
        "最低生活保障（低保）审批",
        code="MZJ-DB",
        matter_type=MatterVersion.MatterType.LICENCE,
        kind=MatterVersion.Kind.COMMITTED,
        statutory_days=30,
        committed_days=25,
        on_one_window=False,
        online_depth=MatterVersion.OnlineDepth.INFORMATION,
        agent_eligible=True,
        handling_level="township",
        materials=[{"name": "最低生活保障申请书"}, {"name": "居民身份证"}],
    )
    for t in ("ZXZ", "FTZ"):
        Delegation.objects.create(matter=matter, township=org[t], effective_on=datetime.date(2019, 7, 1))
    route.publish_route(matter=matter, actor=admin)
    for kind, fen in (("rural", 62000), ("urban", 80000)):
        Standard.objects.create(year=2026, area_kind=kind, monthly_fen=fen, effective_from=datetime.date(2026, 1, 1))
    return matter


@pytest.fixture
def officer(org: dict[str, OrgUnit]) -> User:
    return make_user("township", Role.TOWNSHIP_OFFICER, org["ZXZ"], display_name="值夏镇民政所")


@pytest.fixture
def zx_leader(org: dict[str, OrgUnit]) -> User:
    return make_user("zx_leader", Role.LEADER, org["ZXZ"], display_name="值夏镇镇长")


@pytest.fixture
def resident(org: dict[str, OrgUnit]) -> User:
    return make_user(
        "zx_resident",
        Role.CITIZEN,
        id_number=resident_id("19560312", 228),
        display_name="刘秀英",
        phone="13900000011",
        home_unit=org["ZXSQ"],
    )


@pytest.fixture
def ft_resident(org: dict[str, OrgUnit]) -> User:
    return make_user(
        "ft_resident", Role.CITIZEN, id_number=resident_id("19700101", 135), display_name="王建华", home_unit=org["FTC"]
    )


@pytest.fixture
def agent(org: dict[str, OrgUnit]) -> User:
    return make_user("agent", Role.AGENT, org["ZXSQ"], display_name="李代办")


@pytest.fixture
def point(org: dict[str, OrgUnit]) -> Any:
    from onewindow.assistance.models import AgentPoint

    return AgentPoint.objects.create(village=org["ZXSQ"], name="值夏社区代办点", phone="13979600001")


@pytest.fixture
def mandate(agent: User, point: Any, resident: User, dibao: Matter) -> Any:
    from onewindow.assistance import services
    from onewindow.assistance.models import Mandate
    from onewindow.assistance.tests.conftest import signature_png

    return services.mandate_record(
        actor=agent,
        point=point,
        resident=resident,
        all_eligible=True,
        matters=[],
        valid_from=TODAY,
        valid_until=TODAY + datetime.timedelta(days=365),
        method=Mandate.Method.ON_SCREEN,
        id_checked=True,
        signature=signature_png(),
    )


def household_input(resident: User, **kw: Any) -> apply_svc.HouseholdInput:
    """刘秀英 (head, no work, 300 yuan pension) and her grandson (student, no income)."""
    members = kw.pop(
        "members",
        [
            apply_svc.MemberInput(
                name=resident.display_name,
                id_number=resident.id_number or "",
                relationship="head",
                labour="none",
                seriously_ill=True,
                incomes=[apply_svc.IncomeInput("transfer", 30000, "城乡居民养老金")],
                assets=[apply_svc.AssetInput("deposit", 200000, "存款")],
            ),
            apply_svc.MemberInput(name="刘小明", id_number=resident_id("20120101", 117), relationship="grandchild", student=True),
        ],
    )
    return apply_svc.HouseholdInput(
        address=kw.pop("address", "值夏镇值夏社区3组12号"), area_kind=kw.pop("area_kind", "rural"), members=members, **kw
    )


def paper(matter: Matter) -> list[Any]:
    from onewindow.cases.services import MaterialInput

    assert matter.current_version is not None
    return [MaterialInput(requirement=r, paper=True) for r in matter.current_version.materials.all()]
