"""Open hall tickets belong to their hall; a waiting ticket nobody will ever call (no window serves
its area, or its target window is closed, or the hall has no window staff) is reported."""

from __future__ import annotations

from typing import Any

from onewindow.core import ownership
from onewindow.hall import services

from .conftest import make_area, make_window


def test_tickets_are_held_by_their_hall_unless_no_window_can_call_them(hall: Any, org: Any, clerk: Any) -> None:
    ticket = services.ticket_issue(area=hall["A"], source="kiosk")
    owner = ownership.owner_of(ticket)
    assert owner is not None and owner.unit == org["gov"] and owner.held

    lonely = make_area(hall["point"], "QY-Z", "Z", name="无人窗口区")
    stuck = services.ticket_issue(area=lonely, source="kiosk")
    [problem] = ownership.problems()
    assert problem.obj == stuck and "没有窗口服务" in problem.problem
    make_window(hall["point"], 9, (lonely, 1))
    assert ownership.problems() == []

    services.window_sign_in(window=hall["w1"], actor=clerk)
    services.call_next(window=hall["w1"], actor=clerk)
    ticket.refresh_from_db()
    [item] = ownership.waiting_for(ticket)
    assert item.action == "serve" and item.url.endswith(f"/hall/window/{hall['w1'].uuid}/")


def test_a_hall_without_window_staff_holds_nothing(hall: Any) -> None:
    services.ticket_issue(area=hall["A"], source="kiosk")
    [problem] = ownership.problems()
    assert "没有窗口工作人员" in problem.problem
