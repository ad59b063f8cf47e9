"""网上预审: an online application of a matter that asks for it waits for its department's check
before the front desk accepts it; a fix request is the one notice of art. 32 (clock paused, every
field and material listed, never a second one); the applicant corrects online; the department
passes it; the clerk accepts. And what the form or the platform holds is never asked for again."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from conftest import make_user
from onewindow.accounts.models import Role
from onewindow.cases import prereview as pr
from onewindow.cases import selectors
from onewindow.cases import services as svc
from onewindow.cases.models import Case, CasePause
from onewindow.cases.tests.formdata import filled_form, make_form_matter
from onewindow.core.errors import ApplicationError, PermissionDenied, ValidationFailed
from onewindow.core.models import AuditEntry, Notification

from .conftest import pdf_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def form_matter(org: Any, calendar: Any) -> Any:
    return make_form_matter(org["BDC"])


@pytest.fixture
def approver_zjj(org: Any) -> Any:
    return make_user("approver_zjj2", Role.APPROVER, org["ZJJ"])


def _uploads(version: Any, *, skip: tuple[str, ...] = ("form",)) -> list[svc.MaterialInput]:
    """What the applicant uploads: never the lines the online form stands for."""
    return [svc.MaterialInput(requirement=r, file=pdf_file()) for r in version.materials.exclude(provided_by__in=skip)]


def submit_online(matter: Any, citizen: Any, *, skip: tuple[str, ...] = ("form",), **form: Any) -> Case:
    version = matter.current_version
    return svc.case_submit(
        applicant=citizen,
        matter_version=version,
        channel="online",
        form_data=filled_form(**form),
        materials=_uploads(version, skip=skip),
        actor=citizen,
    )


def test_online_application_waits_for_the_departments_prereview(form_matter, citizen, clerk, approver_bdc):
    case = submit_online(form_matter, citizen)
    assert case.prereview == Case.PreReview.PENDING
    assert case.form_data["area"] == 89.5  # validated and cleaned by the matter's schema
    # The intake clock started at receipt, pre-review or not.
    assert case.intake_due is not None
    assert list(pr.prereview_queue(approver_bdc)) == [case]
    assert case not in selectors.intake_queue(clerk)
    with pytest.raises(ApplicationError) as info:
        svc.case_accept(case=case, actor=clerk)
    assert info.value.code == "prereview_open"
    with pytest.raises(ApplicationError) as info:
        svc.case_request_supplement(case=case, actor=clerk, items=[{"name": "合同", "reason": "x"}])
    assert info.value.code == "prereview_open"


def test_counter_and_matters_without_prereview_go_straight_to_intake(form_matter, org, citizen, clerk, calendar):
    version = form_matter.current_version
    at_counter = svc.case_submit(
        applicant=citizen,
        matter_version=version,
        channel="counter",
        form_data=filled_form(),
        materials=_uploads(version),
        actor=clerk,
    )
    assert at_counter.prereview == ""
    plain = make_form_matter(org["BDC"], code="BDC-FORM-2", prereview=False)
    case = submit_online(plain, citizen)
    assert case.prereview == ""
    svc.case_accept(case=case, actor=clerk)  # the form provided the 申请书: nothing missing


def test_form_errors_are_all_reported_and_nothing_is_filed(form_matter, citizen):
    with pytest.raises(ValidationFailed) as info:
        submit_online(form_matter, citizen, applicant_id="360803195603122284", area="-3", applicant_phone="123")
    assert info.value.code == "form_invalid"
    assert set(info.value.fields) == {"applicant_id", "area", "applicant_phone"}
    assert not Case.objects.exists()


def test_fix_request_is_the_one_notice_and_the_applicant_corrects_online(form_matter, citizen, clerk, approver_bdc):
    case = submit_online(form_matter, citizen, area="8.95")
    contract = form_matter.current_version.materials.get(shared_key="sale_contract")
    due_before = case.intake_due
    case = pr.prereview_request_fix(
        case=case,
        actor=approver_bdc,
        fields={"area": "面积与不动产权证书不符，应为 89.5 平方米"},
        materials={contract.pk: "合同缺少买方签字页"},
    )
    assert case.status == Case.Status.SUPPLEMENT and case.prereview == Case.PreReview.FIX_REQUESTED
    pause = case.pauses.get(kind=CasePause.Kind.SUPPLEMENT)
    assert [i.get("field") or i.get("requirement") for i in pause.items] == ["area", contract.pk]
    assert pause.items[0]["name"] == "建筑面积"
    assert AuditEntry.objects.filter(action="case.prereview_request_fix", target_id=str(case.uuid)).exists()
    note = Notification.objects.filter(user=citizen, kind="case.prereview_fix_requested").get()
    assert case.number in note.body
    assert case.events.filter(kind="prereview_fix_requested").exists()
    # The applicant may only change what the notice lists, and the whole form must stay valid.
    with pytest.raises(ValidationFailed) as info:
        svc.case_resubmit(case=case, actor=citizen, materials=[], form_data={"price": "1"})
    assert info.value.code == "field_not_in_notice"
    with pytest.raises(ValidationFailed) as info:
        svc.case_resubmit(case=case, actor=citizen, materials=[], form_data={"area": "abc"})
    assert info.value.code == "form_invalid"
    case = svc.case_resubmit(
        case=case, actor=citizen, materials=[svc.MaterialInput(requirement=contract, file=pdf_file())], form_data={"area": "89.5"}
    )
    assert case.form_data["area"] == 89.5
    assert case.status == Case.Status.SUBMITTED and case.prereview == Case.PreReview.PENDING
    assert pr.prereview_queue(approver_bdc).get().corrected  # marked in the queue as back after a fix
    assert case.intake_due >= due_before  # the paused working days were given back
    # The department checks again and passes it; the front desk accepts; no second notice exists.
    case = pr.prereview_pass(case=case, actor=approver_bdc, note="材料齐全")
    assert Notification.objects.filter(user=citizen, kind="case.prereview_passed").exists()
    with pytest.raises(ValidationFailed) as info:
        svc.case_request_supplement(case=case, actor=clerk, items=[{"name": "合同", "reason": "again"}])
    assert info.value.code == "supplement_once"
    case = svc.case_accept(case=case, actor=clerk)
    assert case.status == Case.Status.IN_REVIEW


def test_a_failed_prereview_ends_in_a_written_refusal(form_matter, citizen, clerk, approver_bdc):
    case = submit_online(form_matter, citizen)
    with pytest.raises(ValidationFailed) as invalid:
        pr.prereview_fail(case=case, actor=approver_bdc, reasons=" ")
    assert invalid.value.code == "validation_failed" and set(invalid.value.fields) == {"reasons"}
    case = pr.prereview_fail(case=case, actor=approver_bdc, reasons="该房屋已被查封，不能办理转移登记")
    assert case.prereview == Case.PreReview.NOT_PASSED
    with pytest.raises(ValidationFailed) as info:
        svc.case_accept(case=case, actor=clerk)
    assert info.value.code == "prereview_not_passed"
    case = svc.case_refuse(case=case, actor=clerk, reasons=case.prereview_note)
    assert case.status == Case.Status.REFUSED


def test_only_the_lead_departments_approvers_prereview(form_matter, citizen, clerk, outsider, approver_zjj, approver_bdc):
    case = submit_online(form_matter, citizen)
    for who in (citizen, outsider, clerk, approver_zjj):
        for action in (
            lambda w: pr.prereview_pass(case=case, actor=w),
            lambda w: pr.prereview_fail(case=case, actor=w, reasons="x"),
            lambda w: pr.prereview_request_fix(case=case, actor=w, fields={"area": "x"}),
        ):
            with pytest.raises(PermissionDenied) as denied:
                action(who)
            assert denied.value.code == "permission_denied"
    assert not pr.prereview_queue(approver_zjj).exists()
    assert case in selectors.visible_cases(approver_bdc)
    assert case not in selectors.visible_cases(approver_zjj)
    case.refresh_from_db()
    assert case.prereview == Case.PreReview.PENDING


def test_a_second_outcome_is_refused(form_matter, citizen, approver_bdc):
    case = submit_online(form_matter, citizen)
    pr.prereview_pass(case=case, actor=approver_bdc)
    with pytest.raises(ApplicationError) as info:
        pr.prereview_request_fix(case=case, actor=approver_bdc, fields={"area": "x"})
    assert info.value.code == "prereview_not_open"


def test_what_the_form_provides_is_never_asked_for_again(form_matter, citizen, approver_bdc):
    case = submit_online(form_matter, citizen)
    form_line = form_matter.current_version.materials.get(provided_by="form")
    # Not missing at intake, though nothing was uploaded for it ...
    assert form_line not in svc.missing_requirements(case)
    assert form_line not in svc.uploadable_requirements(case)
    # ... and a notice cannot ask for it as a file: ask for its fields instead.
    with pytest.raises(ValidationFailed) as info:
        pr.prereview_request_fix(case=case, actor=approver_bdc, materials={form_line.pk: "重新上传"})
    assert info.value.code == "requirement_filled_online"
    with pytest.raises(ValidationFailed) as info:
        pr.prereview_request_fix(case=case, actor=approver_bdc, fields={"no_such": "x"})
    assert info.value.code == "unknown_field"
    with pytest.raises(ValidationFailed) as info:
        pr.prereview_request_fix(case=case, actor=approver_bdc)
    assert info.value.code == "nothing_to_fix"


def test_the_verified_identity_stands_for_the_id_card(form_matter, citizen):
    id_line = form_matter.current_version.materials.get(shared_key="id_card")
    assert id_line.provided_by == "identity"
    case = submit_online(form_matter, citizen, skip=("form", "identity"))
    assert id_line in svc.missing_requirements(case)  # this citizen never verified their identity
    citizen.verified_at = timezone.now()
    citizen.save(update_fields=["verified_at"])
    case.refresh_from_db()
    assert id_line not in svc.missing_requirements(case)


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_at_once_one_outcome(org, calendar, citizen):
    """Two approvers of the department click at the same moment (one passes, one asks for a fix):
    the case row lock and the conditional update let exactly one win."""
    from onewindow.core.testing import run_concurrently

    matter = make_form_matter(org["BDC"])
    a = make_user("bdc_a", Role.APPROVER, org["BDC"])
    b = make_user("bdc_b", Role.APPROVER, org["BDC"])
    for _round in range(3):
        case = submit_online(matter, citizen)

        def act(i: int, case: Case = case) -> Any:
            if i == 0:
                return pr.prereview_pass(case=case, actor=a)
            return pr.prereview_request_fix(case=case, actor=b, fields={"area": "核对面积"})

        results = run_concurrently(act, 2)
        errors = [r for r in results if isinstance(r, BaseException)]
        assert len(errors) == 1 and getattr(errors[0], "code", "") == "prereview_not_open", results
        case.refresh_from_db()
        outcomes = case.events.filter(kind__startswith="prereview_").count()
        assert outcomes == 1
        assert (case.prereview == Case.PreReview.PASSED) == (case.pauses.count() == 0)
