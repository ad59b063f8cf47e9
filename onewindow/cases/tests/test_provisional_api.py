"""Every API answer that carries a due date says whether it lies in a year whose holiday schedule is
only provisional (issue 13), as the cases API and the pages do: the portal's cases (committed date,
steps), the townships' supervision briefs, the village agents' forwardings and applications, the
ratings' follow-up deadlines."""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any, cast

import time_machine

from onewindow.assistance.api import applications as assistance_api
from onewindow.core import workdays
from onewindow.core.calendar_seed import PROVISIONAL, import_year
from onewindow.portal.api import CitizenCaseDetailOut
from onewindow.ratings.api import base as ratings_api
from onewindow.townships import api as townships_api

from .test_lifecycle import at, submit

PROVISIONAL_DAY = datetime.date(2027, 1, 5)
OFFICIAL_DAY = datetime.date(2026, 12, 30)


def provisional_2027() -> None:
    import_year(year=2027, exceptions=[(datetime.date(2027, 1, 1), False, "元旦")], source=PROVISIONAL)
    workdays.invalidate()


def test_the_portal_api_marks_the_committed_date_and_steps(matter_zjj: Any, citizen: Any, clerk: Any, client: Any) -> None:
    from onewindow.cases import services as svc

    provisional_2027()
    with time_machine.travel(at(2026, 12, 28), tick=False):
        case = svc.case_accept(case=submit(matter_zjj, citizen, clerk), actor=clerk)
        client.force_login(citizen)
        detail = client.get(f"/api/v1/portal/cases/{case.uuid}").json()
        listed = client.get("/api/v1/portal/cases").json()["items"][0]
    assert set(CitizenCaseDetailOut.model_fields) >= {"committed_due_provisional"}
    assert detail["committed_due"] >= "2027-01-01" and detail["committed_due_provisional"] is True
    assert listed["committed_due_provisional"] is True
    steps = [s for s in detail["steps"] if s["due_on"]]
    assert steps and all(s["due_provisional"] == (s["due_on"] >= "2027-01-01") for s in steps)
    workdays.invalidate()


def test_the_other_apps_answers_flag_a_provisional_due_date(db: Any) -> None:
    provisional_2027()
    for day, flag in ((PROVISIONAL_DAY, True), (OFFICIAL_DAY, False), (None, False)):
        brief = townships_api._brief(SimpleNamespace(uuid=None, number="N", title="T", status="s", committed_due=day))
        assert brief["committed_due_provisional"] is flag
        if day is None:
            continue
        follow_up: Any = SimpleNamespace(
            uuid=None, status="open", get_status_display=lambda: "", verify_due=day, reply_due=OFFICIAL_DAY, reply=""
        )
        fu = ratings_api._brief(follow_up)
        assert fu is not None and (fu["verify_due_provisional"], fu["reply_due_provisional"]) == (flag, False)
        application = SimpleNamespace(case=None, point=SimpleNamespace(name="P"))
        fwd = assistance_api._forwarding(
            cast(
                Any,
                SimpleNamespace(
                    uuid=None, application=application, items=[], due_on=day, sent_at=None, received_at=None, warning=""
                ),
            )
        )
        assert fwd["due_provisional"] is flag
    workdays.invalidate()
