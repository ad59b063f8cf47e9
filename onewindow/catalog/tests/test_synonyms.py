"""Issue 9: the home search finds every matter of the catalog under the names people use (社保卡,
户口), from a synonym list the catalog administrator edits; a matter that cannot be done online
offers its guide, booking and the nearest place to go."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from conftest import login
from onewindow.accounts.models import OrgUnit
from onewindow.assistance.models import AgentPoint
from onewindow.hall.models import ServiceArea, ServicePoint

from ..models import SearchSynonym
from ..selectors import MatterQuery, search_matters, where_to_go
from .factories import make_matter

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog(org: dict[str, OrgUnit]) -> dict[str, Any]:
    point = ServicePoint.objects.create(org_unit=org["gov"], code="HALL", name="青原区行政服务中心", address="青原大道1号")
    ServicePoint.objects.create(org_unit=org["ZXZ"], code="ZXZ-HALL", name="值夏镇便民服务中心", address="值夏街")
    area = ServiceArea.objects.create(point=point, code="QY-SB", name="社保服务区", theme="social_insurance", ticket_prefix="S")
    return {
        "card": make_matter(org["YBJ"], "社会保障卡挂失补换", service_area=area, online_depth=1, agent_eligible=True),
        "card_online": make_matter(org["YBJ"], "社会保障卡申领", online_depth=4),
        "hukou": make_matter(org["MZJ"], "户籍证明开具", handling_level="township", online_depth=1),
        "other": make_matter(org["BDC"], "不动产转移登记", service_area=area),
    }


def names(q: str) -> set[str]:
    return {m.search_name for m in search_matters(MatterQuery(q=q))}


def test_common_names_find_the_catalogs_words(catalog: dict[str, Any]) -> None:
    # The starting list comes with the migration; the administrator edits it.
    assert SearchSynonym.objects.filter(term="社保卡").exists()
    assert names("社保卡") == {"社会保障卡挂失补换", "社会保障卡申领"}
    assert names("办社保卡") == {"社会保障卡挂失补换", "社会保障卡申领"}  # a common name inside a phrase
    assert names("户口") == {"户籍证明开具"}


def test_the_administrators_list_is_what_search_uses(catalog: dict[str, Any], client: Client, admin_user: Any) -> None:
    assert names("卖房") == set()
    login(client, admin_user)
    assert client.get("/admin/catalog/searchsynonym/").status_code == 200
    response = client.post("/admin/catalog/searchsynonym/add/", {"term": "卖房", "words": "不动产转移登记、转移登记"})
    assert response.status_code == 302
    assert names("卖房") == {"不动产转移登记"}
    SearchSynonym.objects.filter(term="户口").delete()
    assert names("户口") == set()


def test_outsiders_cannot_edit_the_list(client: Client, citizen: Any) -> None:
    login(client, citizen)
    response = client.post("/admin/catalog/searchsynonym/add/", {"term": "x", "words": "y"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not SearchSynonym.objects.filter(term="x").exists()


def test_home_search_finds_matters_that_are_not_online(catalog: dict[str, Any], client: Client) -> None:
    home = client.get("/").content.decode()
    assert 'action="/catalog/"' in home
    page = client.get("/catalog/", {"q": "社保卡"}).content.decode()
    assert "社会保障卡挂失补换" in page and "社会保障卡申领" in page
    card, online = catalog["card"], catalog["card_online"]
    assert f"/apply/matter/{online.uuid}/" in page  # online: apply
    assert f"/apply/matter/{card.uuid}/" not in page  # not online: guide and booking instead
    assert f"/catalog/m/{card.code}/" in page and f"/appointments/m/{card.uuid}/" in page


def test_guide_of_a_matter_done_in_person_shows_the_nearest_places(
    catalog: dict[str, Any], client: Client, citizen: Any, org: dict[str, OrgUnit]
) -> None:
    card = catalog["card"]
    anonymous = client.get(f"/catalog/m/{card.code}/").content.decode()
    assert "这个事项要到现场办理" in anonymous and f"/apply/matter/{card.uuid}/" not in anonymous
    assert f"/appointments/m/{card.uuid}/" in anonymous and "青原大道1号" in anonymous
    AgentPoint.objects.create(village=org["ZXSQ"], name="值夏社区代办点", address="值夏社区服务站")
    citizen.home_unit = org["ZXSQ"]
    citizen.save()
    places = where_to_go(card, citizen)
    assert [p.kind for p in places] == ["agent", "hall"]
    assert [p.kind for p in where_to_go(catalog["hukou"], citizen)] == ["township"]
    login(client, citizen)
    page = client.get(f"/catalog/m/{card.code}/").content.decode()
    assert "值夏社区代办点" in page and "离您最近" in page
