"""Workbench pages: each refuses outsiders and wrong roles; the front desk and back office flows
work through the pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from onewindow.cases import services as svc
from onewindow.cases.models import Case
from onewindow.cases.tests.conftest import PDF_BYTES, all_materials, make_route
from onewindow.core.audit import READ_ACTION
from onewindow.core.models import AuditEntry

PAGES = [
    "/workbench/",
    "/workbench/intake/",
    "/workbench/intake/queue/",
    "/workbench/queue/",
    "/workbench/late/",
    "/workbench/routes/",
    "/workbench/work/decide/",
]


def _case(mv: Any, citizen: Any, clerk: Any) -> Case:
    return svc.case_submit(
        applicant=citizen,
        matter_version=mv,
        channel="online",
        form_data={"address": "值夏镇1号"},
        materials=all_materials(list(mv.materials.all())),
        actor=citizen,
    )


@pytest.mark.parametrize("url", PAGES)
def test_pages_refuse_anonymous_and_citizens(client: Any, url: str, outsider: Any) -> None:
    assert client.get(url).status_code == 302
    client.force_login(outsider)
    assert client.get(url).status_code == 403


def test_wrong_roles_refused(client: Any, clerk: Any, approver: Any, agent: Any) -> None:
    client.force_login(approver)
    assert client.get("/workbench/intake/").status_code == 403
    assert client.get("/workbench/late/").status_code == 403
    assert client.get("/workbench/routes/").status_code == 403
    client.force_login(clerk)
    assert client.get("/workbench/queue/").status_code == 403
    client.force_login(agent)
    assert client.get("/workbench/intake/").status_code == 403


def test_front_desk_flow(client: Any, matter_zjj: Any, clerk: Any, org: Any) -> None:
    from onewindow.accounts.demo import resident_id

    client.force_login(clerk)
    page = client.get("/workbench/intake/", {"q": "预售"})
    assert "商品房预售许可" in page.content.decode()
    form = client.get("/workbench/intake/", {"matter": str(matter_zjj.matter.uuid)})
    assert "材料清单" in form.content.decode()
    reqs = list(matter_zjj.materials.all())
    data = {
        "matter": str(matter_zjj.matter.uuid),
        "id_number": resident_id("19800101", 123),
        "display_name": "王大明",
        "phone": "13900000009",
        "channel": "counter",
        "form_address": "河东街道8号",
        f"file_{reqs[0].pk}": SimpleUploadedFile("a.pdf", PDF_BYTES),
        f"paper_{reqs[1].pk}": "on",
    }
    resp = client.post("/workbench/intake/", data)
    assert resp.status_code == 302, resp.content.decode()[:2000]
    case = Case.objects.get()
    assert case.applicant.display_name == "王大明" and case.channel == "counter"
    page = client.get(resp["Location"])
    assert page.status_code == 200 and case.number in page.content.decode()
    resp = client.post(f"/workbench/cases/{case.uuid}/act/", {"action": "accept"})
    case.refresh_from_db()
    assert case.status == Case.Status.IN_REVIEW
    # a bad file type is refused with a message, nothing created
    data[f"file_{reqs[0].pk}"] = SimpleUploadedFile("a.pdf", b"not a pdf")
    bad = client.post("/workbench/intake/", data)
    assert bad.status_code == 422 and Case.objects.count() == 1


def test_intake_with_ticket_prefills(client: Any, clerk: Any, matter_zjj: Any) -> None:
    client.force_login(clerk)
    resp = client.get("/workbench/intake/", {"ticket": "00000000-0000-0000-0000-000000000000"})
    assert resp.status_code == 200
    resp = client.get("/workbench/intake/", {"ticket": "not-a-uuid"})
    assert resp.status_code == 200


def test_back_office_flow_and_department_scope(
    client: Any,
    estate_bundle: Any,
    parallel_route: Any,
    citizen: Any,
    clerk: Any,
    approver: Any,
    approver_sw: Any,
    approver_bdc: Any,
    org: Any,
) -> None:
    reqs = svc.merged_requirements([i.matter.current_version for i in estate_bundle.items.all()])
    case = svc.case_submit(
        applicant=citizen,
        bundle=estate_bundle,
        channel="counter",
        form_data={"address": "1"},
        materials=all_materials(reqs),
        actor=clerk,
    )
    case = svc.case_accept(case=case, actor=clerk)
    client.force_login(approver_sw)
    q = client.get("/workbench/queue/")
    assert case.number in q.content.decode()
    step = case.steps.get(department__code="SW")
    zjj_step = case.steps.get(department__code="ZJJ")
    client.post(f"/workbench/cases/{case.uuid}/act/", {"action": "claim", "step": str(step.uuid)})
    # the 税务 approver cannot act on the 住建 step through the page either
    client.post(f"/workbench/cases/{case.uuid}/act/", {"action": "approve", "step": str(zjj_step.uuid)})
    zjj_step.refresh_from_db()
    assert zjj_step.status == "open"
    client.post(f"/workbench/cases/{case.uuid}/act/", {"action": "approve", "step": str(step.uuid), "comment": "税款已缴"})
    step.refresh_from_db()
    assert step.status == "approved" and step.claimed_by == approver_sw
    # An approver of a department with no step in the case cannot see it.
    from conftest import make_user

    other = make_user("approver_ybj", "approver", org["YBJ"])
    client.force_login(other)
    assert client.get(f"/workbench/cases/{case.uuid}/").status_code == 404
    assert client.post(f"/workbench/cases/{case.uuid}/act/", {"action": "accept"}).status_code == 404
    for who in (approver, approver_bdc):
        client.force_login(who)
        s = case.steps.get(department=who.role_assignments.first().org_unit)
        client.post(f"/workbench/cases/{case.uuid}/act/", {"action": "approve", "step": str(s.uuid)})
    case.refresh_from_db()
    assert case.status == Case.Status.REVIEWED
    client.force_login(approver)
    client.post(f"/workbench/cases/{case.uuid}/act/", {"action": "decide", "approved": "1"})
    client.post(f"/workbench/cases/{case.uuid}/act/", {"action": "conclude"})
    resp = client.post(f"/workbench/cases/{case.uuid}/act/", {"action": "deliver", "method": "post"}, follow=True)
    assert "邮件单号" in resp.content.decode()  # error shown, not a 500
    client.post(f"/workbench/cases/{case.uuid}/act/", {"action": "deliver", "method": "electronic"})
    case.refresh_from_db()
    assert case.status == Case.Status.DELIVERED
    page = client.get(f"/workbench/cases/{case.uuid}/")
    assert "办结通知书" in page.content.decode()


def test_late_list_for_supervisors(
    client: Any, matter_zjj: Any, citizen: Any, clerk: Any, hall_manager: Any, leader: Any
) -> None:
    yellow = svc.case_accept(case=_case(matter_zjj, citizen, clerk), actor=clerk)
    case = svc.case_accept(case=_case(matter_zjj, citizen, clerk), actor=clerk)
    Case.objects.filter(pk=yellow.pk).update(warning_level="yellow")
    Case.objects.filter(pk=case.pk).update(warning_level="red")
    for who in (hall_manager, leader):
        client.force_login(who)
        resp = client.get("/workbench/late/")
        html = resp.content.decode()
        assert resp.status_code == 200 and case.number in html
        assert html.index(case.number) < html.index(yellow.number)  # red cards first


def test_routes_compare_and_bpmn(
    client: Any, estate_bundle: Any, parallel_route: Any, org: Any, admin_user: Any, approver: Any
) -> None:
    import xml.etree.ElementTree as ET

    serial = make_route(
        bundle=estate_bundle,
        number=2,
        publish=False,
        stages=[
            [(org["ZJJ"], "住建审核", 3, "review")],
            [(org["SW"], "税务核税", 3, "review")],
            [(org["BDC"], "登记审核", 5, "review")],
        ],
    )
    client.force_login(approver)
    assert client.get(f"/workbench/routes/{serial.uuid}/bpmn/").status_code == 403
    client.force_login(admin_user)
    page = client.get("/workbench/routes/compare/", {"a": str(serial.uuid), "b": str(parallel_route.uuid)})
    html = page.content.decode()
    assert page.status_code == 200 and "少 6 个工作日" in html
    xml = client.get(f"/workbench/routes/{parallel_route.uuid}/bpmn/").content
    root = ET.fromstring(xml)  # noqa: S314 - our own output
    ns = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}
    assert len(root.findall(".//bpmn:lane", ns)) == 3
    assert len(root.findall(".//bpmn:parallelGateway", ns)) == 2
    assert len(root.findall(".//bpmn:userTask", ns)) == 3
    assert client.get("/workbench/routes/compare/", {"a": "x"}).status_code == 404


def test_applicant_lookup(client: Any, clerk: Any, citizen: Any, approver: Any) -> None:
    client.force_login(approver)
    assert client.post("/workbench/intake/applicant/", {"id_number": citizen.id_number}).status_code == 403
    client.force_login(clerk)
    found = client.post("/workbench/intake/applicant/", {"id_number": citizen.id_number}).content.decode()
    assert citizen.display_name in found and citizen.phone not in found  # phone masked
    # Never in a query string (it would land in the access log): a GET is refused.
    assert client.get("/workbench/intake/applicant/", {"id_number": citizen.id_number}).status_code == 405
    bad = client.post("/workbench/intake/applicant/", {"id_number": "123"}).content.decode()
    assert "error-text" in bad
    # Who holds the number is a read of personal data: audited once (the refused and the bad one not).
    reads = AuditEntry.objects.filter(action=READ_ACTION)
    assert [(e.actor, e.target_id, e.data["page"]) for e in reads] == [(clerk, str(citizen.pk), "/workbench/intake/applicant/")]


def test_publish_draft_from_the_routes_page(
    client: Any, estate_bundle: Any, org: Any, admin_user: Any, hall_manager: Any
) -> None:
    draft = make_route(
        bundle=estate_bundle, publish=False, stages=[[(org["ZJJ"], "住建审核", 3, "review"), (org["BDC"], "登记", 5, "review")]]
    )
    client.force_login(hall_manager)  # may read routes, may not publish
    assert client.post(f"/workbench/routes/{draft.uuid}/publish/").status_code == 403
    draft.refresh_from_db()
    assert draft.status == "draft"
    client.force_login(admin_user)
    assert "发布草稿" in client.get("/workbench/routes/").content.decode()
    client.post(f"/workbench/routes/{draft.uuid}/publish/")
    draft.refresh_from_db()
    assert draft.status == "published"


def test_intake_from_a_hall_ticket(client: Any, clerk: Any, org: Any, matter_zjj: Any, township_officer: Any) -> None:
    from onewindow.accounts.demo import resident_id
    from onewindow.hall.models import ServiceArea, ServicePoint
    from onewindow.hall.services import ticket_issue

    point = ServicePoint.objects.create(org_unit=org["gov"], code="QY-ZWFW", name="青原区行政服务中心")
    area = ServiceArea.objects.create(point=point, code="QY-ZH", name="综合服务区", theme="comprehensive", ticket_prefix="A")
    ServicePoint.objects.create(org_unit=org["ZXZ"], code="ZXZ-ZWFW", name="值夏镇便民服务中心")
    matter_zjj.matter.service_area = area
    matter_zjj.matter.save(update_fields=["service_area"])
    number = resident_id("19820304", 135)
    ticket = ticket_issue(area=area, source="kiosk", id_number=number, phone="13907960002")
    client.force_login(clerk)
    page = client.get("/workbench/intake/", {"ticket": str(ticket.uuid)}).content.decode()
    assert ticket.number in page and "商品房预售许可" in page  # the area's matters are offered
    form = client.get("/workbench/intake/", {"ticket": str(ticket.uuid), "matter": str(matter_zjj.matter.uuid)}).content.decode()
    assert number in form and "13907960002" in form  # prefilled from the ticket
    # The form shows the ticket's full numbers (the matter list before did not): an audited read.
    reads = AuditEntry.objects.filter(action=READ_ACTION)
    assert [(e.actor, e.target_type, e.target_id) for e in reads] == [(clerk, "hall.ticket", str(ticket.uuid))]
    assert reads.get().data["page"] == "/workbench/intake/"
    # a township officer works at another hall: the ticket is not theirs
    client.force_login(township_officer)
    other = client.get("/workbench/intake/", {"ticket": str(ticket.uuid), "matter": str(matter_zjj.matter.uuid)}).content.decode()
    assert number not in other and ticket.number not in other


def test_an_instant_matter_never_reads_zero_working_days_at_the_front_desk(client: Any, clerk: Any, matter_zjj: Any) -> None:
    """Issue 9: an instant matter (0 committed days) reads 即时办结, on the intake page too."""
    type(matter_zjj).objects.filter(pk=matter_zjj.pk).update(committed_days=0)
    client.force_login(clerk)
    page = client.get("/workbench/intake/", {"matter": str(matter_zjj.matter.uuid)}).content.decode()
    assert "即时办结" in page and "0 个工作日" not in page
