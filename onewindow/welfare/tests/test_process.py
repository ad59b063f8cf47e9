"""The 低保 审核确认 from filing to confirmation, on the cases engine, routed to the township."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from onewindow.accounts.models import OrgUnit, User
from onewindow.assistance.models import AgentApplication
from onewindow.cases import services as case_services
from onewindow.cases.errors import NoticeClosed
from onewindow.cases.models import Case, CaseStep
from onewindow.cases.sweeps import sweep_warnings
from onewindow.catalog.models import Matter
from onewindow.core.errors import PermissionDenied
from onewindow.core.models import AuditEntry
from onewindow.welfare.models import Application, Enrolment, Household, Member, PublicNotice
from onewindow.welfare.process import application as apply_svc
from onewindow.welfare.process import check, confirm, notice, review
from onewindow.welfare.process.errors import AlreadyConfirmed, WrongStage

from .process_fixtures import TODAY, at, household_input, paper

pytestmark = pytest.mark.django_db


def file_at_counter(officer: User, resident: User, matter: Matter, **kw: Any) -> Application:
    return apply_svc.application_file(
        actor=officer, applicant=resident, channel="counter", household=household_input(resident, **kw), materials=paper(matter)
    )


def visit(app: Application, officer: User, day: datetime.date = TODAY) -> None:
    check.visit_record(
        application=app, actor=officer, visited_on=day, visitors="张三、李四", findings="土坯房，户主患病，孙子在读。"
    )


def test_counter_application_routes_to_the_township_and_starts_the_check(
    dibao: Matter, officer: User, resident: User, org: dict[str, OrgUnit]
) -> None:
    app = file_at_counter(officer, resident, dibao)
    case = app.case
    assert case.department == org["ZXZ"] and case.intake_unit == org["ZXZ"]
    assert case.status == Case.Status.IN_REVIEW and app.stage == Application.Stage.CHECK
    steps = list(case.steps.order_by("stage_order"))
    assert [s.department_id for s in steps] == [org["ZXZ"].pk] * 4  # every step at the township, none at 民政局
    assert [s.kind for s in steps] == ["review", "review", "public_notice", "review"]
    hh = app.household
    assert hh.township == org["ZXZ"] and hh.village == org["ZXSQ"] and hh.status == Household.Status.APPLYING
    assert hh.members.count() == 2 and hh.head is not None and hh.head.name == "刘秀英"
    assert AuditEntry.objects.filter(action="welfare.apply").count() == 1


def test_whole_process_to_enrolment(dibao: Matter, officer: User, resident: User, frozen: Any, org: dict[str, OrgUnit]) -> None:
    app = file_at_counter(officer, resident, dibao)
    visit(app, officer)
    app = review.propose_approval(application=app, actor=officer)
    # 620 yuan standard, (30000 + 0) / 2 = 150 yuan per capita: (620 - 150) × 2 = 940 yuan.
    assert app.stage == Application.Stage.NOTICE and app.proposed_amount_fen == 94000 and app.proposed_people == 2
    n = PublicNotice.objects.get(application=app)
    assert n.head_masked == "刘*英" and n.people == 2 and n.monthly_amount_fen == 94000
    assert n.starts_on == TODAY and n.ends_on == TODAY + datetime.timedelta(days=7)  # 7 calendar days
    assert list(notice.running(village=org["ZXSQ"])) == [n]
    with pytest.raises(WrongStage) as wrong_stage:
        confirm.confirm(application=app, actor=officer)
    assert wrong_stage.value.code == "wrong_stage"
    frozen.move_to(at(n.ends_on + datetime.timedelta(days=1)))
    assert not notice.running(village=org["ZXSQ"]).exists()  # expired: no longer public
    sweep_warnings()
    app.refresh_from_db()
    n.refresh_from_db()
    assert n.outcome == PublicNotice.Outcome.NO_OBJECTION and app.stage == Application.Stage.CONFIRMATION
    enrolment = confirm.confirm(application=app, actor=officer)
    app.refresh_from_db()
    assert app.stage == Application.Stage.APPROVED and app.certificate_number
    assert enrolment.monthly_amount_fen == 94000 and enrolment.people == 2
    assert enrolment.starts_month == datetime.date(2026, 5, 1)  # the month after the confirmation
    hh = Household.objects.get(pk=app.household_id)
    assert hh.status == Household.Status.IN_PAYMENT and hh.monthly_amount_fen == 94000
    assert set(hh.members.values_list("in_payment", flat=True)) == {True}
    case = Case.objects.get(pk=app.case_id)
    assert case.status == Case.Status.DELIVERED and case.decision == Case.Decision.APPROVED
    with pytest.raises(AlreadyConfirmed) as already_confirmed:
        confirm.confirm(application=app, actor=officer)
    assert already_confirmed.value.code == "already_confirmed"
    assert Enrolment.objects.count() == 1


def test_objection_sends_the_case_back_and_the_notice_runs_again(
    dibao: Matter, officer: User, resident: User, frozen: Any, org: dict[str, OrgUnit]
) -> None:
    app = file_at_counter(officer, resident, dibao)
    visit(app, officer)
    review.propose_approval(application=app, actor=officer)
    first = PublicNotice.objects.get(application=app)
    frozen.move_to(at(TODAY + datetime.timedelta(days=2)))
    notice.objection_lodge(notice=first, text="其子在外务工收入较高。", contact="13900000099")
    app.refresh_from_db()
    first.refresh_from_db()
    assert first.outcome == PublicNotice.Outcome.OBJECTED and app.stage == Application.Stage.CHECK
    assert not notice.running(village=org["ZXSQ"]).exists()
    check_step = CaseStep.objects.get(case=app.case, stage_order=1)
    assert check_step.status == CaseStep.Status.OPEN and check_step.rounds == 2
    with pytest.raises(NoticeClosed) as notice_closed:  # the notice no longer runs
        notice.objection_lodge(notice=first, text="再次异议")
    assert notice_closed.value.code == "notice_closed"
    visit(app, officer, TODAY + datetime.timedelta(days=2))
    review.propose_approval(application=app, actor=officer)
    second = PublicNotice.objects.get(application=app, outcome=PublicNotice.Outcome.RUNNING)
    assert second.round == 2 and second.ends_on == TODAY + datetime.timedelta(days=9)  # in full again


def test_objection_after_the_last_day_is_refused_even_before_the_sweep(
    dibao: Matter, officer: User, resident: User, frozen: Any
) -> None:
    app = file_at_counter(officer, resident, dibao)
    visit(app, officer)
    review.propose_approval(application=app, actor=officer)
    n = PublicNotice.objects.get(application=app)
    frozen.move_to(at(n.ends_on, 23))
    frozen.move_to(at(n.ends_on + datetime.timedelta(days=1), 0))
    with pytest.raises(NoticeClosed) as notice_closed:
        notice.objection_lodge(notice=n, text="迟到的异议")
    assert notice_closed.value.code == "notice_closed"
    assert not n.objections.exists()


def test_objection_at_the_point_is_recorded_by_staff_only(
    dibao: Matter, officer: User, resident: User, ft_officer: User, agent: User, outsider: User
) -> None:
    app = file_at_counter(officer, resident, dibao)
    visit(app, officer)
    review.propose_approval(application=app, actor=officer)
    n = PublicNotice.objects.get(application=app)
    for who in (None, outsider, ft_officer):
        with pytest.raises(PermissionDenied) as denied:
            notice.objection_lodge(notice=n, text="异议", actor=who, at_point=True)
        assert denied.value.code == "permission_denied"
    o = notice.objection_lodge(notice=n, text="群众到村委会反映", actor=agent, at_point=True)
    assert o.recorded_by == agent and o.channel == "point"


def test_refusal_writes_the_notice_within_three_working_days(dibao: Matter, officer: User, resident: User) -> None:
    app = file_at_counter(officer, resident, dibao)
    visit(app, officer)
    app = review.refuse(application=app, actor=officer, reasons="家庭存款超过规定标准。")
    assert app.stage == Application.Stage.REFUSED and app.refusal_notified_at is not None
    assert app.refusal_notice_due == datetime.date(2026, 4, 7)  # 3 working days after 4-1 (清明 4-4..4-6)
    case = Case.objects.get(pk=app.case_id)
    assert case.decision == Case.Decision.DENIED and case.decision_reason == "家庭存款超过规定标准。"
    assert Household.objects.get(pk=app.household_id).status == Household.Status.REFUSED
    assert not Member.objects.filter(in_payment=True).exists()


def test_agent_applies_under_a_mandate_and_the_point_keeps_the_record(
    dibao: Matter, agent: User, resident: User, mandate: Any, officer: User, org: dict[str, OrgUnit]
) -> None:
    app = apply_svc.application_file(
        actor=agent, applicant=resident, channel="agent", household=household_input(resident), materials=paper(dibao)
    )
    assert app.stage == Application.Stage.ACCEPTANCE and app.agent == agent
    assert app.case.channel == "agent" and app.case.intake_unit == org["ZXZ"] and app.case.department == org["ZXZ"]
    record = AgentApplication.objects.get(kind="welfare")
    assert record.welfare_ref == app.uuid and record.resident == resident
    app = apply_svc.application_accept(application=app, actor=officer)
    assert app.stage == Application.Stage.CHECK and app.case.accepted_at is not None


def test_case_steps_are_the_township_officers_work(dibao: Matter, officer: User, resident: User, mzj: User) -> None:
    from onewindow.cases import selectors

    app = file_at_counter(officer, resident, dibao)
    step = CaseStep.objects.get(case=app.case, stage_order=1)
    assert selectors.can_act_on_step(officer, step)
    assert not selectors.can_act_on_step(mzj, step)
    with pytest.raises(PermissionDenied) as denied:
        case_services.step_approve(step=step, actor=mzj)
    assert denied.value.code == "permission_denied"


def test_owners_name_the_township_for_every_waiting_state(
    dibao: Matter, officer: User, resident: User, frozen: Any, org: dict[str, OrgUnit]
) -> None:
    from onewindow.core import ownership

    app = file_at_counter(officer, resident, dibao)
    seen = []
    for step in ("check", "notice", "confirmation"):
        app.refresh_from_db()
        items = ownership.waiting_for(app)
        assert len(items) == 1 and items[0].owner is not None and items[0].owner.unit == org["ZXZ"] and not items[0].problem
        seen.append(items[0].action)
        if step == "check":
            visit(app, officer)
            review.propose_approval(application=app, actor=officer)
        elif step == "notice":
            frozen.move_to(at(TODAY + datetime.timedelta(days=8)))
            sweep_warnings()
    assert seen == ["welfare_check", "welfare_notice", "welfare_confirmation"]
    assert not [w for w in ownership.problems() if w.key.startswith("welfare:")]
    officer.role_assignments.all().delete()  # nobody at the township: the check says so
    assert [w.key for w in ownership.problems() if w.key.startswith("welfare:")] == [f"welfare:{app.uuid}:confirmation"]
    officer.role_assignments.create(role="township_officer", org_unit=org["ZXZ"])
    confirm.confirm(application=app, actor=User.objects.get(pk=officer.pk))
    assert ownership.waiting_for(Application.objects.get(pk=app.pk)) == []
