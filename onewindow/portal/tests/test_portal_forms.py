"""The online application with a real structured form: prefilled from the verified account, every
error at once, lines the form or the platform provides never asked for, then the department's
pre-review fix answered on the case page."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import make_user
from onewindow.accounts.models import Role
from onewindow.cases import prereview as pr
from onewindow.cases.models import Case
from onewindow.cases.tests.formdata import filled_form, make_form_matter
from onewindow.materials.models import ApplicationDraft
from onewindow.portal.testing import pdf_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def form_matter(org: Any, calendar: Any) -> Any:
    return make_form_matter(org["BDC"])


def test_apply_with_the_real_form_then_fix_after_prereview(client, form_matter, citizen, org):
    client.force_login(citizen)
    client.post(f"/apply/matter/{form_matter.uuid}/")
    draft = ApplicationDraft.objects.get(status="open")
    base = f"/apply/d/{draft.uuid}"
    client.post(f"{base}/conditions/", {"confirmed": "1"})
    page = client.get(f"{base}/form/").content.decode()
    assert f'value="{citizen.id_number}"' in page  # prefilled from the account
    bad = client.post(f"{base}/form/", {**filled_form(), "area": "0", "price": "abc", "has_agent": "yes"})
    assert bad.status_code == 422
    text = bad.content.decode()
    assert "申请表有 5 处需要修改" in text  # area, price, and the three agent fields
    assert text.count('class="errorlist"') >= 5
    assert client.post(f"{base}/form/", filled_form())["Location"] == f"{base}/materials/"
    materials = client.get(f"{base}/materials/").content.decode()
    assert "已在申请表中在线填写，无需上传" in materials
    reqs = {r.shared_key or r.name: r for r in form_matter.current_version.materials.all()}
    for key in ("id_card", "property_cert", "sale_contract"):
        r = client.post(f"{base}/materials/", {"upload": "1", "key": f"{key}", "file": pdf_file()})
        assert r.status_code == 302, r.content
    assert client.post(f"{base}/materials/", {"next": "1"})["Location"] == f"{base}/review/"
    review = client.get(f"{base}/review/").content.decode()
    assert "89.5 平方米" in review and "无需上传" in review
    r = client.post(f"{base}/review/")
    case = Case.objects.get()
    assert r["Location"] == f"/me/cases/{case.uuid}/"
    assert case.prereview == "pending" and case.materials.count() == 3
    assert not case.materials.filter(requirement=reqs["不动产登记申请书"]).exists()

    approver = make_user("bdc_pp", Role.APPROVER, org["BDC"])
    pr.prereview_request_fix(
        case=case,
        actor=approver,
        fields={"price": "与网签合同价格不一致"},
        materials={reqs["sale_contract"].pk: "缺签字页"},
    )
    page = client.get(f"/me/cases/{case.uuid}/").content.decode()
    assert 'name="fix-price"' in page and "与网签合同价格不一致" in page and "缺签字页" in page
    bad = client.post(f"/me/cases/{case.uuid}/", {"fix-price": "多少"})
    assert bad.status_code == 422 and "请填写数字" in bad.content.decode()
    ok = client.post(f"/me/cases/{case.uuid}/", {"fix-price": "580000", f"file-{reqs['sale_contract'].pk}": pdf_file()})
    assert ok.status_code == 302
    case.refresh_from_db()
    assert case.form_data["price"] == 580000 and case.prereview == "pending" and case.status == "submitted"


def test_outsider_cannot_see_or_answer_the_fix(client, form_matter, citizen, outsider, org):
    from onewindow.cases.tests.test_prereview import submit_online

    case = submit_online(form_matter, citizen)
    pr.prereview_request_fix(case=case, actor=make_user("bdc_q", Role.APPROVER, org["BDC"]), fields={"area": "x"})
    client.force_login(outsider)
    assert client.get(f"/me/cases/{case.uuid}/").status_code == 404
    assert client.post(f"/me/cases/{case.uuid}/", {"fix-area": "1"}).status_code == 404
    case.refresh_from_db()
    assert case.status == "supplement"


def test_the_phone_api_tells_which_lines_need_no_upload(client, form_matter, citizen):
    client.force_login(citizen)
    draft = client.post("/api/v1/materials/drafts", {"matter": str(form_matter.uuid)}, content_type="application/json").json()
    base = f"/api/v1/materials/drafts/{draft['uuid']}"
    client.post(f"{base}/conditions", {"confirmed": True}, content_type="application/json")
    bad = client.put(f"{base}/form", {"data": {"area": "x"}}, content_type="application/json")
    assert bad.status_code == 422 and {"area", "property_no", "applicant_address"} <= set(bad.json()["fields"])
    ok = client.put(f"{base}/form", {"data": filled_form()}, content_type="application/json")
    assert ok.status_code == 200, ok.content
    body = client.get(base).json()
    lines = {r["name"]: r for r in body["requirements"]}
    assert lines["不动产登记申请书"]["provided"] and not lines["房屋买卖合同"]["provided"]
    fields = {f["name"]: f for f in body["form_schema"]}
    assert fields["agent_name"]["when"] == {"field": "has_agent", "equals": "yes"} and fields["area"]["unit"] == "平方米"
