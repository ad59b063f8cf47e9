"""Delegation batches: draft, documents, publish, revoke; supervision: figures, sampling, review."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from onewindow.accounts.models import OrgUnit, User
from onewindow.cases import services as cs
from onewindow.cases.models import Case
from onewindow.cases.tests.conftest import all_materials
from onewindow.catalog.models import Delegation, MatterVersion
from onewindow.core.errors import Conflict, PermissionDenied, ValidationFailed
from onewindow.core.models import AuditEntry
from onewindow.core.testing import run_concurrently
from onewindow.townships import selectors, services
from onewindow.townships.models import DelegationBatch, DelegationRevocation, SupervisionReview

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DAY = datetime.date(2026, 4, 1)


def draft(actor: User, matters: list[Any], townships: list[OrgUnit], **kw: Any) -> DelegationBatch:
    return services.batch_create(
        actor=actor,
        title=kw.pop("title", "2026年第一批赋权事项"),
        legal_basis=kw.pop("legal_basis", "青原区人民政府关于向乡镇（街道）下放部分行政审批事项的决定（青府发〔2026〕3号）"),
        effective_on=kw.pop("effective_on", DAY),
        matters=[m.matter for m in matters],
        townships=townships,
        **kw,
    )


def file_case(mv: MatterVersion, applicant: User, actor: User) -> Case:
    return cs.case_submit(
        applicant=applicant,
        matter_version=mv,
        channel="counter",
        form_data={"address": "值夏社区"},
        materials=all_materials(list(mv.materials.all())),
        actor=actor,
    )


def test_draft_document_publish_and_routing(
    dibao: Any, relief: Any, officer_mzj: User, township_officer: User, resident: User, org: dict[str, OrgUnit]
) -> None:
    batch = draft(officer_mzj, [dibao], [org["ZXZ"]])
    assert batch.status == "draft" and not Delegation.objects.exists()
    # not yet published: the district still handles it
    assert file_case(dibao, resident, township_officer).department == org["MZJ"]
    batch = services.batch_update(
        batch=batch,
        actor=officer_mzj,
        title=batch.title,
        legal_basis=batch.legal_basis,
        effective_on=DAY,
        matters=[dibao.matter, relief.matter],
        townships=[org["ZXZ"], org["FTZ"]],
    )
    doc = services.batch_document_add(
        batch=batch, actor=officer_mzj, kind="training", file=SimpleUploadedFile("培训.pdf", PDF, content_type="application/pdf")
    )
    assert doc.size == len(PDF) and doc.name == "培训.pdf"
    with pytest.raises(ValidationFailed) as invalid:
        services.batch_document_add(
            batch=batch,
            actor=officer_mzj,
            kind="training",
            file=SimpleUploadedFile("x.exe", b"MZ\x90\x00", content_type="application/pdf"),
        )
    assert invalid.value.code == "upload_wrong_type"
    batch = services.batch_publish(batch=batch, actor=officer_mzj)
    assert batch.status == "published" and batch.delegations.count() == 4
    assert Delegation.objects.filter(township=org["ZXZ"]).count() == 2
    assert AuditEntry.objects.filter(action="delegation_batch.publish").count() == 1
    case = file_case(dibao, resident, township_officer)
    assert case.department == org["ZXZ"]
    # published: frozen
    with pytest.raises(Conflict) as exc:
        services.batch_update(
            batch=batch, actor=officer_mzj, title="x", legal_basis="y", effective_on=DAY, matters=[], townships=[]
        )
    assert exc.value.code == "batch_published"
    with pytest.raises(Conflict) as conflict:
        services.batch_publish(batch=batch, actor=officer_mzj)
    assert conflict.value.code == "batch_published"
    # a second batch for the same matter and township is refused, naming it
    again = draft(officer_mzj, [dibao], [org["ZXZ"]], effective_on=datetime.date(2026, 5, 1))
    with pytest.raises(Conflict) as exc:
        services.batch_publish(batch=again, actor=officer_mzj)
    assert exc.value.code == "already_delegated" and "值夏镇" in str(exc.value.message)


def test_bad_input_changes_nothing(
    dibao: Any, housing: Any, officer_mzj: User, township_officer: User, org: dict[str, OrgUnit]
) -> None:
    with pytest.raises(ValidationFailed) as exc:
        draft(officer_mzj, [dibao], [org["ZXZ"]], legal_basis="  ")
    assert "legal_basis" in exc.value.fields
    with pytest.raises(PermissionDenied) as denied:
        draft(officer_mzj, [housing], [org["ZXZ"]])  # another department's matter
    assert denied.value.code == "permission_denied"
    with pytest.raises(ValidationFailed) as invalid:
        draft(officer_mzj, [dibao], [org["MZJ"]])  # not a township
    assert invalid.value.code == "validation_failed" and set(invalid.value.fields) == {"townships"}
    with pytest.raises(PermissionDenied) as denied:
        draft(township_officer, [dibao], [org["ZXZ"]])  # township officers do not delegate
    assert denied.value.code == "permission_denied"
    empty = draft(officer_mzj, [], [])
    with pytest.raises(ValidationFailed) as exc:
        services.batch_publish(batch=empty, actor=officer_mzj)
    assert exc.value.code == "batch_incomplete"
    assert not Delegation.objects.exists() and DelegationBatch.objects.count() == 1


def test_leader_of_the_district_may_delegate_any_department(
    dibao: Any, housing: Any, leader: User, org: dict[str, OrgUnit]
) -> None:
    batch = draft(leader, [dibao, housing], [org["ZXZ"]])
    assert services.batch_publish(batch=batch, actor=leader).delegations.count() == 2


def test_revoke_needs_reason_sends_new_cases_back_and_keeps_open_ones(
    dibao: Any, officer_mzj: User, township_officer: User, resident: User, org: dict[str, OrgUnit], approver: User
) -> None:
    services.batch_publish(batch=draft(officer_mzj, [dibao], [org["ZXZ"], org["FTZ"]]), actor=officer_mzj)
    open_case = cs.case_accept(case=file_case(dibao, resident, township_officer), actor=township_officer)
    d = Delegation.objects.get(township=org["ZXZ"])
    with pytest.raises(ValidationFailed) as invalid:
        services.delegation_revoke(delegation=d, actor=officer_mzj, reason=" ")
    assert invalid.value.code == "validation_failed" and set(invalid.value.fields) == {"reason"}
    with pytest.raises(ValidationFailed) as invalid:
        services.delegation_revoke(delegation=d, actor=officer_mzj, reason="x", revoked_on=datetime.date(2026, 3, 1))
    assert invalid.value.code == "validation_failed" and set(invalid.value.fields) == {"revoked_on"}
    with pytest.raises(PermissionDenied) as denied:
        services.delegation_revoke(delegation=d, actor=approver, reason="住建局不能收回民政事项")
    assert denied.value.code == "permission_denied"
    with pytest.raises(PermissionDenied) as denied:
        services.delegation_revoke(delegation=d, actor=township_officer, reason="x")
    assert denied.value.code == "permission_denied"
    rev = services.delegation_revoke(delegation=d, actor=officer_mzj, reason="承接能力不足，经评估收回")
    d.refresh_from_db()
    assert d.revoked_on == DAY and rev.reason.startswith("承接能力不足")
    with pytest.raises(Conflict) as exc:
        services.delegation_revoke(delegation=d, actor=officer_mzj, reason="again")
    assert exc.value.code == "already_revoked"
    # the open case finishes at the township
    step = open_case.steps.get()
    cs.step_approve(step=step, actor=township_officer)
    cs.case_decide(case=open_case, actor=township_officer, approved=True)
    # new applications go to the district; 富滩镇 keeps its delegation
    assert file_case(dibao, resident, township_officer).department == org["MZJ"]
    assert Delegation.objects.get(township=org["FTZ"]).revoked_on is None
    assert AuditEntry.objects.filter(action="delegation.revoke", data__reason__startswith="承接能力").exists()


def test_supervision_figures_sampling_and_review(
    dibao: Any,
    officer_mzj: User,
    township_officer: User,
    resident: User,
    approver: User,
    org: dict[str, OrgUnit],
) -> None:
    import time_machine

    services.batch_publish(batch=draft(officer_mzj, [dibao], [org["ZXZ"], org["FTZ"]]), actor=officer_mzj)
    done = []
    for _ in range(3):
        c = cs.case_accept(case=file_case(dibao, resident, township_officer), actor=township_officer)
        cs.step_approve(step=c.steps.get(), actor=township_officer)
        cs.case_decide(case=c, actor=township_officer, approved=True)
        done.append(cs.case_conclude(case=c, actor=township_officer))
    late = cs.case_accept(case=file_case(dibao, resident, township_officer), actor=township_officer)
    Case.objects.filter(pk=late.pk).update(committed_due=datetime.date(2026, 3, 30))
    figures = {
        f.township.code: f
        for f in selectors.township_supervision(selectors.supervised_cases(officer_mzj), today=DAY, user=officer_mzj)
    }
    zx = figures["ZXZ"]
    assert (zx.cases, zx.done, zx.on_time, zx.open, zx.overdue) == (4, 3, 3, 1, 1)
    assert zx.on_time_rate == 100.0 and zx.overdue_cases == [late]
    assert figures["FTZ"].cases == 0 and figures["FTZ"].on_time_rate is None
    # a late conclusion lowers the rate
    Case.objects.filter(pk=done[0].pk).update(committed_due=datetime.date(2026, 3, 1))
    zx = {
        f.township.code: f
        for f in selectors.township_supervision(selectors.supervised_cases(officer_mzj), today=DAY, user=officer_mzj)
    }["ZXZ"]
    assert zx.on_time == 2 and zx.on_time_rate == 66.7
    # another department sees none of it
    assert not selectors.supervised_cases(approver).exists()
    # the district department reads the case, but cannot act on it
    from onewindow.cases import selectors as case_selectors

    assert case_selectors.visible_cases(officer_mzj).filter(pk=late.pk).exists()
    with pytest.raises(PermissionDenied) as denied:
        cs.step_approve(step=late.steps.get(), actor=officer_mzj)
    assert denied.value.code == "permission_denied"
    # sampling: concluded cases only, each once
    with time_machine.travel(datetime.datetime(2026, 4, 2, 10), tick=True):
        drawn = services.reviews_draw(actor=officer_mzj, department=org["MZJ"], count=2)
    assert len(drawn) == 2 and all(r.case.status == "concluded" for r in drawn)
    more = services.reviews_draw(actor=officer_mzj, department=org["MZJ"], count=5)
    assert len(more) == 1 and SupervisionReview.objects.count() == 3
    assert services.reviews_draw(actor=officer_mzj, department=org["MZJ"], count=5) == []
    with pytest.raises(ValidationFailed) as invalid:
        services.reviews_draw(actor=officer_mzj, department=org["MZJ"], count=0)
    assert invalid.value.code == "validation_failed" and set(invalid.value.fields) == {"count"}
    with pytest.raises(PermissionDenied) as denied:
        services.reviews_draw(actor=approver, department=org["MZJ"], count=1)
    assert denied.value.code == "permission_denied"
    r = drawn[0]
    with pytest.raises(ValidationFailed) as invalid:
        services.review_record(review=r, actor=officer_mzj, result="issues", finding="")
    assert invalid.value.code == "validation_failed" and set(invalid.value.fields) == {"finding"}
    r = services.review_record(review=r, actor=officer_mzj, result="issues", finding="入户调查记录缺少照片")
    assert r.result == "issues" and r.reviewed_by == officer_mzj
    with pytest.raises(Conflict) as conflict:
        services.review_record(review=r, actor=officer_mzj, result="compliant")
    assert conflict.value.code == "already_reviewed"


@pytest.mark.django_db(transaction=True)
def test_two_officers_publish_and_revoke_at_once(dibao: Any, officer_mzj: User, leader: User, org: dict[str, OrgUnit]) -> None:
    batch = draft(officer_mzj, [dibao], [org["ZXZ"], org["FTZ"]])
    actors = [officer_mzj, leader]
    results = run_concurrently(lambda i: str(services.batch_publish(batch=batch, actor=actors[i]).status), 2)
    assert sorted(str(type(r).__name__) for r in results) == ["Conflict", "str"], results
    assert Delegation.objects.count() == 2
    d = Delegation.objects.get(township=org["ZXZ"])
    revoked = run_concurrently(lambda i: services.delegation_revoke(delegation=d, actor=actors[i], reason=f"r{i}"), 2)
    errors = [r for r in revoked if isinstance(r, BaseException)]
    assert len(errors) == 1 and isinstance(errors[0], Conflict) and errors[0].code == "already_revoked"
    assert DelegationRevocation.objects.filter(delegation=d).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_officers_draw_at_once_never_draw_a_case_twice(
    dibao: Any, officer_mzj: User, leader: User, township_officer: User, resident: User, org: dict[str, OrgUnit]
) -> None:
    services.batch_publish(batch=draft(officer_mzj, [dibao], [org["ZXZ"]]), actor=officer_mzj)
    for _ in range(4):
        c = cs.case_accept(case=file_case(dibao, resident, township_officer), actor=township_officer)
        cs.step_approve(step=c.steps.get(), actor=township_officer)
        cs.case_decide(case=c, actor=township_officer, approved=True)
        cs.case_conclude(case=c, actor=township_officer)
    actors = [officer_mzj, leader]
    results = run_concurrently(lambda i: len(services.reviews_draw(actor=actors[i], department=org["MZJ"], count=4)), 2)
    assert all(isinstance(r, int) for r in results), results
    assert SupervisionReview.objects.count() == 4 == sum(results)  # type: ignore[arg-type]
