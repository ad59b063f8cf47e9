"""A county's peak as an open-loop mixed load over HTTP: a fixed offered rate of requests sent on a
schedule, whatever the answers' speed, against the production server setup (gunicorn, DEBUG=0,
persistent connections, PostgreSQL), with latency counted from each request's scheduled send time
(a slow answer delays no later request and is not hidden by one: no coordinated omission).

    .venv/bin/python bench/mixed_load.py --rate 300 --seconds 60
    .venv/bin/python bench/mixed_load.py --rate 100 --seconds 20 --senders 4 --workers 4

The mix (weights per 100 requests, `--mix` to change them):
  take      20  kiosk take-ticket (POST /api/v1/hall/kiosk/tickets)
  call      10  call-next at one of 8 signed-in windows (a clerk's session + CSRF)
  book       8  booking for a caller by the desk (POST /api/v1/appointments/bookings, a new person each)
  accept     4  the front desk accepts a submitted joint case (POST /api/v1/cases/<c>/accept)
  approve    4  a department approves its step of an accepted joint case (.../steps/<s>/approve)
  search    20  catalog search, Chinese and pinyin terms (GET /api/v1/catalog/matters?q=)
  progress  14  the public progress page by case number and check code (GET /cases/progress/)
  citizen   20  a signed-in citizen's pages (GET /me/ and /me/cases/)

Every request i is due at start + i / rate; request i is sent by sender process i mod S (`--senders`,
processes, not threads, so the load generator is not held to one core), each with a pool of
threads so that a late answer never holds back the next send. The cases to accept and the steps to
approve are made beforehand through the services, one per scheduled request, so every request of
the run has work to do. The public progress page is asked from many addresses (the server trusts
the loopback as its proxy, as behind the production nginx, and each request carries its own
X-Forwarded-For), or the per-address limit of the progress check would refuse them.

Prints p50 / p95 / p99 of all requests and per kind, the error count (any answer that is not the
expected 2xx, any connection failure or answer slower than `--give-up` seconds, default 30, and any
request still unsent that long after its due time: an overloaded run ends in bounded time), the
achieved rate (answers / time from the first due send to the last answer), the
hall's anomaly check and the machine's load at start and end. Own database (`--db-name`, default
mixed_<pid>, dropped at the end unless `--keep`) and var directory (`--var-dir`, default a
temporary folder removed at the end). Needs PostgreSQL (DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/postgres).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import http.client
import json
import multiprocessing
import os
import random
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import cpucost  # noqa: E402
import hall_load  # noqa: E402  (its set-up helpers; importing it runs nothing)
import hygiene  # noqa: E402
import pgwaits  # noqa: E402

PG_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
VENV = ROOT / ".venv" / "bin"
KINDS = ("take", "call", "book", "accept", "approve", "search", "progress", "citizen")
DEFAULT_MIX = "take=20,call=10,book=8,accept=4,approve=4,search=20,progress=14,citizen=20"
WINDOWS = 8
CITIZENS = 200
TERMS = ["登记", "不动产", "社保", "营业执照", "户口", "公积金", "dj", "bdc", "shebao", "yyzz", "医保", "证明"]
EXPECTED = {"take": 201, "book": 201}  # every other kind answers 200


def parse_mix(text: str) -> dict[str, int]:
    mix = dict.fromkeys(KINDS, 0)
    for part in text.split(","):
        name, _, weight = part.partition("=")
        if name.strip() not in mix:
            raise SystemExit(f"unknown kind in --mix: {name!r} (known: {', '.join(KINDS)})")
        mix[name.strip()] = int(weight)
    return mix


def schedule(mix: dict[str, int], total: int, seed: int) -> list[str]:
    """The kind of each of the `total` requests, drawn with the mix's weights (seeded: the same
    run sends the same requests)."""
    rng = random.Random(seed)
    kinds = [k for k in KINDS if mix[k] > 0]
    return rng.choices(kinds, weights=[mix[k] for k in kinds], k=total)


# --- set-up inside this process (Django pointed at the throw-away database) ----------------------


def session_for(user: Any) -> str:
    """A signed-in session for `user`, as the login view leaves it (the benchmark signs nobody in
    over HTTP: the login's password hashing is not what is measured)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    s = SessionStore()
    s[SESSION_KEY] = str(user.pk)
    s[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s.create()
    assert s.session_key is not None
    return s.session_key


def build_catalog(dept: Any, n: int) -> None:
    """`n` published matters with their search keys (as catalog.services keeps them)."""
    from onewindow.catalog.models import Matter, MatterVersion
    from onewindow.catalog.services import search_keys, search_text

    objects = ["不动产", "户口", "社保", "营业执照", "公积金", "医保", "养老", "婚姻", "出生", "道路运输", "食品经营", "建筑"]
    acts = ["登记", "变更", "注销", "补办", "证明", "查询", "转移", "备案", "许可", "年检"]
    matters = []
    for i in range(n):
        name = f"{objects[i % len(objects)]}{acts[(i // len(objects)) % len(acts)]}（{i}）"
        pinyin, initials = search_keys(name)
        matters.append(
            Matter(
                code=f"MIX-{i:05d}",
                department=dept,
                search_name=name,
                search_pinyin=pinyin,
                search_initials=initials,
                search_text=search_text(name, pinyin, initials),
            )
        )
    Matter.objects.bulk_create(matters, batch_size=1000)
    versions = MatterVersion.objects.bulk_create(
        [
            MatterVersion(
                matter=m,
                number=1,
                status=MatterVersion.Status.PUBLISHED,
                name=m.search_name,
                matter_type=MatterVersion.MatterType.PUBLIC_SERVICE,
                kind=MatterVersion.Kind.INSTANT,
                statutory_days=5,
                committed_days=1,
            )
            for m in matters
        ],
        batch_size=1000,
    )
    for m, v in zip(matters, versions, strict=True):
        m.current_version = v
    Matter.objects.bulk_update(matters, ["current_version"], batch_size=1000)


def build(kinds: list[str], catalog_size: int) -> dict[str, Any]:
    """Everything the schedule's requests act on; returns the plain data the senders need."""
    from django.conf import settings
    from django.utils import timezone
    from joint_case import build_joint_case

    from onewindow.accounts.demo import resident_id
    from onewindow.accounts.models import Role, RoleAssignment, User
    from onewindow.appointments.demo import build_plans
    from onewindow.appointments.models import SessionRule, Slot
    from onewindow.appointments.policy import area_county
    from onewindow.appointments.scheduling import ensure_slots
    from onewindow.appointments.selectors import booking_window
    from onewindow.cases import services as svc
    from onewindow.catalog.models import Matter, MatterVersion
    from onewindow.core.demo import DemoContext
    from onewindow.hall import services as hall_services
    from onewindow.hall.models import ServiceArea, ServicePoint, Window, WindowArea

    t0 = time.perf_counter()
    env = build_joint_case()
    gov, units, people = env["gov"], env["units"], env["people"]
    clerk = people["clerk"]

    # The hall: a kiosk, one queue, 8 windows with a clerk signed in at each.
    point = ServicePoint.objects.create(org_unit=gov, code="QYZX", name="青原区行政服务中心", kiosk_token=hall_load.KIOSK_TOKEN)
    queue = ServiceArea.objects.create(
        point=point, code="QY-ZH", name="综合服务区", theme="comprehensive", ticket_prefix="A", daily_cap=10**9, warn_level=10**6
    )
    windows = []
    for n in range(1, WINDOWS + 1):
        w = Window.objects.create(point=point, number=n)
        WindowArea.objects.create(window=w, area=queue, priority=1)
        u = User.objects.create_user(username=f"mixclerk{n}", password=None, display_name=f"窗口{n}")
        RoleAssignment.objects.create(user=u, role=Role.CLERK, org_unit=units["XZSP"])
        hall_services.window_sign_in(window=w, actor=u)
        windows.append({"window": str(w.uuid), "session": session_for(u)})

    # Booking: the real-estate area with the district plan, room for every booking of the run.
    area = ServiceArea.objects.create(point=point, code="QY-BDC", name="不动产服务区", theme="real_estate", ticket_prefix="E")
    build_plans(DemoContext(quiet=True))
    SessionRule.objects.filter(area=area).update(capacity=30_000)
    bookable = Matter.objects.create(
        code="MIX-BOOK", department=units["BDC"], service_area=area, search_name="不动产登记资料查询"
    )
    v = MatterVersion.objects.create(
        matter=bookable,
        number=1,
        status=MatterVersion.Status.PUBLISHED,
        name="不动产登记资料查询",
        matter_type=MatterVersion.MatterType.PUBLIC_SERVICE,
        kind=MatterVersion.Kind.INSTANT,
        statutory_days=1,
        committed_days=1,
        off_hours_bookable=True,  # every slot of the plan (lunch, evening, weekend) can be taken
    )
    bookable.current_version = v
    bookable.save(update_fields=["current_version"])
    earliest, latest = booking_window(area_county(area))
    ensure_slots([area.pk], timezone.localdate(), latest)
    slots = [
        f"{area.code}~{timezone.localtime(s):%Y%m%d%H%M}"
        for s in Slot.objects.filter(area=area, starts_at__gte=earliest + datetime.timedelta(hours=2), date__lte=latest)
        .order_by("starts_at")
        .values_list("starts_at", flat=True)
    ]

    build_catalog(units["XZSP"], catalog_size)

    # Citizens with a few cases each (their pages and the progress page read them); the cases to
    # accept and the steps to approve, one per scheduled request.
    citizens = []
    for n in range(CITIZENS):
        u = User.objects.create_user(
            username=f"mixcitizen{n}",
            password=None,
            display_name=f"市民{n}",
            id_number=resident_id("19800101", n + 1),
            verified_at=timezone.now(),
        )
        RoleAssignment.objects.create(user=u, role=Role.CITIZEN)
        citizens.append(u)
    bundle = env["bundle"]
    reqs = svc.merged_requirements([i.matter.current_version for i in bundle.items.all()])

    def submit(applicant: Any) -> Any:
        return svc.case_submit(
            applicant=applicant,
            bundle=bundle,
            channel="counter",
            form_data={"address": "河东街道1号"},
            materials=[svc.MaterialInput(requirement=r, paper=True) for r in reqs],
            actor=clerk,
        )

    n_accept = kinds.count("accept")
    n_approve = kinds.count("approve")
    to_accept = [str(submit(citizens[i % CITIZENS]).uuid) for i in range(n_accept)]
    steps: list[dict[str, str]] = []
    by_dept = {"ZJJ": "a_zjj", "SW": "a_sw", "BDC": "a_bdc"}
    approver_sessions = {code: session_for(people[code]) for code in by_dept}
    while len(steps) < n_approve:
        case = svc.case_accept(case=submit(citizens[len(steps) % CITIZENS]), actor=clerk)
        for step in case.steps.select_related("department"):
            steps.append({"case": str(case.uuid), "step": str(step.uuid), "session": approver_sessions[step.department.code]})
    random.Random(7).shuffle(steps)  # departments interleaved, as they come in a real day
    # Cases for the progress page: a handful per citizen is enough (one a citizen each at least).
    progress = [{"n": c.number, "c": c.check_code} for c in (submit(citizens[i]) for i in range(CITIZENS))]
    print(
        f"set-up: {len(to_accept)} cases to accept, {n_approve} steps to approve, {len(progress)} cases to look up, "
        f"{catalog_size} matters, {len(slots)} slots, {time.perf_counter() - t0:.1f} s",
        flush=True,
    )
    return {
        "queue": str(queue.uuid),
        "queue_id": queue.pk,
        "windows": windows,
        "clerk_session": session_for(clerk),
        "matter": str(bookable.uuid),
        "slots": slots,
        "to_accept": to_accept,
        "steps": steps[:n_approve],
        "progress": progress,
        "citizens": [session_for(u) for u in citizens],
        "cookie": settings.SESSION_COOKIE_NAME,
    }


# --- the senders ---------------------------------------------------------------------------------


def request_for(kind: str, i: int, k: int, data: dict[str, Any], csrf: str) -> tuple[str, str, str, dict[str, str]]:
    """The HTTP request of the schedule's request `i`, the `k`-th of its kind."""
    cookie = data["cookie"]
    json_headers = {"Content-Type": "application/json"}

    def staff(session: str) -> dict[str, str]:
        return {"Cookie": f"{cookie}={session}; csrftoken={csrf}", "X-CSRFToken": csrf}

    if kind == "take":
        body = json.dumps({"area": data["queue"]})
        return "POST", "/api/v1/hall/kiosk/tickets", body, {**json_headers, "X-Kiosk-Token": hall_load.KIOSK_TOKEN}
    if kind == "call":
        w = data["windows"][i % WINDOWS]
        return "POST", f"/api/v1/hall/windows/{w['window']}/call-next", "", {**staff(w["session"]), "Content-Length": "0"}
    if kind == "book":
        from onewindow.accounts.demo import resident_id

        birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=i // 900)
        body = json.dumps(
            {
                "matter": data["matter"],
                "slot": data["slots"][(i * 7919) % len(data["slots"])],
                "channel": "call",
                "id_number": resident_id(f"{birth:%Y%m%d}", i % 900 + 1),
                "person_name": f"来电{i}",
                "phone": "13800000000",
            }
        )
        return "POST", "/api/v1/appointments/bookings", body, {**json_headers, **staff(data["clerk_session"])}
    if kind == "accept":
        case = data["to_accept"][k]
        return "POST", f"/api/v1/cases/{case}/accept", "", {**staff(data["clerk_session"]), "Content-Length": "0"}
    if kind == "approve":
        s = data["steps"][k]
        path = f"/api/v1/cases/{s['case']}/steps/{s['step']}/approve"
        return "POST", path, json.dumps({"comment": ""}), {**json_headers, **staff(s["session"])}
    if kind == "search":
        from urllib.parse import quote

        return "GET", f"/api/v1/catalog/matters?q={quote(TERMS[i % len(TERMS)])}", "", {}
    if kind == "progress":
        p = data["progress"][i % len(data["progress"])]
        forwarded = f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"
        return "GET", f"/cases/progress/?n={p['n']}&c={p['c']}", "", {"X-Forwarded-For": forwarded}
    if kind == "citizen":
        session = data["citizens"][i % CITIZENS]
        return "GET", "/me/cases/" if i % 2 else "/me/", "", {"Cookie": f"{cookie}={session}"}
    raise ValueError(kind)


def sender(
    index: int,
    senders: int,
    port: int,
    start: float,
    rate: float,
    kinds: list[str],
    data: dict[str, Any],
    out: Any,
    give_up: float,
) -> None:
    """Sends the requests i with i mod senders == index, each at its due time, from a pool of
    threads (each thread keeps its own connection); reports (kind, status, latency from the due time)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.config.settings")
    csrf = secrets.token_hex(16)
    counters = dict.fromkeys(KINDS, 0)
    # The k-th request of a kind is numbered over the whole schedule (cases and steps are used once).
    mine = []
    for i, kind in enumerate(kinds):
        if i % senders == index:
            mine.append((i, kind, counters[kind]))
        counters[kind] += 1
    local = threading.local()
    results: list[tuple[str, int, float, str]] = []
    lock = threading.Lock()

    def connection() -> http.client.HTTPConnection:
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=give_up)
        return conn

    def send(i: int, kind: str, k: int, due: float) -> None:
        if time.monotonic() - due > give_up:
            # The backlog is hopeless: not sent, counted as an error, so a run on an overloaded
            # machine ends in bounded time instead of draining for half an hour.
            with lock:
                results.append((kind, -1, time.monotonic() - due, f"not sent: over {give_up:.0f} s late"))
            return
        method, path, body, headers = request_for(kind, i, k, data, csrf)
        status, said = 0, ""
        try:
            conn = connection()
            conn.request(method, path, body=body or None, headers=headers)
            r = conn.getresponse()
            answer = r.read()
            status = r.status
            if status != EXPECTED.get(kind, 200):
                said = answer[:300].decode("utf-8", "replace")
            if r.will_close:
                conn.close()
                local.conn = None
        except (OSError, http.client.HTTPException) as exc:
            said = repr(exc)
            if getattr(local, "conn", None) is not None:
                local.conn.close()
            local.conn = None
        latency = time.monotonic() - due
        with lock:
            results.append((kind, status, latency, said))

    with concurrent.futures.ThreadPoolExecutor(max_workers=48) as pool:
        for i, kind, k in mine:
            due = start + i / rate
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            pool.submit(send, i, kind, k, due)
    out.put(results)


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rate", type=float, default=300.0, help="offered requests per second (default 300)")
    ap.add_argument("--seconds", type=float, default=60.0, help="length of the schedule (default 60)")
    ap.add_argument("--senders", type=int, default=4, help="sender processes (default 4)")
    ap.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    ap.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker (>1: gthread workers)")
    ap.add_argument("--mix", default=DEFAULT_MIX, help=f"weights per kind (default {DEFAULT_MIX})")
    ap.add_argument("--catalog", type=int, default=2000, help="matters in the catalog (default 2000)")
    ap.add_argument("--seed", type=int, default=16)
    ap.add_argument(
        "--give-up",
        type=float,
        default=30.0,
        help="a request not yet sent this many seconds after its due time is dropped (an error); also the answer timeout",
    )
    ap.add_argument(
        "--waits",
        action="store_true",
        help="sample pg_stat_activity / pg_locks every 10 ms and print what the backends waited on",
    )
    ap.add_argument("--keep", action="store_true", help="keep the throw-away database")
    ap.add_argument("--db-name", default="", help="name of the throw-away database (default mixed_<pid>)")
    ap.add_argument("--var-dir", default="", help="var directory (default: a fresh temporary folder, removed at exit)")
    args = ap.parse_args()
    start_load = hygiene.uptime()
    print(f"[mixed_load] start: {start_load}", flush=True)
    if not PG_URL.startswith("postgres"):
        print("mixed_load needs PostgreSQL: set DATABASE_URL=postgres://...", file=sys.stderr)
        return 2
    mix = parse_mix(args.mix)
    total = int(args.rate * args.seconds)
    kinds = schedule(mix, total, args.seed)

    db_name = args.db_name or f"mixed_{os.getpid()}"
    db_url = hall_load.with_db(PG_URL, db_name)
    hall_load.psql(PG_URL, f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
    hall_load.psql(PG_URL, f'CREATE DATABASE "{db_name}"')
    var_dir = args.var_dir or tempfile.mkdtemp(prefix=f"ow-bench-mixed-{os.getpid()}-")
    print(f"[mixed_load] database {db_name} (PostgreSQL), var directory {var_dir}", flush=True)
    server = None
    try:
        # The production settings, plus: the loopback is the trusted proxy (see the docstring),
        # staff sessions made by the benchmark need no second factor.
        os.environ.update(TRUSTED_PROXIES="127.0.0.1/32", STAFF_OTP_REQUIRED="0", STAFF_PASSWORD_MAX_AGE_DAYS="0")
        hall_load.setup_django(db_url, var_dir)
        data = build(kinds, args.catalog)
        from django.db import connections

        connections.close_all()  # never share a connection across fork
        port = hall_load.free_port()
        worker_args = ["--workers", str(args.workers)]
        if args.threads > 1:
            worker_args += ["--threads", str(args.threads), "--worker-class", "gthread"]
        server = subprocess.Popen(
            [
                str(VENV / "gunicorn"),
                "onewindow.config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                *worker_args,
                "--timeout",
                "120",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=dict(os.environ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        # Warm-up: every worker imports its views, loads its templates and opens its connection
        # (not measured; reads only, so nothing the schedule needs is used up).
        for n in range(args.workers * 4):
            for kind in ("search", "progress", "citizen"):
                method, path, _body, headers = request_for(kind, 10**6 + n, 0, data, "")
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                c.request(method, path, headers=headers)
                c.getresponse().read()
                c.close()
        print(
            f"gunicorn: {args.workers} workers x {args.threads} threads on 127.0.0.1:{port}, DEBUG=0; "
            f"{os.cpu_count()} CPU cores; offered {args.rate:.0f} requests/s for {args.seconds:.0f} s = {total} requests "
            f"from {args.senders} sender processes; mix {args.mix}",
            flush=True,
        )

        # CPU of the run (bench/cpucost.py): the gunicorn workers' and the PostgreSQL backends'
        # from /proc, the sender processes' from os.times() once they are reaped.
        def backends() -> list[int]:
            got = hall_load.psql(
                PG_URL,
                f"SELECT pid FROM pg_stat_activity WHERE datname = '{db_name}' AND backend_type = 'client backend'",
            )
            return [int(x) for x in got.split()]

        workers_pids = cpucost.children(server.pid)
        cpu0 = (cpucost.cpu_of(workers_pids), cpucost.cpu_of(backends()))
        t0 = os.times()
        ctx = multiprocessing.get_context("fork")
        out = ctx.Queue()
        start = time.monotonic() + 1.0
        procs = [
            ctx.Process(target=sender, args=(p, args.senders, port, start, args.rate, kinds, data, out, args.give_up))
            for p in range(args.senders)
        ]
        for pr in procs:
            pr.start()
        sampler = pgwaits.WaitSampler(PG_URL, db_name) if args.waits else None
        if sampler is not None:  # a thread of this process, started after the senders' fork
            sampler.start()
        results: list[tuple[str, int, float, str]] = []
        for _ in procs:
            results.extend(out.get())
        last_answer = time.monotonic()
        for pr in procs:
            pr.join()
        if sampler is not None:
            sampler.stop()
            sampler.report("the run")
        t1 = os.times()
        cpu1 = (cpucost.cpu_of(workers_pids), cpucost.cpu_of(backends()))
        cpu_used = {
            "gunicorn": cpucost.delta(cpu0[0], cpu1[0]),
            "postgres": cpucost.delta(cpu0[1], cpu1[1]),
            "senders": (t1.children_user + t1.children_system) - (t0.children_user + t0.children_system),
        }
        hall = hall_load.anomalies(data["queue_id"])
    finally:
        if server:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
        try:
            from django.db import connections

            connections.close_all()
        except Exception:
            pass
        if not args.keep:
            hall_load.psql(PG_URL, f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        if not args.var_dir:
            shutil.rmtree(var_dir, ignore_errors=True)

    def ok(kind: str, status: int) -> bool:
        return status == EXPECTED.get(kind, 200)

    lat = [r[2] * 1000 for r in results]
    errors = [r for r in results if not ok(r[0], r[1])]
    answered = sum(1 for r in results if r[1] > 0)
    achieved = answered / (last_answer - start)
    print(f"\n{'kind':<9} {'sent':>6} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  statuses")
    for kind in KINDS:
        mine = [r for r in results if r[0] == kind]
        if not mine:
            continue
        ms = [r[2] * 1000 for r in mine]
        statuses: dict[int, int] = {}
        for r in mine:
            statuses[r[1]] = statuses.get(r[1], 0) + 1
        bad = sum(1 for r in mine if not ok(kind, r[1]))
        print(f"{kind:<9} {len(mine):>6} {bad:>6} {pct(ms, 50):>8.1f} {pct(ms, 95):>8.1f} {pct(ms, 99):>8.1f}  {statuses}")
    for kind in KINDS:
        first = next((r for r in errors if r[0] == kind), None)
        if first is not None:
            print(f"first error of {kind}: {first[1]} {first[3]}")
    p50, p95, p99 = pct(lat, 50), pct(lat, 95), pct(lat, 99)
    print(
        f"{'all':<9} {len(results):>6} {len(errors):>6} {p50:>8.1f} {p95:>8.1f} {p99:>8.1f}\n"
        f"offered {args.rate:.1f}/s, achieved {achieved:.1f}/s (answers / time from the first due send to the last answer)"
    )
    if answered:
        g, pgc, snd = (cpu_used[k] * 1000 / answered for k in ("gunicorn", "postgres", "senders"))
        server_ms = g + pgc
        print(
            f"CPU per answered request: gunicorn workers {g:.2f} ms + PostgreSQL backends {pgc:.2f} ms = {server_ms:.2f} ms "
            f"(+ the load generator's senders {snd:.2f} ms); at the offered {args.rate:.0f}/s the server side needs "
            f"{args.rate * server_ms / 1000:.2f} cores, with the senders {args.rate * (server_ms + snd) / 1000:.2f} "
            f"({os.cpu_count()} on this machine)"
        )
        hygiene.result(
            f"mixed load ({args.mix}): server CPU per request",
            round(server_ms, 3),
            "CPU ms/req",
            note=f"gunicorn {g:.2f} + PostgreSQL {pgc:.2f}; senders {snd:.2f}",
        )
    anomalies = (
        hall["duplicate_numbers"]
        + hall["gaps_or_lost"]
        + hall["tickets_without_one_issued_event"]
        + hall["tickets_called_twice"]
        + hall["windows_with_two_current"]
    )
    print(f"hall anomalies: {anomalies} {hall}")
    end_load = hygiene.uptime()
    print(f"load at start: {start_load}\nload at end:   {end_load}")
    met = p99 < 50 and not errors and anomalies == 0
    hygiene.result(
        f"mixed county peak, {args.rate:.0f}/s offered, open loop, {args.seconds:.0f} s: p99",
        p99,
        "ms",
        aim="< 50 ms, 0 errors",
        met=met,
        note=f"p50 {p50:.1f}, p95 {p95:.1f}, errors {len(errors)}, achieved {achieved:.1f}/s",
    )
    print(f"[mixed_load] end: {end_load}", flush=True)
    return 0 if not errors and anomalies == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
