"""Unit codes are unique per county (issue 17, docs/tenancy.md "Codes and numbers"): two counties
each have a `ZJJ`; every lookup by code names the county, so each resolves its own, and a county's
catalog import naming `ZJJ` files the matter under its own 住建局."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import make_user
from onewindow.accounts.models import County, OrgUnit, Role
from onewindow.accounts.services import org_unit_create, role_grant
from onewindow.cases.routes import route_draft_create
from onewindow.catalog.search import MatterQuery, search_matters
from onewindow.core.errors import Conflict, ValidationFailed
from onewindow.welfare import scope

from ..importexport import ImportInvalid, import_catalog
from ..models import Matter
from .factories import make_matter
from .test_importexport import matter_row, workbook

pytestmark = pytest.mark.django_db

B = "360802"


@pytest.fixture
def twin(org: dict[str, OrgUnit]) -> dict[str, Any]:
    jz = County.objects.create(code=B, name="吉州区", city_code="360800", case_prefix="JZ")
    root = org_unit_create(code="JZ", name="吉州区人民政府", kind=OrgUnit.Kind.GOVERNMENT, county=jz)
    zjj_b = org_unit_create(code="ZJJ", name="吉州区住建局", kind=OrgUnit.Kind.DEPARTMENT, parent=root)
    mzj_b = org_unit_create(code="MZJ", name="吉州区民政局", kind=OrgUnit.Kind.DEPARTMENT, parent=root)
    admin_a = make_user("sys_qy")
    role_grant(user=admin_a, role=Role.ADMIN, org_unit=org["gov"], actor=None)
    admin_b = make_user("sys_jz")
    role_grant(user=admin_b, role=Role.ADMIN, org_unit=root, actor=None)
    return {"county": jz, "root": root, "zjj_b": zjj_b, "mzj_b": mzj_b, "admin_a": admin_a, "admin_b": admin_b}


def test_two_counties_have_a_unit_of_one_code_and_each_resolves_its_own(org: dict[str, OrgUnit], twin: dict[str, Any]) -> None:
    zjj_a, zjj_b = org["ZJJ"], twin["zjj_b"]
    assert zjj_a.code == zjj_b.code == "ZJJ" and zjj_a.pk != zjj_b.pk
    # The materialised path starts with the county's code: unique, and a subtree stays in its county.
    assert zjj_a.path == "360803/QY/ZJJ/" and zjj_b.path == "360802/JZ/ZJJ/"
    assert not OrgUnit.objects.filter(path__startswith=org["gov"].path, county_id=B).exists()
    assert OrgUnit.objects.get(county_id="360803", code="ZJJ") == zjj_a
    assert OrgUnit.objects.get(county_id=B, code="ZJJ") == zjj_b
    # Within one county the code is still unique.
    with pytest.raises(Conflict) as taken:
        org_unit_create(code="ZJJ", name="又一个住建局", kind=OrgUnit.Kind.DEPARTMENT, parent=twin["root"])
    assert taken.value.code == "conflict"
    # 民政局: by county and code, no letters.
    assert scope.department_of(B) == twin["mzj_b"] and scope.department_of("360803") == org["MZJ"]


def test_the_catalog_filter_by_department_code_is_the_countys(org: dict[str, OrgUnit], twin: dict[str, Any]) -> None:
    a = make_matter(org["ZJJ"], "青原区商品房预售许可")
    b = make_matter(twin["zjj_b"], "吉州区商品房预售许可")
    in_a = set(search_matters(MatterQuery(department="ZJJ", county="360803")).values_list("pk", flat=True))
    in_b = set(search_matters(MatterQuery(department="ZJJ", county=B)).values_list("pk", flat=True))
    assert in_a == {a.pk} and in_b == {b.pk}


def test_a_countys_import_naming_a_code_resolves_its_own_unit(org: dict[str, OrgUnit], twin: dict[str, Any]) -> None:
    data = workbook([matter_row(name="住宅专项维修资金使用审批", department="ZJJ")])
    report_b = import_catalog(data=data, actor=twin["admin_b"])
    report_a = import_catalog(data=data, actor=twin["admin_a"])
    b = Matter.objects.get(code=report_b.created[0])
    a = Matter.objects.get(code=report_a.created[0])
    assert b.department == twin["zjj_b"] and b.code.startswith("360802-ZJJ-")
    assert a.department == org["ZJJ"] and a.code.startswith("360803-ZJJ-")
    # The platform's operator (no county) cannot name a code two counties share: refused on its row.
    operator = make_user("sys_province")
    role_grant(user=operator, role=Role.ADMIN, actor=None)
    with pytest.raises(ImportInvalid) as ambiguous:
        import_catalog(data=data, actor=operator)
    assert ambiguous.value.code == "import_invalid" and "ZJJ" in str(ambiguous.value.errors[0].message)


def test_a_route_step_named_by_code_is_the_routes_countys(org: dict[str, OrgUnit], twin: dict[str, Any]) -> None:
    matter = make_matter(twin["zjj_b"], "吉州区房屋测绘成果审核")

    def stages(code: str) -> list[dict[str, Any]]:
        return [{"name": "审核", "steps": [{"department": code, "name": "审核", "limit_days": 3}]}]

    route = route_draft_create(actor=twin["admin_b"], name="流程", matter=matter, stages=stages("ZJJ"))
    assert route.stages.get().steps.get().department == twin["zjj_b"]
    with pytest.raises(ValidationFailed) as unknown:  # A has a 税务局 coded SW, B none
        route_draft_create(actor=twin["admin_b"], name="流程", matter=matter, stages=stages("SW"))
    assert unknown.value.code == "route_unknown_department"


def test_the_village_notices_page_and_api_take_the_countys_village(
    client: Any, org: dict[str, OrgUnit], twin: dict[str, Any]
) -> None:
    """Both counties have a village coded `ZXZ-V01`: the public notices page is the visitor's
    county's (a link's ?county= chooses), the API's the named county's (else the default's)."""
    town_b = org_unit_create(code="ZXZ", name="兴桥镇", kind=OrgUnit.Kind.TOWNSHIP, parent=twin["root"])
    org_unit_create(code="ZXZ-V01", name="兴桥村", kind=OrgUnit.Kind.VILLAGE, parent=town_b)
    assert "值夏社区" in client.get("/welfare/notices/ZXZ-V01/").content.decode()
    assert "兴桥村" in client.get(f"/welfare/notices/ZXZ-V01/?county={B}").content.decode()
    org_unit_create(code="ZXZ-V02", name="兴桥二村", kind=OrgUnit.Kind.VILLAGE, parent=town_b)  # B's only
    api = "/api/v1/welfare/process/notices"
    assert client.get(f"{api}/ZXZ-V01").status_code == 200 and client.get(f"{api}/ZXZ-V01?county={B}").status_code == 200
    assert client.get(f"{api}/ZXZ-V02").status_code == 404  # not the default county's
    assert client.get(f"{api}/ZXZ-V02?county={B}").status_code == 200
    assert client.get(f"{api}/ZXZ-V01?county=999999").status_code == 422
