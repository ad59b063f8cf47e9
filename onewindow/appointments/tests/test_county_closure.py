"""A county's calendar override re-plans that county's booking slots of the day (issue 17;
accounts/calendar.py asks the hook `accounts.county_calendar_changed`, answered by
services.plans.county_calendar_changed): a day county B closes displaces B's bookings of it (the
people told, the desk's displaced list), A's halls keep theirs; removing the override brings the
day back; a refused override changes nothing.

County A is the shared hall (青原区, conftest `hall`), county B 吉州区 (core/tests/counties.py) with
the same weekly plan. The clock is Tuesday 2026-12-01; Thursday 3 December is a working day
nationally, and 14:00 is a regular session (the holiday plan opens 09:00-11:00 only)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from conftest import make_user
from onewindow.accounts.calendar import calendar_override_add, calendar_override_change, calendar_override_remove
from onewindow.accounts.demo import resident_id
from onewindow.accounts.models import County, Role, User
from onewindow.appointments import selectors, services
from onewindow.appointments.errors import SlotClosed, SlotFull
from onewindow.appointments.models import Booking, Slot
from onewindow.appointments.scheduling import ensure_slots
from onewindow.catalog.models import Matter
from onewindow.core import workdays
from onewindow.core.errors import ValidationFailed
from onewindow.core.models import AuditEntry, Notification
from onewindow.core.testing import is_postgres, run_concurrently
from onewindow.core.tests.counties import county_b  # noqa: F401  (fixture)
from onewindow.hall.models import ServiceArea

from .conftest import at, make_matter, standard_plan

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

FLOOD = datetime.date(2026, 12, 3)
REASON = "吉州区防汛抗旱指挥部通知：12月3日全区机关暂停对外办公。"


@pytest.fixture(autouse=True)
def fresh_calendar() -> Any:
    workdays.invalidate()
    yield
    workdays.invalidate()


@pytest.fixture
def two(hall: dict[str, Any], matters: dict[str, Any], county_b: dict[str, Any], verified_citizen: Any) -> dict[str, Any]:  # noqa: F811
    """One booking at 14:00 on FLOOD in each county, by the same person for two matters."""
    b_area = county_b["area"]
    standard_plan(b_area)
    b_matter = make_matter("M-JZ", county_b["zjj"], b_area, off_hours=True)
    ensure_slots([hall["area"].pk, b_area.pk], FLOOD, FLOOD)

    def book(matter: Any, area: Any) -> Booking:
        slot = Slot.objects.select_related("area", "area__point").get(area=area, starts_at=at(2026, 12, 3, 14, 0))
        return services.booking_create(actor=verified_citizen, matter=matter, slot=slot, channel=Booking.Channel.WEB)

    return {
        "a": book(matters["off"], hall["area"]),
        "b": book(b_matter, b_area),
        "b_matter": b_matter,
        "b_area": b_area,
        "a_area": hall["area"],
        "county": county_b["county"],
        "admin": county_b["admin"],
        "desk": county_b["clerk"],
    }


def _close(two: dict[str, Any], **kw: Any) -> Any:
    args = {"date": FLOOD, "is_workday": False, "name": "防汛停止办公", "reason": REASON, **kw}
    return calendar_override_add(county=two["county"], actor=two["admin"], **args)


def _day(matter: Any, area: Any) -> Any:
    (day,) = selectors.availability(matter=matter, area=area, start=FLOOD, end=FLOOD)
    return day


def test_a_day_county_b_closes_displaces_bs_bookings_and_leaves_as(
    two: dict[str, Any],
    matters: dict[str, Any],
    verified_citizen: Any,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    queued: list[int] = []
    monkeypatch.setattr("onewindow.core.notify._enqueue", queued.append)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _close(two)
    told = Notification.objects.filter(kind="appointment.displaced", recipient=verified_citizen.phone)
    assert queued == []  # written with the override, handed to the queue only after commit
    for callback in callbacks:
        callback()
    assert told.get().pk in queued
    a, b = Booking.objects.get(pk=two["a"].pk), Booking.objects.get(pk=two["b"].pk)
    assert b.status == Booking.Status.BOOKED and b.displaced_at is not None  # never dropped
    assert not Slot.objects.get(pk=b.slot_id).is_open
    assert a.displaced_at is None and Slot.objects.get(pk=a.slot_id).is_open
    assert told.count() == 1  # the SMS (the person's site message comes besides, under its own key)
    assert b.code in told.get().body and a.code not in told.get().body
    assert list(selectors.displaced_bookings(user=two["desk"], area=two["b_area"])) == [b]
    # Audited: the override counts the displaced bookings, B's area its re-plan, A's area nothing.
    entry = AuditEntry.objects.get(action="calendar.override_add")
    assert entry.data["bookings_displaced"] == 1
    plan = AuditEntry.objects.get(action="appointment.plan.calendar")
    assert plan.data["area"] == two["b_area"].code and plan.data["displaced"] == [b.code]
    assert plan.data["dates"] == [str(FLOOD)]
    # Availability: B's day is a rest day under the override's name with only the holiday plan's
    # morning; A's day is the working day it was.
    b_day, a_day = _day(two["b_matter"], two["b_area"]), _day(matters["off"], two["a_area"])
    assert b_day.rest and b_day.holiday == "防汛停止办公"
    assert {s.kind for s in b_day.slots} == {"holiday"} and all(s.starts_at < at(2026, 12, 3, 11, 0) for s in b_day.slots)
    assert not a_day.rest and "regular" in {s.kind for s in a_day.slots}
    # The month overview counts B's day as its holiday session only (4 slots of 2), A's as a working day.
    areas = ServiceArea.objects.filter(pk__in=[two["b_area"].pk, two["a_area"].pk]).select_related("point")
    month = {m.area.pk: m.days[FLOOD] for m in selectors.month_overview(start=FLOOD, end=FLOOD, areas=areas)}
    assert month[two["b_area"].pk] == (8, 8)
    assert month[two["a_area"].pk][0] > 8


def test_removing_the_override_brings_the_day_back_bookable(two: dict[str, Any], verified_outsider: Any) -> None:
    row = _close(two)
    calendar_override_remove(override=row, actor=two["admin"])
    slot = Slot.objects.select_related("area", "area__point").get(pk=two["b"].slot_id)
    assert slot.is_open and slot.kind == "regular"
    day = _day(two["b_matter"], two["b_area"])
    assert not day.rest and not day.holiday and {"regular", "lunch", "evening"} <= {s.kind for s in day.slots}
    # Bookable again: another person takes a place on the slot the closure had shut.
    other = services.booking_create(actor=verified_outsider, matter=two["b_matter"], slot=slot, channel=Booking.Channel.WEB)
    assert other.slot_id == slot.pk
    assert AuditEntry.objects.filter(action="appointment.plan.calendar").count() == 2
    assert AuditEntry.objects.get(action="calendar.override_remove").data["bookings_displaced"] == 0


def test_a_working_day_override_opens_the_workday_plan_and_its_removal_closes_it(two: dict[str, Any]) -> None:
    # Saturday 5 December made a working day in B: B's stored Saturday runs the workday plan.
    saturday = datetime.date(2026, 12, 5)
    ensure_slots([two["b_area"].pk, two["a_area"].pk], saturday, saturday)
    row = _close(two, date=saturday, is_workday=True, name="调休上班")
    kinds = set(Slot.objects.filter(area=two["b_area"], date=saturday, is_open=True).values_list("kind", flat=True))
    assert "regular" in kinds and "weekend" not in kinds
    assert set(Slot.objects.filter(area=two["a_area"], date=saturday, is_open=True).values_list("kind", flat=True)) == {"weekend"}
    # A change of name or reason leaves the slots (a change of kind is refused: it would equal the
    # national day, which is a removal).
    calendar_override_change(override=row, is_workday=True, name="补班", reason=REASON, actor=two["admin"])
    assert set(Slot.objects.filter(area=two["b_area"], date=saturday, is_open=True).values_list("kind", flat=True)) == kinds
    # Removed: the Saturday is a weekend again, the workday sessions close.
    calendar_override_remove(override=row, actor=two["admin"])
    kinds = set(Slot.objects.filter(area=two["b_area"], date=saturday, is_open=True).values_list("kind", flat=True))
    assert kinds == {"weekend"}


@pytest.mark.parametrize(
    ("changes", "code"),
    [({"reason": " "}, "reason_required"), ({"date": datetime.date(2026, 12, 5)}, "no_change")],
)
def test_a_refused_override_changes_no_slot_and_tells_nobody(two: dict[str, Any], changes: dict[str, Any], code: str) -> None:
    before = list(Slot.objects.order_by("pk").values_list("pk", "kind", "is_open", "capacity", "booked"))
    with pytest.raises(ValidationFailed) as exc:
        _close(two, **changes)
    assert exc.value.code == code
    assert list(Slot.objects.order_by("pk").values_list("pk", "kind", "is_open", "capacity", "booked")) == before
    assert not Booking.objects.filter(displaced_at__isnull=False).exists()
    assert not Notification.objects.filter(kind="appointment.displaced").exists()
    assert not AuditEntry.objects.filter(action__in=["calendar.override_add", "appointment.plan.calendar"]).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_bookings_racing_the_closure_are_refused_or_displaced(two: dict[str, Any]) -> None:
    """Real connections: people book B's 14:00 slot while B's administrator closes the day. The
    slot's row decides: a booking that took a place before the closure's UPDATE is displaced (the
    closure reads the bookings after its UPDATE waited for theirs), one after it is refused
    (`slot_closed`, or `slot_full` from the place's conditional UPDATE); none is left booked on a closed slot untold."""
    if not is_postgres():
        pytest.skip("PostgreSQL only")
    slot_pk = Slot.objects.get(area=two["b_area"], starts_at=at(2026, 12, 3, 14, 0)).pk
    Slot.objects.filter(pk=slot_pk).update(capacity=50)
    people = [
        make_user(f"race{i}", Role.CITIZEN, id_number=resident_id("19700101", 500 + i), phone=f"1390000{i:04d}") for i in range(8)
    ]
    User.objects.filter(pk__in=[p.pk for p in people]).update(verified_at=timezone.now())
    matter_pk, county_pk, admin_pk = two["b_matter"].pk, two["county"].pk, two["admin"].pk

    def act(i: int) -> str:
        if i == 0:
            calendar_override_add(
                county=County.objects.get(pk=county_pk),
                date=FLOOD,
                is_workday=False,
                name="防汛停止办公",
                reason=REASON,
                actor=User.objects.get(pk=admin_pk),
            )
            return "closed"
        try:
            services.booking_create(
                actor=User.objects.get(pk=people[i - 1].pk),
                matter=Matter.objects.select_related("current_version").get(pk=matter_pk),
                slot=Slot.objects.select_related("area", "area__point").get(pk=slot_pk),
                channel=Booking.Channel.WEB,
            )
            return "booked"
        except (SlotClosed, SlotFull) as exc:
            # Read closed: slot_closed; closed between the read and the place's conditional UPDATE
            # (`booked < capacity AND is_open`): that UPDATE's refusal, slot_full.
            assert exc.code in ("slot_closed", "slot_full")
            return "refused"

    results = run_concurrently(act, len(people) + 1)
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert not Slot.objects.get(pk=slot_pk).is_open
    booked = Booking.objects.filter(held__slot_id=slot_pk, status=Booking.Status.BOOKED).distinct()
    assert booked.count() == results.count("booked") + 1  # the fixture's booking besides
    assert not booked.filter(displaced_at__isnull=True).exists()
    told = Notification.objects.filter(kind="appointment.displaced", channel="sms").count()
    assert told == booked.count()
