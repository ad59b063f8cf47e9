from __future__ import annotations

import datetime
from typing import Any

import pytest

from onewindow.appointments import demo, stats
from onewindow.appointments.models import Booking, SessionRule, Slot
from onewindow.core.demo import DemoContext

from .conftest import at, make_matter

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def test_demo_history_is_counted_by_the_dashboard_and_idempotent(
    org: dict[str, Any], hall: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(5):
        make_matter(f"OH{i}", org["SW"], hall["area"], off_hours=True)
    make_matter("OHT", org["MZJ"], hall["area"], off_hours=True, level="township")
    make_matter("REG", org["ZJJ"], hall["area"], off_hours=False)
    SessionRule.objects.all().delete()
    monkeypatch.setattr(demo, "SERVED_OFF_HOURS", 120)
    ctx = DemoContext(quiet=True)
    demo.build_plans(ctx)
    assert demo.build_history(ctx) == 120 + round(120 * demo.NO_SHOW_SHARE) + round(120 * demo.CANCEL_SHARE)
    assert demo.build_history(ctx) == 0  # idempotent
    assert stats.served_off_hours(date_to=stats.SEED_REPORT_DATE) == 120
    # The section reads the same count in its one statement of fixed counts.
    [sec] = stats.sections(user=None, params={})
    values = {f.label: f.value for f in sec.figures}
    assert values["延时错时服务办件（截至2021年6月底）"] == 120 and values["可预约延时错时服务的事项"] == 6
    served = Booking.objects.filter(status="checked_in")
    assert served.values("matter").distinct().count() == 6  # every off-hours matter was used
    assert not served.filter(is_off_hours=False).exists()
    assert set(served.values_list("session_kind", flat=True)) <= {"lunch", "evening", "weekend", "holiday"}
    assert served.filter(starts_at__date__lt=datetime.date(2021, 1, 1)).count() == 0
    # Slot counters agree with the bookings that hold them; none is over capacity.
    for s in Slot.objects.filter(booked__gt=0):
        assert s.booked == s.bookings.exclude(status="cancelled").count() <= s.capacity


def test_sections_figures(hall: dict[str, Any], matters: dict[str, Any], verified_citizen: Any) -> None:
    from onewindow.appointments import services
    from onewindow.appointments.scheduling import ensure_slots

    ensure_slots([hall["area"].pk], datetime.date(2026, 12, 1), datetime.date(2026, 12, 1))
    slot = Slot.objects.select_related("area", "area__point").get(area=hall["area"], starts_at=at(2026, 12, 1, 12, 0))
    services.booking_create(actor=verified_citizen, matter=matters["off"], slot=slot, channel="web")
    [sec] = stats.sections(user=None, params={"date_from": datetime.date(2026, 12, 1), "date_to": datetime.date(2026, 12, 1)})
    values = {f.label: f.value for f in sec.figures}
    assert values["可预约延时错时服务的事项"] == 2
    assert values["预约总数"] == 1 and values["其中延时错时预约"] == 1
    lunch = next(r for r in sec.tables[0].rows if r[0] == "午间延时")
    assert lunch[1:4] == [2, 4, 1] and lunch[4] == "25.0%"
    # The charts carry the same numbers as the tables, and drill into the service point.
    kinds = next(c for c in sec.charts if c.key == "appointments-kinds")
    assert dict(zip(kinds.categories, kinds.series[0][1], strict=True))["午间延时"] == 25.0
    points = next(c for c in sec.charts if c.key == "appointments-points")
    assert points.categories == [hall["area"].point.name] and points.series[0][1] == [1]
    assert points.links == [f"point={hall['area'].point.code}"]
    # Drilled into another point: nothing there.
    other = type(hall["area"].point).objects.exclude(pk=hall["area"].point.pk).first()
    if other is not None:
        [there] = stats.sections(
            user=None, params={"date_from": datetime.date(2026, 12, 1), "date_to": datetime.date(2026, 12, 1), "point": other}
        )
        assert {f.label: f.value for f in there.figures}["预约总数"] == 0
