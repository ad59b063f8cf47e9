"""Availability search for a month across all service points.

The demo district's layout: the district hall's 6 areas and the 9 township halls, each with the
demo weekly plan (office hours, lunch, evenings, weekends, holidays), one month ahead. Measures,
through the real selectors:

  overview   free places per area and day for the month across ALL service points
             (appointments.selectors.month_overview: what /api/v1/appointments/overview runs);
             "cold" = slots not yet materialised, then "warm" repeats.
  matter     a citizen's month view of one matter at each place
             (appointments.selectors.availability: the page /appointments/m/<matter>/a/<area>/).

Uses its own throw-away database: PostgreSQL when DATABASE_URL is set (database --db-name,
default bench_appt_avail, created and dropped), else a SQLite file in its own var directory
(--var-dir, default a temporary folder removed at exit).

    .venv/bin/python bench/appointments_availability.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/appointments_availability.py
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hygiene

OPTS = hygiene.begin("appointments_availability", "bench_appt_avail")

import django  # noqa: E402

django.setup()

from django.db import connection, connections  # noqa: E402

TOWNSHIPS = ["HDJD", "BJJD", "TYZ", "ZXZ", "XXZ", "FTZ", "FTIZ", "WPX", "DGX"]
DISTRICT_AREAS = [
    ("QY-ZH", "comprehensive", "A"),
    ("QY-YB", "medical_insurance", "B"),
    ("QY-SB", "social_insurance", "C"),
    ("QY-QYKB", "business", "D"),
    ("QY-BDC", "real_estate", "E"),
    ("QY-XMTZ", "investment", "F"),
]


def setup() -> list:
    from onewindow.accounts.models import OrgUnit
    from onewindow.accounts.services import org_unit_create
    from onewindow.appointments.demo import build_plans
    from onewindow.catalog.models import Matter, MatterVersion
    from onewindow.core.calendar_seed import seed_from_chinesecalendar
    from onewindow.core.demo import DemoContext
    from onewindow.hall.models import ServiceArea, ServicePoint

    seed_from_chinesecalendar(first_year=2025)
    try:
        from onewindow.core.calendar_seed import PROVISIONAL, import_year
        from onewindow.core.demo.calendar import PROVISIONAL_2027

        import_year(
            year=2027, exceptions=[(datetime.date.fromisoformat(d), False, n) for d, n in PROVISIONAL_2027], source=PROVISIONAL
        )
    except ImportError:
        pass
    gov = org_unit_create(code="QY", name="青原区人民政府", kind=OrgUnit.Kind.GOVERNMENT)
    point = ServicePoint.objects.create(org_unit=gov, code="QYZX", name="青原区行政服务中心")
    for i, (code, theme, prefix) in enumerate(DISTRICT_AREAS):
        ServiceArea.objects.create(point=point, code=code, name=code, theme=theme, ticket_prefix=prefix, sort_order=i)
    for code in TOWNSHIPS:
        town = org_unit_create(code=code, name=code, kind=OrgUnit.Kind.TOWNSHIP, parent=gov)
        tp = ServicePoint.objects.create(org_unit=town, code=f"{code}-ZWFW", name=f"{code} hall")
        ServiceArea.objects.create(point=tp, code=f"{code}-BM", name=f"{code} area", theme="township", ticket_prefix="A")
    build_plans(DemoContext(quiet=True))
    dept = org_unit_create(code="BDC", name="不动产登记中心", kind=OrgUnit.Kind.DEPARTMENT, parent=gov)
    matters = []
    for i, area in enumerate(ServiceArea.objects.exclude(theme="township")):
        m = Matter.objects.create(code=f"B{i}", department=dept, service_area=area, search_name=f"matter {i}")
        v = MatterVersion.objects.create(
            matter=m,
            number=1,
            status="published",
            name=f"matter {i}",
            matter_type="public_service",
            kind="instant",
            statutory_days=1,
            committed_days=1,
            off_hours_bookable=True,
        )
        m.current_version = v
        m.save(update_fields=["current_version"])
        matters.append(m)
    tm = Matter.objects.create(code="BT", department=dept, search_name="township matter")
    tv = MatterVersion.objects.create(
        matter=tm,
        number=1,
        status="published",
        name="township matter",
        matter_type="public_service",
        kind="instant",
        statutory_days=1,
        committed_days=1,
        off_hours_bookable=True,
        handling_level="township",
    )
    tm.current_version = tv
    tm.save(update_fields=["current_version"])
    matters.append(tm)
    return matters


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    hygiene.add_common(ap, "bench_appt_avail")
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--fill", type=float, default=0.3, help="share of places pre-booked (counter only)")
    args = ap.parse_args()
    from django.db.models import F
    from django.utils import timezone

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        from onewindow.appointments import selectors
        from onewindow.appointments.models import Slot
        from onewindow.hall.models import ServiceArea

        matters = setup()
        today = timezone.localdate()
        end = today + datetime.timedelta(days=30)
        n_areas = ServiceArea.objects.count()
        print(f"database: {connection.vendor}; {n_areas} service areas (6 district + 9 township halls); {today} .. {end}")

        t = time.perf_counter()
        month = selectors.month_overview(start=today, end=end)
        cold = (time.perf_counter() - t) * 1000
        slots = Slot.objects.count()
        # A realistic month: some places already taken.
        rng = random.Random(1)
        ids = list(Slot.objects.values_list("pk", "capacity"))
        for pk, cap in rng.sample(ids, int(len(ids) * args.fill)):
            Slot.objects.filter(pk=pk).update(booked=F("capacity") * 0 + rng.randint(1, cap))
        days_with_uncovered = sorted({d for am in month for d in am.uncovered})
        print(f"slots materialised: {slots}; cold overview (creates them): {cold:.0f} ms")
        if days_with_uncovered:
            print(f"note: {len(days_with_uncovered)} days not covered by the work calendar (from {days_with_uncovered[0]})")
        warm = timed(lambda: selectors.month_overview(start=today, end=end), args.repeat)
        print(
            f"overview, all service points, one month: median {statistics.median(warm):.1f} ms, p95 {sorted(warm)[int(len(warm) * 0.95) - 1]:.1f} ms"
        )

        hygiene.result(f"availability month overview p95 ({connection.vendor})", sorted(warm)[int(len(warm) * 0.95) - 1], "ms")
        per = []
        for m in matters:
            for area in selectors.matter_places(m):
                per += timed(
                    lambda m=m, area=area: selectors.availability(matter=m, area=area, start=today, end=end),
                    max(3, args.repeat // 5),
                )
        print(
            f"one matter at one place, month view with slots ({len(per)} runs over every place): "
            f"median {statistics.median(per):.1f} ms, p95 {sorted(per)[int(len(per) * 0.95) - 1]:.1f} ms"
        )
        hygiene.result(f"availability one matter p95 ({connection.vendor})", sorted(per)[int(len(per) * 0.95) - 1], "ms")
    finally:
        connections.close_all()
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
