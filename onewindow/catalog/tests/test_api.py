"""Catalog API: public reads, paginated search, detail with materials, bundles, 404s."""

from __future__ import annotations

import pytest

from conftest import login

from ..services import bundle_create
from .factories import CONTRACT, ID_CARD, PROPERTY, make_matter

pytestmark = pytest.mark.django_db


@pytest.fixture
def matters(org):
    a = make_matter(org["BDC"], "不动产转移登记", materials=[ID_CARD, PROPERTY, CONTRACT], on_mobile=True, online_depth=4)
    b = make_matter(org["SW"], "存量房交易纳税申报", matter_type="other_power", materials=[ID_CARD, CONTRACT])
    for i in range(25):
        make_matter(org["MZJ"], f"民政事项{i:02d}")
    bundle_create(code="YJS-BDCZY", name="不动产转移登记一件事", matters=[a, b], actor=None)
    return a, b


def test_search_paginated(client, matters):
    r = client.get("/api/v1/catalog/matters", {"q": "mzsx"})
    data = r.json()
    assert r.status_code == 200
    assert data["count"] == 25 and data["pages"] == 2 and len(data["items"]) == 20
    data = client.get("/api/v1/catalog/matters", {"q": "mzsx", "page": 2}).json()
    assert data["page"] == 2 and len(data["items"]) == 5


def test_search_pinyin_chinese_and_filters(client, matters):
    a, _b = matters
    assert [m["code"] for m in client.get("/api/v1/catalog/matters", {"q": "bdc"}).json()["items"]] == [a.code]
    assert [m["code"] for m in client.get("/api/v1/catalog/matters", {"q": "不动产"}).json()["items"]] == [a.code]
    items = client.get("/api/v1/catalog/matters", {"mobile": "true"}).json()["items"]
    assert [m["code"] for m in items] == [a.code]
    assert items[0]["online_capable"] is True
    assert client.get("/api/v1/catalog/matters", {"department": "SW"}).json()["count"] == 1


def test_bad_params_are_422_not_500(client, matters):
    r = client.get("/api/v1/catalog/matters", {"page": "abc"})
    assert r.status_code == 422
    assert r.json()["code"] == "validation_failed"


def test_detail_with_materials(client, matters):
    a, _b = matters
    data = client.get(f"/api/v1/catalog/matters/{a.code}").json()
    assert data["name"] == "不动产转移登记"
    assert data["version"] == 1
    assert [m["shared_key"] for m in data["materials"]] == ["id_card", "property_cert", "sale_contract"]
    assert data["committed_days"] <= data["statutory_days"]


def test_unknown_code_is_404(client, org):
    r = client.get("/api/v1/catalog/matters/360803-NOPE-XK-0001")
    assert r.status_code == 404
    assert r.json()["code"] == "not_found"
    assert client.get("/api/v1/catalog/bundles/NOPE").status_code == 404


def test_draft_is_not_exposed(client, org):
    m = make_matter(org["BDC"], "草稿", publish=False)
    assert client.get(f"/api/v1/catalog/matters/{m.code}").status_code == 404
    assert client.get("/api/v1/catalog/matters").json()["count"] == 0


def test_bundles(client, matters):
    assert [b["code"] for b in client.get("/api/v1/catalog/bundles").json()["items"]] == ["YJS-BDCZY"]
    data = client.get("/api/v1/catalog/bundles/YJS-BDCZY").json()
    assert data["materials_if_separate"] == 5
    keys = [m["key"] for m in data["materials"]]
    assert keys == ["id_card", "property_cert", "sale_contract"]
    assert len(data["materials"][0]["matters"]) == 2


def test_reads_are_public_for_every_persona(client, matters, outsider):
    a, _b = matters
    login(client, outsider)
    assert client.get(f"/api/v1/catalog/matters/{a.code}").status_code == 200


def test_no_writes_exposed(client, matters):
    a, _b = matters
    assert client.post("/api/v1/catalog/matters", {}).status_code == 405
    assert client.delete(f"/api/v1/catalog/matters/{a.code}").status_code == 405
