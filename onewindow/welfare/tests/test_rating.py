"""好差评 of a 低保 decision: the household rates the township's decision once, as a decision and
not a second time as a case; those who worked on the file cannot rate it."""

from __future__ import annotations

from typing import Any

import pytest

from onewindow.accounts.models import User
from onewindow.catalog.models import Matter
from onewindow.core.errors import ApplicationError
from onewindow.ratings import services as ratings
from onewindow.ratings.models import Kind, Rating
from onewindow.welfare.models import Application
from onewindow.welfare.process import application as apply_svc
from onewindow.welfare.process import check, review

from .process_fixtures import TODAY, household_input, paper

pytestmark = pytest.mark.django_db


def refused(officer: User, resident: User, dibao: Matter) -> Application:
    app = apply_svc.application_file(
        actor=officer, applicant=resident, channel="counter", household=household_input(resident), materials=paper(dibao)
    )
    check.visit_record(application=app, actor=officer, visited_on=TODAY, visitors="张三", findings="存款较多。")
    return review.refuse(application=app, actor=officer, reasons="家庭存款超过规定标准。")


def test_the_household_rates_the_decision_once(dibao: Matter, officer: User, resident: User, frozen: Any) -> None:
    app = refused(officer, resident, dibao)
    rating = ratings.rating_submit(
        kind=Kind.WELFARE_DECISION, subject_uuid=app.uuid, level=2, channel="web", rater=resident, comment="不服"
    )
    assert rating.unit_id == app.case.department_id and rating.kind == Kind.WELFARE_DECISION
    with pytest.raises(ApplicationError) as refusal:
        ratings.rating_submit(kind=Kind.WELFARE_DECISION, subject_uuid=app.uuid, level=5, channel="web", rater=resident)
    assert refusal.value.code == "already_rated"
    # The same service is not rateable a second time as a generic case.
    with pytest.raises(ApplicationError) as refusal:
        ratings.rating_submit(kind=Kind.CASE, subject_uuid=app.case.uuid, level=5, channel="web", rater=resident)
    assert refusal.value.code == "not_rateable"
    assert Rating.objects.count() == 1


def test_an_undecided_application_and_the_officer_cannot_rate(dibao: Matter, officer: User, resident: User, frozen: Any) -> None:
    app = apply_svc.application_file(
        actor=officer, applicant=resident, channel="counter", household=household_input(resident), materials=paper(dibao)
    )
    with pytest.raises(ApplicationError) as refusal:
        ratings.rating_submit(kind=Kind.WELFARE_DECISION, subject_uuid=app.uuid, level=5, channel="web", rater=resident)
    assert refusal.value.code == "not_rateable"
    check.visit_record(application=app, actor=officer, visited_on=TODAY, visitors="张三", findings="存款较多。")
    app = review.refuse(application=app, actor=officer, reasons="家庭存款超过规定标准。")
    with pytest.raises(ApplicationError) as refusal:
        ratings.rating_submit(kind=Kind.WELFARE_DECISION, subject_uuid=app.uuid, level=5, channel="web", rater=officer)
    assert refusal.value.code == "own_service"
    assert not Rating.objects.exists()
