"""The case lifecycle and the legal rules of the Administrative Licensing Law (行政许可法)."""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

import pytest
import time_machine

from onewindow.cases import extensions
from onewindow.cases import services as svc
from onewindow.cases.models import Case, CaseStep, SubmittedMaterial
from onewindow.cases.services import MaterialInput
from onewindow.core import workdays
from onewindow.core.errors import Conflict, PermissionDenied, ValidationFailed
from onewindow.core.models import Notification

from .conftest import all_materials, make_route, pdf_file

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(y: int, m: int, d: int, h: int = 10) -> datetime.datetime:
    return datetime.datetime(y, m, d, h, tzinfo=TZ)


def submit(mv: Any, citizen: Any, clerk: Any, **kw: Any) -> Case:
    return svc.case_submit(
        applicant=citizen,
        matter_version=mv,
        channel=kw.pop("channel", "counter"),
        form_data={"address": "值夏镇1号"},
        materials=kw.pop("materials", all_materials(list(mv.materials.all()))),
        actor=kw.pop("actor", clerk),
        **kw,
    )


def submit_bundle(bundle: Any, citizen: Any, clerk: Any, **kw: Any) -> Case:
    reqs = svc.merged_requirements([i.matter.current_version for i in bundle.items.all()])
    return svc.case_submit(
        applicant=citizen,
        bundle=bundle,
        channel="counter",
        form_data={"address": "河东街道2号"},
        materials=all_materials(reqs),
        actor=clerk,
        **kw,
    )


def test_submit_numbers_and_notifies(matter_zjj: Any, citizen: Any, clerk: Any) -> None:
    with time_machine.travel(at(2026, 3, 2), tick=False):
        a = submit(matter_zjj, citizen, clerk)
        b = submit(matter_zjj, citizen, clerk)
    assert a.number == "QY2026030200001" and b.number == "QY2026030200002"
    assert a.status == Case.Status.SUBMITTED and len(a.check_code) == 8
    assert a.materials.count() == 2
    # art. 32: intake within 5 working days counted from the next working day
    assert a.intake_due == datetime.date(2026, 3, 9)
    assert Notification.objects.filter(user=citizen, kind="case.submitted").count() == 2


def test_weekend_submission_counts_from_next_working_day(matter_zjj: Any, citizen: Any, clerk: Any) -> None:
    # Day 1 is the first working day after the day of receipt (民法典 art. 201, 行政许可法 art. 82):
    # received on Saturday, day 1 is Monday; received on Monday, day 1 is Tuesday.
    with time_machine.travel(at(2026, 3, 7), tick=False):  # Saturday
        sat = submit(matter_zjj, citizen, clerk, channel="off_hours")
    with time_machine.travel(at(2026, 3, 6), tick=False):  # Friday
        fri = submit(matter_zjj, citizen, clerk)
    with time_machine.travel(at(2026, 3, 9), tick=False):  # Monday
        mon = submit(matter_zjj, citizen, clerk)
    assert sat.received_on == datetime.date(2026, 3, 7)
    assert sat.intake_due == fri.intake_due == datetime.date(2026, 3, 13)
    assert mon.intake_due == datetime.date(2026, 3, 16)


def test_saturday_before_labour_day_break_is_not_a_day_late(matter_zjj: Any, citizen: Any, clerk: Any) -> None:
    # 2026: May 1-5 off, May 9 (Saturday) a make-up workday. Received Saturday May 2: day 1 is
    # Wednesday May 6, day 5 is Monday May 11 (the old rule said May 12).
    with time_machine.travel(at(2026, 5, 2), tick=False):
        case = submit(matter_zjj, citizen, clerk, channel="online", actor=citizen)
    assert case.intake_due == datetime.date(2026, 5, 11)


def test_holiday_submission_counts_from_next_working_day(matter_zjj: Any, citizen: Any, clerk: Any) -> None:
    # National Day 2026: Oct 1-7 off, Oct 10 (Saturday) is a make-up workday
    with time_machine.travel(at(2026, 10, 3), tick=False):
        case = submit(matter_zjj, citizen, clerk, channel="online", actor=citizen)
    assert case.received_on == datetime.date(2026, 10, 3)
    # Day 1 is Thursday Oct 8, the first working day after receipt.
    assert case.intake_due == workdays.add_workdays(datetime.date(2026, 10, 3), 5) == datetime.date(2026, 10, 13)


def test_accept_starts_decision_clock_and_committed_within_statutory(
    matter_zjj: Any, citizen: Any, clerk: Any, approver: Any
) -> None:
    with time_machine.travel(at(2026, 3, 2), tick=False):
        case = submit(matter_zjj, citizen, clerk)
        case = svc.case_accept(case=case, actor=clerk)
    assert case.status == Case.Status.IN_REVIEW
    assert case.committed_due == workdays.add_workdays(datetime.date(2026, 3, 2), 10)
    assert case.statutory_due == workdays.add_workdays(datetime.date(2026, 3, 2), 20)
    assert case.committed_due <= case.statutory_due
    step = case.steps.get()
    assert step.status == CaseStep.Status.OPEN and step.department.code == "ZJJ"


def test_accept_refused_when_required_material_missing(matter_zjj: Any, citizen: Any, clerk: Any) -> None:
    first = list(matter_zjj.materials.all())[:1]
    case = submit(matter_zjj, citizen, clerk, materials=all_materials(first))
    with pytest.raises(ValidationFailed) as exc:
        svc.case_accept(case=case, actor=clerk)
    assert exc.value.code == "materials_incomplete"
    case.refresh_from_db()
    assert case.status == Case.Status.SUBMITTED


def test_refusal_needs_written_reasons(matter_zjj: Any, citizen: Any, clerk: Any) -> None:
    case = submit(matter_zjj, citizen, clerk)
    with pytest.raises(ValidationFailed) as invalid:
        svc.case_refuse(case=case, actor=clerk, reasons="  ")
    assert invalid.value.code == "validation_failed" and set(invalid.value.fields) == {"reasons"}
    case = svc.case_refuse(case=case, actor=clerk, reasons="不属于本机关职权范围")
    assert case.status == Case.Status.REFUSED and case.refusal_reasons == "不属于本机关职权范围"
    with pytest.raises(svc.WrongStatus) as wrong_status:
        svc.case_accept(case=case, actor=clerk)
    assert wrong_status.value.code == "wrong_status"


def test_supplement_once_pauses_intake_clock(matter_zjj: Any, citizen: Any, clerk: Any) -> None:
    reqs = list(matter_zjj.materials.all())
    with time_machine.travel(at(2026, 3, 2), tick=False):
        case = submit(matter_zjj, citizen, clerk, materials=all_materials(reqs[:1]))
        due_before = case.intake_due
        faulty = case.materials.get()
        case = svc.case_request_supplement(
            case=case,
            actor=clerk,
            items=[
                {"name": reqs[1].name, "reason": "未提交", "requirement": reqs[1].pk},
                {"name": reqs[0].name, "reason": "复印件不清晰", "material": str(faulty.uuid)},
            ],
        )
    assert case.status == Case.Status.SUPPLEMENT
    pause = case.pauses.get()
    assert len(pause.items) == 2  # every item in one notice
    faulty.refresh_from_db()
    assert faulty.status == SubmittedMaterial.Status.FAULTY
    # The applicant answers a week later: 5 working days paused, added to the intake limit.
    with time_machine.travel(at(2026, 3, 9), tick=False):
        case = svc.case_resubmit(case=case, actor=citizen, materials=all_materials(reqs))
    assert case.status == Case.Status.SUBMITTED
    assert case.intake_due == workdays.add_workdays(due_before, 5)
    # 一次性告知: no second supplement notice
    with pytest.raises(ValidationFailed) as exc:
        svc.case_request_supplement(case=case, actor=clerk, items=[{"name": "再补一份"}])
    assert exc.value.code == "supplement_once"
    case = svc.case_accept(case=case, actor=clerk)
    assert case.status == Case.Status.IN_REVIEW


def test_supplement_needs_items(matter_zjj: Any, citizen: Any, clerk: Any) -> None:
    case = submit(matter_zjj, citizen, clerk)
    with pytest.raises(ValidationFailed) as invalid:
        svc.case_request_supplement(case=case, actor=clerk, items=[{"name": ""}])
    assert invalid.value.code == "validation_failed" and set(invalid.value.fields) == {"items"}
    assert Case.objects.get(pk=case.pk).status == Case.Status.SUBMITTED


def test_joint_case_parallel_steps_conclude_once(
    estate_bundle: Any, parallel_route: Any, citizen: Any, clerk: Any, approver: Any, approver_sw: Any, approver_bdc: Any
) -> None:
    with time_machine.travel(at(2026, 4, 28), tick=False):
        case = submit_bundle(estate_bundle, citizen, clerk)
        # one merged list: 身份证明 and 房屋买卖合同 appear once
        assert case.materials.count() == 4
        assert case.is_joint and case.statutory_days == 45 and case.committed_days == 5
        case = svc.case_accept(case=case, actor=clerk)
    steps = {s.department.code: s for s in case.steps.all()}
    assert all(s.status == CaseStep.Status.OPEN for s in steps.values())  # all at once
    svc.step_approve(step=steps["ZJJ"], actor=approver)
    svc.step_approve(step=steps["SW"], actor=approver_sw)
    case.refresh_from_db()
    assert case.status == Case.Status.IN_REVIEW  # not closed early
    svc.step_approve(step=steps["BDC"], actor=approver_bdc)
    case.refresh_from_db()
    assert case.status == Case.Status.REVIEWED
    assert case.events.filter(kind="reviewed").count() == 1
    with pytest.raises(PermissionDenied) as denied:
        svc.case_decide(case=case, actor=approver_sw, approved=True)  # not the lead department
    assert denied.value.code == "permission_denied"
    svc.case_decide(case=case, actor=approver, approved=True)
    svc.case_conclude(case=case, actor=clerk)
    with pytest.raises(ValidationFailed) as invalid:
        svc.case_deliver(case=case, actor=clerk, method="post")
    assert invalid.value.code == "validation_failed" and set(invalid.value.fields) == {"tracking_number"}
    case = svc.case_deliver(case=case, actor=clerk, method="post", tracking_number="EMS123")
    assert case.status == Case.Status.DELIVERED and case.tracking_number == "EMS123"


def test_wrong_department_cannot_approve(
    estate_bundle: Any, parallel_route: Any, citizen: Any, clerk: Any, approver: Any, outsider: Any
) -> None:
    case = svc.case_accept(case=submit_bundle(estate_bundle, citizen, clerk), actor=clerk)
    sw_step = case.steps.get(department__code="SW")
    for who in (approver, outsider, citizen):
        with pytest.raises(PermissionDenied) as denied:
            svc.step_approve(step=sw_step, actor=who)
        assert denied.value.code == "permission_denied"
    sw_step.refresh_from_db()
    assert sw_step.status == CaseStep.Status.OPEN


def test_outsider_cannot_intake(matter_zjj: Any, citizen: Any, clerk: Any, outsider: Any, approver: Any) -> None:
    case = submit(matter_zjj, citizen, clerk)
    for who in (outsider, citizen, approver):
        with pytest.raises(PermissionDenied) as denied:
            svc.case_accept(case=case, actor=who)
        assert denied.value.code == "permission_denied"
    with pytest.raises(PermissionDenied) as denied:
        submit(matter_zjj, citizen, clerk, actor=outsider)
    assert denied.value.code == "permission_denied"


def test_serial_route_and_return_to_earlier_step(
    estate_bundle: Any, org: Any, citizen: Any, clerk: Any, approver: Any, approver_sw: Any, approver_bdc: Any
) -> None:
    make_route(
        bundle=estate_bundle,
        stages=[
            [(org["ZJJ"], "住建审核", 3, "review")],
            [(org["SW"], "税务核税", 3, "review")],
            [(org["BDC"], "登记审核", 5, "review")],
        ],
    )
    case = svc.case_accept(case=submit_bundle(estate_bundle, citizen, clerk), actor=clerk)
    zjj, sw, bdc = (case.steps.get(department__code=c) for c in ("ZJJ", "SW", "BDC"))
    assert [zjj.status, sw.status, bdc.status] == ["open", "waiting", "waiting"]
    with pytest.raises(svc.StepAlreadyHandled) as step_already_handled:
        svc.step_approve(step=sw, actor=approver_sw)  # its stage has not started
    assert step_already_handled.value.code == "step_already_handled"
    svc.step_approve(step=zjj, actor=approver)
    svc.step_approve(step=sw, actor=approver_sw)
    with pytest.raises(ValidationFailed) as invalid:
        svc.step_return(step=bdc, actor=approver_bdc, to_step=zjj, fields_to_fix=[])
    assert invalid.value.code == "validation_failed" and set(invalid.value.fields) == {"fields_to_fix"}
    with pytest.raises(ValidationFailed) as invalid:
        svc.step_return(step=bdc, actor=approver_bdc, to_step=bdc, fields_to_fix=["面积"])
    assert invalid.value.code == "return_not_earlier"
    svc.step_return(step=bdc, actor=approver_bdc, to_step=zjj, fields_to_fix=["建筑面积", "成交价格"], reason="面积与合同不符")
    for step in (zjj, sw, bdc):
        step.refresh_from_db()
    assert zjj.status == "open" and zjj.fields_to_fix == ["建筑面积", "成交价格"] and zjj.rounds == 2
    assert sw.status == "waiting" and bdc.status == "waiting"
    for step, who in ((zjj, approver), (sw, approver_sw), (bdc, approver_bdc)):
        svc.step_approve(step=step, actor=who)
    case.refresh_from_db()
    assert case.status == Case.Status.REVIEWED


def test_reject_ends_review_and_forbids_approval(
    estate_bundle: Any, parallel_route: Any, citizen: Any, clerk: Any, approver: Any, approver_sw: Any
) -> None:
    case = svc.case_accept(case=submit_bundle(estate_bundle, citizen, clerk), actor=clerk)
    sw = case.steps.get(department__code="SW")
    with pytest.raises(ValidationFailed) as invalid:
        svc.step_reject(step=sw, actor=approver_sw, reasons="")
    assert invalid.value.code == "validation_failed" and set(invalid.value.fields) == {"reasons"}
    svc.step_reject(step=sw, actor=approver_sw, reasons="存在欠税")
    case.refresh_from_db()
    assert case.status == Case.Status.REVIEWED
    assert case.steps.filter(status="cancelled").count() == 2
    with pytest.raises(ValidationFailed) as invalid:
        svc.case_decide(case=case, actor=approver, approved=True)
    assert invalid.value.code == "rejected_step"
    with pytest.raises(ValidationFailed) as invalid:
        svc.case_decide(case=case, actor=approver, approved=False)
    assert invalid.value.code == "validation_failed" and set(invalid.value.fields) == {"reason"}
    case = svc.case_decide(case=case, actor=approver, approved=False, reason="税务审核不通过")
    assert case.decision == Case.Decision.DENIED


def test_pause_and_extension_move_deadlines(matter_zjj: Any, citizen: Any, clerk: Any, approver: Any, leader: Any) -> None:
    with time_machine.travel(at(2026, 3, 2), tick=False):
        case = svc.case_accept(case=submit(matter_zjj, citizen, clerk), actor=clerk)
        due0, sdue0 = case.committed_due, case.statutory_due
        step_due0 = case.steps.get().due_on
        assert due0 is not None and sdue0 is not None and step_due0 is not None
        case = svc.case_pause(case=case, actor=approver, kind="expert", reason="组织专家评审")
    with pytest.raises(svc.WrongStatus) as wrong_status:
        svc.case_pause(case=case, actor=approver, kind="hearing", reason="x")
    assert wrong_status.value.code == "wrong_status"
    with time_machine.travel(at(2026, 3, 6), tick=False):  # Mon..Fri: 4 working days paused
        case = svc.case_resume(case=case, actor=approver)
    assert case.paused_days == 4
    assert case.committed_due == workdays.add_workdays(due0, 4)
    assert case.statutory_due == workdays.add_workdays(sdue0, 4)
    assert case.steps.get().due_on == workdays.add_workdays(step_due0, 4)
    # art. 42: at most +10 for a single matter, with a reason; the department asks, a leader approves
    with pytest.raises(ValidationFailed) as invalid:
        extensions.extension_request(case=case, actor=approver, days=11, reason="复杂")
    assert invalid.value.code == "validation_failed" and set(invalid.value.fields) == {"days"}
    with pytest.raises(ValidationFailed) as invalid:
        extensions.extension_request(case=case, actor=approver, days=10, reason="")
    assert invalid.value.code == "validation_failed" and set(invalid.value.fields) == {"reason"}
    request = extensions.extension_request(case=case, actor=approver, days=10, reason="情况复杂")
    with pytest.raises(Conflict) as conflict:  # one pending request at a time
        extensions.extension_request(case=case, actor=approver, days=5, reason="再申请")
    assert conflict.value.code == "extension_pending"
    case.refresh_from_db()
    assert case.statutory_due == workdays.add_workdays(sdue0, 4)  # nothing moves before approval
    with pytest.raises(PermissionDenied) as denied:  # the person asking cannot approve
        extensions.extension_approve(request=request, actor=approver)
    assert denied.value.code == "permission_denied"
    case = extensions.extension_approve(request=request, actor=leader)
    assert case.statutory_due == workdays.add_workdays(sdue0, 14)
    assert case.extensions.get().approver == leader
    with pytest.raises(Conflict) as conflict:
        extensions.extension_approve(request=request, actor=leader)
    assert conflict.value.code == "extension_decided"
    with pytest.raises(ValidationFailed) as invalid:  # once per case
        extensions.extension_request(case=case, actor=approver, days=5, reason="再延")
    assert invalid.value.code == "extension_once"


def test_joint_extension_allows_fifteen(
    estate_bundle: Any, parallel_route: Any, citizen: Any, clerk: Any, approver: Any, leader: Any
) -> None:
    case = svc.case_accept(case=submit_bundle(estate_bundle, citizen, clerk), actor=clerk)
    request = extensions.extension_request(case=case, actor=approver, days=15, reason="联合审查")
    case = extensions.extension_approve(request=request, actor=leader)
    assert case.extension_days == 15


def test_public_notice_step_cannot_end_early_and_sweep_closes_it(
    matter_zjj: Any, org: Any, citizen: Any, clerk: Any, approver: Any
) -> None:
    from onewindow.cases.sweeps import sweep_warnings

    make_route(matter=matter_zjj.matter, stages=[[(org["ZJJ"], "审查", 2, "review")], [(org["ZJJ"], "公示", 5, "public_notice")]])
    with time_machine.travel(at(2026, 3, 2), tick=False):
        case = svc.case_accept(case=submit(matter_zjj, citizen, clerk), actor=clerk)
        svc.step_approve(step=case.steps.get(stage_order=1), actor=approver)
        notice = case.steps.get(stage_order=2)
        notice.refresh_from_db()
        assert notice.status == "open" and notice.due_on == datetime.date(2026, 3, 9)
        with pytest.raises(ValidationFailed) as invalid:
            svc.step_approve(step=notice, actor=approver)
        assert invalid.value.code == "notice_running"
    sweep_warnings(today=datetime.date(2026, 3, 10))
    case.refresh_from_db()
    assert case.status == Case.Status.REVIEWED


def test_warnings_yellow_then_red_idempotent(matter_zjj: Any, citizen: Any, clerk: Any) -> None:
    from onewindow.cases.models import Warning
    from onewindow.cases.sweeps import sweep_warnings

    with time_machine.travel(at(2026, 3, 2), tick=False):
        case = svc.case_accept(case=submit(matter_zjj, citizen, clerk), actor=clerk)
    assert sweep_warnings(today=datetime.date(2026, 3, 3)) == 0
    near = workdays.add_workdays(datetime.date(2026, 3, 2), 9)
    sweep_warnings(today=near)
    case.refresh_from_db()
    assert case.warning_level == "yellow"
    assert case.committed_due is not None
    late = workdays.add_workdays(case.committed_due, 1)
    sweep_warnings(today=late)
    sweep_warnings(today=late)
    case.refresh_from_db()
    assert case.warning_level == "red"
    assert Warning.objects.filter(case=case, step__isnull=True, level="red").count() == 1


def test_failed_submission_leaves_no_file(matter_zjj: Any, citizen: Any, clerk: Any, settings: Any) -> None:
    import pathlib

    root = pathlib.Path(settings.STORAGES["private"]["OPTIONS"]["location"])
    other = make_other_requirement()
    materials = [
        MaterialInput(requirement=matter_zjj.materials.first(), file=pdf_file()),
        MaterialInput(requirement=other, file=pdf_file()),
    ]
    with pytest.raises(ValidationFailed) as invalid:
        submit(matter_zjj, citizen, clerk, materials=materials)
    assert invalid.value.code == "material_not_required"
    assert not Case.objects.exists()
    assert not [p for p in root.rglob("*") if p.is_file()]


def make_other_requirement() -> Any:
    from onewindow.catalog.models import MaterialRequirement

    return MaterialRequirement.objects.exclude(version__matter__code="ZJJ-001").first() or _other()


def _other() -> Any:
    from onewindow.accounts.models import OrgUnit

    from .conftest import make_matter

    return make_matter("X-1", "其他", OrgUnit.objects.get(code="SW")).materials.first()


def test_committed_never_exceeds_statutory_in_the_database(matter_zjj: Any, citizen: Any, clerk: Any) -> None:
    from django.db import IntegrityError, transaction

    case = submit(matter_zjj, citizen, clerk)
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(committed_days=case.statutory_days + 1)


def test_weekend_acceptance_counts_from_monday(matter_zjj: Any, citizen: Any, clerk: Any) -> None:
    with time_machine.travel(at(2026, 3, 6), tick=False):  # Friday
        friday = submit(matter_zjj, citizen, clerk)
    with time_machine.travel(at(2026, 3, 7), tick=False):  # Saturday, off-hours service
        sat_case = svc.case_accept(case=friday, actor=clerk)
    with time_machine.travel(at(2026, 3, 9), tick=False):  # Monday
        mon_case = svc.case_accept(case=submit(matter_zjj, citizen, clerk), actor=clerk)
    # Accepted on Saturday: day 1 is Monday, one working day earlier than an acceptance on Monday.
    assert sat_case.committed_due == workdays.add_workdays(datetime.date(2026, 3, 6), 10)
    assert mon_case.committed_due == workdays.add_workdays(datetime.date(2026, 3, 9), 10)
    assert workdays.workdays_between(sat_case.committed_due, mon_case.committed_due) == 1


def test_only_the_lead_department_acts_on_the_case_clock(
    client: Any, estate_bundle: Any, parallel_route: Any, citizen: Any, clerk: Any, approver: Any, approver_sw: Any, leader: Any
) -> None:
    # 税务 takes part in the joint case that 住建 leads: its step is its own, the case clock is not.
    case = svc.case_accept(case=submit_bundle(estate_bundle, citizen, clerk), actor=clerk)
    assert case.department.code == "ZJJ"
    with pytest.raises(PermissionDenied) as denied:
        svc.case_pause(case=case, actor=approver_sw, kind="expert", reason="x")
    assert denied.value.code == "permission_denied"
    with pytest.raises(PermissionDenied) as denied:
        extensions.extension_request(case=case, actor=approver_sw, days=5, reason="x")
    assert denied.value.code == "permission_denied"
    case = svc.case_pause(case=case, actor=approver, kind="expert", reason="组织专家评审")
    with pytest.raises(PermissionDenied) as denied:
        svc.case_resume(case=case, actor=approver_sw)
    assert denied.value.code == "permission_denied"
    client.force_login(approver_sw)
    page = client.get(f"/workbench/cases/{case.uuid}/").content.decode()
    assert 'value="resume"' not in page and 'value="extend"' not in page
    r = client.post(f"/workbench/cases/{case.uuid}/act/", {"action": "resume"})
    case.refresh_from_db()
    assert case.status == Case.Status.PAUSED and r.status_code in (302, 403)


def test_supplement_after_the_five_day_intake_window_is_refused(matter_zjj: Any, citizen: Any, clerk: Any) -> None:
    # Received Monday 2026-03-02: day 1 is 03-03, the 5th working day (the intake limit) 03-09.
    reqs = list(matter_zjj.materials.all())
    with time_machine.travel(at(2026, 3, 2), tick=False):
        case = submit(matter_zjj, citizen, clerk, materials=all_materials(reqs[:1]))
    assert case.intake_due == datetime.date(2026, 3, 9)
    items = [{"name": reqs[1].name, "reason": "未提交", "requirement": reqs[1].pk}]
    with time_machine.travel(at(2026, 3, 10), tick=False), pytest.raises(ValidationFailed) as exc:
        svc.case_request_supplement(case=case, actor=clerk, items=items)
    assert exc.value.code == "supplement_too_late" and "第三十二条" in str(exc.value.message)
    case.refresh_from_db()
    assert case.status == Case.Status.SUBMITTED and not case.pauses.exists()
    with time_machine.travel(at(2026, 3, 9), tick=False):  # the last day still counts
        case = svc.case_request_supplement(case=case, actor=clerk, items=items)
    assert case.status == Case.Status.SUPPLEMENT


def test_an_extension_waits_in_the_leaders_list_until_they_decide(
    client: Any, matter_zjj: Any, citizen: Any, clerk: Any, approver: Any, leader: Any
) -> None:
    from onewindow.cases import owners

    case = svc.case_accept(case=submit(matter_zjj, citizen, clerk), actor=clerk)
    extensions.extension_request(case=case, actor=approver, days=5, reason="需现场核查")
    waiting = owners.case_waiting(case)
    assert [w.action for w in waiting] == ["review", "extension"]
    assert list(owners.unit_lists(leader)["extension"]) == [case]
    assert not owners.unit_lists(approver)["extension"].exists()
    client.force_login(leader)
    page = client.get(f"/workbench/cases/{case.uuid}/").content.decode()
    assert "延长期限待批准" in page and "需现场核查" in page
    client.post(f"/workbench/cases/{case.uuid}/act/", {"action": "extend_decline", "reason": "理由不充分"})
    request = case.extension_requests.get()
    assert request.status == "declined" and request.decided_by == leader and request.decline_reason == "理由不充分"
    case.refresh_from_db()
    assert case.extension_days == 0 and [w.action for w in owners.case_waiting(case)] == ["review"]
    # Declined, the department may ask again; approved from the page, the leader is the approver.
    extensions.extension_request(case=case, actor=approver, days=3, reason="补充鉴定")
    client.post(f"/workbench/cases/{case.uuid}/act/", {"action": "extend_approve"})
    case.refresh_from_db()
    assert case.extension_days == 3 and case.extensions.get().approver == leader


def test_accepted_after_the_intake_limit_counts_from_receipt(matter_zjj: Any, citizen: Any, clerk: Any) -> None:
    """行政许可法 art. 32: no supplement notice within 5 working days, so the application is accepted
    from the day the materials were received; a late acceptance does not restart the clock."""
    from onewindow.core.models import AuditEntry

    with time_machine.travel(at(2026, 3, 2), tick=False):  # Monday
        late = submit(matter_zjj, citizen, clerk)
        on_time = submit(matter_zjj, citizen, clerk)
    assert late.intake_due == datetime.date(2026, 3, 9)
    with time_machine.travel(at(2026, 3, 9), tick=False):  # the last day of the window
        on_time = svc.case_accept(case=on_time, actor=clerk)
    with time_machine.travel(at(2026, 3, 12), tick=False):  # three working days too late
        late = svc.case_accept(case=late, actor=clerk)
    received = datetime.date(2026, 3, 2)
    assert late.committed_due == workdays.add_workdays(received, late.committed_days)
    assert late.statutory_due == workdays.add_workdays(received, late.statutory_days)
    assert svc.clock_start(late) == received
    assert on_time.committed_due == workdays.add_workdays(datetime.date(2026, 3, 9), on_time.committed_days)
    entry = AuditEntry.objects.get(action="case.accept", target_id=str(late.uuid))
    assert entry.data["deemed_accepted_from"] == "2026-03-02"
    assert AuditEntry.objects.get(action="case.accept", target_id=str(on_time.uuid)).data["deemed_accepted_from"] == ""
