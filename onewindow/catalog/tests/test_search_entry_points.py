"""Every place that looks a matter up gives the same results: the catalog page and API, the
online-application page and API, the booking index and API, the hall kiosk, the front desk and the
admin. The matters here are in every scope (published, online, bookable at the district hall), so
each entry point must return exactly the catalog's results, in the catalog's order (the admin
keeps its own column order: the same set)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from conftest import login, make_user
from onewindow.accounts.models import Role
from onewindow.hall.models import ServiceArea, ServicePoint

from ..models import SearchSynonym
from ..search import MatterQuery, search_matters
from .factories import PROPERTY, make_matter

pytestmark = pytest.mark.django_db

KIOSK_TOKEN = "entry-points-kiosk-token-0123456789"
NAMES = [
    "不动产转移登记",
    "登记",
    "登记簿查询",
    "抵押权首次登记",
    "不动产登记资料查询",
    "结婚登记",
    "补领不动产权证书",
    "存量房交易纳税申报",
]
QUERIES = ["登记", "bdc", "budongchan", "不动产 登记", "房产证", "dj", "djb", "纳税", "没有这个事项"]


@pytest.fixture
def world(org: dict[str, Any]) -> dict[str, Any]:
    point = ServicePoint.objects.create(org_unit=org["gov"], code="HALL", name="区行政服务中心", kiosk_token=KIOSK_TOKEN)
    area = ServiceArea.objects.create(point=point, code="QY-BDC", name="不动产服务区", theme="real_estate", ticket_prefix="E")
    matters = [
        make_matter(
            org["BDC"],
            name,
            service_area=area,
            online_depth=4,
            on_mobile=True,
            off_hours_bookable=True,
            materials=[PROPERTY],
        )
        for name in NAMES
    ]
    SearchSynonym.objects.update_or_create(term="房产证", defaults={"words": "不动产权证书"})
    return {"point": point, "area": area, "matters": matters}


def codes(items: Any) -> list[str]:
    return [m.code for m in items]


def entry_points(client: Client, world: dict[str, Any], org: dict[str, Any], q: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    r = client.get("/catalog/", {"q": q})
    out["catalog page"] = codes(r.context["page"].items)
    out["catalog API"] = [m["code"] for m in client.get("/api/v1/catalog/matters", {"q": q}).json()["items"]]
    out["apply page"] = codes(client.get("/apply/", {"q": q}).context["page"].object_list)
    out["apply API"] = [m["code"] for m in client.get("/api/v1/portal/matters", {"q": q}).json()["items"]]
    out["booking index"] = codes(client.get("/appointments/", {"q": q, "off": "1"}).context["page"].object_list)
    out["booking API"] = [m["code"] for m in client.get("/api/v1/appointments/matters", {"q": q}).json()["items"]]
    client.cookies["ow_kiosk"] = KIOSK_TOKEN
    out["kiosk"] = codes(client.get(f"/catalog/kiosk/{world['point'].uuid}/search/", {"q": q}).context["matters"])
    clerk = make_user(f"clerk-{abs(hash(q))}", Role.CLERK, org["XZSP"])
    staff = login(Client(), clerk)
    r = staff.get("/workbench/intake/", {"q": q})
    out["front desk"] = codes(r.context["results"]["matters"]) if r.context["results"] else []
    return out


@pytest.mark.parametrize("q", QUERIES)
def test_every_entry_point_gives_the_catalogs_results(client: Client, world: dict[str, Any], org: dict[str, Any], q: str) -> None:
    expected = codes(search_matters(MatterQuery(q=q)))
    if q != "没有这个事项":
        assert expected, q
    got = entry_points(client, world, org, q)
    for where, found in got.items():
        assert found == expected, (where, q, found, expected)


def test_the_admin_finds_the_same_matters(client: Client, world: dict[str, Any], admin_user: Any) -> None:
    login(client, admin_user)
    for q in QUERIES:
        r = client.get("/admin/catalog/matter/", {"q": q})
        assert r.status_code == 200
        assert set(codes(r.context["cl"].result_list)) == set(codes(search_matters(MatterQuery(q=q)))), q


def test_synonym_and_ranking_are_shared(world: dict[str, Any]) -> None:
    # 房产证 is the common name for 不动产权证书: found through the synonym list everywhere.
    assert [m.search_name for m in search_matters(MatterQuery(q="房产证"))] == ["补领不动产权证书"]
    # The exact name first, then names starting with the term, then the rest.
    assert [m.search_name for m in search_matters(MatterQuery(q="登记"))][:2] == ["登记", "登记簿查询"]
