"""Staff home pages: each person sees what waits for them, counted per list and most urgent first;
a joint case every department approved waits in the lead department's list and nobody else's; the
supervisor's page shows the work nobody holds."""

from __future__ import annotations

import datetime
from typing import Any

from onewindow.cases import services as svc
from onewindow.cases.models import Case
from onewindow.cases.tests.conftest import all_materials
from onewindow.core.models import UnownedWork
from onewindow.core.ownership import sweep_unowned


def _joint(bundle: Any, citizen: Any, clerk: Any) -> Case:
    versions = [i.matter.current_version for i in bundle.items.select_related("matter__current_version")]
    return svc.case_submit(
        applicant=citizen,
        bundle=bundle,
        channel="counter",
        form_data={"address": "河东街道滨江路8号"},
        materials=all_materials(svc.merged_requirements(versions)),
        actor=clerk,
    )


def test_each_person_sees_their_own_work_most_urgent_first(
    client: Any,
    org: Any,
    estate_bundle: Any,
    parallel_route: Any,
    citizen: Any,
    clerk: Any,
    approver: Any,
    approver_sw: Any,
    approver_bdc: Any,
) -> None:
    estate_bundle.lead_department = org["BDC"]
    estate_bundle.save(update_fields=["lead_department"])
    waiting = _joint(estate_bundle, citizen, clerk)
    older = _joint(estate_bundle, citizen, clerk)
    Case.objects.filter(pk=older.pk).update(intake_due=waiting.intake_due - datetime.timedelta(days=2))
    reviewed = svc.case_accept(case=_joint(estate_bundle, citizen, clerk), actor=clerk)
    for who in (approver, approver_sw, approver_bdc):
        svc.step_approve(step=reviewed.steps.get(department__in=who.role_assignments.values("org_unit")), actor=who)

    client.force_login(clerk)
    html = client.get("/workbench/").content.decode()
    assert 'data-action="intake"' in html and "等我办理" in html
    assert html.index(older.number) < html.index(waiting.number)  # the nearer limit first
    assert reviewed.number not in html  # deciding is not the front desk's

    client.force_login(approver_bdc)  # the lead department
    html = client.get("/workbench/").content.decode()
    assert 'data-action="decide"' in html and reviewed.number in html
    page = client.get("/workbench/work/decide/").content.decode()
    assert reviewed.number in page and "牵头部门" in client.get(f"/workbench/cases/{reviewed.uuid}/").content.decode()
    for other in (approver, approver_sw):  # parallel departments: done with it
        client.force_login(other)
        assert reviewed.number not in client.get("/workbench/").content.decode()
        assert reviewed.number not in client.get("/workbench/work/decide/").content.decode()
    assert client.get("/workbench/work/nothing/").status_code == 404


def test_the_supervisors_page_lists_work_nobody_holds(
    client: Any, estate_bundle: Any, parallel_route: Any, citizen: Any, clerk: Any, hall_manager: Any
) -> None:
    case = svc.case_accept(case=_joint(estate_bundle, citizen, clerk), actor=clerk)  # no approvers exist
    assert sweep_unowned() == 3 and UnownedWork.objects.count() == 3
    client.force_login(hall_manager)
    html = client.get("/workbench/late/").content.decode()
    assert case.number in html and "该部门没有审批人员" in html
    assert "3 件无人负责" in client.get("/workbench/").content.decode()
    client.cookies["django_language"] = "en"
    assert "The department has no approvers" in client.get("/workbench/late/").content.decode()
