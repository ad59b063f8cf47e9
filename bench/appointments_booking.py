"""Booking throughput under concurrency, through the real service (appointments.services.booking_create:
person checks, weekly quota row, conditional UPDATE on the slot counter, booking + held-slot rows,
audit row, outbox SMS + site message).

Scenarios:
  spread  W concurrent clients (processes, each its own connection) book random slots of one month
          at one service area, each for a different person: bookings per second and latency.
  hot     R requests race for ONE slot with C places (the ticket-scalper case): how long the
          stampede takes, and the check that exactly C bookings exist (never more).

Uses its own throw-away database: PostgreSQL when DATABASE_URL is set (database --db-name,
default bench_appt, created and dropped), else a SQLite file in its own var directory
(--var-dir, default a temporary folder removed at exit).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/appointments_booking.py
    .venv/bin/python bench/appointments_booking.py --workers 1,4,16 --per-worker 50
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import os
import statistics
import sys
import time
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cpucost
import hygiene
import pgwaits

OPTS = hygiene.begin("appointments_booking", "bench_appt")

import django  # noqa: E402

django.setup()

from django.db import connection, connections  # noqa: E402

from onewindow.core.testing import run_concurrently_timed  # noqa: E402


def setup(capacity: int) -> dict[str, Any]:
    from onewindow.accounts.models import OrgUnit, Role, RoleAssignment, User
    from onewindow.accounts.services import org_unit_create
    from onewindow.appointments.demo import build_plans
    from onewindow.appointments.models import SessionRule
    from onewindow.catalog.models import Matter, MatterVersion
    from onewindow.core.calendar_seed import seed_from_chinesecalendar
    from onewindow.core.demo import DemoContext
    from onewindow.hall.models import ServiceArea, ServicePoint

    seed_from_chinesecalendar(first_year=2025)
    _provisional_2027()
    gov = org_unit_create(code="QY", name="青原区人民政府", kind=OrgUnit.Kind.GOVERNMENT)
    xzsp = org_unit_create(code="XZSP", name="行政审批局", kind=OrgUnit.Kind.DEPARTMENT, parent=gov)
    point = ServicePoint.objects.create(org_unit=gov, code="QYZX", name="青原区行政服务中心")
    area = ServiceArea.objects.create(point=point, code="QY-BDC", name="不动产服务区", theme="real_estate", ticket_prefix="E")
    build_plans(DemoContext(quiet=True))
    SessionRule.objects.filter(area=area).update(capacity=capacity)
    clerk = User.objects.create_user(username="bench-clerk", password="x-bench-pass-2021")
    RoleAssignment.objects.create(user=clerk, role=Role.CLERK, org_unit=xzsp)
    m = Matter.objects.create(code="BENCH-1", department=xzsp, service_area=area, search_name="不动产登记资料查询")
    v = MatterVersion.objects.create(
        matter=m,
        number=1,
        status="published",
        name="不动产登记资料查询",
        matter_type="public_service",
        kind="instant",
        statutory_days=1,
        committed_days=1,
        off_hours_bookable=True,
    )
    m.current_version = v
    m.save(update_fields=["current_version"])
    return {"area": area, "clerk": clerk, "matter": m}


def _provisional_2027() -> None:
    try:
        from onewindow.core.calendar_seed import PROVISIONAL, import_year
        from onewindow.core.demo.calendar import PROVISIONAL_2027
    except ImportError:
        return
    import_year(
        year=2027, exceptions=[(datetime.date.fromisoformat(d), False, n) for d, n in PROVISIONAL_2027], source=PROVISIONAL
    )


def _person(n: int) -> str:
    from onewindow.accounts.demo import resident_id

    birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=n // 900)
    return resident_id(f"{birth:%Y%m%d}", n % 900 + 1)


def _book(ctx: dict[str, Any], slot_pk: int, n: int) -> str:
    from onewindow.appointments import selectors, services
    from onewindow.appointments.errors import SlotFull
    from onewindow.appointments.models import Slot

    try:
        services.booking_create(
            actor=ctx["clerk"],
            matter=selectors.matter_by_uuid(ctx["matter"].uuid),  # as the API reads it
            slot=Slot.objects.select_related("area", "area__point__org_unit").get(pk=slot_pk),  # as slot_by_ref reads it
            channel="call",
            id_number=_person(n),
            person_name=f"来电{n}",
            phone="13800000000",
        )
        return "ok"
    except SlotFull:
        return "full"


def _sampler() -> Any:
    """A wait sampler on the benchmark's database (--waits), or None."""
    if not WAITS or connection.vendor != "postgresql":
        return None
    sd = connection.settings_dict
    dsn = f"host={sd['HOST'] or '127.0.0.1'} port={sd['PORT'] or 5432} user={sd['USER']}" + (
        f" password={sd['PASSWORD']}" if sd["PASSWORD"] else ""
    )
    return pgwaits.WaitSampler(dsn, sd["NAME"])


WAITS = False


def run_in_processes(fn: Any, n: int, sampler: Any = None) -> tuple[list[Any], float]:
    """fn(0, go) .. fn(n-1, go), each in its own process (fork; each opens its own connection),
    started together; their results (or the error's repr, a str) and the wall-clock seconds from
    the moment every process has called `go()` to the last answer. Each fn warms itself (its
    connection, the first statements of each kind, the translation catalogue: ~0.2 s of CPU per
    fresh process) and then calls `go()`, which waits for the others: the warm-up of 8 fresh
    processes on 2 cores (~1 s of wall clock) is not charged to the measured bookings.
    Processes, not threads: one Python process cannot use more than one core, so threads would
    measure the client's interpreter rather than the service."""
    import contextlib
    import multiprocessing
    import threading

    connections.close_all()  # never share a connection across fork
    mp = multiprocessing.get_context("fork")
    start, out = mp.Event(), mp.Queue()
    ready = mp.Barrier(n + 1)

    def child(i: int) -> None:
        went = False

        def go() -> None:
            nonlocal went
            went = True
            ready.wait()

        try:
            start.wait()
            out.put((i, fn(i, go)))
        except BaseException as exc:  # reported by the parent
            if not went:
                ready.abort()
            out.put((i, repr(exc)))
        finally:
            connections.close_all()

    procs = [mp.Process(target=child, args=(i,)) for i in range(n)]
    for p in procs:
        p.start()
    start.set()
    # A child that failed before it was ready breaks the barrier: its error is in its answer.
    with contextlib.suppress(threading.BrokenBarrierError):
        ready.wait(timeout=600)  # every child warmed
    if sampler is not None:  # its thread starts after the fork: no child inherits it
        sampler.start()
    t0 = time.perf_counter()
    answers = dict(out.get() for _ in procs)
    secs = time.perf_counter() - t0
    if sampler is not None:
        sampler.stop()
    for p in procs:
        p.join()
    return [answers[i] for i in range(n)], secs


def main() -> None:
    ap = argparse.ArgumentParser()
    hygiene.add_common(ap, "bench_appt")
    ap.add_argument("--workers", default="1,8,32")
    ap.add_argument("--per-worker", type=int, default=40)
    ap.add_argument("--hot-requests", type=int, default=200)
    ap.add_argument("--hot-places", type=int, default=10)
    ap.add_argument("--hot-workers", type=int, default=50)
    ap.add_argument("--profile", type=int, default=0, help="profile N bookings of one client (cProfile, CPU time) instead")
    ap.add_argument(
        "--waits",
        action="store_true",
        help="sample pg_stat_activity / pg_locks every 10 ms during each run and print what the backends waited on",
    )
    ap.add_argument(
        "--sync-commit-off",
        action="store_true",
        help="DIAGNOSTIC ONLY: synchronous_commit=off on this benchmark's connections, to separate the WAL flush "
        "from the other waits (never a setting for the platform: a crash would lose acknowledged bookings)",
    )
    args = ap.parse_args()
    global WAITS
    WAITS = args.waits
    if args.sync_commit_off:
        # libpq reads PGOPTIONS when each connection opens: the benchmark's connections only.
        os.environ["PGOPTIONS"] = (os.environ.get("PGOPTIONS", "") + " -c synchronous_commit=off").strip()
        print("DIAGNOSTIC: synchronous_commit=off on the benchmark's connections (figures not comparable with a normal run)")

    from django.utils import timezone

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        from onewindow.appointments.models import Booking, Slot
        from onewindow.appointments.policy import area_county
        from onewindow.appointments.scheduling import ensure_slots
        from onewindow.appointments.selectors import booking_window

        ctx = setup(capacity=1000)
        area = ctx["area"]
        today = timezone.localdate()
        earliest, latest = booking_window(area_county(area))
        ensure_slots([area.pk], today, latest)
        slot_ids = list(Slot.objects.filter(area=area, starts_at__gte=earliest, date__lte=latest).values_list("pk", flat=True))
        print(f"database: {connection.vendor}; slots in the booking window: {len(slot_ids)}")
        numbers = itertools.count(10**6)  # person numbers of the race's threads (the spread's stay below)

        def next_n() -> int:
            return next(numbers)

        if args.profile:
            # Where one client's time goes: cProfile over N bookings in this process.
            import cProfile
            import pstats
            import random

            rng = random.Random(0)
            if os.environ.get("BENCH_PROFILE_FIRST"):  # where a fresh process's first booking goes
                first = cProfile.Profile(time.process_time)
                first.enable()
                _book(ctx, rng.choice(slot_ids), 3 * 10**5)
                first.disable()
                pstats.Stats(first).sort_stats("cumulative").print_stats(45)
            for j in range(5):  # warm: the URL resolver, the first statements of each kind
                _book(ctx, rng.choice(slot_ids), 4 * 10**5 + j)
            # CPU time (time.process_time), not wall time: on a shared machine the wall clock
            # charges other processes' turns to whatever this one was waiting in.
            if os.environ.get("BENCH_SHOW_SQL"):  # the statements of one booking, as sent
                meter = cpucost.Meter()
                meter.keep_sql = True
                meter.start()
                _book(ctx, rng.choice(slot_ids), 6 * 10**5)
                meter.stop(1)
                for q in meter.sql:
                    print("   ", q[:300])
            prof = cProfile.Profile(time.process_time)
            prof.enable()
            for j in range(args.profile):
                _book(ctx, rng.choice(slot_ids), 5 * 10**5 + j)
            prof.disable()
            pstats.Stats(prof).sort_stats("cumulative").print_stats(40)
            pstats.Stats(prof).sort_stats("tottime").print_stats(25)
            return

        print("\nspread: concurrent clients booking random slots, one person each")
        print(f"{'workers':>8} {'bookings':>9} {'seconds':>8} {'per sec':>8} {'p50 ms':>7} {'p95 ms':>7}")
        import random

        base = 0
        for workers in [int(w) for w in args.workers.split(",")]:

            def spread(i: int, go: Any, first: int = base) -> tuple[int, list[float], dict[str, Any]]:
                rng = random.Random(first + i)
                ok = 0
                lat: list[float] = []
                warm: list[float] = []
                for j in range(3):  # warm this process (first statements of each kind), not measured
                    t = time.process_time()
                    _book(ctx, rng.choice(slot_ids), 7 * 10**5 + first + i * 5 + j)
                    warm.append(time.process_time() - t)
                if i == 0:
                    print(
                        f"    warm-up of client 0, CPU ms of its first 3 bookings: {', '.join(f'{w * 1000:.0f}' for w in warm)}"
                    )
                go()  # every process warmed: the clock starts
                meter = cpucost.Meter()  # this process's CPU, its backend's, statements, commits
                meter.start()
                for j in range(args.per_worker):
                    t = time.perf_counter()
                    # Person numbers disjoint between the processes: one new person per booking.
                    if _book(ctx, rng.choice(slot_ids), first + i * args.per_worker + j + 1) == "ok":
                        ok += 1
                    lat.append((time.perf_counter() - t) * 1000)
                return ok, lat, meter.stop(args.per_worker).as_dict()

            sampler = _sampler()
            results, secs = run_in_processes(spread, workers, sampler)
            base += workers * args.per_worker
            errors = [r for r in results if isinstance(r, str)]
            done = sum(r[0] for r in results if isinstance(r, tuple))
            lat = sorted(x for r in results if isinstance(r, tuple) for x in r[1])
            print(
                f"{workers:>8} {done:>9} {secs:>8.2f} {done / secs:>8.1f} {statistics.median(lat):>7.1f} "
                f"{lat[int(len(lat) * 0.95) - 1]:>7.1f}" + (f"  errors: {len(errors)} {errors[:1]}" if errors else "")
            )
            cost = cpucost.Cost()
            for r in results:
                if isinstance(r, tuple):
                    cost.add(cpucost.Cost.from_dict(r[2]))
            figures = cpucost.report(
                f"{workers} client processes", cost, aim=300, unit="booking", app_name="client processes (service, Django)"
            )
            if sampler is not None:
                sampler.report(f"{workers} client processes")
            if workers == 8:
                cpucost.result("booking: CPU cost per booking, 8 clients", figures)
                hygiene.result(
                    f"booking, 8 clients ({connection.vendor})",
                    done / secs,
                    "bookings/s",
                    aim=">= 300/s (PostgreSQL)",
                    met=done / secs >= 300 and not errors,
                )

        print(
            f"\nhot: {args.hot_requests} requests race for one slot with {args.hot_places} places ({args.hot_workers} connections)"
        )
        hot = Slot.objects.filter(area=area, starts_at__gte=earliest, booked=0).order_by("-starts_at").first()
        assert hot is not None
        Slot.objects.filter(pk=hot.pk).update(capacity=args.hot_places)
        per = max(1, args.hot_requests // args.hot_workers)

        def stampede(i: int) -> list[str]:
            return [_book(ctx, hot.pk, next_n()) for _ in range(per)]

        sampler = _sampler()
        if sampler is not None:
            sampler.start()
        results, secs = run_concurrently_timed(stampede, args.hot_workers)
        if sampler is not None:
            sampler.stop()
        errors = [r for r in results if isinstance(r, BaseException)]
        flat = [x for r in results if isinstance(r, list) for x in r]
        hot.refresh_from_db()
        held = Booking.objects.filter(slot=hot, status="booked").count()
        print(
            f"requests {len(flat)}, booked {flat.count('ok')}, refused (full) {flat.count('full')}, errors {len(errors)}; "
            f"slot counter {hot.booked}/{hot.capacity}, bookings held {held}; {secs:.2f} s ({len(flat) / secs:.0f} requests/s)"
        )
        if sampler is not None:
            sampler.report("the race")
        exact = hot.booked == held == args.hot_places
        print("OK: never over capacity" if exact else "FAIL: capacity not held")
        hygiene.result(
            f"booking race, {args.hot_requests} for {args.hot_places} places",
            held,
            "bookings",
            aim=f"exactly {args.hot_places}",
            met=exact and not errors,
        )
    finally:
        connections.close_all()
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
