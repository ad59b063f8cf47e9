"""The agent's booking channel: a booking in the resident's name, the agent and point recorded,
notices to the resident and the point; refusals (no mandate, not agent-eligible, another village)
store nothing; the resident checks in like anyone; the page and the API."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from conftest import login, make_user
from onewindow.accounts.demo import resident_id
from onewindow.assistance import services
from onewindow.assistance.models import AgentApplication
from onewindow.catalog.models import Matter
from onewindow.core.errors import ApplicationError
from onewindow.core.models import Notification

from .conftest import TODAY, record

pytestmark = pytest.mark.django_db
TOMORROW = TODAY + datetime.timedelta(days=1)


@pytest.fixture
def area(org: Any, matters: Any) -> Any:
    """值夏镇's hall takes bookings for the medical insurance matter (and the not eligible one)."""
    from onewindow.appointments.models import SessionKind, SessionRule
    from onewindow.appointments.scheduling import ensure_slots
    from onewindow.hall.models import ServiceArea, ServicePoint

    hall = ServicePoint.objects.create(org_unit=org["ZXZ"], code="ZXZBM", name="值夏镇便民服务中心")
    area = ServiceArea.objects.create(
        point=hall, code="ZXZ1", name="便民服务区", theme=ServiceArea.Theme.TOWNSHIP, ticket_prefix="Z"
    )
    SessionRule.objects.create(
        area=area,
        kind=SessionKind.REGULAR,
        weekdays="01234",
        start=datetime.time(9),
        end=datetime.time(12),
        slot_minutes=30,
        capacity=2,
    )
    Matter.objects.filter(pk__in=[matters["medical"].pk, matters["not_eligible"].pk]).update(service_area=area)
    for m in matters.values():
        m.refresh_from_db()
    ensure_slots([area.pk], TODAY, TODAY + datetime.timedelta(days=10))
    return area


def _slot(area: Any, day: datetime.date = TOMORROW) -> Any:
    from onewindow.appointments.models import Slot

    return Slot.objects.filter(area=area, date=day).order_by("starts_at").first()


def _nothing_stored() -> None:
    from onewindow.appointments.models import Booking

    assert not Booking.objects.exists() and not AgentApplication.objects.exists()


def test_booking_in_the_residents_name_with_notices(
    mandate: Any, agent: Any, resident: Any, matters: Any, points: Any, org: Any, area: Any
) -> None:
    app = services.agent_book(actor=agent, resident=resident, matter=matters["medical"], slot=_slot(area))
    b = app.booking
    assert b is not None
    assert (b.channel, b.user, b.id_number, b.person_name) == ("agent", resident, resident.id_number, resident.display_name)
    assert (b.agent, b.agent_unit, app.point, app.mandate) == (agent, org["ZXSQ"], points["ZXSQ"], mandate)
    assert Notification.objects.filter(recipient=resident.phone, kind="appointment.booked").exists()
    assert Notification.objects.filter(user=resident, channel="site", kind="assistance.booked").exists()
    assert Notification.objects.filter(recipient=points["ZXSQ"].phone, kind="assistance.booked").exists()


def test_refusals_store_nothing(
    agent: Any, other_agent: Any, resident: Any, matters: Any, points: Any, org: Any, area: Any
) -> None:
    slot = _slot(area)
    with pytest.raises(ApplicationError) as exc:  # no mandate
        services.agent_book(actor=agent, resident=resident, matter=matters["medical"], slot=slot)
    assert exc.value.code == "no_mandate"
    _nothing_stored()
    record(agent, points["ZXSQ"], resident)
    with pytest.raises(ApplicationError) as exc:  # not agent-eligible
        services.agent_book(actor=agent, resident=resident, matter=matters["not_eligible"], slot=slot)
    assert exc.value.code == "not_agent_eligible"
    with pytest.raises(ApplicationError) as exc:  # a resident of another village
        services.agent_book(actor=other_agent, resident=resident, matter=matters["medical"], slot=slot)
    assert exc.value.code == "other_village"
    _nothing_stored()


def test_the_resident_checks_in_like_anyone(mandate: Any, agent: Any, resident: Any, matters: Any, org: Any, area: Any) -> None:
    import time_machine

    from onewindow.appointments.services import booking_check_in

    slot = _slot(area)
    app = services.agent_book(actor=agent, resident=resident, matter=matters["medical"], slot=slot)
    assert app.booking is not None
    desk = make_user("desk_zxz", "township_officer", org["ZXZ"])
    with time_machine.travel(slot.starts_at - datetime.timedelta(minutes=5), tick=False):
        result = booking_check_in(actor=desk, code=app.booking.code)
    app.booking.refresh_from_db()
    assert app.booking.status == "checked_in" and result.ticket is not None and not result.late


# --- the page -------------------------------------------------------------------------------------


def test_page_books_for_the_resident(client: Client, mandate: Any, agent: Any, resident: Any, matters: Any, area: Any) -> None:
    login(client, agent)
    r = client.get("/assistance/book/", {"resident": str(mandate.uuid), "matter": str(matters["medical"].uuid)})
    assert r.status_code == 200 and r.context["day"].slots  # the first day with free places
    r = client.get(
        "/assistance/book/",
        {"resident": str(mandate.uuid), "matter": str(matters["medical"].uuid), "day": TOMORROW.isoformat()},
    )
    assert r.status_code == 200
    assert "not_eligible" not in [m.code for m in r.context["matters"]]  # only agent-eligible matters offered
    slot = _slot(area)
    ref = f"ZXZ1~{slot.starts_at.astimezone(datetime.timezone(datetime.timedelta(hours=8))):%Y%m%d%H%M}"
    assert ref in r.content.decode()
    r = client.post(
        "/assistance/book/",
        {"resident": str(mandate.uuid), "matter": str(matters["medical"].uuid), "slot": ref, "phone": resident.phone},
    )
    app = AgentApplication.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/assistance/applications/{app.uuid}/"
    assert app.booking is not None and app.booking.user == resident
    assert app.booking.code in client.get(r["Location"]).content.decode()


@pytest.mark.parametrize("refusal", ["no_mandate", "not_agent_eligible", "other_village"])
def test_page_refusals_store_nothing(
    client: Client, refusal: str, agent: Any, resident: Any, matters: Any, points: Any, org: Any, area: Any
) -> None:
    login(client, agent)
    matter = matters["not_eligible"] if refusal == "not_agent_eligible" else matters["medical"]
    data = {"matter": str(matter.uuid), "slot": f"ZXZ1~{TOMORROW:%Y%m%d}0900", "phone": "13900000011"}
    if refusal == "no_mandate":
        data["id_number"] = resident.id_number  # registered, but no mandate at this point
    elif refusal == "other_village":
        moved = make_user("moved", "citizen", id_number=resident_id("19520101", 14), home_unit=org["ZXSQ"])
        m = record(agent, points["ZXSQ"], moved)
        type(moved).objects.filter(pk=moved.pk).update(home_unit=org["FTC"])  # moved away since
        data["resident"] = str(m.uuid)
    else:
        data["resident"] = str(record(agent, points["ZXSQ"], resident).uuid)
    r = client.post("/assistance/book/", data)
    assert r.status_code in (403, 422), r.status_code
    assert r.context["errors"]["code"] == refusal
    _nothing_stored()


def test_page_refuses_outsiders(client: Client, outsider: Any, mandate: Any, matters: Any, area: Any) -> None:
    assert client.get("/assistance/book/").status_code == 302  # to the sign-in page
    login(client, outsider)
    assert client.get("/assistance/book/").status_code == 403
    data = {"resident": str(mandate.uuid), "matter": str(matters["medical"].uuid), "slot": f"ZXZ1~{TOMORROW:%Y%m%d}0900"}
    assert client.post("/assistance/book/", data).status_code == 403
    _nothing_stored()


# --- the API ---------------------------------------------------------------------------------------


def test_api_refusals_store_nothing(client: Client, agent: Any, resident: Any, matters: Any, points: Any, area: Any) -> None:
    m = record(agent, points["ZXSQ"], resident)
    services.mandate_revoke(actor=resident, mandate=m, reason="不用了")
    login(client, agent)
    body = {"mandate": str(m.uuid), "matter": str(matters["medical"].uuid), "slot": f"ZXZ1~{TOMORROW:%Y%m%d}0900"}
    r = client.post("/api/v1/assistance/bookings", body, content_type="application/json")
    assert r.status_code == 403 and r.json()["code"] == "no_mandate"
    m2 = record(agent, points["ZXSQ"], resident)
    r = client.post(
        "/api/v1/assistance/bookings",
        {**body, "mandate": str(m2.uuid), "matter": str(matters["not_eligible"].uuid)},
        content_type="application/json",
    )
    assert r.status_code in (403, 422) and r.json()["code"] == "not_agent_eligible"
    _nothing_stored()
