"""赋权 → 就近办: a delegated matter is accepted and decided at the township (cases.routing).

Every combination: delegated or not; in force, revoked, not yet effective; the applicant's township
against the accepting one; district window, township window, online, village agent point; a bundle
with one delegated matter, with and without a published route."""

from __future__ import annotations

import datetime
import uuid
import zoneinfo
from typing import Any

import pytest
import time_machine
from django.utils import translation

from conftest import make_user
from onewindow.accounts.models import OrgUnit, Role, User
from onewindow.cases import routing
from onewindow.cases import services as svc
from onewindow.cases.models import Case
from onewindow.catalog.models import Bundle, BundleItem, Delegation, MatterVersion
from onewindow.catalog.selectors import delegation_in_force
from onewindow.core.errors import PermissionDenied
from onewindow.core.models import AuditEntry

from .conftest import all_materials, make_matter, make_route

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
DAY = datetime.date(2026, 4, 1)  # the fixed "today" of the cases tests


@pytest.fixture
def dibao(org: dict[str, OrgUnit], calendar: Any) -> MatterVersion:
    mv = make_matter("MZJ-001", "最低生活保障审核确认", org["MZJ"], committed=20, statutory=20)
    # Village agents apply for it (帮你办): case_submit refuses agent cases of other matters.
    MatterVersion.objects.filter(pk=mv.pk).update(agent_eligible=True)
    mv.refresh_from_db()
    return mv


@pytest.fixture
def delegated(dibao: MatterVersion, org: dict[str, OrgUnit]) -> Delegation:
    return Delegation.objects.create(matter=dibao.matter, township=org["ZXZ"], effective_on=datetime.date(2026, 1, 1))


@pytest.fixture
def resident(org: dict[str, OrgUnit]) -> User:
    """A resident of 值夏镇 (值夏社区)."""
    return make_user("zx_resident", Role.CITIZEN, display_name="刘秀英", home_unit=org["ZXSQ"], phone="13900000011")


@pytest.fixture
def ft_resident(org: dict[str, OrgUnit]) -> User:
    """A resident of 富滩镇 (富滩村)."""
    return make_user("ft_resident", Role.CITIZEN, display_name="王建华", home_unit=org["FTC"], phone="13900000012")


@pytest.fixture
def approver_mzj(org: dict[str, OrgUnit]) -> User:
    return make_user("approver_mzj", Role.APPROVER, org["MZJ"])


@pytest.fixture
def ft_officer(org: dict[str, OrgUnit]) -> User:
    return make_user("ft_officer", Role.TOWNSHIP_OFFICER, org["FTZ"])


def submit(mv: MatterVersion, applicant: User, actor: User, channel: str = "counter", **kw: Any) -> Case:
    return svc.case_submit(
        applicant=applicant,
        matter_version=mv,
        channel=channel,
        form_data={"address": "值夏镇1号"},
        materials=all_materials(list(mv.materials.all())),
        actor=actor,
        **kw,
    )


def run_to_delivery(case: Case, officer: User, intake: User) -> Case:
    case = svc.case_accept(case=case, actor=intake)
    for step in case.steps.all():
        svc.step_approve(step=step, actor=officer, comment="审核通过")
    case = svc.case_decide(case=case, actor=officer, approved=True)
    case = svc.case_conclude(case=case, actor=officer)
    case = svc.case_deliver(case=case, actor=intake, method="window")  # the front desk delivers...
    return svc.case_hand_over(case=case, actor=intake)  # ...and hands it over at the window


# --- the selector and the single function ------------------------------------------------------


def test_delegation_in_force_by_date(delegated: Delegation, org: dict[str, OrgUnit]) -> None:
    matter = delegated.matter
    assert delegation_in_force(matter=matter, township=org["ZXZ"], on=datetime.date(2025, 12, 31)) is None
    assert delegation_in_force(matter=matter, township=org["ZXZ"], on=datetime.date(2026, 1, 1)) == delegated
    assert delegation_in_force(matter=matter, township=org["FTZ"], on=DAY) is None
    delegated.revoked_on = datetime.date(2026, 3, 1)
    delegated.save()
    assert delegation_in_force(matter=matter, township=org["ZXZ"], on=datetime.date(2026, 2, 28)) == delegated
    assert delegation_in_force(matter=matter, township=org["ZXZ"], on=datetime.date(2026, 3, 1)) is None
    assert routing.handling_unit_for(matter=matter, township=org["ZXZ"], on=datetime.date(2026, 2, 1)) == org["ZXZ"]
    assert routing.handling_unit_for(matter=matter, township=org["ZXZ"], on=DAY) == org["MZJ"]
    assert routing.handling_unit_for(matter=matter, township=None, on=DAY) == org["MZJ"]


def test_township_of(org: dict[str, OrgUnit]) -> None:
    assert routing.township_of(org["ZXSQ"]) == org["ZXZ"]
    assert routing.township_of(org["ZXZ"]) == org["ZXZ"]
    assert routing.township_of(org["MZJ"]) is None
    assert routing.township_of(None) is None


# --- district window, online, township window, agent point -------------------------------------


def test_district_window_sends_the_steps_to_the_applicants_township(
    delegated: Delegation,
    dibao: MatterVersion,
    resident: User,
    clerk: User,
    township_officer: User,
    approver_mzj: User,
    org: dict[str, OrgUnit],
) -> None:
    case = submit(dibao, resident, clerk)
    assert case.department == org["ZXZ"] and case.intake_unit == org["XZSP"]
    assert list(case.delegations.all()) == [delegated]
    case = svc.case_accept(case=case, actor=clerk)  # 一窗受理 at the district hall
    step = case.steps.get()
    assert step.department == org["ZXZ"]
    # the district department no longer approves it; the township officer does
    with pytest.raises(PermissionDenied) as denied:
        svc.step_approve(step=step, actor=approver_mzj)
    assert denied.value.code == "permission_denied"
    from onewindow.cases import selectors

    assert list(selectors.step_queue(township_officer)) == [step]
    assert not selectors.step_queue(approver_mzj).exists()
    svc.step_approve(step=step, actor=township_officer, comment="入户调查属实")
    with pytest.raises(PermissionDenied) as denied:
        svc.case_decide(case=case, actor=approver_mzj, approved=True)
    assert denied.value.code == "permission_denied"
    case = svc.case_decide(case=case, actor=township_officer, approved=True)
    case = svc.case_conclude(case=case, actor=township_officer)
    case = svc.case_deliver(case=case, actor=township_officer, method="window")
    assert case.status == Case.Status.READY  # waits at the window where it was handed in
    case = svc.case_hand_over(case=case, actor=clerk)
    assert case.status == Case.Status.DELIVERED


def test_online_application_is_accepted_by_the_township(
    delegated: Delegation, dibao: MatterVersion, resident: User, township_officer: User, clerk: User, org: dict[str, OrgUnit]
) -> None:
    case = submit(dibao, resident, resident, channel="online")
    assert case.intake_unit == org["ZXZ"] and case.department == org["ZXZ"]
    with pytest.raises(PermissionDenied) as denied:
        svc.case_accept(case=case, actor=clerk)  # the district front desk does not take it in
    assert denied.value.code == "permission_denied"
    case = run_to_delivery(case, township_officer, township_officer)
    assert case.status == Case.Status.DELIVERED


def test_township_window_for_its_own_resident(
    delegated: Delegation, dibao: MatterVersion, resident: User, township_officer: User, org: dict[str, OrgUnit]
) -> None:
    case = submit(dibao, resident, township_officer)
    assert case.intake_unit == org["ZXZ"] and case.department == org["ZXZ"]
    case = run_to_delivery(case, township_officer, township_officer)
    assert case.steps.get().department == org["ZXZ"]


def test_township_window_takes_a_person_without_registered_township(
    delegated: Delegation, dibao: MatterVersion, citizen: User, township_officer: User, org: dict[str, OrgUnit]
) -> None:
    assert citizen.home_township is None
    case = submit(dibao, citizen, township_officer)
    assert case.department == org["ZXZ"]


def test_agent_point_files_for_the_township(
    delegated: Delegation, dibao: MatterVersion, resident: User, agent: User, township_officer: User, org: dict[str, OrgUnit]
) -> None:
    case = submit(dibao, resident, agent, channel="agent", agent=agent)
    assert case.intake_unit == org["ZXZ"] and case.department == org["ZXZ"]
    case = svc.case_accept(case=case, actor=township_officer)
    assert case.steps.get().department == org["ZXZ"]


def test_resident_of_another_township_is_told_where_to_go(
    delegated: Delegation, dibao: MatterVersion, ft_resident: User, township_officer: User, agent: User, org: dict[str, OrgUnit]
) -> None:
    # 富滩镇 has not received the matter: the district department handles it for its residents.
    with pytest.raises(routing.OtherTownship) as exc:
        submit(dibao, ft_resident, township_officer)
    assert exc.value.code == "other_township" and exc.value.handled_by == org["MZJ"]
    assert "富滩镇" in str(exc.value.message) and "民政局" in str(exc.value.message)
    # Both townships have it: go to your own township.
    Delegation.objects.create(matter=dibao.matter, township=org["FTZ"], effective_on=datetime.date(2026, 1, 1))
    with pytest.raises(routing.OtherTownship) as exc:
        submit(dibao, ft_resident, agent, channel="agent", agent=agent)
    assert exc.value.handled_by == org["FTZ"] and "富滩镇便民服务中心" in str(exc.value.message)
    with translation.override("en"):
        assert "Futan" in str(exc.value.message) or "富滩镇" in str(exc.value.message)
        assert "delegated" in str(exc.value.message)
    assert not Case.objects.exists()  # nothing stored
    assert not AuditEntry.objects.filter(action="case.submit").exists()


def test_resident_of_another_township_at_the_district_hall_goes_to_their_own(
    delegated: Delegation, dibao: MatterVersion, ft_resident: User, clerk: User, org: dict[str, OrgUnit]
) -> None:
    # 富滩镇 has no delegation: the district department decides, as before.
    case = submit(dibao, ft_resident, clerk)
    assert case.department == org["MZJ"] and not case.delegations.exists()
    Delegation.objects.create(matter=dibao.matter, township=org["FTZ"], effective_on=datetime.date(2026, 1, 1))
    case = submit(dibao, ft_resident, clerk)
    assert case.department == org["FTZ"]


def test_not_delegated_matter_stays_with_the_district(
    matter_zjj: MatterVersion, resident: User, township_officer: User, approver: User, org: dict[str, OrgUnit]
) -> None:
    case = submit(matter_zjj, resident, township_officer)
    assert case.department == org["ZJJ"] and case.intake_unit == org["ZXZ"]
    case = svc.case_accept(case=case, actor=township_officer)
    assert case.steps.get().department == org["ZJJ"]
    with pytest.raises(PermissionDenied) as denied:
        svc.step_approve(step=case.steps.get(), actor=township_officer)
    assert denied.value.code == "permission_denied"


def test_other_townships_officer_cannot_act(
    delegated: Delegation, dibao: MatterVersion, resident: User, clerk: User, ft_officer: User
) -> None:
    case = svc.case_accept(case=submit(dibao, resident, clerk), actor=clerk)
    with pytest.raises(PermissionDenied) as denied:
        svc.step_approve(step=case.steps.get(), actor=ft_officer)
    assert denied.value.code == "permission_denied"


# --- in force, revoked, not yet effective ------------------------------------------------------


def test_not_yet_effective_goes_to_the_district(
    dibao: MatterVersion, resident: User, clerk: User, township_officer: User, org: dict[str, OrgUnit]
) -> None:
    Delegation.objects.create(matter=dibao.matter, township=org["ZXZ"], effective_on=datetime.date(2026, 4, 2))
    case = submit(dibao, resident, township_officer)
    assert case.department == org["MZJ"] and not case.delegations.exists()
    with time_machine.travel(datetime.datetime(2026, 4, 2, 9, tzinfo=TZ), tick=False):
        case = submit(dibao, resident, township_officer)
    assert case.department == org["ZXZ"]


def test_revoked_delegation_sends_new_cases_back_and_open_ones_finish_where_they_started(
    delegated: Delegation,
    dibao: MatterVersion,
    resident: User,
    clerk: User,
    township_officer: User,
    approver_mzj: User,
    org: dict[str, OrgUnit],
) -> None:
    filed = submit(dibao, resident, township_officer)  # filed, not yet accepted
    running = svc.case_accept(case=submit(dibao, resident, township_officer), actor=township_officer)
    Delegation.objects.filter(pk=delegated.pk).update(revoked_on=DAY)
    # open cases finish at the township: steps materialised at acceptance still go there
    assert filed.department == org["ZXZ"]
    run = run_to_delivery(filed, township_officer, township_officer)
    assert run.status == Case.Status.DELIVERED and run.steps.get().department == org["ZXZ"]
    svc.step_approve(step=running.steps.get(), actor=township_officer)
    # a new application goes back to the district
    new = submit(dibao, resident, township_officer)
    assert new.department == org["MZJ"] and not new.delegations.exists()
    new = svc.case_accept(case=new, actor=township_officer)
    svc.step_approve(step=new.steps.get(), actor=approver_mzj)


# --- routes and bundles -----------------------------------------------------------------------


def test_published_route_moves_only_the_delegated_departments_steps(
    delegated: Delegation, dibao: MatterVersion, resident: User, township_officer: User, org: dict[str, OrgUnit]
) -> None:
    make_route(
        matter=dibao.matter,
        stages=[
            [(org["MZJ"], "审核", 10, "review")],
            [(org["YBJ"], "医保核查", 3, "review")],
            [(org["MZJ"], "确认", 5, "review")],
        ],
    )
    case = svc.case_accept(case=submit(dibao, resident, township_officer), actor=township_officer)
    assert [s.department.code for s in case.steps.order_by("stage_order")] == ["ZXZ", "YBJ", "ZXZ"]


def test_bundle_with_one_delegated_matter(
    dibao: MatterVersion,
    matter_zjj: MatterVersion,
    delegated: Delegation,
    resident: User,
    clerk: User,
    township_officer: User,
    approver: User,
    org: dict[str, OrgUnit],
) -> None:
    bundle = Bundle.objects.create(code="help", name="困难群众救助一件事")
    BundleItem.objects.create(bundle=bundle, matter=matter_zjj.matter, sort_order=0)
    BundleItem.objects.create(bundle=bundle, matter=dibao.matter, sort_order=1)
    reqs = svc.merged_requirements([matter_zjj, dibao])

    def file(actor: User) -> Case:
        return svc.case_submit(
            applicant=resident,
            bundle=bundle,
            channel="counter",
            form_data={"address": "值夏镇1号"},
            materials=all_materials(reqs),
            actor=actor,
        )

    # the lead matter (住建) is not delegated: the district decides; the 低保 step is the township's
    case = file(clerk)
    assert case.department == org["ZJJ"] and case.intake_unit == org["XZSP"]
    assert list(case.delegations.all()) == [delegated]
    case = svc.case_accept(case=case, actor=clerk)
    assert sorted(s.department.code for s in case.steps.all()) == ["ZJJ", "ZXZ"]
    for step in case.steps.all():
        svc.step_approve(step=step, actor=township_officer if step.department == org["ZXZ"] else approver)
    case.refresh_from_db()
    assert case.status == Case.Status.REVIEWED
    # the same bundle with a published route, filed at the township window
    make_route(bundle=bundle, stages=[[(org["ZJJ"], "住建审核", 3, "review"), (org["MZJ"], "民政审核", 5, "review")]])
    case = svc.case_accept(case=file(township_officer), actor=township_officer)
    assert case.intake_unit == org["ZXZ"]
    assert sorted(s.department.code for s in case.steps.all()) == ["ZJJ", "ZXZ"]
    # a resident of another township is refused at this window, for the whole bundle
    ft = make_user("ft2", Role.CITIZEN, home_unit=org["FTC"])
    with pytest.raises(routing.OtherTownship) as other_township:
        svc.case_submit(
            applicant=ft,
            bundle=bundle,
            channel="counter",
            form_data={"address": "x"},
            materials=all_materials(reqs),
            actor=township_officer,
        )
    assert other_township.value.code == "other_township" and set(other_township.value.fields) == {"applicant"}


def test_bundle_led_by_a_delegated_matter_is_decided_by_the_township(
    dibao: MatterVersion, matter_zjj: MatterVersion, delegated: Delegation, resident: User, clerk: User, org: dict[str, OrgUnit]
) -> None:
    bundle = Bundle.objects.create(code="help2", name="低保一件事")
    BundleItem.objects.create(bundle=bundle, matter=dibao.matter, sort_order=0)
    BundleItem.objects.create(bundle=bundle, matter=matter_zjj.matter, sort_order=1)
    case = svc.case_submit(
        applicant=resident,
        bundle=bundle,
        channel="online",
        form_data={"address": "x"},
        materials=all_materials(svc.merged_requirements([dibao, matter_zjj])),
        actor=resident,
    )
    # the joint case stays with the bundle's hall for intake; the township decides
    assert case.department == org["ZXZ"] and case.intake_unit != org["ZXZ"]


def test_work_lists_and_case_page_follow_the_township(
    client: Any, delegated: Delegation, dibao: MatterVersion, resident: User, clerk: User, township_officer: User
) -> None:
    case = svc.case_accept(case=submit(dibao, resident, clerk), actor=clerk)
    client.force_login(township_officer)
    assert case.number in client.get("/workbench/queue/").content.decode()
    page = client.get(f"/workbench/cases/{case.uuid}/")
    assert page.status_code == 200


def test_counter_page_shows_the_refusal(
    client: Any, delegated: Delegation, dibao: MatterVersion, ft_resident: User, township_officer: User
) -> None:
    from onewindow.accounts.demo import resident_id

    number = resident_id("19880921", 415)
    User.objects.filter(pk=ft_resident.pk).update(id_number=number)
    client.force_login(township_officer)
    data: dict[str, Any] = {
        "matter": str(dibao.matter.uuid),
        "id_number": resident_id("19880921", 415),
        "display_name": "王建华",
        "form_address": "富滩村",
    }
    for r in dibao.materials.all():
        data[f"paper_{r.pk}"] = "on"
    resp = client.post("/workbench/intake/", data)
    assert resp.status_code == 422
    assert "富滩镇" in resp.content.decode() and not Case.objects.exists()


# --- township-level matters (乡镇级事项, F14): handled by every township without a delegation ---------


@pytest.fixture
def township_level(org: dict[str, OrgUnit], calendar: Any) -> MatterVersion:
    mv = make_matter("MZJ-T01", "临时救助（乡镇审批）", org["MZJ"], committed=10, statutory=20)
    MatterVersion.objects.filter(pk=mv.pk).update(handling_level=MatterVersion.Level.TOWNSHIP, agent_eligible=True)
    mv.refresh_from_db()
    return mv


def test_township_level_matter_runs_at_the_applicants_township_everywhere(
    township_level: MatterVersion,
    resident: User,
    ft_resident: User,
    clerk: User,
    township_officer: User,
    ft_officer: User,
    approver_mzj: User,
    org: dict[str, OrgUnit],
) -> None:
    from onewindow.cases import selectors

    assert not Delegation.objects.exists()
    assert routing.handling_unit_for(matter=township_level.matter, township=org["FTZ"], on=DAY) == org["FTZ"]
    assert routing.handling_unit_for(matter=township_level.matter, township=None, on=DAY) == org["MZJ"]
    # at the district hall: the front desk takes it in, the resident's own township decides
    case = svc.case_accept(case=submit(township_level, resident, clerk), actor=clerk)
    assert case.department == org["ZXZ"] and case.intake_unit == org["XZSP"] and not case.delegations.exists()
    step = case.steps.get()
    assert step.department == org["ZXZ"]
    assert list(selectors.step_queue(township_officer)) == [step]
    assert not selectors.step_queue(approver_mzj).exists() and not selectors.step_queue(ft_officer).exists()
    with pytest.raises(PermissionDenied) as denied:
        svc.step_approve(step=step, actor=approver_mzj)
    assert denied.value.code == "permission_denied"
    # online, from 富滩镇: 富滩镇 takes it in and decides, with no delegation anywhere
    case = submit(township_level, ft_resident, ft_resident, channel="online")
    assert case.department == org["FTZ"] and case.intake_unit == org["FTZ"]
    case = run_to_delivery(case, ft_officer, ft_officer)
    assert case.status == Case.Status.DELIVERED and case.steps.get().department == org["FTZ"]


def test_township_level_matter_route_steps_and_other_townships_resident(
    township_level: MatterVersion, resident: User, ft_resident: User, township_officer: User, org: dict[str, OrgUnit]
) -> None:
    make_route(
        matter=township_level.matter,
        stages=[
            [(org["MZJ"], "审核", 5, "review")],
            [(org["YBJ"], "医保核查", 3, "review")],
            [(org["MZJ"], "审批", 2, "review")],
        ],
    )
    case = svc.case_accept(case=submit(township_level, resident, township_officer), actor=township_officer)
    assert [s.department.code for s in case.steps.order_by("stage_order")] == ["ZXZ", "YBJ", "ZXZ"]
    with pytest.raises(routing.OtherTownship) as exc:
        submit(township_level, ft_resident, township_officer)
    assert exc.value.code == "other_township" and set(exc.value.fields) == {"applicant"}
    assert exc.value.handled_by == org["FTZ"]
    assert Case.objects.count() == 1


def test_township_level_routing_is_fixed_when_filed(
    township_level: MatterVersion, resident: User, township_officer: User, clerk: User, org: dict[str, OrgUnit]
) -> None:
    """A new version that moves the matter back to the district moves no open case: the steps
    follow the version the case was filed with."""
    case = submit(township_level, resident, clerk)
    mv2 = MatterVersion.objects.get(pk=township_level.pk)
    mv2.pk = None
    mv2.uuid = uuid.uuid4()
    mv2.number = 2
    mv2.handling_level = MatterVersion.Level.DISTRICT
    mv2.save()
    township_level.matter.current_version = mv2
    township_level.matter.save(update_fields=["current_version"])
    case = svc.case_accept(case=case, actor=clerk)
    assert case.department == org["ZXZ"] and case.steps.get().department == org["ZXZ"]
    assert submit(mv2, resident, clerk).department == org["MZJ"]
