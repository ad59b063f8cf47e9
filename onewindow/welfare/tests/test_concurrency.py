"""Real concurrent connections: objections arriving as the sweep closes the notice, and two
confirmations of one application at once. Marked for PostgreSQL (row locks); they run on SQLite too
(IMMEDIATE transactions serialise the writers)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from onewindow.accounts.models import User
from onewindow.cases.errors import NoticeClosed
from onewindow.cases.services import public_notice_close_due
from onewindow.catalog.models import Matter
from onewindow.core.testing import run_concurrently
from onewindow.welfare.models import Application, Enrolment, Objection, PublicNotice
from onewindow.welfare.process import confirm, notice, review
from onewindow.welfare.process.errors import AlreadyConfirmed

from .process_fixtures import at
from .test_process import file_at_counter, visit

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _noticed(dibao: Matter, officer: User, resident: User) -> PublicNotice:
    app = file_at_counter(officer, resident, dibao)
    visit(app, officer)
    review.propose_approval(application=app, actor=officer)
    return PublicNotice.objects.get(application=app)


def test_objections_as_the_sweep_closes_the_notice_exactly_one_outcome(dibao: Matter, officer: User, resident: User) -> None:
    n = _noticed(dibao, officer, resident)
    last, next_day = n.ends_on, n.ends_on + datetime.timedelta(days=1)

    def act(i: int) -> Any:
        if i == 0:  # the sweep just after midnight
            return public_notice_close_due(today=next_day)
        # objections taken in the last seconds of the last day
        return notice.objection_lodge(notice=n, text=f"异议 {i}", today=last)

    results = run_concurrently(act, 4)
    unexpected = [r for r in results if isinstance(r, BaseException) and not isinstance(r, NoticeClosed)]
    assert not unexpected, unexpected
    n.refresh_from_db()
    app = Application.objects.get(pk=n.application_id)
    objections = Objection.objects.filter(notice=n).count()
    if n.outcome == PublicNotice.Outcome.OBJECTED:
        assert results[0] == 0 and objections == 1 and app.stage == Application.Stage.CHECK
        assert sum(isinstance(r, NoticeClosed) for r in results[1:]) == 2
    else:
        assert n.outcome == PublicNotice.Outcome.NO_OBJECTION
        assert results[0] == 1 and objections == 0 and app.stage == Application.Stage.CONFIRMATION
        assert all(isinstance(r, NoticeClosed) for r in results[1:])
    assert app.case.steps.filter(kind="public_notice", status="open").count() == 0


def test_two_confirmations_at_once_one_enrolment(dibao: Matter, officer: User, resident: User, frozen: Any) -> None:
    n = _noticed(dibao, officer, resident)
    frozen.move_to(at(n.ends_on + datetime.timedelta(days=1)))
    public_notice_close_due()
    app = Application.objects.get(pk=n.application_id)
    assert app.stage == Application.Stage.CONFIRMATION

    results = run_concurrently(lambda i: confirm.confirm(application=app, actor=officer), 2)
    wins = [r for r in results if isinstance(r, Enrolment)]
    losses = [r for r in results if isinstance(r, AlreadyConfirmed)]
    assert len(wins) == 1 and len(losses) == 1, results
    assert Enrolment.objects.filter(household=app.household).count() == 1
