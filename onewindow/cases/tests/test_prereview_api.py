"""网上预审 over the API: the department's queue, check sheet and three outcomes; the applicant's
correction through the portal's supplement endpoint (`form`); outsiders refused everywhere."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import make_user
from onewindow.accounts.models import Role
from onewindow.cases.models import Case
from onewindow.cases.tests.formdata import make_form_matter

from .test_prereview import submit_online

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def pending(org: Any, calendar: Any, citizen: Any) -> Case:
    return submit_online(make_form_matter(org["BDC"]), citizen, area="8.95")


def test_department_checks_and_asks_for_a_fix_applicant_corrects_then_pass(client, pending, citizen, approver_bdc, clerk):
    client.force_login(approver_bdc)
    queue = client.get("/api/v1/cases/prereview/queue").json()["items"]
    assert [q["number"] for q in queue] == [pending.number]
    sheet = client.get(f"/api/v1/cases/prereview/{pending.uuid}").json()
    fields = {f["name"]: f for f in sheet["fields"]}
    assert fields["area"]["display"] == "8.95 平方米"
    provided = {r["name"]: r["provided"] for r in sheet["requirements"]}
    assert provided["不动产登记申请书"] and not provided["房屋买卖合同"]
    r = client.post(f"/api/v1/cases/prereview/{pending.uuid}/fix", {"fields": {"area": "应为 89.5"}}, content_type=JSON)
    assert r.status_code == 200 and r.json()["prereview"] == "fix_requested"

    client.force_login(citizen)
    detail = client.get(f"/api/v1/portal/cases/{pending.uuid}").json()
    assert detail["supplement"][0]["field"] == "area"
    bad = client.post(f"/api/v1/portal/cases/{pending.uuid}/supplement", {"form": {"area": "很大"}}, content_type=JSON)
    assert bad.status_code == 422 and set(bad.json()["fields"]) == {"area"}
    ok = client.post(f"/api/v1/portal/cases/{pending.uuid}/supplement", {"form": {"area": "89.5"}}, content_type=JSON)
    assert ok.status_code == 200, ok.content

    client.force_login(approver_bdc)
    r = client.post(f"/api/v1/cases/prereview/{pending.uuid}/pass", {"note": "齐全"}, content_type=JSON)
    assert r.json() == {"uuid": str(pending.uuid), "number": pending.number, "status": "submitted", "prereview": "passed"}
    again = client.post(f"/api/v1/cases/prereview/{pending.uuid}/fail", {"reasons": "x"}, content_type=JSON)
    assert again.status_code == 409 and again.json()["code"] == "prereview_not_open"
    client.force_login(clerk)
    assert client.post(f"/api/v1/cases/{pending.uuid}/accept").json()["status"] == "in_review"


def test_fail_needs_reasons(client, pending, approver_bdc):
    client.force_login(approver_bdc)
    r = client.post(f"/api/v1/cases/prereview/{pending.uuid}/fail", {"reasons": ""}, content_type=JSON)
    assert r.status_code == 422
    r = client.post(f"/api/v1/cases/prereview/{pending.uuid}/fail", {"reasons": "房屋已被查封"}, content_type=JSON)
    assert r.status_code == 200 and r.json()["prereview"] == "not_passed"


def test_clerk_cannot_accept_while_pending(client, pending, clerk):
    client.force_login(clerk)
    r = client.post(f"/api/v1/cases/{pending.uuid}/accept")
    assert r.status_code == 409 and r.json()["code"] == "prereview_open"


def test_outsiders_are_refused(client, pending, org, citizen, outsider, clerk):
    other_dept = make_user("zjj_x", Role.APPROVER, org["ZJJ"])
    base = f"/api/v1/cases/prereview/{pending.uuid}"
    posts = [(f"{base}/pass", {}), (f"{base}/fix", {"fields": {"area": "x"}}), (f"{base}/fail", {"reasons": "x"})]
    assert client.get("/api/v1/cases/prereview/queue").status_code == 401
    assert client.get(base).status_code == 401
    for url, body in posts:
        assert client.post(url, body, content_type=JSON).status_code == 401
    for who, expected in ((outsider, 404), (other_dept, 404), (citizen, 403), (clerk, 403)):
        client.force_login(who)
        assert client.get("/api/v1/cases/prereview/queue").json()["items"] == []
        assert client.get(base).status_code == expected, who
        for url, body in posts:
            assert client.post(url, body, content_type=JSON).status_code == expected, (who, url)
    pending.refresh_from_db()
    assert pending.prereview == "pending"
