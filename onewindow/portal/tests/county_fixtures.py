"""Two counties with public things of their own, for the county-aware public pages
(docs/tenancy.md, "Public pages and the county picker"). County A is the shared test tree (青原区,
the default county); county B (吉州区) is built here as cases/tests/test_isolation.py builds it:
its government, a department and a township, a hall (area) and a township hall (area), two online
matters that can be booked off hours, a township-level matter, a bundle and a filing matter. A
gets the same things, named so a page's text says whose they are."""

from __future__ import annotations

from typing import Any

import pytest

from onewindow.accounts.models import County, OrgUnit
from onewindow.accounts.services import org_unit_create
from onewindow.catalog.models import LifeEvent, MatterVersion
from onewindow.catalog.services.bundles import bundle_create
from onewindow.catalog.tests.factories import make_matter
from onewindow.hall.models import ServiceArea, ServicePoint

A, B = "360803", "360802"


def _county_things(prefix: str, label: str, gov: OrgUnit, dept: OrgUnit, town: OrgUnit) -> dict[str, Any]:
    """A county's hall and township hall, its online matters, a township-level matter, a bundle
    and a filing matter; every name starts with `label` (青原 or 吉州)."""
    point = ServicePoint.objects.create(org_unit=gov, code=f"{prefix}-HALL", name=f"{label}政务大厅", address=f"{label}大道1号")
    area = ServiceArea.objects.create(
        point=point, code=f"{prefix}-ZH", name=f"{label}综合服务区", theme=ServiceArea.Theme.COMPREHENSIVE, ticket_prefix="A"
    )
    town_point = ServicePoint.objects.create(org_unit=town, code=f"{prefix}-TOWN", name=f"{label}镇便民服务中心")
    town_area = ServiceArea.objects.create(
        point=town_point, code=f"{prefix}-TZ", name=f"{label}镇便民服务区", theme=ServiceArea.Theme.TOWNSHIP, ticket_prefix="T"
    )
    online = [
        make_matter(dept, f"{label}甲证办理", service_area=area, online_depth=4, off_hours_bookable=True),
        make_matter(dept, f"{label}乙证办理", service_area=area, online_depth=4, off_hours_bookable=True),
    ]
    township = make_matter(
        dept, f"{label}村务证明", handling_level=MatterVersion.Level.TOWNSHIP, off_hours_bookable=True, online_depth=1
    )
    filing = make_matter(dept, f"{label}经营备案", kind=MatterVersion.Kind.FILING, online_depth=4, materials=[])
    bundle = bundle_create(code=f"{prefix}-ONE", name=f"{label}开店一件事", matters=online, actor=None, service_area=area)
    # A life event (the province's list) that only this county has matters for.
    event = LifeEvent.objects.create(code=f"{prefix.lower()}-event", name=f"{label}乔迁")
    online[0].life_events.add(event)
    return {
        "point": point,
        "area": area,
        "town_point": town_point,
        "town_area": town_area,
        "online": online,
        "township": township,
        "filing": filing,
        "bundle": bundle,
    }


@pytest.fixture
def two_counties(org: dict[str, OrgUnit]) -> dict[str, Any]:
    jz = County.objects.create(code=B, name="吉州区", city_code="360800", case_prefix="JZ")
    root = org_unit_create(code="JZ", name="吉州区人民政府", kind=OrgUnit.Kind.GOVERNMENT, county=jz)
    dept = org_unit_create(code="JZXZSP", name="吉州区行政审批局", kind=OrgUnit.Kind.DEPARTMENT, parent=root)
    town = org_unit_create(code="JZT1", name="兴桥镇", kind=OrgUnit.Kind.TOWNSHIP, parent=root)
    return {
        "a": _county_things("QYP", "青原", org["gov"], org["XZSP"], org["ZXZ"]),
        "b": _county_things("JZP", "吉州", root, dept, town),
        "b_county": jz,
    }


# Texts each county's pages show and the other's never do.
A_NAMES = ["青原甲证办理", "青原乙证办理"]
B_NAMES = ["吉州甲证办理", "吉州乙证办理"]
