"""No work waits in nobody's hands: a joint case is driven through every state of the machine, and
in each one every waiting thing has exactly one owner and appears in exactly one work list, that
owner's (a unit's, seen by its staff; or the applicant's own). Finished states wait for nobody."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from onewindow.cases import extensions, owners
from onewindow.cases import services as svc
from onewindow.cases.models import Case, CaseStep, CaseVisit
from onewindow.core import ownership
from onewindow.core.models import UnownedWork

from .conftest import all_materials, make_matter


def _submit(bundle: Any, applicant: Any, clerk: Any, *, missing: int = 0) -> Case:
    versions = [i.matter.current_version for i in bundle.items.select_related("matter__current_version")]
    reqs = svc.merged_requirements(versions)
    return svc.case_submit(
        applicant=applicant,
        bundle=bundle,
        channel="counter",
        form_data={"address": "河东街道滨江路8号"},
        materials=all_materials(reqs[missing:]),
        actor=clerk,
    )


class Lists:
    """Every work list of every persona: (who, list name) -> the objects in it."""

    def __init__(self, staff: dict[str, Any], applicant: Any) -> None:
        self.staff, self.applicant = staff, applicant

    def containing(self, obj: Any) -> set[tuple[str, str]]:
        hits = set()
        for who, user in self.staff.items():
            for name, qs in owners.unit_lists(user).items():
                if qs.filter(pk=obj.pk).exists() and isinstance(obj, qs.model):
                    hits.add((who, name))
        if isinstance(obj, Case) and owners.applicant_list(self.applicant).filter(pk=obj.pk).exists():
            hits.add(("applicant", "own"))
        return hits


def _check(case: Case, lists: Lists, units: dict[str, Any], seen: set[str]) -> list[ownership.Waiting]:
    case.refresh_from_db()
    seen.add(case.status)
    items = ownership.waiting_for(case)
    if case.status in owners.DONE_STATUSES:
        assert items == [], case.status
        assert lists.containing(case) == set()
        return items
    assert items, f"{case.status} waits for nobody"
    for w in items:
        assert w.owner is not None and w.owner.held and not w.problem, (case.status, w)
        assert (w.owner.unit is None) == w.owner.is_applicant  # a unit or the applicant, never both
        hits = lists.containing(w.obj)
        assert len(hits) == 1, f"{case.status}/{w.action}: in {hits or 'no list'}"
        (who, name), *_ = hits
        if w.owner.is_applicant:
            assert who == "applicant" and w.owner.applicant == case.applicant
        else:
            assert name == w.action and units[who].pk == w.owner.unit.pk, (case.status, who, w.owner.unit)
    if case.status == Case.Status.IN_REVIEW:  # the parallel stage: one item per open step
        assert len([w for w in items if w.action == "review"]) == case.steps.filter(status=CaseStep.Status.OPEN).count()
    return items


def test_every_state_of_a_joint_case_has_exactly_one_owner_and_one_list(
    org: Any,
    estate_bundle: Any,
    parallel_route: Any,
    citizen: Any,
    clerk: Any,
    approver: Any,
    approver_sw: Any,
    approver_bdc: Any,
    leader: Any,
) -> None:
    estate_bundle.lead_department = org["BDC"]
    estate_bundle.save(update_fields=["lead_department"])
    staff = {"clerk": clerk, "zjj": approver, "sw": approver_sw, "bdc": approver_bdc, "leader": leader}
    # The district's leader approves the lead department's extension: the item names that department.
    units = {"clerk": None, "zjj": org["ZJJ"], "sw": org["SW"], "bdc": org["BDC"], "leader": org["BDC"]}
    lists = Lists(staff, citizen)
    seen: set[str] = set()

    case = _submit(estate_bundle, citizen, clerk, missing=1)
    assert case.department == org["BDC"]  # the lead department is the case's
    units["clerk"] = case.intake_unit  # the front desk: the hall the clerk works in
    _check(case, lists, units, seen)  # submitted: the front desk
    case = svc.case_request_supplement(case=case, actor=clerk, items=[{"name": "房屋买卖合同", "reason": "缺"}])
    _check(case, lists, units, seen)  # supplement: the applicant
    case = svc.case_resubmit(case=case, actor=citizen, materials=all_materials(svc.missing_requirements(case)))
    case = svc.case_accept(case=case, actor=clerk)
    items = _check(case, lists, units, seen)  # in review: three departments, one step each
    assert {w.owner.unit.code for w in items if w.owner} == {"ZJJ", "SW", "BDC"}
    case = svc.case_pause(case=case, actor=approver_bdc, kind="inspection", reason="现场勘验")
    assert [w.owner.unit for w in _check(case, lists, units, seen) if w.owner] == [org["BDC"]]  # the lead resumes
    case = svc.case_resume(case=case, actor=approver_bdc)
    case = svc.case_pause(case=case, actor=approver_bdc, kind="supplement", reason="补充完税证明")
    assert _check(case, lists, units, seen)[0].owner.is_applicant  # type: ignore[union-attr]
    case = svc.case_resume(case=case, actor=approver_bdc)
    request = extensions.extension_request(case=case, actor=approver_bdc, days=5, reason="联合勘验")
    items = _check(case, lists, units, seen)  # three steps, and the leader's approval beside them
    assert [w.action for w in items].count("extension") == 1
    case = extensions.extension_approve(request=request, actor=leader)
    for who in (approver, approver_sw, approver_bdc):
        step = case.steps.get(department__in=who.role_assignments.values("org_unit"))
        svc.step_approve(step=step, actor=who)
    items = _check(case, lists, units, seen)  # reviewed: the lead department decides, nobody else
    assert items[0].action == "decide" and items[0].owner.unit == org["BDC"]  # type: ignore[union-attr]
    case = svc.case_decide(case=case, actor=approver_bdc, approved=True)
    _check(case, lists, units, seen)  # decided: the lead concludes
    case = svc.case_conclude(case=case, actor=approver_bdc)
    _check(case, lists, units, seen)  # concluded: the front desk delivers
    case = svc.case_deliver(case=case, actor=clerk, method="window")
    _check(case, lists, units, seen)  # ready: the applicant collects
    case = svc.case_hand_over(case=case, actor=clerk)
    _check(case, lists, units, seen)  # delivered: nobody

    refused = _submit(estate_bundle, citizen, clerk)
    svc.case_refuse(case=refused, actor=clerk, reasons="不属于本机关管辖")
    _check(refused, lists, units, seen)
    assert seen == set(Case.Status.values), f"states never reached: {set(Case.Status.values) - seen}"
    # Trips in person: handed in at the window and collected on the same day, one trip (the
    # supplement was answered online: none).
    assert list(CaseVisit.objects.filter(case=case).values_list("kind", flat=True)) == ["submit"]


def test_review_without_an_open_step_is_reported_and_the_sweep_keeps_the_supervisors_list(
    estate_bundle: Any, parallel_route: Any, citizen: Any, clerk: Any, approver: Any, approver_sw: Any, approver_bdc: Any
) -> None:
    case = svc.case_accept(case=_submit(estate_bundle, citizen, clerk), actor=clerk)
    assert ownership.problems() == []
    assert ownership.sweep_unowned() == 0 and not UnownedWork.objects.exists()
    call_command("check_owners", verbosity=0)
    # A broken state (a step closed behind the services' back): the review waits for nobody.
    case.steps.update(status=CaseStep.Status.CANCELLED)
    [problem] = ownership.problems()
    assert problem.action == "review" and problem.owner is None and case.number in problem.subject
    assert ownership.sweep_unowned() == 1 and ownership.sweep_unowned() == 1  # idempotent
    row = UnownedWork.objects.get()
    assert row.key == problem.key and row.url.endswith(f"/workbench/cases/{case.uuid}/")
    with pytest.raises(CommandError, match="1 waiting things"):
        call_command("check_owners", verbosity=0)
    case.steps.update(status=CaseStep.Status.OPEN)
    assert ownership.sweep_unowned() == 0 and not UnownedWork.objects.exists()


def test_a_department_without_approvers_holds_nothing(org: Any, calendar: Any, citizen: Any, clerk: Any) -> None:
    from .conftest import make_route

    mv = make_matter("MZJ-001", "临时救助", org["MZJ"])
    make_route(matter=mv.matter, stages=[[(org["MZJ"], "审核", 3, "review")]])
    case = svc.case_submit(
        applicant=citizen,
        matter_version=mv,
        channel="counter",
        form_data={"address": "x"},
        materials=all_materials(list(mv.materials.all())),
        actor=clerk,
    )
    svc.case_accept(case=case, actor=clerk)
    [problem] = ownership.problems()
    assert problem.owner is not None and problem.owner.unit == org["MZJ"] and "审批人员" in problem.problem


def test_owner_of_answers_for_one_owner_states_and_steps(
    estate_bundle: Any, parallel_route: Any, citizen: Any, clerk: Any
) -> None:
    case = _submit(estate_bundle, citizen, clerk)
    assert ownership.owner_of(case).unit == case.intake_unit  # type: ignore[union-attr]
    case = svc.case_accept(case=case, actor=clerk)
    assert ownership.owner_of(case) is None  # three departments at once: ask each step
    step = case.steps.select_related("department", "case").first()
    assert ownership.owner_of(step).unit == step.department  # type: ignore[union-attr]


def test_an_application_in_online_pre_review_is_the_lead_departments(
    matter_zjj: Any, citizen: Any, clerk: Any, approver: Any
) -> None:
    from onewindow.catalog.models import MatterVersion

    MatterVersion.objects.filter(pk=matter_zjj.pk).update(online_prereview=True)  # a fixture shortcut
    matter_zjj.refresh_from_db()
    case = svc.case_submit(
        applicant=citizen,
        matter_version=matter_zjj,
        channel="online",
        form_data={"address": "值夏镇1号"},
        materials=all_materials(list(matter_zjj.materials.all())),
        actor=citizen,
    )
    [item] = ownership.waiting_for(case)
    assert item.action == "prereview" and item.owner is not None and item.owner.unit == matter_zjj.matter.department
    lists = Lists({"clerk": clerk, "zjj": approver}, citizen)
    assert lists.containing(case) == {("zjj", "prereview")}
