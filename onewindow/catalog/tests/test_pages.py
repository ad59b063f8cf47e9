"""Catalog pages: public browse/search/guide/bundle/stats; import-export only for catalog admins."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from conftest import login

from ..models import Matter
from ..services import bundle_create, matter_retire
from .factories import CONTRACT, ID_CARD, make_matter
from .test_importexport import matter_row, workbook

pytestmark = pytest.mark.django_db


@pytest.fixture
def matters(org):
    a = make_matter(org["BDC"], "不动产转移登记", materials=[ID_CARD, CONTRACT], fee_required=True, fee_description="80元/件")
    b = make_matter(org["SW"], "存量房交易纳税申报", matter_type="other_power", materials=[ID_CARD, CONTRACT])
    bundle_create(code="YJS-BDCZY", name="不动产转移登记一件事", matters=[a, b], actor=None)
    return a, b


def test_index_and_search(client, matters):
    r = client.get("/catalog/")
    assert r.status_code == 200
    assert "不动产转移登记" in r.content.decode()
    r = client.get("/catalog/", {"q": "bdc"})
    body = r.content.decode()
    assert "不动产转移登记" in body and "存量房交易纳税申报" not in body
    r = client.get("/catalog/", {"q": "纳税", "online": "1"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    assert "<html" not in r.content.decode()  # the htmx partial
    assert "存量房交易纳税申报" in r.content.decode()


def test_index_survives_junk_params(client, matters):
    r = client.get("/catalog/", {"page": "-1", "department": "x" * 500, "q": "'; drop table"})
    assert r.status_code == 200


def test_guide_page_shows_the_implementation_list(client, matters):
    a, _b = matters
    r = client.get(f"/catalog/m/{a.code}/")
    body = r.content.decode()
    assert r.status_code == 200
    for text in ("不动产转移登记", a.code, "申请人居民身份证", "房屋买卖合同", "80元/件", "法定办结时限", "不动产转移登记一件事"):
        assert text in body
    assert "data-print" in body  # the print button (core/page.js gives it its behaviour)


def test_guide_unknown_code_is_404(client, org):
    assert client.get("/catalog/m/360803-NOPE-XK-0001/").status_code == 404


def test_draft_has_no_public_guide(client, org):
    m = make_matter(org["BDC"], "草稿事项", publish=False)
    assert client.get(f"/catalog/m/{m.code}/").status_code == 404


def test_retired_guide_is_marked(client, matters):
    a, _b = matters
    matter_retire(matter=a, actor=None)
    body = client.get(f"/catalog/m/{a.code}/").content.decode()
    assert "已停用" in body
    assert "在线申请" not in body


def test_bundle_pages(client, matters):
    assert "不动产转移登记一件事" in client.get("/catalog/bundles/").content.decode()
    body = client.get("/catalog/bundles/YJS-BDCZY/").content.decode()
    assert body.count("申请人居民身份证") == 1
    assert "分别办理需提交 4 份材料，合并去重后只需 2 份" in body
    assert client.get("/catalog/bundles/NOPE/").status_code == 404


def test_stats_page_is_public_and_computed(client, matters):
    r = client.get("/catalog/stats/")
    assert r.status_code == 200
    assert "依申请类政务服务事项" in r.content.decode()


def test_english_pages(client, matters):
    client.cookies["django_language"] = "en"
    body = client.get("/catalog/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Search" in body


# --- catalog management: admin role only ---------------------------------------------------


@pytest.mark.parametrize("path", ["/catalog/manage/", "/catalog/manage/export.xlsx", "/catalog/manage/template.xlsx"])
def test_manage_anonymous_redirected_to_login(client, path):
    r = client.get(path)
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


@pytest.mark.parametrize("path", ["/catalog/manage/", "/catalog/manage/export.xlsx", "/catalog/manage/template.xlsx"])
def test_manage_refused_for_other_roles(client, path, outsider, clerk, approver, leader):
    for user in (outsider, clerk, approver, leader):
        login(client, user)
        assert client.get(path).status_code == 403


def test_manage_post_refused_for_outsider(client, outsider, org):
    login(client, outsider)
    data = workbook([matter_row(name="偷偷加的事项")])
    r = client.post("/catalog/manage/", {"file": io.BytesIO(data)})
    assert r.status_code == 403
    assert not Matter.objects.exists()


def test_admin_exports_and_imports(client, admin_user, matters):
    login(client, admin_user)
    assert client.get("/catalog/manage/").status_code == 200
    r = client.get("/catalog/manage/export.xlsx")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    assert wb["事项"].max_row == 3
    upload = io.BytesIO(workbook([matter_row(name="新增事项")]))
    upload.name = "catalog.xlsx"
    r = client.post("/catalog/manage/", {"file": upload})
    assert r.status_code == 200
    assert "新增 1 项" in r.content.decode()
    assert Matter.objects.filter(search_name="新增事项").exists()


def test_admin_import_lists_row_errors(client, admin_user, org):
    login(client, admin_user)
    upload = io.BytesIO(workbook([matter_row(department="NOPE"), matter_row(statutory_days=1, committed_days=3)]))
    upload.name = "bad.xlsx"
    r = client.post("/catalog/manage/", {"file": upload})
    body = r.content.decode()
    assert r.status_code == 422
    assert "第2行" in body and "第3行" in body and "NOPE" in body
    assert not Matter.objects.exists()


def test_admin_import_without_file(client, admin_user):
    login(client, admin_user)
    assert client.post("/catalog/manage/", {}).status_code == 422


# --- Django admin ----------------------------------------------------------------------------


def test_django_admin_pages(client, admin_user, matters):
    a, _b = matters
    login(client, admin_user)
    for path in (
        "/admin/catalog/matter/",
        f"/admin/catalog/matter/{a.pk}/change/",
        "/admin/catalog/matterversion/",
        f"/admin/catalog/matterversion/{a.current_version_id}/change/",
        "/admin/catalog/bundle/",
        "/admin/catalog/delegation/",
        "/admin/catalog/lifeevent/",
        "/admin/assistance/agentpoint/",
    ):
        assert client.get(path).status_code == 200, path


def test_published_version_is_read_only_in_admin(client, admin_user, matters):
    a, _b = matters
    login(client, admin_user)
    url = f"/admin/catalog/matterversion/{a.current_version_id}/change/"
    body = client.get(url).content.decode()
    assert 'name="name"' not in body  # no input: shown read-only
    client.post(url, {"name": "被改了"})
    a.current_version.refresh_from_db()
    assert a.current_version.name == "不动产转移登记"


def test_admin_draft_and_publish_actions(client, admin_user, matters):
    a, _b = matters
    login(client, admin_user)
    client.post("/admin/catalog/matter/", {"action": "create_drafts", "_selected_action": [a.pk]})
    draft = a.versions.get(status="draft")
    client.post("/admin/catalog/matterversion/", {"action": "publish_drafts", "_selected_action": [draft.pk]})
    a.refresh_from_db()
    assert a.current_version_id == draft.pk


def test_django_admin_refused_for_non_staff(client, clerk):
    login(client, clerk)
    r = client.get("/admin/catalog/matter/")
    assert r.status_code == 302 and "/admin/login/" in r["Location"]


def test_admin_refuses_committed_over_statutory_on_a_draft(client, admin_user, matters):
    from ..services import matter_draft_create

    a, _b = matters
    draft = matter_draft_create(matter=a, actor=None)
    login(client, admin_user)
    url = f"/admin/catalog/matterversion/{draft.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200 and 'name="name"' in page.content.decode()
    data = {
        "name": draft.name,
        "matter_type": draft.matter_type,
        "kind": draft.kind,
        "statutory_days": 5,
        "committed_days": 9,
        "max_visits": 1,
        "handling_level": "district",
        "online_depth": 3,
        "audience": "citizen",
        "form_schema": "[]",
        "materials-TOTAL_FORMS": 0,
        "materials-INITIAL_FORMS": 0,
    }
    r = client.post(url, data)
    assert r.status_code == 200  # form shown again with the error
    assert "承诺办结时限不得超过法定办结时限" in r.content.decode()
    draft.refresh_from_db()
    assert draft.committed_days == 5
