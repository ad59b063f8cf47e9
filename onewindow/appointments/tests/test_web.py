"""Pages and API: the happy paths, and for every endpoint that an outsider or a wrong role is refused."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
import time_machine
from django.test import Client

from conftest import login, make_user
from onewindow.accounts.demo import resident_id
from onewindow.appointments import services
from onewindow.appointments.models import Booking, DateException, SessionRule, Slot
from onewindow.appointments.scheduling import ensure_slots

from .conftest import at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

API = "/api/v1/appointments"


def slot_at(area: Any, when: datetime.datetime) -> Slot:
    ensure_slots([area.pk], when.date(), when.date())
    return Slot.objects.select_related("area", "area__point").get(area=area, starts_at=when)


def ref(area: Any, when: datetime.datetime) -> str:
    slot_at(area, when)
    return f"{area.code}~{when:%Y%m%d%H%M}"


@pytest.fixture
def booking(hall: dict[str, Any], matters: dict[str, Any], verified_citizen: Any) -> Booking:
    return services.booking_create(
        actor=verified_citizen, matter=matters["off"], slot=slot_at(hall["area"], at(2026, 12, 2, 10, 0)), channel="web"
    )


def post_json(client: Client, url: str, data: Any = None, method: str = "post") -> Any:
    return getattr(client, method)(url, data=json.dumps(data or {}), content_type="application/json")


# ----------------------------------------------------------------------------- citizen pages


def test_citizen_flow_pages(client: Client, hall: dict[str, Any], matters: dict[str, Any], verified_citizen: Any) -> None:
    m, area = matters["off"], hall["area"]
    r = client.get("/appointments/")
    assert r.status_code == 200 and m.current_version.name in r.content.decode()
    r = client.get(f"/appointments/m/{m.uuid}/")
    assert r.status_code == 200 and "综合服务区" in r.content.decode()
    r = client.get(f"/appointments/m/{m.uuid}/a/{area.uuid}/?day=2026-12-05")
    body = r.content.decode()
    assert r.status_code == 200 and "余 3 个" in body and "居民身份证" in body and "登录后预约" in body
    login(client, verified_citizen)
    r = client.post(
        "/appointments/book/", {"matter": m.uuid, "area": area.uuid, "slot": ref(area, at(2026, 12, 5, 9)), "channel": "web"}
    )
    b = Booking.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/appointments/b/{b.code}/"
    body = client.get(r["Location"]).content.decode()
    assert b.code in body and "<svg" in body and "户口簿" in body and "青原区行政服务中心" in body
    assert b.code in client.get("/appointments/mine/").content.decode()


def test_calendar_gap_shows_message(client: Client, hall: dict[str, Any], matters: dict[str, Any]) -> None:
    with time_machine.travel(at(2026, 12, 20, 9), tick=False):
        r = client.get(f"/appointments/m/{matters['off'].uuid}/a/{hall['area'].uuid}/")
    assert r.status_code == 200 and "工作日历未覆盖" in r.content.decode()


def test_book_page_errors_are_messages_not_500(
    client: Client, hall: dict[str, Any], matters: dict[str, Any], verified_citizen: Any
) -> None:
    login(client, verified_citizen)
    lunch = ref(hall["area"], at(2026, 12, 2, 12, 0))
    r = client.post(
        "/appointments/book/", {"matter": matters["regular"].uuid, "area": hall["area"].uuid, "slot": lunch}, follow=True
    )
    assert r.status_code == 200 and "不提供延时错时预约" in r.content.decode()
    r = client.post("/appointments/book/", {"matter": matters["regular"].uuid, "slot": "garbage"}, follow=True)
    assert r.status_code == 200 and not Booking.objects.exists()


def test_booking_pages_refuse_outsider(client: Client, booking: Booking, verified_outsider: Any) -> None:
    assert client.get(f"/appointments/b/{booking.code}/").status_code == 302  # anonymous: to login
    assert client.get("/appointments/mine/").status_code == 302
    assert client.post("/appointments/book/", {"matter": booking.matter.uuid, "slot": "x"}).status_code == 302
    assert client.post(f"/appointments/b/{booking.code}/cancel/").status_code == 302
    assert client.get("/appointments/staff/").status_code == 302
    login(client, verified_outsider)
    assert client.get(f"/appointments/b/{booking.code}/").status_code == 404
    assert client.post(f"/appointments/b/{booking.code}/cancel/", {"confirm": "1"}).status_code == 404
    assert client.get(f"/appointments/b/{booking.code}/reschedule/").status_code == 404
    assert booking.code not in client.get("/appointments/mine/").content.decode()
    booking.refresh_from_db()
    assert booking.status == "booked"


def test_cancel_and_reschedule_pages(client: Client, hall: dict[str, Any], booking: Booking, verified_citizen: Any) -> None:
    login(client, verified_citizen)
    r = client.get(f"/appointments/b/{booking.code}/reschedule/?day=2026-12-03")
    assert r.status_code == 200
    client.post(f"/appointments/b/{booking.code}/reschedule/", {"slot": ref(hall["area"], at(2026, 12, 3, 9))})
    booking.refresh_from_db()
    assert booking.starts_at == at(2026, 12, 3, 9) and booking.reschedule_count == 1
    # Cancelling asks first; only the confirmed POST cancels.
    ask = client.get(f"/appointments/b/{booking.code}/cancel/")
    assert ask.status_code == 200 and "确定要取消这个预约吗" in ask.content.decode()
    client.post(f"/appointments/b/{booking.code}/cancel/")
    booking.refresh_from_db()
    assert booking.status == "booked"
    client.post(f"/appointments/b/{booking.code}/cancel/", {"confirm": "1"})
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    # A cancelled booking shows no QR code and no check-in instructions.
    page = client.get(f"/appointments/b/{booking.code}/").content.decode()
    assert "<svg" not in page and "签到" not in page and "已取消" in page


def test_signed_link_page(client: Client, hall: dict[str, Any], booking: Booking) -> None:
    token = services.manage_token(booking)
    assert client.get(f"/appointments/manage/{token}x/").status_code == 403
    r = client.get(f"/appointments/manage/{token}/")
    assert r.status_code == 200 and booking.code in r.content.decode()
    assert client.get(f"/appointments/manage/{token}/?action=reschedule&day=2026-12-04").status_code == 200
    client.post(f"/appointments/manage/{token}/", {"action": "reschedule", "slot": ref(hall["area"], at(2026, 12, 4, 9))})
    booking.refresh_from_db()
    assert booking.starts_at == at(2026, 12, 4, 9)
    client.post(f"/appointments/manage/{token}/", {"action": "cancel"})
    booking.refresh_from_db()
    assert booking.status == "booked"  # asked to confirm first
    client.post(f"/appointments/manage/{token}/", {"action": "cancel", "confirm": "1"})
    booking.refresh_from_db()
    assert booking.status == "cancelled"


# ----------------------------------------------------------------------------- staff pages


def test_staff_pages_refuse_citizens_and_wrong_roles(
    client: Client, hall: dict[str, Any], booking: Booking, verified_outsider: Any, approver: Any, clerk: Any
) -> None:
    area = hall["area"]
    for user in (verified_outsider, approver):
        client.force_login(user)
        assert client.get("/appointments/staff/").status_code == 403
        assert client.get(f"/appointments/staff/a/{area.uuid}/").status_code == 403
        assert client.get(f"/appointments/staff/a/{area.uuid}/plan/").status_code == 403
        assert client.post("/appointments/staff/check-in/", {"code": booking.code}).status_code == 403
    client.force_login(clerk)  # a clerk works the desk but does not edit plans
    assert client.get(f"/appointments/staff/a/{area.uuid}/plan/").status_code == 403
    some_rule = SessionRule.objects.filter(area=area).first()
    assert some_rule is not None
    assert client.post(f"/appointments/staff/a/{area.uuid}/plan/", {"op": "rule_off", "rule": some_rule.uuid}).status_code == 403
    assert client.get(f"/appointments/staff/a/{hall['town_area'].uuid}/").status_code == 403
    assert SessionRule.objects.filter(area=area, is_active=True).count() == 6
    booking.refresh_from_db()
    assert booking.status == "booked"


def test_clerk_day_list_check_in_and_walk_in_booking(
    client: Client, hall: dict[str, Any], matters: dict[str, Any], booking: Booking, clerk: Any
) -> None:
    login(client, clerk)
    area = hall["area"]
    r = client.get(f"/appointments/staff/a/{area.uuid}/?date=2026-12-02")
    assert r.status_code == 200 and booking.code in r.content.decode()
    r = client.get(f"/appointments/m/{matters['off'].uuid}/a/{area.uuid}/?day=2026-12-02")
    assert "窗口代约" in r.content.decode()
    r = client.post(
        "/appointments/book/",
        {
            "matter": matters["regular"].uuid,
            "area": area.uuid,
            "slot": ref(area, at(2026, 12, 2, 14)),
            "channel": "counter",
            "id_number": resident_id("19700101", 321),
            "person_name": "张三",
            "phone": "13800000000",
        },
    )
    assert r.status_code == 302 and Booking.objects.filter(person_name="张三", booked_by=clerk).exists()
    with time_machine.travel(at(2026, 12, 2, 9, 50), tick=False):
        login(client, clerk)  # sessions last 8 hours
        r = client.post("/appointments/staff/check-in/", {"code": booking.code, "next": "/appointments/staff/"}, follow=True)
    booking.refresh_from_db()
    assert booking.status == "checked_in" and booking.ticket_number and booking.ticket_number in r.content.decode()


def test_manager_edits_plan_page(
    client: Client, hall: dict[str, Any], matters: dict[str, Any], booking: Booking, hall_manager: Any
) -> None:
    login(client, hall_manager)
    area = hall["area"]
    url = f"/appointments/staff/a/{area.uuid}/plan/"
    assert client.get(url).status_code == 200
    r = client.post(
        url,
        {
            "op": "rule",
            "rule-kind": "evening",
            "rule-weekdays": ["4"],
            "rule-start": "17:30",
            "rule-end": "19:00",
            "rule-slot_minutes": "30",
            "rule-capacity": "2",
        },
    )
    assert r.status_code == 302 and SessionRule.objects.filter(area=area, kind="evening", weekdays="4").exists()
    r = client.post(
        url,
        {"op": "exception", "exc-date": "2026-12-02", "exc-kind": "closed", "exc-slot_minutes": "30", "exc-capacity": "4"},
        follow=True,
    )
    body = r.content.decode()
    assert booking.code in body and "受影响" in body  # listed to the manager
    assert DateException.objects.filter(area=area, date=datetime.date(2026, 12, 2)).exists()
    booking.refresh_from_db()
    assert booking.status == "booked" and booking.displaced_at


def test_agent_books_for_resident_page(client: Client, hall: dict[str, Any], matters: dict[str, Any], agent: Any) -> None:
    login(client, agent)
    area = hall["town_area"]
    r = client.post(
        "/appointments/book/",
        {
            "matter": matters["town"].uuid,
            "area": area.uuid,
            "slot": ref(area, at(2026, 12, 5, 9)),
            "channel": "agent",
            "id_number": resident_id("19400202", 555),
            "person_name": "李奶奶",
            "phone": "13800000001",
        },
    )
    b = Booking.objects.get()
    assert r.status_code == 302 and b.agent == agent and b.is_off_hours
    assert b.code in client.get("/appointments/mine/").content.decode()


# ----------------------------------------------------------------------------- API


def test_api_public_reads(client: Client, hall: dict[str, Any], matters: dict[str, Any]) -> None:
    m, area = matters["off"], hall["area"]
    codes = [x["code"] for x in client.get(f"{API}/matters?off_hours=true").json()["items"]]
    assert "M-OFF" in codes and "M-REG" not in codes
    assert [p["code"] for p in client.get(f"{API}/matters/{m.uuid}/places").json()["items"]] == ["ZH"]
    days = client.get(f"{API}/matters/{m.uuid}/places/{area.uuid}/availability?start=2026-12-05&end=2026-12-05").json()["items"]
    assert days[0]["free"] == 18 and days[0]["slots"][0]["kind"] == "weekend"
    over = client.get(f"{API}/overview?start=2026-12-01&end=2026-12-07").json()["items"]
    assert {o["code"] for o in over} == {"ZH", "ZXZ1"}
    assert client.get(f"{API}/overview?start=2026-12-07&end=2026-12-01").status_code == 422
    with time_machine.travel(at(2026, 12, 20, 9), tick=False):
        days = client.get(f"{API}/matters/{m.uuid}/places/{area.uuid}/availability?page_size=100").json()["items"]
    assert days[-1]["uncovered"] and "2027" in days[-1]["message"]


def test_api_booking_lifecycle(
    client: Client, hall: dict[str, Any], matters: dict[str, Any], verified_citizen: Any, clerk: Any
) -> None:
    login(client, verified_citizen)
    r = post_json(
        client,
        f"{API}/bookings",
        {"matter": str(matters["off"].uuid), "slot": ref(hall["area"], at(2026, 12, 2, 12)), "channel": "phone"},
    )
    assert r.status_code == 201, r.content
    b = r.json()
    assert (
        b["is_off_hours"]
        and b["materials"][0]["name"] == "居民身份证"
        and b["qr_svg"].startswith("<svg")
        and "*" in b["id_number"]
    )
    assert (
        post_json(
            client, f"{API}/bookings", {"matter": str(matters["off"].uuid), "slot": ref(hall["area"], at(2026, 12, 3, 9))}
        ).json()["code"]
        == "already_booked"
    )
    assert [x["code"] for x in client.get(f"{API}/bookings").json()["items"]] == [b["code"]]
    r = post_json(client, f"{API}/bookings/{b['code']}/reschedule", {"slot": ref(hall["area"], at(2026, 12, 3, 9))})
    assert r.status_code == 200 and r.json()["reschedule_count"] == 1
    client.force_login(clerk)
    assert len(client.get(f"{API}/staff/areas/{hall['area'].uuid}/bookings?date=2026-12-03").json()["items"]) == 1
    with time_machine.travel(at(2026, 12, 3, 8, 45), tick=False):
        client.force_login(clerk)
        r = post_json(client, f"{API}/check-in", {"code": b["code"]})
    assert r.status_code == 200 and r.json()["ticket_number"] and not r.json()["late"]


def test_api_refuses_outsiders_and_wrong_roles(
    client: Client,
    hall: dict[str, Any],
    matters: dict[str, Any],
    booking: Booking,
    verified_outsider: Any,
    approver: Any,
    clerk: Any,
    citizen: Any,
) -> None:
    area = hall["area"]
    rule = SessionRule.objects.filter(area=area).first()
    assert rule is not None
    exc = DateException.objects.create(area=area, date=datetime.date(2026, 12, 20), kind="closed")
    s = ref(area, at(2026, 12, 4, 9))
    # Anonymous: 401 on everything that needs an account.
    assert client.get(f"{API}/bookings").status_code == 401
    assert post_json(client, f"{API}/bookings", {"matter": str(matters["off"].uuid), "slot": s}).status_code == 401
    assert client.get(f"{API}/bookings/{booking.code}").status_code == 401
    assert post_json(client, f"{API}/check-in", {"code": booking.code}).status_code == 401
    # Another citizen: cannot see or touch the booking, nor staff endpoints.
    client.force_login(verified_outsider)
    assert client.get(f"{API}/bookings/{booking.code}").status_code == 404
    assert post_json(client, f"{API}/bookings/{booking.code}/cancel").status_code == 404
    assert post_json(client, f"{API}/bookings/{booking.code}/reschedule", {"slot": s}).status_code == 404
    assert post_json(client, f"{API}/check-in", {"code": booking.code}).status_code == 404
    assert client.get(f"{API}/staff/areas/{area.uuid}/bookings").status_code == 403
    # An unverified citizen cannot book; a citizen cannot book "for" someone else.
    client.force_login(make_user("unverified", "citizen", id_number=resident_id("19900909", 909)))
    r = post_json(client, f"{API}/bookings", {"matter": str(matters["off"].uuid), "slot": s, "channel": "web"})
    assert r.status_code == 403
    client.force_login(verified_outsider)
    r = post_json(
        client,
        f"{API}/bookings",
        {
            "matter": str(matters["off"].uuid),
            "slot": s,
            "channel": "counter",
            "id_number": resident_id("19700101", 1),
            "person_name": "x",
            "phone": "1",
        },
    )
    assert r.status_code == 403
    # Approver and clerk cannot edit plans.
    for user in (verified_outsider, approver, clerk):
        client.force_login(user)
        assert client.get(f"{API}/staff/areas/{area.uuid}/plan").status_code == 403
        body = {"kind": "evening", "weekdays": "4", "start": "18:00", "end": "19:00"}
        assert post_json(client, f"{API}/staff/areas/{area.uuid}/rules", body).status_code == 403
        assert post_json(client, f"{API}/staff/areas/{area.uuid}/rules/{rule.uuid}", body, method="put").status_code == 403
        assert client.delete(f"{API}/staff/areas/{area.uuid}/rules/{rule.uuid}").status_code == 403
        assert (
            post_json(client, f"{API}/staff/areas/{area.uuid}/exceptions", {"date": "2026-12-21", "kind": "closed"}).status_code
            == 403
        )
        assert client.delete(f"{API}/staff/areas/{area.uuid}/exceptions/{exc.uuid}").status_code == 403
    client.force_login(approver)
    assert client.get(f"{API}/staff/areas/{area.uuid}/bookings").status_code == 403
    assert post_json(client, f"{API}/check-in", {"code": booking.code}).status_code == 404
    assert SessionRule.objects.filter(area=area, is_active=True).count() == 6
    assert DateException.objects.filter(area=area).count() == 1
    booking.refresh_from_db()
    assert booking.status == "booked"


def test_api_signed_link(client: Client, hall: dict[str, Any], booking: Booking) -> None:
    token = services.manage_token(booking)
    assert client.get(f"{API}/links/{token}x").status_code == 403
    assert post_json(client, f"{API}/links/{token}x/cancel").status_code == 403
    assert (
        post_json(client, f"{API}/links/garbage/reschedule", {"slot": ref(hall["area"], at(2026, 12, 4, 9))}).status_code == 403
    )
    assert client.get(f"{API}/links/{token}").json()["code"] == booking.code
    r = post_json(client, f"{API}/links/{token}/reschedule", {"slot": ref(hall["area"], at(2026, 12, 4, 9))})
    assert r.status_code == 200 and r.json()["reschedule_count"] == 1
    assert post_json(client, f"{API}/links/{token}/cancel").json()["status"] == "cancelled"


def test_api_manager_plan_editing(client: Client, hall: dict[str, Any], booking: Booking, hall_manager: Any) -> None:
    login(client, hall_manager)
    area = hall["area"]
    plan = client.get(f"{API}/staff/areas/{area.uuid}/plan").json()
    assert len(plan["rules"]) == 6
    r = post_json(
        client,
        f"{API}/staff/areas/{area.uuid}/rules",
        {"kind": "evening", "weekdays": "4", "start": "17:30", "end": "19:00", "capacity": 2},
    )
    assert r.status_code == 201
    bad = post_json(
        client, f"{API}/staff/areas/{area.uuid}/rules", {"kind": "lunch", "weekdays": "0", "start": "13:00", "end": "12:00"}
    )
    assert bad.status_code == 422 and "end" in bad.json()["fields"]
    morning = SessionRule.objects.get(area=area, kind="regular", start=datetime.time(9))
    r = client.delete(f"{API}/staff/areas/{area.uuid}/rules/{morning.uuid}")
    assert r.status_code == 200 and [d["code"] for d in r.json()["displaced"]] == [booking.code]
    r = post_json(client, f"{API}/staff/areas/{area.uuid}/exceptions", {"date": "2026-12-12", "kind": "closed", "note": "检修"})
    assert r.status_code == 201
    exc = DateException.objects.get(area=area, date=datetime.date(2026, 12, 12))
    assert client.delete(f"{API}/staff/areas/{area.uuid}/exceptions/{exc.uuid}").status_code == 200


def test_kiosk_check_in_needs_the_points_token(client: Client, hall: dict[str, Any], booking: Booking) -> None:
    hall["point"].kiosk_token = "kiosk-secret-qyzx"
    hall["point"].save(update_fields=["kiosk_token"])
    hall["town_point"].kiosk_token = "kiosk-secret-town"
    hall["town_point"].save(update_fields=["kiosk_token"])
    url = f"{API}/kiosk/check-in"
    with time_machine.travel(at(2026, 12, 2, 9, 45), tick=False):
        assert post_json(client, url, {"code": booking.code}).status_code == 401  # no token
        for token in ("wrong", "kiosk-secret-town"):  # another hall's kiosk cannot check it in
            r = client.post(
                url, data=json.dumps({"code": booking.code}), content_type="application/json", HTTP_X_KIOSK_TOKEN=token
            )
            assert r.status_code == 404
        booking.refresh_from_db()
        assert booking.status == "booked"
        r = client.post(
            url, data=json.dumps({"code": booking.code}), content_type="application/json", HTTP_X_KIOSK_TOKEN="kiosk-secret-qyzx"
        )
    assert r.status_code == 200 and r.json()["ticket_number"] and r.json()["booking"]["person_name"] == "刘**"
    booking.refresh_from_db()
    assert booking.status == "checked_in"


def test_malformed_input_is_refused_cleanly(
    client: Client, hall: dict[str, Any], matters: dict[str, Any], verified_citizen: Any, hall_manager: Any
) -> None:
    login(client, verified_citizen)
    assert client.post("/appointments/book/", {"matter": "garbage", "slot": "x"}).status_code == 404
    r = client.post("/appointments/book/", {"matter": matters["off"].uuid, "area": "garbage", "slot": "ZH~20261202"}, follow=True)
    assert r.status_code == 200 and not Booking.objects.exists()
    assert (
        post_json(client, f"{API}/bookings", {"matter": str(matters["off"].uuid), "slot": "ZH~999999999999"}).status_code == 422
    )
    login(client, hall_manager)
    url = f"/appointments/staff/a/{hall['area'].uuid}/plan/"
    for op, field in (("rule_off", "rule"), ("exception_remove", "exception"), ("rule", "rule")):
        r = client.post(url, {"op": op, field: "not-a-uuid"}, follow=True)
        assert r.status_code in (200, 404)
    assert SessionRule.objects.filter(area=hall["area"], is_active=True).count() == 6


def test_kiosk_check_in_screen_turns_the_booking_into_its_priority_ticket(
    client: Client, hall: dict[str, Any], booking: Booking
) -> None:
    from onewindow.hall.kiosk import KIOSK_COOKIE
    from onewindow.hall.models import Ticket

    hall["point"].kiosk_token = "kiosk-secret-qyzx"
    hall["point"].save(update_fields=["kiosk_token"])
    hall["town_point"].kiosk_token = "kiosk-secret-town"
    hall["town_point"].save(update_fields=["kiosk_token"])
    url = f"/appointments/kiosk/{hall['point'].uuid}/check-in/"
    with time_machine.travel(at(2026, 12, 2, 9, 45), tick=False):
        assert client.post(url, {"code": booking.code}).status_code == 403  # not a registered kiosk
        client.cookies[KIOSK_COOKIE] = "kiosk-secret-town"  # another hall's kiosk
        assert client.post(f"/appointments/kiosk/{hall['town_point'].uuid}/check-in/", {"code": booking.code}).status_code == 404
        client.cookies[KIOSK_COOKIE] = "kiosk-secret-qyzx"
        page = client.get(url)
        assert page.status_code == 200 and 'name="code"' in page.content.decode()
        assert client.post(url, {"code": "NOPE1234"}).status_code == 404
        r = client.post(url, {"code": booking.code.lower()})
    assert r.status_code == 302 and "/receipt/?print=1" in r["Location"]
    booking.refresh_from_db()
    ticket = Ticket.objects.get(booking_ref=booking.code)
    assert booking.status == "checked_in" and (ticket.priority, ticket.source) == ("appointment", "appointment")
    assert ticket.number in client.get(r["Location"]).content.decode()


def test_on_a_phone_the_times_come_before_the_other_days(
    client: Client, hall: dict[str, Any], matters: dict[str, Any], verified_citizen: Any
) -> None:
    login(client, verified_citizen)
    page = client.get(f"/appointments/m/{matters['regular'].uuid}/a/{hall['area'].uuid}/").content.decode()
    assert 'id="slots"' in page and 'class="days"' in page
    assert page.index('id="slots"') < page.index('class="days"')


# ----------------------------------------------------------------------------- reads write nothing


def _writes_to_slots(queries: list[dict[str, Any]]) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        and ("appointments_slot" in q["sql"] or "appointments_slotday" in q["sql"])
    ]


def test_availability_reads_write_nothing_and_show_what_the_stored_days_show(
    client: Client, hall: dict[str, Any], matters: dict[str, Any]
) -> None:
    """GET pages and API answers never create slots: a day not stored yet is computed from the plan
    in memory, and the answer is the same once the sweep has stored the window."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from onewindow.appointments.models import SlotDay

    m, area = matters["off"], hall["area"]
    urls = [
        f"/appointments/m/{m.uuid}/a/{area.uuid}/?day=2026-12-05",
        f"{API}/matters/{m.uuid}/places/{area.uuid}/availability?start=2026-12-01&end=2026-12-31",
        f"{API}/overview?start=2026-12-01&end=2026-12-31",
    ]
    with CaptureQueriesContext(connection) as ctx:
        before = [client.get(u) for u in urls]
        hx = client.get(urls[0], headers={"HX-Request": "true"})
    assert all(r.status_code == 200 for r in [*before, hx])
    assert "余 3 个" in before[0].content.decode() and "余 3 个" in hx.content.decode()
    assert _writes_to_slots(ctx.captured_queries) == []
    assert Slot.objects.count() == 0 and SlotDay.objects.count() == 0
    assert before[1].json()["items"][4]["free"] == 18  # Saturday 5 December: 6 weekend slots of 3

    assert services.materialise_window() == 2 * 31  # both areas, today .. 30 days ahead
    assert services.materialise_window() == 0  # idempotent: marked days cost nothing
    after = [client.get(u) for u in urls[1:]]
    assert [r.json() for r in after] == [r.json() for r in before[1:]]


def test_month_overview_counts_a_day_stored_between_its_two_reads_once(
    hall: dict[str, Any], matters: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The overview reads the plan of the days not stored yet, then the stored slots. A booking that
    stores a day (and takes a place) between the two reads must be counted once, from its rows:
    before the fix the day came out twice (the plan's free places plus the stored ones)."""
    from onewindow.appointments import scheduling, selectors

    area, day = hall["area"], datetime.date(2026, 12, 9)
    quiet = {d: v for a in selectors.month_overview(start=day, end=day) for d, v in a.days.items() if a.area == area}
    assert quiet[day][0] > 0 and Slot.objects.count() == 0

    real = scheduling.preview

    def preview_then_a_booking_stores_the_day(*args: Any, **kwargs: Any) -> Any:
        seen = real(*args, **kwargs)
        ensure_slots([area.pk], day, day)  # the booking's transaction stores the whole day ...
        Slot.objects.filter(area=area, starts_at=at(2026, 12, 9, 9, 30)).update(booked=1)  # ... and takes a place
        return seen

    monkeypatch.setattr(selectors, "preview", preview_then_a_booking_stores_the_day)
    raced = {d: v for a in selectors.month_overview(start=day, end=day) for d, v in a.days.items() if a.area == area}
    assert raced[day] == (quiet[day][0] - 1, quiet[day][1])


def test_a_slot_of_a_day_not_stored_yet_is_bookable(
    client: Client, hall: dict[str, Any], matters: dict[str, Any], verified_citizen: Any
) -> None:
    from onewindow.appointments.models import SlotDay

    area, when = hall["area"], at(2026, 12, 9, 9, 30)
    login(client, verified_citizen)
    r = post_json(client, f"{API}/bookings", {"matter": str(matters["off"].uuid), "slot": f"ZH~{when:%Y%m%d%H%M}"})
    assert r.status_code == 201, r.content
    # The booking stored its day (all of it, marked) and took its place on the stored row.
    assert SlotDay.objects.filter(area=area, date=when.date()).exists()
    assert Slot.objects.filter(area=area, date=when.date()).count() > 1
    assert Slot.objects.get(area=area, starts_at=when).booked == 1
    # A start the plan does not give stays unknown.
    r = post_json(client, f"{API}/bookings", {"matter": str(matters["regular"].uuid), "slot": "ZH~202612100915"})
    assert r.status_code == 404
