"""Fixtures for the agent service: two agent points (值夏社区 in 值夏镇, 富滩村 in 富滩镇), a resident
of 值夏社区, agent-eligible matters (a disability certificate, medical and social insurance) and one
that is not, on a fixed working day (2026-04-01, like the cases tests)."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from conftest import make_user
from onewindow.accounts.demo import resident_id
from onewindow.accounts.models import OrgUnit, Role, User
from onewindow.accounts.services import org_unit_create
from onewindow.assistance.models import AgentPoint, Mandate
from onewindow.catalog.models import Matter, MatterVersion
from onewindow.catalog.tests.factories import make_matter as build_matter

TODAY = datetime.date(2026, 4, 1)


def signature_png(ink: bool = True) -> SimpleUploadedFile:
    img = Image.new("RGBA", (300, 120), (255, 255, 255, 0))
    if ink:
        ImageDraw.Draw(img).line([(20, 80), (120, 30), (200, 90), (280, 40)], fill=(0, 0, 0, 255), width=4)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return SimpleUploadedFile("signature.png", buf.getvalue(), content_type="image/png")


def make_matter(code: str, name: str, dept: OrgUnit, *, agent_eligible: bool = True, level: str = "district") -> Matter:
    """A published public-service matter (the agent tests' defaults), from the one test builder
    (catalog.tests.factories.make_matter, through the catalog's services)."""
    return build_matter(
        dept,
        name,
        code=code,
        matter_type=MatterVersion.MatterType.PUBLIC_SERVICE,
        kind=MatterVersion.Kind.COMMITTED,
        statutory_days=20,
        committed_days=10,
        on_one_window=False,
        online_depth=MatterVersion.OnlineDepth.INFORMATION,
        agent_eligible=agent_eligible,
        handling_level=level,
        materials=[{"name": "居民身份证"}, {"name": "申请表"}],
    )


@pytest.fixture(autouse=True)
def fixed_now() -> Any:
    import zoneinfo

    import time_machine
    from django.utils import translation

    from onewindow.core import workdays

    workdays.invalidate()
    with (
        translation.override("zh-hans"),
        time_machine.travel(datetime.datetime(2026, 4, 1, 10, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai")), tick=True),
    ):
        yield
    workdays.invalidate()


@pytest.fixture
def calendar(db: Any) -> None:
    from onewindow.core.calendar_seed import seed_from_chinesecalendar
    from onewindow.core.models import WorkCalendarDay

    if not WorkCalendarDay.objects.exists():
        seed_from_chinesecalendar(first_year=2025)


@pytest.fixture
def depts(org: dict[str, OrgUnit]) -> dict[str, OrgUnit]:
    out = dict(org)
    for code, name in [("CLH", "残疾人联合会"), ("RSJ", "人力资源和社会保障局")]:
        out[code] = org_unit_create(code=code, name=name, kind=OrgUnit.Kind.DEPARTMENT, parent=org["gov"])
    return out


@pytest.fixture
def points(org: dict[str, OrgUnit]) -> dict[str, AgentPoint]:
    return {
        "ZXSQ": AgentPoint.objects.create(village=org["ZXSQ"], name="值夏社区代办点", phone="13979600001"),
        "FTC": AgentPoint.objects.create(village=org["FTC"], name="富滩村代办点", phone="13979600002"),
    }


@pytest.fixture
def resident(org: dict[str, OrgUnit]) -> User:
    return make_user(
        "resident",
        Role.CITIZEN,
        id_number=resident_id("19480211", 316),
        display_name="张桂英",
        phone="13900000011",
        home_unit=org["ZXSQ"],
    )


@pytest.fixture
def agent2(org: dict[str, OrgUnit]) -> User:
    """A second agent of the same point (the point, not one person, holds the mandate)."""
    return make_user("agent2", Role.AGENT, org["ZXSQ"], display_name="李春花")


@pytest.fixture
def other_agent(org: dict[str, OrgUnit]) -> User:
    return make_user("agent_ft", Role.AGENT, org["FTC"], display_name="罗建民")


@pytest.fixture
def matters(depts: dict[str, OrgUnit], calendar: Any) -> dict[str, Matter]:
    return {
        "disability": make_matter("CLH-001", "残疾人证办理", depts["CLH"]),
        "medical": make_matter("YBJ-001", "城乡居民基本医疗保险参保缴费", depts["YBJ"]),
        "social": make_matter("RSJ-001", "社会保险费代缴", depts["RSJ"]),
        "not_eligible": make_matter("ZJJ-001", "商品房预售许可", depts["ZJJ"], agent_eligible=False),
    }


def record(agent: User, point: AgentPoint, resident: User, *, matters: list[Matter] | None = None, **kw: Any) -> Mandate:
    from onewindow.assistance import services

    return services.mandate_record(
        actor=agent,
        point=point,
        resident=resident,
        all_eligible=kw.pop("all_eligible", matters is None),
        matters=matters or [],
        valid_from=kw.pop("valid_from", TODAY),
        valid_until=kw.pop("valid_until", TODAY + datetime.timedelta(days=365)),
        method=kw.pop("method", Mandate.Method.ON_SCREEN),
        id_checked=kw.pop("id_checked", True),
        signature=kw.pop("signature", signature_png()),
        **kw,
    )


@pytest.fixture
def mandate(agent: User, points: dict[str, AgentPoint], resident: User, matters: dict[str, Matter]) -> Mandate:
    return record(agent, points["ZXSQ"], resident)


# The counties' isolation matrix (test_isolation.py): county B's rows, built once for the three apps.
from onewindow.welfare.tests.isolation_fixtures import (  # noqa: E402, F401
    a_users,
    b_rows,
    county_b,
    isolation_clock,
    more_a_users,
)
