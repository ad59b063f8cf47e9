"""网上预审 pages: the department's queue and check page (fix in one notice, pass, not pass), the
case page's pre-review note, the front-desk intake page with the real structured form; every
page refusing outsiders."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import make_user
from onewindow.accounts.models import Role
from onewindow.cases.models import Case
from onewindow.cases.tests.formdata import filled_form, make_form_matter
from onewindow.cases.tests.test_prereview import submit_online

pytestmark = pytest.mark.django_db


@pytest.fixture
def form_matter(org: Any, calendar: Any) -> Any:
    return make_form_matter(org["BDC"])


@pytest.fixture
def pending(form_matter: Any, citizen: Any) -> Case:
    return submit_online(form_matter, citizen, area="8.95")


def test_pages_refuse_outsiders(client, pending, org, outsider, clerk):
    urls = ["/workbench/prereview/", f"/workbench/prereview/{pending.uuid}/"]
    for url in urls:
        assert client.get(url).status_code == 302  # anonymous: to the login page
    client.force_login(outsider)
    for url in urls:
        assert client.get(url).status_code == 403
    client.force_login(clerk)  # the front desk does not pre-review
    assert client.get(urls[0]).status_code == 403
    assert client.get(urls[1]).status_code == 403
    client.force_login(make_user("zjj_p", Role.APPROVER, org["ZJJ"]))  # another department
    assert "没有待预审" in client.get(urls[0]).content.decode()
    assert client.get(urls[1]).status_code == 404
    assert client.post(urls[1], {"action": "pass"}).status_code == 404
    pending.refresh_from_db()
    assert pending.prereview == "pending"


def test_department_asks_for_every_fix_in_one_notice(client, pending, form_matter, approver_bdc, clerk):
    client.force_login(approver_bdc)
    queue = client.get("/workbench/prereview/").content.decode()
    assert pending.number in queue
    page = client.get(f"/workbench/prereview/{pending.uuid}/").content.decode()
    assert "8.95 平方米" in page and "已在申请表中在线填写" in page
    contract = form_matter.current_version.materials.get(shared_key="sale_contract")
    empty = client.post(f"/workbench/prereview/{pending.uuid}/", {"action": "fix"})
    assert empty.status_code == 422 and "请列明需要修改的全部内容" in empty.content.decode()
    r = client.post(
        f"/workbench/prereview/{pending.uuid}/",
        {
            "action": "fix",
            "fix_field_area": "on",
            "reason_field_area": "应为 89.5 平方米",
            f"fix_req_{contract.pk}": "on",
            f"reason_req_{contract.pk}": "缺签字页",
        },
    )
    assert r.status_code == 302 and r["Location"] == "/workbench/prereview/"
    pending.refresh_from_db()
    assert pending.status == "supplement" and pending.prereview == "fix_requested"
    assert [i["name"] for i in pending.pauses.get().items] == ["建筑面积", "房屋买卖合同"]
    case_page = client.get(f"/workbench/cases/{pending.uuid}/").content.decode()
    assert "已一次性告知申请人修改" in case_page
    # The supplement notice PDF lists both items.
    pdf = client.get(f"/cases/{pending.uuid}/notice/supplement.pdf")
    assert pdf.status_code == 200


def test_pass_then_the_clerk_sees_and_accepts_it(client, pending, approver_bdc, clerk):
    client.force_login(clerk)
    page = client.get(f"/workbench/cases/{pending.uuid}/").content.decode()
    assert "预审通过后才能受理" in page and 'value="accept"' not in page
    assert pending.number not in client.get("/workbench/intake/queue/").content.decode()
    client.force_login(approver_bdc)
    assert client.post(f"/workbench/prereview/{pending.uuid}/", {"action": "pass", "note": "齐全"}).status_code == 302
    client.force_login(clerk)
    assert pending.number in client.get("/workbench/intake/queue/").content.decode()
    page = client.get(f"/workbench/cases/{pending.uuid}/").content.decode()
    assert "预审通过，请前台正式受理" in page and 'value="accept"' in page
    client.post(f"/workbench/cases/{pending.uuid}/act/", {"action": "accept"})
    pending.refresh_from_db()
    assert pending.status == "in_review"


def test_not_passed_prefills_the_refusal(client, pending, approver_bdc, clerk):
    client.force_login(approver_bdc)
    client.post(f"/workbench/prereview/{pending.uuid}/", {"action": "fail", "reasons": "房屋已被查封"})
    client.force_login(clerk)
    page = client.get(f"/workbench/cases/{pending.uuid}/").content.decode()
    assert "预审不通过" in page and ">房屋已被查封</textarea>" in page


def test_intake_page_renders_the_real_form_and_reports_every_error(client, form_matter, clerk, citizen):
    client.force_login(clerk)
    page = client.get(f"/workbench/intake/?matter={form_matter.uuid}").content.decode()
    assert 'name="form_property_no"' in page and 'name="form_has_agent"' in page and "由上面的申请表生成，免交" in page
    form = {f"form_{k}": v for k, v in filled_form(area="-1", seller_id="123").items()}
    r = client.post(
        "/workbench/intake/",
        {"matter": str(form_matter.uuid), "id_number": citizen.id_number, "channel": "counter", **form},
    )
    assert r.status_code == 422
    body = r.content.decode()
    assert "不能小于 1" in body and "身份证号码应为18位" in body
    assert not Case.objects.exists()
    form = {f"form_{k}": v for k, v in filled_form().items()}
    r = client.post("/workbench/intake/", {"matter": str(form_matter.uuid), "id_number": citizen.id_number, **form})
    assert r.status_code == 302
    case = Case.objects.get()
    assert case.prereview == "" and case.form_data["price"] == 560000
    detail = client.get(f"/workbench/cases/{case.uuid}/").content.decode()
    assert "成交价格" in detail and "560000 元" in detail
