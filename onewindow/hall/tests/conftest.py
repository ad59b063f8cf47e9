"""Hall structure for tests: a district hall with a comprehensive area (prefix A), a real-estate
area (prefix F) and three windows; a township hall with one area and one window."""

from __future__ import annotations

from typing import Any

import pytest

from onewindow.accounts.models import OrgUnit
from onewindow.hall.models import ServiceArea, ServicePoint, Window, WindowArea

KIOSK_TOKEN = "test-kiosk-token-0123456789"


def make_point(unit: OrgUnit, code: str, name: str, token: str = KIOSK_TOKEN) -> ServicePoint:
    return ServicePoint.objects.create(org_unit=unit, code=code, name=name, kiosk_token=token)


def make_area(
    point: ServicePoint, code: str, prefix: str, theme: str = ServiceArea.Theme.COMPREHENSIVE, **kw: Any
) -> ServiceArea:
    return ServiceArea.objects.create(point=point, code=code, name=kw.pop("name", code), theme=theme, ticket_prefix=prefix, **kw)


def make_window(point: ServicePoint, number: int, *areas: tuple[ServiceArea, int]) -> Window:
    w = Window.objects.create(point=point, number=number)
    for area, prio in areas:
        WindowArea.objects.create(window=w, area=area, priority=prio)
    return w


@pytest.fixture
def hall(org: dict[str, OrgUnit]) -> dict[str, Any]:
    point = make_point(org["gov"], "QY-HALL", "青原区行政服务中心")
    a = make_area(point, "QY-A", "A", name="综合服务区")
    f = make_area(point, "QY-F", "F", ServiceArea.Theme.REAL_ESTATE, name="不动产服务区")
    w1 = make_window(point, 1, (a, 1))
    w2 = make_window(point, 2, (a, 1), (f, 2))
    w3 = make_window(point, 3, (f, 1))
    tpoint = make_point(org["ZXZ"], "ZXZ-HALL", "值夏镇便民服务中心", token="zxz-token")
    t = make_area(tpoint, "ZXZ-A", "A", ServiceArea.Theme.TOWNSHIP, name="值夏镇便民服务区")
    tw = make_window(tpoint, 1, (t, 1))
    return {"point": point, "A": a, "F": f, "w1": w1, "w2": w2, "w3": w3, "tpoint": tpoint, "T": t, "tw": tw}


def called(*, window: Window, actor: Any) -> Any:
    """call_next for a test that knows somebody is waiting: fails clearly instead of on None."""
    from onewindow.hall.services import call_next

    ticket = call_next(window=window, actor=actor)
    assert ticket is not None, "call_next found nobody waiting"
    return ticket


@pytest.fixture
def citizen(citizen: Any) -> Any:
    """The shared citizen, real-name verified: remote tickets need a verified account."""
    from django.utils import timezone

    type(citizen).objects.filter(pk=citizen.pk).update(verified_at=timezone.now())
    citizen.refresh_from_db()
    return citizen
