"""Hall services: numbering, limits, priority rules, window actions, end of day, figures."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from onewindow.accounts.demo import resident_id
from onewindow.core.errors import Conflict, PermissionDenied, ValidationFailed
from onewindow.hall import rollups as hall_rollups
from onewindow.hall import services
from onewindow.hall.models import AreaDayCounter, Ticket, TicketEvent, WindowSession
from onewindow.hall.services import SHANGHAI, call_next, ticket_issue
from onewindow.hall.stats import figures

from .conftest import called

pytestmark = pytest.mark.django_db


def kinds(ticket: Ticket) -> list[str]:
    return list(ticket.events.order_by("id").values_list("kind", flat=True))


def test_numbers_per_area_restart_each_shanghai_business_day(hall: dict[str, Any], citizen: Any) -> None:
    # 23:30 UTC on the 27th is 07:30 on the 28th in Asia/Shanghai.
    with time_machine.travel(dt.datetime(2026, 11, 27, 23, 30, tzinfo=dt.UTC), tick=False):
        a1 = ticket_issue(area=hall["A"], source="kiosk")
        a2 = ticket_issue(area=hall["A"], source="phone", actor=citizen)
        f1 = ticket_issue(area=hall["F"], source="clerk")
    assert (a1.number, a2.number, f1.number) == ("A001", "A002", "F001")
    assert a1.business_date == dt.date(2026, 11, 28)
    with time_machine.travel(dt.datetime(2026, 11, 29, 1, 0, tzinfo=SHANGHAI), tick=False):
        assert ticket_issue(area=hall["A"], source="kiosk").number == "A001"
    saved = Ticket.objects.get(uuid=a1.uuid)
    assert (saved.status, saved.issue_area_id, saved.point_id) == ("waiting", hall["A"].pk, hall["point"].pk)
    assert kinds(saved) == ["issued"]
    # the township hall has its own A line
    assert ticket_issue(area=hall["T"], source="kiosk").number.startswith("A")


def test_bad_input_is_refused_and_changes_nothing(hall: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed) as invalid:
        ticket_issue(area=hall["A"], source="fax")
    assert invalid.value.code == "validation_failed" and set(invalid.value.fields) == {"source"}
    with pytest.raises(ValidationFailed) as invalid:
        ticket_issue(area=hall["A"], source="kiosk", priority="vip")
    assert invalid.value.code == "validation_failed" and set(invalid.value.fields) == {"priority"}
    with pytest.raises(ValidationFailed) as invalid:
        ticket_issue(area=hall["A"], source="kiosk", id_number="360803195603122281")  # bad checksum
    assert invalid.value.code == "id_checksum"
    hall["A"].require_id_number = True
    hall["A"].save()
    with pytest.raises(ValidationFailed) as err:
        ticket_issue(area=hall["A"], source="kiosk")
    assert err.value.code == "id_required"
    assert not Ticket.objects.exists() and not AreaDayCounter.objects.exists()


def test_daily_cap_and_per_person_limit_are_enforced_by_the_counters(hall: dict[str, Any]) -> None:
    area = hall["A"]
    area.daily_cap, area.per_person_daily_limit = 3, 2
    area.save()
    me, other = resident_id("19560312", 228), resident_id("19900101", 111)
    ticket_issue(area=area, source="kiosk", id_number=me)
    ticket_issue(area=area, source="kiosk", id_number=me)
    with pytest.raises(Conflict) as err:
        ticket_issue(area=area, source="kiosk", id_number=me)
    assert err.value.code == "person_limit"
    ticket_issue(area=area, source="kiosk", id_number=other)
    with pytest.raises(Conflict) as err:
        ticket_issue(area=area, source="kiosk", id_number=resident_id("19790605", 137))
    assert err.value.code == "daily_cap"
    assert Ticket.objects.count() == 3
    assert AreaDayCounter.objects.get(area=area).n == 3
    # a refused ticket used up nothing of the person's allowance
    assert Ticket.objects.filter(id_number=other).count() == 1


def test_priority_appointment_then_green_then_arrival(hall: dict[str, Any], clerk: Any) -> None:
    normal = ticket_issue(area=hall["A"], source="kiosk")
    green = ticket_issue(area=hall["A"], source="kiosk", priority="green")
    appt = ticket_issue(area=hall["A"], source="appointment", priority="appointment", booking_ref="BK1")
    later = ticket_issue(area=hall["A"], source="kiosk")
    services.window_sign_in(window=hall["w1"], actor=clerk)
    order = [called(window=hall["w1"], actor=clerk).number for _ in range(4)]
    assert order == [appt.number, green.number, normal.number, later.number]
    assert call_next(window=hall["w1"], actor=clerk) is None
    # each call_next finished the one before
    assert Ticket.objects.filter(status="finished").count() == 4


def test_a_window_serving_two_areas_uses_its_area_priority(hall: dict[str, Any], clerk: Any) -> None:
    f = ticket_issue(area=hall["F"], source="kiosk")
    a = ticket_issue(area=hall["A"], source="kiosk")
    services.window_sign_in(window=hall["w2"], actor=clerk)  # A priority 1, F priority 2
    assert called(window=hall["w2"], actor=clerk).number == a.number
    assert called(window=hall["w2"], actor=clerk).number == f.number


def test_window_actions_need_a_shift_at_that_window(hall: dict[str, Any], clerk: Any, outsider: Any) -> None:
    ticket_issue(area=hall["A"], source="kiosk")
    with pytest.raises(PermissionDenied) as denied:
        call_next(window=hall["w1"], actor=clerk)
    assert denied.value.code == "not_signed_in"
    with pytest.raises(PermissionDenied) as denied:
        services.window_sign_in(window=hall["w1"], actor=outsider)
    assert denied.value.code == "permission_denied"
    with pytest.raises(PermissionDenied) as denied:
        services.window_sign_in(window=hall["tw"], actor=clerk)  # a district clerk at a township hall
    assert denied.value.code == "permission_denied"
    services.window_sign_in(window=hall["w1"], actor=clerk)
    with pytest.raises(PermissionDenied) as denied:
        call_next(window=hall["w2"], actor=clerk)
    assert denied.value.code == "not_signed_in"
    # signing in elsewhere ends the first shift
    services.window_sign_in(window=hall["w2"], actor=clerk)
    assert WindowSession.objects.filter(user=clerk, ended_at__isnull=True).get().window == hall["w2"]


def test_township_officer_works_the_township_hall(hall: dict[str, Any], township_officer: Any) -> None:
    services.window_sign_in(window=hall["tw"], actor=township_officer)
    t = ticket_issue(area=hall["T"], source="kiosk")
    assert called(window=hall["tw"], actor=township_officer).pk == t.pk
    with pytest.raises(PermissionDenied) as denied:
        services.window_sign_in(window=hall["w1"], actor=township_officer)
    assert denied.value.code == "permission_denied"


def test_recall_no_show_after_n_recalls(hall: dict[str, Any], clerk: Any) -> None:
    t = ticket_issue(area=hall["A"], source="kiosk")
    services.window_sign_in(window=hall["w1"], actor=clerk)
    call_next(window=hall["w1"], actor=clerk)
    with pytest.raises(Conflict) as conflict:
        services.mark_no_show(window=hall["w1"], actor=clerk)
    assert conflict.value.code == "recall_first"
    services.recall(window=hall["w1"], actor=clerk)
    services.recall(window=hall["w1"], actor=clerk)
    services.mark_no_show(window=hall["w1"], actor=clerk)
    t.refresh_from_db()
    assert t.status == "no_show" and t.call_count == 3
    assert kinds(t) == ["issued", "called", "recalled", "recalled", "no_show"]
    with pytest.raises(Conflict) as conflict:
        services.recall(window=hall["w1"], actor=clerk)
    assert conflict.value.code == "no_current_ticket"


def test_start_hold_resume_finish(hall: dict[str, Any], clerk: Any) -> None:
    t = ticket_issue(area=hall["A"], source="kiosk")
    u = ticket_issue(area=hall["A"], source="kiosk")
    services.window_sign_in(window=hall["w1"], actor=clerk)
    call_next(window=hall["w1"], actor=clerk)
    services.start_serving(window=hall["w1"], actor=clerk)
    services.hold(window=hall["w1"], actor=clerk, note="fetching a copy")
    assert called(window=hall["w1"], actor=clerk).pk == u.pk
    with pytest.raises(Conflict) as conflict:
        services.resume(window=hall["w1"], ticket=t, actor=clerk)  # busy with u
    assert conflict.value.code == "window_busy"
    services.finish(window=hall["w1"], actor=clerk)
    services.resume(window=hall["w1"], ticket=t, actor=clerk)
    services.finish(window=hall["w1"], actor=clerk)
    t.refresh_from_db()
    assert t.status == "finished"
    assert kinds(t) == ["issued", "called", "started", "held", "resumed", "finished"]


def test_transfer_first_or_last_keeps_the_arrival_time(hall: dict[str, Any], clerk: Any, approver: Any) -> None:
    from conftest import make_user
    from onewindow.accounts.models import Role

    clerk2 = make_user("clerk2", Role.CLERK, hall["point"].org_unit)
    f1 = ticket_issue(area=hall["F"], source="kiosk")
    f2 = ticket_issue(area=hall["F"], source="kiosk")
    a1 = ticket_issue(area=hall["A"], source="kiosk")
    a2 = ticket_issue(area=hall["A"], source="kiosk")
    services.window_sign_in(window=hall["w1"], actor=clerk)
    services.window_sign_in(window=hall["w3"], actor=clerk2)
    assert called(window=hall["w1"], actor=clerk).pk == a1.pk
    services.transfer(window=hall["w1"], actor=clerk, to_area=hall["F"], position="first")
    moved = Ticket.objects.get(pk=a1.pk)
    assert (moved.status, moved.area_id, moved.issued_at, moved.number) == ("waiting", hall["F"].pk, a1.issued_at, "A001")
    assert called(window=hall["w3"], actor=clerk2).pk == a1.pk  # first in F's line
    assert called(window=hall["w1"], actor=clerk).pk == a2.pk
    services.transfer(window=hall["w1"], actor=clerk, to_area=hall["F"], position="last")
    order = [called(window=hall["w3"], actor=clerk2).pk for _ in range(3)]
    assert order == [f1.pk, f2.pk, a2.pk]
    assert "transferred" in kinds(moved)
    with pytest.raises(ValidationFailed) as invalid:
        services.transfer(window=hall["w3"], actor=clerk2, to_area=hall["T"])  # another point
    assert invalid.value.code == "bad_area"


def test_transfer_to_a_window_only_that_window_calls_it(hall: dict[str, Any], clerk: Any) -> None:
    from conftest import make_user
    from onewindow.accounts.models import Role

    clerk2 = make_user("clerk2", Role.CLERK, hall["point"].org_unit)
    t = ticket_issue(area=hall["A"], source="kiosk")
    services.window_sign_in(window=hall["w1"], actor=clerk)
    services.window_sign_in(window=hall["w2"], actor=clerk2)
    call_next(window=hall["w1"], actor=clerk)
    services.transfer(window=hall["w1"], actor=clerk, to_window=hall["w2"], position="last")
    assert call_next(window=hall["w1"], actor=clerk) is None
    assert called(window=hall["w2"], actor=clerk2).pk == t.pk


def test_call_specific(hall: dict[str, Any], clerk: Any) -> None:
    ticket_issue(area=hall["A"], source="kiosk")
    b = ticket_issue(area=hall["A"], source="kiosk")
    f = ticket_issue(area=hall["F"], source="kiosk")
    services.window_sign_in(window=hall["w1"], actor=clerk)
    assert services.call_specific(window=hall["w1"], ticket=b, actor=clerk).status == "called"
    with pytest.raises(ValidationFailed) as invalid:
        services.call_specific(window=hall["w1"], ticket=f, actor=clerk)  # w1 does not serve F
    assert invalid.value.code == "wrong_area"
    with pytest.raises(Conflict) as conflict:
        services.call_specific(window=hall["w1"], ticket=Ticket.objects.get(pk=b.pk), actor=clerk)
    assert conflict.value.code == "not_waiting"


def test_position_and_estimated_wait(hall: dict[str, Any], clerk: Any) -> None:
    tickets = [ticket_issue(area=hall["A"], source="kiosk") for _ in range(4)]
    green = ticket_issue(area=hall["A"], source="kiosk", priority="green")
    assert services.ticket_position(tickets[0]) == (1, 8)  # the green ticket is ahead; 8 min default, 1 window
    assert services.ticket_position(green) == (0, 0)
    services.window_sign_in(window=hall["w1"], actor=clerk)
    ahead, wait = services.ticket_position(tickets[3])
    assert (ahead, wait) == (4, 32)


def test_end_of_day_closes_open_tickets_as_abandoned(hall: dict[str, Any], clerk: Any) -> None:
    with time_machine.travel(dt.datetime(2026, 11, 27, 10, 0, tzinfo=SHANGHAI), tick=False):
        old = ticket_issue(area=hall["A"], source="kiosk")
        services.window_sign_in(window=hall["w1"], actor=clerk)
    with time_machine.travel(dt.datetime(2026, 11, 28, 8, 0, tzinfo=SHANGHAI), tick=False):
        fresh = ticket_issue(area=hall["A"], source="kiosk")
        assert services.close_day() == 1
        assert services.close_day() == 0  # idempotent
    assert Ticket.objects.get(pk=old.pk).status == "abandoned"
    assert Ticket.objects.get(pk=fresh.pk).status == "waiting"
    assert kinds(old) == ["issued", "abandoned"]
    assert not WindowSession.objects.filter(ended_at__isnull=True).exists()


def test_figures_come_from_the_event_log(hall: dict[str, Any], clerk: Any) -> None:
    day = dt.date(2026, 11, 27)

    def at(h: int, m: int) -> Any:
        return time_machine.travel(dt.datetime(2026, 11, 27, h, m, tzinfo=SHANGHAI), tick=False)

    with at(9, 0):
        t1 = ticket_issue(area=hall["A"], source="kiosk")
        t2 = ticket_issue(area=hall["A"], source="kiosk")
        t3 = ticket_issue(area=hall["A"], source="kiosk")
        services.window_sign_in(window=hall["w1"], actor=clerk)
    with at(9, 10):
        call_next(window=hall["w1"], actor=clerk)  # t1 waited 10 min
    with at(9, 11):
        services.start_serving(window=hall["w1"], actor=clerk)
    with at(9, 21):
        call_next(window=hall["w1"], actor=clerk)  # t1 served 10 min; t2 waited 21 min
    with at(9, 22):
        services.recall(window=hall["w1"], actor=clerk)
        services.recall(window=hall["w1"], actor=clerk)
        services.mark_no_show(window=hall["w1"], actor=clerk)
    with at(9, 30):
        call_next(window=hall["w1"], actor=clerk)  # t3 waited 30 min
    with at(9, 36):
        services.finish(window=hall["w1"], actor=clerk)  # served 6 min (from the call)
    f = figures(point=hall["point"], date_from=day, date_to=day)
    assert (f.issued, f.called, f.finished, f.no_show) == (3, 3, 2, 1)
    assert f.avg_wait_minutes == pytest.approx((10 + 21 + 30) / 3)
    assert f.avg_service_minutes == pytest.approx(8)
    assert f.within_service_level == pytest.approx(1 / 3)  # only t1 within 15 min
    assert f.no_show_rate == pytest.approx(1 / 3)
    assert f.per_window == {hall["w1"].pk: 2} and f.per_clerk == {clerk.pk: 2}
    # a 25-minute service level for the area changes the share once the rollups are recounted
    # (a day is counted against the level in force when it is counted; see docs/dashboard.md)
    hall["A"].service_level_minutes = 25
    hall["A"].save()
    assert figures(point=hall["point"], date_from=day, date_to=day).within_service_level == pytest.approx(1 / 3)
    hall_rollups.rebuild()
    assert figures(point=hall["point"], date_from=day, date_to=day).within_service_level == pytest.approx(2 / 3)
    assert {t1.pk, t2.pk, t3.pk} == set(TicketEvent.objects.values_list("ticket_id", flat=True))
    assert timezone.now()


def test_call_next_by_uuid_covers_multi_area_windows_and_refusals(hall: dict[str, Any], clerk: Any) -> None:
    import uuid

    from onewindow.core.errors import NotFound

    f = ticket_issue(area=hall["F"], source="kiosk")
    with pytest.raises(PermissionDenied) as denied:
        services.call_next_by_uuid(window_uuid=hall["w2"].uuid, actor=clerk)
    assert denied.value.code == "not_signed_in"
    services.window_sign_in(window=hall["w2"], actor=clerk)
    # w2's first area (A) is empty: its second area (F) is served
    assert services.call_next_by_uuid(window_uuid=hall["w2"].uuid, actor=clerk) == (f.uuid, f.number, 2)
    a = ticket_issue(area=hall["A"], source="kiosk")
    assert services.call_next_by_uuid(window_uuid=hall["w2"].uuid, actor=clerk) == (a.uuid, a.number, 2)
    assert Ticket.objects.get(pk=f.pk).status == "finished"
    assert services.call_next_by_uuid(window_uuid=hall["w2"].uuid, actor=clerk) == (None, None, 2)
    with pytest.raises(NotFound) as missing:
        services.call_next_by_uuid(window_uuid=uuid.uuid4(), actor=clerk)
    assert missing.value.code == "not_found"
