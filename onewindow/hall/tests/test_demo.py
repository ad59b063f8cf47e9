from __future__ import annotations

import datetime
import io
from typing import Any

import pytest

from onewindow.core.demo import DemoContext
from onewindow.hall import demo
from onewindow.hall.models import Ticket, TicketEvent
from onewindow.hall.services import business_date
from onewindow.hall.stats import figures, sections

pytestmark = pytest.mark.django_db


def test_demo_skips_without_the_hall_structure(db: Any) -> None:
    out = io.StringIO()
    demo.build(DemoContext(out=out))
    assert "skipped" in out.getvalue() and not Ticket.objects.exists()


def test_demo_activity_is_idempotent_and_feeds_the_figures(hall: dict[str, Any], leader: Any) -> None:
    demo.build(DemoContext(quiet=True))
    tickets, events = Ticket.objects.count(), TicketEvent.objects.count()
    assert tickets > 200
    demo.build(DemoContext(quiet=True))
    assert (Ticket.objects.count(), TicketEvent.objects.count()) == (tickets, events)
    today = business_date()
    f = figures(point=hall["point"], date_from=today - datetime.timedelta(days=40), date_to=today)
    assert f.issued > 0 and f.avg_wait_minutes is not None
    assert f.within_service_level is not None and 0 < f.within_service_level <= 1
    assert Ticket.objects.filter(business_date=today, status="waiting").exists()  # a live line today
    sec = sections(user=leader, params={"date_from": today - datetime.timedelta(days=60), "date_to": today})[0]
    assert sec.key == "hall" and sec.figures[0].value == Ticket.objects.count()
    assert [t.title for t in sec.tables] == ["各服务区", "各窗口办结量", "各工作人员办结量"]
    assert sections(user=None, params={})[0].tables[-1].title == "各窗口办结量"  # names of staff only for managers
