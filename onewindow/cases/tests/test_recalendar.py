"""Importing the official schedule for a year that had a provisional one recomputes the due dates
of open cases and steps, audited, and tells the applicant (issue 13)."""

from __future__ import annotations

import datetime
from typing import Any

import time_machine

from onewindow.cases import services as svc
from onewindow.cases.models import Case, CaseStep
from onewindow.core import workdays
from onewindow.core.calendar_seed import PROVISIONAL, import_year
from onewindow.core.models import AuditEntry, Notification

from .test_lifecycle import at, submit


def test_official_schedule_moves_open_due_dates(matter_zjj: Any, citizen: Any, clerk: Any) -> None:
    import_year(year=2027, exceptions=[(datetime.date(2027, 1, 1), False, "元旦")], source=PROVISIONAL)
    with time_machine.travel(at(2026, 12, 21), tick=False):
        accepted = svc.case_accept(case=submit(matter_zjj, citizen, clerk), actor=clerk)
    with time_machine.travel(at(2026, 12, 28), tick=False):
        waiting = submit(matter_zjj, citizen, clerk)
    assert waiting.intake_due == datetime.date(2027, 1, 5)  # 29, 30, 31, (1 off) 4, 5
    step = accepted.steps.get(status=CaseStep.Status.OPEN)
    assert accepted.committed_due is not None and step.due_on is not None
    old = (accepted.committed_due, accepted.statutory_due, step.due_on)
    assert old[0] >= datetime.date(2027, 1, 1)

    # The official schedule: 4 January is off as well (a made-up schedule for the test).
    with time_machine.travel(at(2026, 12, 30), tick=False):
        import_year(
            year=2027,
            exceptions=[(datetime.date(2027, 1, 1), False, "元旦"), (datetime.date(2027, 1, 4), False, "元旦")],
            source="国务院办公厅",
        )
    accepted.refresh_from_db()
    waiting.refresh_from_db()
    step.refresh_from_db()
    assert waiting.intake_due == datetime.date(2027, 1, 6)
    assert accepted.committed_due == workdays.add_workdays(datetime.date(2026, 12, 21), accepted.committed_days)
    assert accepted.committed_due == old[0] + datetime.timedelta(days=1)
    assert accepted.statutory_due == workdays.add_workdays(datetime.date(2026, 12, 21), accepted.statutory_days)
    assert step.due_on != old[2] or old[2] < datetime.date(2027, 1, 4)
    moved = AuditEntry.objects.filter(action="case.due_recomputed")
    assert {(e.target_id, e.data["field"]) for e in moved} >= {
        (str(waiting.uuid), "intake_due"),
        (str(accepted.uuid), "committed_due"),
        (str(accepted.uuid), "statutory_due"),
    }
    assert AuditEntry.objects.get(action="calendar.import_year", data__source="国务院办公厅").data["replaced"] == [PROVISIONAL]
    assert Notification.objects.filter(kind="case.due_recomputed", user=citizen).count() >= 2
    assert accepted.events.filter(kind="due_recomputed").exists()
    # Closed cases are history: a case decided before the import keeps its dates.
    assert not Case.objects.filter(status=Case.Status.DELIVERED, events__kind="due_recomputed").exists()
    workdays.invalidate()


def test_pages_and_api_mark_a_provisional_due_date(matter_zjj: Any, citizen: Any, clerk: Any, client: Any) -> None:
    import_year(year=2027, exceptions=[(datetime.date(2027, 1, 1), False, "元旦")], source=PROVISIONAL)
    workdays.invalidate()
    with time_machine.travel(at(2026, 12, 28), tick=False):
        case = submit(matter_zjj, citizen, clerk)
        client.force_login(citizen)
        body = client.get(f"/api/v1/cases/{case.uuid}").json()
        assert body["intake_due"] == "2027-01-05" and body["provisional_dues"] == ["intake_due"]
        client.force_login(clerk)
        page = client.get(f"/workbench/cases/{case.uuid}/").content.decode()
        assert "2027-01-05" in page and 'class="tag tag-amber provisional"' in page
    import_year(year=2027, exceptions=[(datetime.date(2027, 1, 1), False, "元旦")], source="国务院办公厅")
    workdays.invalidate()
    with time_machine.travel(at(2026, 12, 28), tick=False):
        client.force_login(citizen)
        assert client.get(f"/api/v1/cases/{case.uuid}").json()["provisional_dues"] == []
        client.force_login(clerk)
        assert "provisional" not in client.get(f"/workbench/cases/{case.uuid}/").content.decode()
    workdays.invalidate()
