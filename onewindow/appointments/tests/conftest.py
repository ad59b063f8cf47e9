"""Fixtures: a district hall area and a township hall with weekly plans, and two published matters
(one open to off-hours booking). The clock is frozen on Tuesday 2026-12-01 08:00 (Asia/Shanghai)
unless a test travels elsewhere, so dates never run past the work calendar."""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from onewindow.accounts.models import OrgUnit, User
from onewindow.appointments.models import SessionKind, SessionRule
from onewindow.catalog.models import MaterialRequirement, Matter, MatterVersion
from onewindow.catalog.tests.factories import make_matter as build_matter
from onewindow.hall.models import ServiceArea, ServicePoint

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 12, 1, 8, 0, tzinfo=TZ)


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime.datetime:
    return datetime.datetime(y, m, d, hh, mm, tzinfo=TZ)


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def verified_citizen(citizen: User) -> User:
    User.objects.filter(pk=citizen.pk).update(verified_at=timezone.now())
    citizen.refresh_from_db()
    return citizen


@pytest.fixture
def verified_outsider(outsider: User) -> User:
    User.objects.filter(pk=outsider.pk).update(verified_at=timezone.now())
    outsider.refresh_from_db()
    return outsider


def standard_plan(area: ServiceArea) -> None:
    rules = [
        (SessionKind.REGULAR, "01234", "09:00", "12:00", 30, 4),
        (SessionKind.LUNCH, "01234", "12:00", "13:00", 30, 2),
        (SessionKind.REGULAR, "01234", "13:30", "17:00", 30, 4),
        (SessionKind.EVENING, "13", "17:30", "19:00", 30, 2),
        (SessionKind.WEEKEND, "56", "09:00", "12:00", 30, 3),
        (SessionKind.HOLIDAY, "0123456", "09:00", "11:00", 30, 2),
    ]
    for kind, days, start, end, minutes, cap in rules:
        SessionRule.objects.create(
            area=area,
            kind=kind,
            weekdays=days,
            start=datetime.time.fromisoformat(start),
            end=datetime.time.fromisoformat(end),
            slot_minutes=minutes,
            capacity=cap,
        )


@pytest.fixture
def hall(org: dict[str, OrgUnit], calendar: None) -> dict[str, Any]:
    point = ServicePoint.objects.create(org_unit=org["XZSP"], code="QYZX", name="青原区行政服务中心")
    area = ServiceArea.objects.create(
        point=point, code="ZH", name="综合服务区", theme=ServiceArea.Theme.COMPREHENSIVE, ticket_prefix="A"
    )
    town_point = ServicePoint.objects.create(org_unit=org["ZXZ"], code="ZXZBM", name="值夏镇便民服务中心")
    town_area = ServiceArea.objects.create(
        point=town_point, code="ZXZ1", name="值夏镇便民服务区", theme=ServiceArea.Theme.TOWNSHIP, ticket_prefix="Z"
    )
    standard_plan(area)
    standard_plan(town_area)
    return {"point": point, "area": area, "town_point": town_point, "town_area": town_area}


def make_matter(code: str, dept: OrgUnit, area: ServiceArea, *, off_hours: bool, level: str = "district") -> Matter:
    """A published instant matter handled in `area` (the booking tests' defaults), from the one
    test builder (catalog.tests.factories.make_matter, through the catalog's services)."""
    return build_matter(
        dept,
        f"事项{code}",
        code=code,
        service_area=area,
        matter_type=MatterVersion.MatterType.PUBLIC_SERVICE,
        kind=MatterVersion.Kind.INSTANT,
        statutory_days=5,
        committed_days=1,
        on_one_window=False,
        online_depth=MatterVersion.OnlineDepth.INFORMATION,
        off_hours_bookable=off_hours,
        handling_level=level,
        materials=[
            {"name": "居民身份证", "form": MaterialRequirement.Form.ORIGINAL},
            {"name": "户口簿", "form": MaterialRequirement.Form.COPY},
        ],
    )


@pytest.fixture
def matters(org: dict[str, OrgUnit], hall: dict[str, Any]) -> dict[str, Matter]:
    return {
        "off": make_matter("M-OFF", org["SW"], hall["area"], off_hours=True),
        "regular": make_matter("M-REG", org["ZJJ"], hall["area"], off_hours=False),
        "town": make_matter("M-TOWN", org["MZJ"], hall["area"], off_hours=True, level="township"),
    }
