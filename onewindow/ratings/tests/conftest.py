"""A small served world for 好差评 tests, on a frozen clock (2026-04-01 10:00, a Wednesday):
a district hall with a window where the clerk finished the citizen's ticket, and a case the
approver of 住建局 decided and concluded for the citizen."""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterator
from typing import Any

import pytest

from onewindow.accounts.models import OrgUnit
from onewindow.cases.models import Case, CaseEvent
from onewindow.cases.tests.conftest import make_matter
from onewindow.hall.models import Ticket
from onewindow.hall.tests.conftest import make_area, make_point, make_window

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 4, 1, 10, tzinfo=SHANGHAI)


@pytest.fixture
def clock() -> Iterator[Any]:
    """A frozen clock; tests move it with clock.move_to(...)."""
    import time_machine
    from django.utils import translation

    from onewindow.core import workdays

    workdays.invalidate()
    with translation.override("zh-hans"), time_machine.travel(NOW, tick=False) as traveller:
        yield traveller
    workdays.invalidate()


@pytest.fixture
def calendar(db: Any) -> None:
    from onewindow.core.calendar_seed import seed_from_chinesecalendar
    from onewindow.core.models import WorkCalendarDay

    if not WorkCalendarDay.objects.exists():
        seed_from_chinesecalendar(first_year=2025)


def make_case(*, matter: Any, applicant: Any, dept: OrgUnit, intake: OrgUnit, number: str, channel: str = "counter") -> Case:
    now = datetime.datetime.now(tz=SHANGHAI)
    return Case.objects.create(
        number=number,
        check_code="AB12CD",
        channel=channel,
        applicant=applicant,
        matter_version=matter,
        title=matter.name,
        department=dept,
        intake_unit=intake,
        status=Case.Status.SUBMITTED,
        received_at=now,
        received_on=now.date(),
        intake_due=now.date(),
        committed_days=10,
        statutory_days=20,
    )


def conclude(case: Case, *, clerk: Any, approver: Any) -> Case:
    now = datetime.datetime.now(tz=SHANGHAI)
    case.status = Case.Status.CONCLUDED
    case.accepted_at = now - datetime.timedelta(hours=2)
    case.decided_at = now - datetime.timedelta(hours=1)
    case.concluded_at = now
    case.save()
    CaseEvent.objects.create(case=case, kind="submitted", actor=case.applicant)
    CaseEvent.objects.create(case=case, kind="accepted", actor=clerk)
    CaseEvent.objects.create(case=case, kind="decided", actor=approver)
    CaseEvent.objects.create(case=case, kind="concluded", actor=approver)
    return case


def build_world(org: dict[str, OrgUnit], citizen: Any, clerk: Any, approver: Any) -> dict[str, Any]:
    """The served world at the current time (frozen by `clock` in most tests, real in the walk)."""
    now = datetime.datetime.now(tz=SHANGHAI)
    point = make_point(org["gov"], "QY-HALL", "青原区行政服务中心")
    area = make_area(point, "QY-A", "A", name="综合服务区")
    w1 = make_window(point, 1, (area, 1))
    w2 = make_window(point, 2, (area, 1))
    mv = make_matter("ZJJ-001", "商品房预售许可", org["ZJJ"])
    mv.matter.service_area = area
    mv.matter.save(update_fields=["service_area"])
    ticket = Ticket.objects.create(
        area=area,
        issue_area=area,
        point=point,
        business_date=now.date(),
        seq=1,
        number="A001",
        source=Ticket.Source.KIOSK,
        status=Ticket.Status.FINISHED,
        issued_at=now - datetime.timedelta(minutes=30),
        queue_at=now - datetime.timedelta(minutes=30),
        id_number=citizen.id_number,
        window=w1,
        clerk=clerk,
        finished_at=now - datetime.timedelta(minutes=2),
    )
    case = conclude(
        make_case(matter=mv, applicant=citizen, dept=org["ZJJ"], intake=org["XZSP"], number="QY20260401001"),
        clerk=clerk,
        approver=approver,
    )
    return {"point": point, "area": area, "w1": w1, "w2": w2, "matter": mv, "ticket": ticket, "case": case, "org": org}


@pytest.fixture
def world(clock: Any, calendar: Any, org: dict[str, OrgUnit], citizen: Any, clerk: Any, approver: Any) -> dict[str, Any]:
    return build_world(org, citizen, clerk, approver)


def rate(**kw: Any) -> Any:
    from onewindow.ratings.services import rating_submit

    defaults: dict[str, Any] = {"channel": "web", "indicators": {}, "tags": [], "comment": ""}
    defaults.update(kw)
    return rating_submit(**defaults)
