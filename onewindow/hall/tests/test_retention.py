"""Queue tickets lose their personal data after RETENTION_TICKET_DAYS (core/retention.py): the ID
number and phone with their lookup hashes; the figures (rollups, recount) do not move."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from conftest import make_user
from onewindow.accounts.models import Role
from onewindow.core import retention
from onewindow.core.models import AuditEntry, ServiceHeartbeat
from onewindow.hall import rollups, services
from onewindow.hall.models import HallDay, PersonDayCounter, Ticket
from onewindow.hall.retention import SETTING, anonymise_batch, sweep_ticket_retention
from onewindow.hall.services import SHANGHAI
from onewindow.hall.stats import recount

pytestmark = pytest.mark.django_db

OLD = dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
NEW = dt.datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)
NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI)  # OLD is 274 days back, NEW 29


def day_of_tickets(hall: dict[str, Any], citizen: Any, clerk: Any, when: dt.datetime) -> list[Ticket]:
    with time_machine.travel(when, tick=False) as t:
        tickets = [
            services.ticket_issue(area=hall["A"], source="phone", actor=citizen, phone="13900000001"),
            services.ticket_issue(area=hall["A"], source="kiosk", id_number=citizen.id_number),
            services.ticket_issue(area=hall["A"], source="kiosk"),
        ]
        services.window_sign_in(window=hall["w1"], actor=clerk)
        t.shift(dt.timedelta(minutes=5))
        services.call_next(window=hall["w1"], actor=clerk)
        services.start_serving(window=hall["w1"], actor=clerk)
        t.shift(dt.timedelta(minutes=7))
        services.finish(window=hall["w1"], actor=clerk)
        services.window_sign_out(window=hall["w1"], actor=clerk)
    with time_machine.travel(when + dt.timedelta(days=1), tick=False):
        services.close_day()  # the day's tickets still waiting are abandoned
    return tickets


def figures_now(hall: dict[str, Any]) -> tuple[Any, ...]:
    rollups.refresh()
    f = recount(point=hall["point"], date_from=OLD.date(), date_to=NOW.date())
    return (
        sorted(
            HallDay.objects.values_list(
                "business_date", "area_id", "hour", "issued", "finished", "abandoned", "wait_ms", "service_ms"
            )
        ),
        f.issued,
        f.finished,
        f.abandoned,
        f.avg_wait_minutes,
        f.avg_service_minutes,
    )


def test_old_tickets_are_anonymised_new_ones_kept_and_the_figures_stay(hall: dict[str, Any], citizen: Any, org: Any) -> None:
    clerk = make_user("hclerk", Role.CLERK, org["XZSP"])
    old = day_of_tickets(hall, citizen, clerk, OLD)
    new = day_of_tickets(hall, citizen, clerk, NEW)
    assert PersonDayCounter.objects.filter(business_date=OLD.date()).exists()
    before = figures_now(hall)
    with time_machine.travel(NOW, tick=False):
        assert sweep_ticket_retention() == 2 + 1  # two tickets with a person, one person counter
        assert sweep_ticket_retention() == 0  # done for this hour
        assert retention.run_all_batches("tickets", SETTING, anonymise_batch) == 0  # idempotent
    for t in old:
        row = Ticket.objects.get(pk=t.pk)
        assert (row.id_number, row.id_number_hash, row.phone, row.phone_hash) == ("", "", "", "")
        assert (row.issued_at, row.number, row.source) == (t.issued_at, t.number, t.source)
    assert not Ticket.objects.filter(pk=old[0].pk, id_number=citizen.id_number).exists()
    kept = Ticket.objects.get(pk=new[0].pk)
    assert (kept.id_number, kept.phone) == (citizen.id_number, "13900000001")
    assert Ticket.objects.get(pk=new[1].pk).id_number == citizen.id_number
    assert not PersonDayCounter.objects.filter(business_date=OLD.date()).exists()
    assert PersonDayCounter.objects.filter(business_date=NEW.date()).exists()
    assert figures_now(hall) == before
    rollups.rebuild()  # counted again from the anonymised rows: the same figures
    assert figures_now(hall) == before
    entry = AuditEntry.objects.get(action="retention.tickets")
    assert entry.data["tickets"] == 2 and entry.data["person_counters"] == 1 and entry.data["days"] == 180
    assert entry.actor is None


def test_the_period_is_a_setting_and_batches_are_bounded(
    hall: dict[str, Any], citizen: Any, org: Any, settings: Any, monkeypatch: Any
) -> None:
    clerk = make_user("hclerk", Role.CLERK, org["XZSP"])
    day_of_tickets(hall, citizen, clerk, NEW)
    with time_machine.travel(NOW, tick=False):
        assert sweep_ticket_retention() == 0  # 29 days: within the default 180
        settings.RETENTION_TICKET_DAYS = 20
        ServiceHeartbeat.objects.filter(key="sweep:retention-tickets").delete()
        monkeypatch.setattr(retention, "BATCH", 1)
        assert sweep_ticket_retention() == 1 + 1  # one ticket (a full batch) and one counter
        assert sweep_ticket_retention() == 1  # a full batch: the next minute goes on
        assert sweep_ticket_retention() == 0  # nothing left, and now marked done
    assert not Ticket.objects.exclude(id_number_hash="", phone_hash="").exists()
    assert AuditEntry.objects.filter(action="retention.tickets").count() == 2
    settings.RETENTION_TICKET_DAYS = 0  # a typo cannot wipe today's queue
    assert retention.period_days(SETTING) == retention.MIN_DAYS
