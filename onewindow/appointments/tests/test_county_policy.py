"""A county's own booking policy (appointments.models.CountyPolicy, issue 17): B's values change B's
booking window, change cutoff and check-in, and leave A's; the weekly limit stays the province's;
only the county's (or the platform's) administrator sets them, validated and audited; the admin
shows a county its own row only."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.test import Client

from conftest import make_user
from onewindow.accounts.models import Role, User
from onewindow.accounts.services import role_grant
from onewindow.appointments import selectors, services
from onewindow.appointments.county_policy import county_policy_set
from onewindow.appointments.errors import ChangeNotAllowed, OutsideBookingWindow
from onewindow.appointments.models import Booking, CountyPolicy, Slot
from onewindow.appointments.policy import policy
from onewindow.appointments.scheduling import ensure_slots
from onewindow.catalog.models import Matter
from onewindow.core.errors import PermissionDenied, ValidationFailed
from onewindow.core.models import AuditEntry
from onewindow.core.tests.counties import B, county_b

from .conftest import at, standard_plan

__all__ = ["county_b"]  # the shared fixture, used here by name

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]  # Tuesday 2026-12-01 08:00


def _slot(area: Any, when: datetime.datetime) -> Slot:
    ensure_slots([area.pk], when.date(), when.date())
    return Slot.objects.select_related("area", "area__point__org_unit").get(area=area, starts_at=when)


@pytest.fixture
def two(county_b: dict[str, Any], hall: dict[str, Any], matters: dict[str, Matter], org: dict[str, Any]) -> dict[str, Any]:
    area = county_b["area"]
    standard_plan(area)
    Matter.objects.filter(pk=county_b["matter"].pk).update(service_area=area)
    admin_a = make_user("sys_qy")
    role_grant(user=admin_a, role=Role.ADMIN, org_unit=org["gov"], actor=None)
    admin_b = make_user("sys_jz")
    role_grant(user=admin_b, role=Role.ADMIN, org_unit=county_b["root"], actor=None)
    return {
        "a_area": hall["area"],
        "a_matter": matters["regular"],
        "b_area": area,
        "b_matter": Matter.objects.select_related("current_version").get(pk=county_b["matter"].pk),
        "b_county": county_b["county"],
        "admin_a": admin_a,
        "admin_b": admin_b,
    }


def _book(matter: Matter, slot: Slot, user: User) -> Booking:
    return services.booking_create(actor=user, matter=matter, slot=slot, channel=Booking.Channel.WEB)


def test_bs_policy_changes_bs_booking_window_and_leaves_as(two: dict[str, Any], verified_citizen: User) -> None:
    county_policy_set(county=two["b_county"], actor=two["admin_b"], max_days_ahead=5, min_notice_minutes=24 * 60)
    in_ten_days = at(2026, 12, 11, 10)
    with pytest.raises(OutsideBookingWindow) as too_far:
        _book(two["b_matter"], _slot(two["b_area"], in_ten_days), verified_citizen)
    assert too_far.value.code == "outside_booking_window" and "5" in str(too_far.value.message)
    with pytest.raises(OutsideBookingWindow) as too_soon:  # B wants a day's notice: today 10:00 is too soon
        _book(two["b_matter"], _slot(two["b_area"], at(2026, 12, 1, 10)), verified_citizen)
    assert too_soon.value.code == "outside_booking_window"
    # County A keeps the deployment's 30 days and 60 minutes.
    assert _book(two["a_matter"], _slot(two["a_area"], in_ten_days), verified_citizen).status == Booking.Status.BOOKED
    today = datetime.date(2026, 12, 1)
    b_days = selectors.availability(
        matter=two["b_matter"], area=two["b_area"], start=today, end=today + datetime.timedelta(days=30)
    )
    a_days = selectors.availability(
        matter=two["a_matter"], area=two["a_area"], start=today, end=today + datetime.timedelta(days=30)
    )
    assert b_days[0].date == datetime.date(2026, 12, 2) and b_days[-1].date == datetime.date(2026, 12, 6)
    assert a_days[0].date == today and a_days[-1].date == datetime.date(2026, 12, 31)
    # The month's overview cuts each area's days at its own county's window.
    overview = {m.area.pk: m for m in selectors.month_overview(start=today, end=today + datetime.timedelta(days=20))}
    assert max(d for d, (free, _off) in overview[two["b_area"].pk].days.items() if free) <= datetime.date(2026, 12, 6)
    assert max(d for d, (free, _off) in overview[two["a_area"].pk].days.items() if free) > datetime.date(2026, 12, 6)


def test_bs_change_cutoff_and_check_in_are_bs(two: dict[str, Any], verified_citizen: User) -> None:
    county_policy_set(county=two["b_county"], actor=two["admin_b"], change_cutoff_minutes=2 * 24 * 60, checkin_early_minutes=0)
    b = _book(two["b_matter"], _slot(two["b_area"], at(2026, 12, 2, 10)), verified_citizen)
    a = _book(two["a_matter"], _slot(two["a_area"], at(2026, 12, 2, 10)), verified_citizen)
    with pytest.raises(ChangeNotAllowed) as late:  # 26 hours before is inside B's two days of cutoff
        services.booking_cancel(actor=verified_citizen, booking=selectors.visible_booking(verified_citizen, b.code))
    assert late.value.code == "change_not_allowed"
    assert services.booking_cancel(actor=verified_citizen, booking=a).status == Booking.Status.CANCELLED
    # Check-in: B opens it at the start only, A 30 minutes before.
    ten_to = at(2026, 12, 2, 9, 50)
    b2 = Booking.objects.get(pk=b.pk)
    assert b2.status == Booking.Status.BOOKED
    assert policy(B).checkin_early_minutes == 0 and policy("360803").checkin_early_minutes == 30
    with time_machine.travel(ten_to, tick=False):
        from onewindow.appointments.errors import CheckInRefused

        with pytest.raises(CheckInRefused) as early:
            services.booking_check_in(actor=None, code=b2.code, kiosk_token="jz-token")
        assert early.value.code == "check_in_refused"


def test_the_weekly_limit_stays_the_provinces(two: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed) as unknown:
        county_policy_set(county=two["b_county"], actor=two["admin_b"], per_week_limit=10)
    assert unknown.value.code == "validation_failed"
    assert policy(B).per_week_limit == policy(None).per_week_limit == 3
    assert not CountyPolicy.objects.exists()


def test_only_the_countys_administrators_set_it_validated_and_audited(two: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied) as denied:
        county_policy_set(county=two["b_county"], actor=two["admin_a"], max_days_ahead=5)
    assert denied.value.code == "other_county"
    for bad in ({"max_days_ahead": 0}, {"max_days_ahead": 90}, {"reschedule_limit": -1}, {"link_max_age_days": 3}):
        with pytest.raises(ValidationFailed) as refused:
            county_policy_set(county=two["b_county"], actor=two["admin_b"], **bad)
        assert refused.value.code == "validation_failed" and set(refused.value.fields) == set(bad), bad
    with pytest.raises(ValidationFailed) as notice:  # a notice longer than the window leaves nothing to book
        county_policy_set(county=two["b_county"], actor=two["admin_b"], max_days_ahead=1, min_notice_minutes=2 * 24 * 60)
    assert notice.value.code == "validation_failed" and "min_notice_minutes" in notice.value.fields
    assert not CountyPolicy.objects.exists() and not AuditEntry.objects.filter(action="appointments.county_policy").exists()
    county_policy_set(county=two["b_county"], actor=two["admin_b"], max_days_ahead=14)
    entry = AuditEntry.objects.get(action="appointments.county_policy")
    assert entry.target_id == B and entry.data == {"max_days_ahead": [None, 14]}
    assert policy(B).max_days_ahead == 14 and policy("360803").max_days_ahead == 30
    # Cleared: back to the deployment's value.
    county_policy_set(county=two["b_county"], actor=None, max_days_ahead=None)
    assert policy(B).max_days_ahead == 30


def test_the_admin_shows_a_county_its_own_policy_only(two: dict[str, Any]) -> None:
    county_policy_set(county=two["b_county"], actor=None, max_days_ahead=7)
    client = Client()
    client.force_login(two["admin_a"])
    listing = client.get("/admin/appointments/countypolicy/")
    assert listing.status_code == 200 and "吉州区" not in listing.content.decode()
    assert client.get(f"/admin/appointments/countypolicy/{B}/change/").status_code == 302  # "does not exist"
    refused = client.post(f"/admin/appointments/countypolicy/{B}/change/", {"max_days_ahead": "30"})
    assert refused.status_code == 302 and CountyPolicy.objects.get(county_id=B).max_days_ahead == 7
    page = client.get("/admin/appointments/countypolicy/add/").content.decode()
    assert f'value="{B}"' not in page  # another county cannot be chosen
    add = client.post("/admin/appointments/countypolicy/add/", {"county": "360803", "max_days_ahead": "10"})
    assert add.status_code == 302 and CountyPolicy.objects.get(county_id="360803").max_days_ahead == 10
    bad = client.post("/admin/appointments/countypolicy/360803/change/", {"max_days_ahead": "-3"})
    assert bad.status_code == 200 and CountyPolicy.objects.get(county_id="360803").max_days_ahead == 10
    client.force_login(two["admin_b"])
    assert "吉州区" in client.get("/admin/appointments/countypolicy/").content.decode()
