"""The clock of the 低保 审核确认 with frozen days across National Day and its 调休 (2026: 9-20 a
working Sunday, 9-25 中秋, 10-1..10-7 国庆, 10-10 a working Saturday)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from onewindow.accounts.models import User
from onewindow.cases import routes
from onewindow.cases.models import Case, CaseStep, LimitUnit, Warning
from onewindow.cases.sweeps import sweep_warnings
from onewindow.catalog.models import Matter
from onewindow.core import workdays
from onewindow.core.errors import PermissionDenied, ValidationFailed
from onewindow.welfare.models import Application, PublicNotice
from onewindow.welfare.process import clock, confirm, review
from onewindow.welfare.process import route as welfare_route

from .process_fixtures import at
from .test_process import file_at_counter, visit

pytestmark = pytest.mark.django_db
D = datetime.date


def test_calendar_covers_2026_national_day(welfare_calendar: Any) -> None:
    assert not workdays.is_workday(D(2026, 10, 1)) and not workdays.is_workday(D(2026, 10, 7))
    assert workdays.is_workday(D(2026, 9, 20)) and workdays.is_workday(D(2026, 10, 10))  # 调休
    assert workdays.most_workdays_in(7) == 6  # a week with a working Sunday


def test_accepted_2026_09_18_confirmed_by_2026_10_29(dibao: Matter, officer: User, resident: User, frozen: Any) -> None:
    frozen.move_to(at(D(2026, 9, 18)))
    app = file_at_counter(officer, resident, dibao)
    case = app.case
    assert case.committed_due == D(2026, 10, 29)  # 25 working days, the holidays not counted
    check_step = CaseStep.objects.get(case=case, stage_order=welfare_route.CHECK)
    assert check_step.due_on == D(2026, 9, 29)  # 7 working days: 9-20 (a Sunday) counts, 9-25..27 do not
    frozen.move_to(at(D(2026, 9, 22)))
    visit(app, officer, D(2026, 9, 22))
    frozen.move_to(at(D(2026, 9, 24)))
    review.propose_approval(application=app, actor=officer)
    n = PublicNotice.objects.get(application=app)
    assert (n.starts_on, n.ends_on) == (D(2026, 9, 24), D(2026, 10, 1))  # 7 calendar days, into the holiday
    frozen.move_to(at(D(2026, 10, 2), 0))  # the sweep on the morning after the last day
    sweep_warnings()
    app.refresh_from_db()
    assert app.stage == Application.Stage.CONFIRMATION
    confirm_step = CaseStep.objects.get(case=case, stage_order=welfare_route.CONFIRM)
    # 10 working days from the notice's last day (10-1): 10-8 is day 1, 10-10 (Saturday) day 3.
    assert confirm_step.due_on == D(2026, 10, 20)
    frozen.move_to(at(D(2026, 10, 29), 16))
    sweep_warnings()
    assert not Warning.objects.filter(case=case, level="red").exists()
    confirm.confirm(application=app, actor=officer)
    case.refresh_from_db()
    assert case.status == Case.Status.DELIVERED and case.concluded_at is not None
    assert workdays.workdays_between(D(2026, 9, 18), D(2026, 10, 29)) == 25


def test_a_notice_ending_on_a_working_day_costs_no_extra_day(dibao: Matter, officer: User, resident: User, frozen: Any) -> None:
    frozen.move_to(at(D(2026, 10, 12)))
    app = file_at_counter(officer, resident, dibao)
    visit(app, officer, D(2026, 10, 12))
    frozen.move_to(at(D(2026, 10, 13)))
    review.propose_approval(application=app, actor=officer)
    n = PublicNotice.objects.get(application=app)
    assert n.ends_on == D(2026, 10, 20)  # a Tuesday, a working day
    frozen.move_to(
        at(
            D(2026, 10, 21),
            0,
        )
    )
    sweep_warnings()
    confirm_step = CaseStep.objects.get(case=app.case, stage_order=welfare_route.CONFIRM)
    # Counted from 10-20, not from the day the sweep saw the end: 10 working days end on 11-3.
    assert confirm_step.due_on == D(2026, 11, 3)
    assert confirm_step.due_on == workdays.add_workdays(n.ends_on, 10)


def test_red_card_when_the_promise_is_missed(dibao: Matter, officer: User, resident: User, frozen: Any) -> None:
    frozen.move_to(at(D(2026, 9, 18)))
    app = file_at_counter(officer, resident, dibao)
    frozen.move_to(at(D(2026, 10, 27)))
    sweep_warnings()
    assert Warning.objects.filter(case=app.case, level="yellow", step__isnull=True).exists()
    frozen.move_to(at(D(2026, 10, 30)))
    sweep_warnings()
    assert Warning.objects.filter(case=app.case, level="red").exists()


def test_extension_by_the_township_leader_to_at_most_40(
    dibao: Matter, officer: User, resident: User, zx_leader: User, frozen: Any
) -> None:
    frozen.move_to(at(D(2026, 9, 18)))
    app = file_at_counter(officer, resident, dibao)
    with pytest.raises(PermissionDenied) as denied:
        clock.extend(application=app, actor=officer, days=5, reason="需补充调查")
    assert denied.value.code == "permission_denied"
    with pytest.raises(ValidationFailed) as invalid:
        clock.extend(application=app, actor=zx_leader, days=16, reason="需补充调查")
    assert invalid.value.code == "extension_too_long"
    with pytest.raises(ValidationFailed) as invalid:
        clock.extend(application=app, actor=zx_leader, days=5, reason="  ")
    assert invalid.value.code == "validation_failed" and set(invalid.value.fields) == {"reason"}
    case = clock.extend(application=app, actor=zx_leader, days=15, reason="家庭成员在外省，需异地协查。")
    assert case.extension_days == 15 and case.committed_due == workdays.add_workdays(D(2026, 9, 18), 40)
    assert case.extensions.get().approver == zx_leader
    with pytest.raises(ValidationFailed) as invalid:
        clock.extend(application=app, actor=zx_leader, days=1, reason="再延长")
    assert invalid.value.code == "extension_once"


def test_route_publishing_counts_the_notice_on_the_critical_path(dibao: Matter, admin: User, settings: Any) -> None:
    summary = routes.summarize(dibao.routes.get(status="published"))
    assert summary.critical_days == 25  # 7 + 2 + the notice's 6 working days at most + 10
    settings.ONEWINDOW_WELFARE_NOTICE_DAYS = 15  # 15 calendar days hold 11 working days: 3 + 2 + 11 + 10
    with pytest.raises(ValidationFailed) as exc:
        welfare_route.publish_route(matter=dibao, actor=admin)
    assert exc.value.code == "route_too_long"


def test_a_calendar_unit_only_for_notices(dibao: Matter, admin: User, org: Any) -> None:
    with pytest.raises(ValidationFailed) as invalid:
        routes.route_draft_create(
            actor=admin,
            name="x",
            matter=dibao,
            stages=[
                {
                    "name": "a",
                    "steps": [{"department": org["MZJ"], "name": "a", "limit_days": 3, "limit_unit": LimitUnit.CALENDAR}],
                }
            ],
        )
    assert invalid.value.code == "route_bad_step"
