"""Counties as tenants (docs/tenancy.md), appointments: county A's staff never read or change
county B's plans, slots and bookings.

County B (onewindow/core/tests/counties.py) gets a weekly plan on its hall's area, a closed day, a
booking rule for its matter, the materialised slots of a day and a booking made at B's desk for
the shared citizen; county A (the appointments tests' hall) gets its own plan and a booking, so
"B's administrator sees exactly B's" is not read off an empty county A. Every county-A user is run
over every appointments model (their `scoped` queryset), the access checks and selectors, every
staff API operation and every staff page on B's area and booking: each answers 403/404 (or leaves
B out of a list) and B's rows stay as they were."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.apps import apps
from django.test import Client

from onewindow.accounts.demo import resident_id
from onewindow.accounts.models import County, User
from onewindow.appointments import access, selectors, services
from onewindow.appointments.county_policy import county_policy_set
from onewindow.appointments.models import Booking, DateException, MatterBookingRule, SessionRule, Slot
from onewindow.appointments.scheduling import ensure_slots
from onewindow.catalog.models import Matter
from onewindow.core.errors import NotFound, PermissionDenied
from onewindow.core.tenancy import county_lookup, for_county
from onewindow.core.tests.counties import A_ROLES, B, a_users, assert_calls_refused, assert_rows_stay_in_county, county_b, fresh

from .conftest import at, standard_plan

__all__ = ["a_users", "county_b"]  # the shared fixtures, used here by name

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

API = "/api/v1/appointments"
DAY = datetime.date(2026, 12, 2)  # a Wednesday after the frozen clock (Tuesday 2026-12-01 08:00)
APPT_MODELS = sorted(
    (m for m in apps.get_app_config("appointments").get_models() if county_lookup(m) is not None),
    key=lambda m: m._meta.label_lower,
)


def _slot(area: Any, when: datetime.datetime) -> Slot:
    ensure_slots([area.pk], when.date(), when.date())
    return Slot.objects.select_related("area", "area__point__org_unit").get(area=area, starts_at=when)


@pytest.fixture
def appt_b(
    county_b: dict[str, Any], hall: dict[str, Any], matters: dict[str, Matter], clerk: User, citizen: User
) -> dict[str, Any]:
    area = county_b["area"]
    standard_plan(area)
    Matter.objects.filter(pk=county_b["matter"].pk).update(service_area=area)
    matter = Matter.objects.select_related("current_version").get(pk=county_b["matter"].pk)
    MatterBookingRule.objects.create(matter=matter, slot_units=1)
    closed = DateException.objects.create(area=area, date=datetime.date(2026, 12, 10), kind=DateException.Kind.CLOSED)
    booking = services.booking_create(
        actor=fresh(county_b["clerk"]),
        matter=matter,
        slot=_slot(area, at(2026, 12, 2, 10)),
        channel=Booking.Channel.COUNTER,
        id_number=citizen.id_number,
        person_name="刘秀英",
        phone="13900000001",
    )
    # County A's own rows, a booking at its own desk among them: the positive control and the rows
    # B's administrator must not see.
    MatterBookingRule.objects.create(matter=matters["regular"], slot_units=1)
    DateException.objects.create(area=hall["area"], date=datetime.date(2026, 12, 10), kind=DateException.Kind.CLOSED)
    booking_a = services.booking_create(
        actor=fresh(clerk),
        matter=matters["regular"],
        slot=_slot(hall["area"], at(2026, 12, 2, 10)),
        channel=Booking.Channel.COUNTER,
        id_number=resident_id("19800101", 123),
        person_name="张三",
        phone="13900000009",
    )
    # Each county's own booking policy (a row in both: the admin and scope checks read them).
    county_policy_set(county=county_b["county"], actor=fresh(county_b["admin"]), max_days_ahead=20)
    county_policy_set(county=County.default(), actor=None, max_days_ahead=30)
    return {
        **county_b,
        "matter": matter,
        "rule": SessionRule.objects.filter(area=area).first(),
        "closed": closed,
        "booking": booking,
        "booking_a": booking_a,
        "other_ref": f"{area.code}~{at(2026, 12, 2, 14):%Y%m%d%H%M}",
    }


def _b_state(b: dict[str, Any]) -> list[Any]:
    area = b["area"]
    bookings = list(Booking.objects.filter(area=area).order_by("pk").values_list("pk", "status", "slot_id", "updated_at"))
    rules = list(SessionRule.objects.filter(area=area).order_by("pk").values_list("pk", "is_active", "start", "end", "capacity"))
    closed = list(DateException.objects.filter(area=area).order_by("pk").values_list("pk", "date", "kind"))
    slots = list(Slot.objects.filter(area=area).order_by("pk").values_list("pk", "booked", "is_open"))
    return [bookings, rules, closed, slots]


# --- every appointments model --------------------------------------------------------------------


@pytest.mark.parametrize("model", APPT_MODELS, ids=lambda m: m._meta.label_lower)
def test_no_a_user_reads_a_b_row(model: Any, appt_b: dict[str, Any], a_users: dict[str, User]) -> None:
    assert_rows_stay_in_county(model, a_users, appt_b["admin"])


# --- access and selectors ------------------------------------------------------------------------


@pytest.mark.parametrize("role", A_ROLES)
def test_access_and_selectors_leave_b_out(role: str, appt_b: dict[str, Any], a_users: dict[str, User]) -> None:
    user, area, booking = fresh(a_users[role]), appt_b["area"], appt_b["booking"]
    assert area not in access.desk_areas(user)
    assert area not in access.managed_areas(user)
    assert not access.can_desk(user, area)
    assert not access.can_manage(user, area)
    assert booking not in selectors.my_bookings(user)
    with pytest.raises(NotFound) as found:
        selectors.visible_booking(user, booking.code)
    assert found.value.code == "not_found"
    for read in (selectors.day_bookings, selectors.displaced_bookings, selectors.failed_notifications):
        kw: dict[str, Any] = {"day": DAY} if read is selectors.day_bookings else {}
        with pytest.raises(PermissionDenied) as denied:
            read(user=user, area=area, **kw)
        assert denied.value.code == "permission_denied"


def test_b_and_a_staff_see_their_own(appt_b: dict[str, Any], a_users: dict[str, User], admin_user: User) -> None:
    """The positive controls: B's administrator and clerk work B's desk, A's administrator A's, and
    the platform's administrator every county's."""
    area, booking = appt_b["area"], appt_b["booking"]
    for user in (fresh(appt_b["admin"]), fresh(appt_b["clerk"])):
        assert access.can_desk(user, area)
        assert selectors.visible_booking(user, booking.code) == booking
        assert booking in selectors.day_bookings(user=user, area=area, day=DAY)
    assert access.can_manage(fresh(appt_b["admin"]), area)
    admin_a = fresh(a_users["county_admin"])
    assert access.can_manage(admin_a, appt_b["booking_a"].area)
    assert set(access.managed_areas(admin_a)) == set(access.managed_areas(admin_a).filter(point__org_unit__county="360803"))
    platform = fresh(admin_user)
    assert access.can_manage(platform, area) and access.can_manage(platform, appt_b["booking_a"].area)


def test_the_citizen_finds_their_b_booking(appt_b: dict[str, Any], citizen: User) -> None:
    """People are province-wide: a booking made for them in county B is in their own list."""
    assert appt_b["booking"] in selectors.my_bookings(fresh(citizen))
    assert selectors.visible_booking(fresh(citizen), appt_b["booking"].code) == appt_b["booking"]


def test_a_township_matter_is_booked_in_its_own_countys_townships(
    appt_b: dict[str, Any], hall: dict[str, Any], matters: dict[str, Matter]
) -> None:
    """A township-level matter is handled in the township halls of its own county only."""
    from onewindow.accounts.services import org_unit_create
    from onewindow.hall.models import ServiceArea
    from onewindow.hall.tests.conftest import make_area, make_point

    town = org_unit_create(code="JZXJZ", name="吉州区兴桥镇", kind="township", parent=appt_b["root"])
    b_town_area = make_area(make_point(town, "JZ-XQ", "兴桥镇便民服务中心"), "JZ-XQ1", "X", ServiceArea.Theme.TOWNSHIP)
    places = set(selectors.matter_places(matters["town"]))
    assert hall["town_area"] in places
    assert b_town_area not in places


def test_a_county_a_agent_books_in_county_a_only(appt_b: dict[str, Any], agent: User) -> None:
    """A village agent's bookings are in their own county's halls: B's desk does not serve A's agents."""
    before = _b_state(appt_b)
    with pytest.raises(PermissionDenied) as denied:
        services.booking_create(
            actor=fresh(agent),
            matter=appt_b["matter"],
            slot=_slot(appt_b["area"], at(2026, 12, 2, 14)),
            channel=Booking.Channel.AGENT,
            id_number=resident_id("19700101", 135),
            person_name="越区",
            phone="13900000008",
        )
    assert denied.value.code == "other_county"
    assert _b_state(appt_b)[0] == before[0]  # no booking (the day's slots were stored by _slot)


def test_the_admin_lists_hold_only_the_county(appt_b: dict[str, Any], a_users: dict[str, User], admin_user: User) -> None:
    """The Django admin's appointments lists (accounts/admin_scope.py scopes every ModelAdmin of a
    model with a county_lookup): county A's administrator sees none of B's rows, B's exactly B's."""
    from django.contrib import admin
    from django.test import RequestFactory

    registered = [m for m in admin.site._registry if m._meta.app_label == "appointments" and county_lookup(m) is not None]
    assert {m._meta.model_name for m in registered} == {
        "sessionrule",
        "dateexception",
        "slot",
        "booking",
        "matterbookingrule",
        "countypolicy",
    }
    for model in registered:
        b_rows = set(for_county(model._default_manager.all(), B).values_list("pk", flat=True))
        seen: dict[str, set[Any]] = {}
        for name, user in (("a", a_users["county_admin"]), ("b", appt_b["admin"]), ("platform", admin_user)):
            request = RequestFactory().get("/admin/")
            request.user = fresh(user)
            seen[name] = set(admin.site._registry[model].get_queryset(request).values_list("pk", flat=True))
        assert b_rows and not seen["a"] & b_rows and seen["a"], model
        assert seen["b"] == b_rows and seen["platform"] >= seen["a"] | b_rows, model


# --- API operations and pages --------------------------------------------------------------------


def _api_calls(b: dict[str, Any]) -> list[tuple[str, str, dict[str, Any] | None]]:
    a, code, rule, closed = b["area"].uuid, b["booking"].code, b["rule"].uuid, b["closed"].uuid
    rule_in = {"kind": "regular", "weekdays": "01234", "start": "07:00", "end": "08:00", "slot_minutes": 30, "capacity": 1}
    return [
        ("get", f"{API}/bookings/{code}", None),
        ("post", f"{API}/bookings/{code}/cancel", {}),
        ("post", f"{API}/bookings/{code}/reschedule", {"slot": b["other_ref"]}),
        (
            "post",
            f"{API}/bookings",
            {
                "matter": str(b["matter"].uuid),
                "slot": b["other_ref"],
                "channel": "counter",
                "id_number": resident_id("19700101", 135),
                "person_name": "越区",
                "phone": "13900000008",
            },
        ),
        ("post", f"{API}/check-in", {"code": code}),
        ("get", f"{API}/staff/areas/{a}/bookings?date={DAY}", None),
        ("get", f"{API}/staff/areas/{a}/plan", None),
        ("post", f"{API}/staff/areas/{a}/rules", rule_in),
        ("put", f"{API}/staff/areas/{a}/rules/{rule}", rule_in),
        ("delete", f"{API}/staff/areas/{a}/rules/{rule}", None),
        ("post", f"{API}/staff/areas/{a}/exceptions", {"date": "2026-12-11", "kind": "closed"}),
        ("delete", f"{API}/staff/areas/{a}/exceptions/{closed}", None),
    ]


def _pages(b: dict[str, Any]) -> list[tuple[str, str, dict[str, Any] | None]]:
    a, code = b["area"].uuid, b["booking"].code
    return [
        ("get", f"/appointments/b/{code}/", None),
        ("post", f"/appointments/b/{code}/cancel/", {}),
        ("post", f"/appointments/b/{code}/reschedule/", {"slot": b["other_ref"]}),
        ("get", f"/appointments/staff/a/{a}/", None),
        ("get", f"/appointments/staff/a/{a}/plan/", None),
        ("post", f"/appointments/staff/a/{a}/plan/", {"op": "rule_off", "rule": str(b["rule"].uuid)}),
        ("post", f"/appointments/staff/a/{a}/plan/", {"op": "exception_remove", "exception": str(b["closed"].uuid)}),
        ("post", f"/appointments/staff/a/{a}/retry/", {"key": f"appt:{b['booking'].uuid}:booked"}),
    ]


@pytest.mark.parametrize("role", A_ROLES)
@pytest.mark.parametrize("kind", ["api", "pages"])
def test_every_operation_on_b_is_refused_and_changes_nothing(
    role: str, kind: str, appt_b: dict[str, Any], a_users: dict[str, User]
) -> None:
    calls = _api_calls(appt_b) if kind == "api" else _pages(appt_b)
    before = _b_state(appt_b)
    assert_calls_refused(a_users[role], calls, api=kind == "api")
    assert _b_state(appt_b) == before


@pytest.mark.parametrize("role", A_ROLES)
def test_check_in_page_and_staff_home_leave_b_out(role: str, appt_b: dict[str, Any], a_users: dict[str, User]) -> None:
    """The desk's check-in form answers with a message on its page: for B's code, no ticket and
    nothing changed; the desk's home lists no B area."""
    before = _b_state(appt_b)
    client = Client()
    client.force_login(a_users[role])
    response = client.post("/appointments/staff/check-in/", {"code": appt_b["booking"].code})
    assert response.status_code in (302, 403)
    assert _b_state(appt_b) == before
    assert not Booking.objects.get(pk=appt_b["booking"].pk).ticket_number
    home = client.get("/appointments/staff/")
    assert home.status_code in (200, 403)
    assert str(appt_b["area"].uuid) not in home.content.decode()


def test_a_kiosk_does_not_check_in_a_b_booking(appt_b: dict[str, Any], hall: dict[str, Any]) -> None:
    type(hall["point"]).objects.filter(pk=hall["point"].pk).update(kiosk_token="qy-kiosk-token")
    before = _b_state(appt_b)
    response = Client().post(
        f"{API}/kiosk/check-in",
        {"code": appt_b["booking"].code},
        content_type="application/json",
        headers={"X-Kiosk-Token": "qy-kiosk-token"},
    )
    assert response.status_code == 404
    assert _b_state(appt_b) == before
