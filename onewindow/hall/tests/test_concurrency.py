"""Real concurrent connections: 64 clients take tickets while 8 windows call next."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import pytest
from django.db import connections

from onewindow.accounts.models import Role
from onewindow.core.testing import run_concurrently
from onewindow.hall import selectors, services
from onewindow.hall.models import ServiceArea, Ticket, TicketEvent, Window
from onewindow.hall.services import call_next, ticket_issue

from .conftest import called, make_area, make_point, make_window

TAKERS = 64
WINDOWS = 8


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["service", "api_statement"])
def test_64_takers_and_8_windows_no_duplicate_no_double_call_no_loss(org: Any, path: str) -> None:
    from conftest import make_user

    point = make_point(org["gov"], "QY-HALL", "青原区行政服务中心")
    area = make_area(point, "QY-A", "A")
    windows = [make_window(point, n + 1, (area, 1)) for n in range(WINDOWS)]
    clerks = [make_user(f"clerk{n}", Role.CLERK, org["XZSP"]) for n in range(WINDOWS)]
    for w, c in zip(windows, clerks, strict=True):
        services.window_sign_in(window=w, actor=c)

    def work(i: int) -> Any:
        if i < TAKERS:
            fresh = ServiceArea.objects.get(pk=area.pk)
            t = ticket_issue(area=fresh, source="kiosk")
            return ("took", t.number)
        w = Window.objects.get(pk=windows[i - TAKERS].pk)
        mine = []
        deadline = time.monotonic() + 90
        # Call until every ticket has been taken and the line is empty.
        while time.monotonic() < deadline:
            if path == "service":
                next_one = call_next(window=w, actor=clerks[i - TAKERS])
                number = next_one.number if next_one else None
            else:  # the API's one-statement path
                number = services.call_next_by_uuid(window_uuid=w.uuid, actor=clerks[i - TAKERS])[1]
            if number is not None:
                mine.append(number)
            elif (
                Ticket.objects.filter(area=area).count() == TAKERS
                and not Ticket.objects.filter(area=area, status="waiting").exists()
            ):
                break
        return ("called", mine)

    results = run_concurrently(work, TAKERS + WINDOWS)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors
    answers: list[Any] = list(results)
    taken = [r[1] for r in answers if r[0] == "took"]
    called_numbers = [n for r in answers if r[0] == "called" for n in r[1]]
    # no duplicate number: exactly A001..A064
    assert sorted(taken) == [f"A{n:03d}" for n in range(1, TAKERS + 1)]
    # no ticket lost: every number is in the database with its issued event
    assert Ticket.objects.filter(area=area).count() == TAKERS
    assert TicketEvent.objects.filter(kind="issued").count() == TAKERS
    # no ticket called by two windows
    dup = [n for n, c in Counter(called_numbers).items() if c > 1]
    assert not dup, dup
    per_ticket = Counter(TicketEvent.objects.filter(kind="called").values_list("ticket_id", flat=True))
    assert all(c == 1 for c in per_ticket.values())
    assert len(per_ticket) == len(called_numbers)
    # every ticket was called exactly once: none lost between taking and calling
    assert sorted(called_numbers) == sorted(taken)
    assert not Ticket.objects.filter(status="waiting").exists()
    # fairness: the line is in the order people took their numbers, and no window ever called a
    # later number before an earlier one it called afterwards
    line = list(Ticket.objects.filter(area=area).order_by("queue_at", "id").values_list("seq", flat=True))
    assert line == sorted(line), "places in line out of number order"
    for r in answers:
        if r[0] == "called":
            assert r[1] == sorted(r[1]), f"a window called out of number order: {r[1]}"
    connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_daily_cap_holds_under_concurrency(org: Any) -> None:
    point = make_point(org["gov"], "QY-HALL", "青原区行政服务中心")
    area = make_area(point, "QY-A", "A", daily_cap=10)

    def take(i: int) -> Any:
        return ticket_issue(area=ServiceArea.objects.get(pk=area.pk), source="kiosk").number

    results = run_concurrently(take, 24)
    numbers = [r for r in results if isinstance(r, str)]
    refused = [r for r in results if not isinstance(r, str)]
    assert sorted(numbers) == [f"A{n:03d}" for n in range(1, 11)]
    assert len(refused) == 14 and all(getattr(r, "code", "") == "daily_cap" for r in refused)
    assert Ticket.objects.count() == 10


@pytest.mark.django_db(transaction=True)
def test_board_catches_up_from_the_database_after_restart(org: Any, clerk: Any) -> None:
    """State lives in the database only: a board that polls with the last id it saw gets every call
    made meanwhile, through fresh connections (as after a server restart)."""
    point = make_point(org["gov"], "QY-HALL", "青原区行政服务中心")
    area = make_area(point, "QY-A", "A")
    w = make_window(point, 3, (area, 1))
    services.window_sign_in(window=w, actor=clerk)
    for _ in range(3):
        ticket_issue(area=area, source="kiosk")
    services.call_next(window=w, actor=clerk)
    last_seen = selectors.board_calls(point)[-1].id
    connections.close_all()  # "restart": every connection dropped

    def later(i: int) -> Any:
        ww = Window.objects.get(pk=w.pk)
        return [called(window=ww, actor=clerk).number, services.recall(window=ww, actor=clerk).number]

    assert run_concurrently(later, 1) == [["A002", "A002"]]
    connections.close_all()
    missed = selectors.board_calls(point, after=last_seen)
    assert [(c.number, c.window, c.recall) for c in missed] == [("A002", 3, False), ("A002", 3, True)]


@pytest.mark.django_db(transaction=True)
def test_double_clicks_on_one_window_never_leave_two_current_tickets(org: Any, clerk: Any) -> None:
    from onewindow.core.errors import Conflict

    point = make_point(org["gov"], "QY-HALL", "青原区行政服务中心")
    area = make_area(point, "QY-A", "A")
    w = make_window(point, 1, (area, 1))
    services.window_sign_in(window=w, actor=clerk)
    for _ in range(10):
        ticket_issue(area=area, source="kiosk")

    def click(i: int) -> Any:
        return call_next(window=Window.objects.get(pk=w.pk), actor=clerk)

    results = run_concurrently(click, 6)
    assert all(isinstance(r, Ticket | Conflict) for r in results), results
    assert Ticket.objects.filter(window=w, status__in=["called", "serving"]).count() == 1
    called = [r.number for r in results if isinstance(r, Ticket)]
    assert len(set(called)) == len(called)
    # every ticket the window called is either its current one or finished - none stuck
    assert Ticket.objects.filter(window=w).exclude(status__in=["called", "finished"]).count() == 0
