"""Real concurrent connections (threads, each with its own database connection) against the
parallel join, a double approval of one step and the case number counter. Runs on SQLite (file DB,
IMMEDIATE transactions) and on PostgreSQL (row locks) alike."""

from __future__ import annotations

from typing import Any

import pytest

from onewindow.cases import services as svc
from onewindow.cases.models import Case, CaseStep
from onewindow.core.testing import run_concurrently

from .conftest import all_materials


def _joint_case(bundle: Any, citizen: Any, clerk: Any) -> Case:
    reqs = svc.merged_requirements([i.matter.current_version for i in bundle.items.all()])
    case = svc.case_submit(
        applicant=citizen,
        bundle=bundle,
        channel="counter",
        form_data={"address": "1"},
        materials=all_materials(reqs),
        actor=clerk,
    )
    return svc.case_accept(case=case, actor=clerk)


@pytest.mark.django_db(transaction=True)
def test_three_departments_approve_at_once(
    estate_bundle: Any, parallel_route: Any, citizen: Any, clerk: Any, approver: Any, approver_sw: Any, approver_bdc: Any
) -> None:
    for _round in range(3):  # a few rounds: a lost update would show up sooner or later
        case = _joint_case(estate_bundle, citizen, clerk)
        pairs = [
            (case.steps.get(department__code=c), who)
            for c, who in (("ZJJ", approver), ("SW", approver_sw), ("BDC", approver_bdc))
        ]

        def approve(i: int, pairs: list[Any] = pairs) -> Any:
            step, who = pairs[i]
            return svc.step_approve(step=step, actor=who, comment=f"ok {i}")

        results = run_concurrently(approve, 3)
        assert not [r for r in results if isinstance(r, BaseException)], results
        case.refresh_from_db()
        assert case.status == Case.Status.REVIEWED
        assert case.steps.filter(status=CaseStep.Status.APPROVED).count() == 3
        assert case.events.filter(kind="reviewed").count() == 1
        assert case.events.filter(kind="step_approved").count() == 3


@pytest.mark.django_db(transaction=True)
def test_two_approvers_same_step_only_one_wins(
    estate_bundle: Any, parallel_route: Any, citizen: Any, clerk: Any, approver: Any, org: Any
) -> None:
    from conftest import make_user

    second = make_user("approver_zjj2", "approver", org["ZJJ"])
    case = _joint_case(estate_bundle, citizen, clerk)
    step = case.steps.get(department__code="ZJJ")
    people = [approver, second]
    results = run_concurrently(lambda i: svc.step_approve(step=step, actor=people[i]), 2)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert len(errors) == 1 and isinstance(errors[0], svc.StepAlreadyHandled), results
    case.refresh_from_db()
    assert case.status == Case.Status.IN_REVIEW  # the other two departments are still open
    assert case.events.filter(kind="step_approved").count() == 1


@pytest.mark.django_db(transaction=True)
def test_case_numbers_unique_under_concurrency(matter_zjj: Any, citizen: Any, clerk: Any) -> None:
    reqs = list(matter_zjj.materials.all())

    def submit(i: int) -> str:
        case = svc.case_submit(
            applicant=citizen,
            matter_version=matter_zjj,
            channel="online",
            form_data={"address": str(i)},
            materials=all_materials(reqs),
            actor=citizen,
        )
        return case.number

    results = run_concurrently(submit, 6)
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert len(set(results)) == 6
    assert sorted(int(str(n)[-5:]) for n in results) == [1, 2, 3, 4, 5, 6]


@pytest.mark.django_db(transaction=True)
def test_each_countys_case_numbers_run_from_one_without_gaps_under_concurrency(matter_zjj: Any, citizen: Any, clerk: Any) -> None:
    """The counter is the county's and the day's (issue 17): two counties' intakes at once each
    number 1..n, without gaps or duplicates, under their own letters."""
    from onewindow.accounts.models import County, OrgUnit
    from onewindow.accounts.services import org_unit_create
    from onewindow.cases.models import CaseNumberCounter

    from .conftest import make_matter

    jz = County.objects.create(code="360802", name="吉州区", city_code="360800", case_prefix="JZ")
    root = org_unit_create(code="JZ", name="吉州区人民政府", kind=OrgUnit.Kind.GOVERNMENT, county=jz)
    zjj_b = org_unit_create(code="JZZJJ", name="吉州区住建局", kind=OrgUnit.Kind.DEPARTMENT, parent=root)
    matter_b = make_matter("360802-JZZJJ-XK-0001", "吉州区商品房预售许可", zjj_b)
    versions = [matter_zjj, matter_b]
    reqs = [list(v.materials.all()) for v in versions]
    n = 16

    def submit(i: int) -> str:
        case = svc.case_submit(
            applicant=citizen,
            matter_version=versions[i % 2],
            channel="online",
            form_data={"address": str(i)},
            materials=all_materials(reqs[i % 2]),
            actor=citizen,
        )
        return case.number

    results = run_concurrently(submit, n)
    assert not [r for r in results if isinstance(r, BaseException)], results
    for prefix in ("QY", "JZ"):
        numbers = [str(r) for r in results if str(r).startswith(prefix)]
        assert sorted(int(x[-5:]) for x in numbers) == list(range(1, n // 2 + 1)), numbers
    assert sorted(CaseNumberCounter.objects.values_list("county_id", "last")) == [("360802", n // 2), ("360803", n // 2)]
