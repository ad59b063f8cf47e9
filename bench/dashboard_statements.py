"""Where a dashboard page's time goes, less dependent on the machine's load than a wall-clock time:
every statement the page runs (counted per app that issued it, with its time in the database), the
page's time apart from them (Python and the template), and with --explain the plan of each
statement under EXPLAIN (ANALYZE, BUFFERS): its execution time, buffers and top plan node.

Runs on a database `bench/dashboard.py --keep` built (never builds one):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/dashboard_statements.py \
        --db-name bench_dd_1m [--explain] [--only 'odd dates,point'] [--repeat 5]

Prints, per page: statements (round trips), their database time, the rest of the request (Python,
template), the median time of the whole request over --repeat runs, and the CPU time this process
spent on it (time.process_time(): Python, the template, the driver; waits for the database and for
a busy machine's cores are not in it, so it moves much less with the load); then per app the statements
and their database time; with --explain one line per statement.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from collections import defaultdict
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.config.settings")
os.environ.setdefault("STAFF_OTP_REQUIRED", "0")
os.environ.setdefault("STAFF_PASSWORD_MAX_AGE_DAYS", "0")

ARGS = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
ARGS.add_argument("--db-name", default="bench_dd")
ARGS.add_argument("--explain", action="store_true", help="EXPLAIN (ANALYZE, BUFFERS) every statement of each page")
ARGS.add_argument("--only", default="", help="pages whose label contains one of these (comma-separated)")
ARGS.add_argument("--repeat", type=int, default=5)
ARGS.add_argument("--var-dir", default="")
OPTS = ARGS.parse_args()

import hygiene  # noqa: E402

hygiene.own_var_dir("dashboard_statements", OPTS.var_dir)

from pgdb import load, use_existing  # noqa: E402

use_existing(OPTS.db_name)

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from onewindow.accounts.models import User  # noqa: E402

PAGES = [
    ("default (last 12 months)", "leader", "/dashboard/"),
    ("whole history", "leader", "/dashboard/?date_from=2021-01-01"),
    ("a month", "leader", "/dashboard/?date_from=2026-05-01&date_to=2026-05-31"),
    ("odd dates", "leader", "/dashboard/?date_from=2023-03-17&date_to=2024-08-09"),
    ("a department", "leader", "/dashboard/?department=D03"),
    ("a township, whole history", "leader", "/dashboard/?township=T02&date_from=2021-01-01"),
    ("a busy matter", "leader", "/dashboard/?matter=M0000"),
    ("a channel, whole history", "leader", "/dashboard/?channel=online&date_from=2021-01-01"),
    ("a service point", "leader", "/dashboard/?point=HALL"),
    ("a hall area", "leader", "/dashboard/?area=A0"),
    ("a township's leader (remit)", "town_leader", "/dashboard/"),
]

APP = re.compile(r"onewindow/([a-z_]+)/")


def issuer() -> str:
    """The app whose code ran the statement (the innermost onewindow frame outside core and the
    database layer), e.g. "cases", "hall"; "dashboard" for the page's own reads."""
    frame: Any = sys._getframe(1)
    fallback = "django"
    while frame is not None:
        m = APP.search(frame.f_code.co_filename)
        if m:
            if m.group(1) != "core":
                return m.group(1)
            fallback = "core"
        frame = frame.f_back
    return fallback


def run(client: Client, url: str) -> tuple[float, float, list[tuple[str, str, Any, float]]]:
    seen: list[tuple[str, str, Any, float]] = []

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            seen.append((issuer(), sql, params, (time.perf_counter() - t0) * 1000))

    t0, c0 = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(wrapper):
        r = client.get(url)
    total, cpu = (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000
    assert r.status_code == 200, (url, r.status_code)
    return total, cpu, seen


def explain(sql: str, params: Any) -> str:
    if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
        return "(not a read)"
    with connection.cursor() as cur:
        cur.execute("SET max_parallel_workers_per_gather = 0")  # as the page reads (core.rollups.serial_reads)
        cur.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params)
        plan = cur.fetchone()[0][0]
        cur.execute("RESET max_parallel_workers_per_gather")
    top = plan["Plan"]
    node = top["Node Type"]
    child = top
    while child.get("Plans") and child["Node Type"] in ("Aggregate", "Sort", "Limit", "Subquery Scan", "Append", "Result"):
        child = child["Plans"][0]
    hit = top.get("Shared Hit Blocks", 0) + top.get("Shared Read Blocks", 0)
    return (
        f"exec {plan['Execution Time']:7.2f} ms plan {plan['Planning Time']:5.2f} ms, {hit:6d} buffers, "
        f"{node} … {child['Node Type']} {child.get('Relation Name') or child.get('Index Name') or ''} rows {top.get('Actual Rows')}"
    )


def main() -> None:
    print(f"start: {load()} ({hygiene.uptime()})", flush=True)
    only = [o.strip() for o in OPTS.only.split(",") if o.strip()]
    clients: dict[str, Client] = {}
    with override_settings(DEBUG=False, ONEWINDOW_STAFF_OTP_REQUIRED=False, ONEWINDOW_STAFF_PASSWORD_MAX_AGE_DAYS=0):
        for label, reader, url in PAGES:
            if only and not any(o in label for o in only):
                continue
            if reader not in clients:
                clients[reader] = Client()
                clients[reader].force_login(User.objects.get(username=reader))
            client = clients[reader]
            client.get(url)  # warm
            runs = [run(client, url) for _i in range(OPTS.repeat)]
            best = min(runs, key=lambda r: r[0])
            total, _cpu, seen = best
            db = sum(s[3] for s in seen)
            medians = statistics.median(r[0] for r in runs)
            cpu = statistics.median(r[1] for r in runs)
            print(
                f"{label} ({url}): {len(seen)} statements, database {db:.0f} ms, the rest {total - db:.0f} ms "
                f"(fastest of {OPTS.repeat}: {total:.0f} ms; median {medians:.0f} ms); "
                f"this process's CPU (Python, the template, the driver) median {cpu:.0f} ms",
                flush=True,
            )
            per: dict[str, list[float]] = defaultdict(list)
            for app, _sql, _p, ms in seen:
                per[app].append(ms)
            print(
                "   " + "; ".join(f"{a} {len(v)} ({sum(v):.0f} ms)" for a, v in sorted(per.items(), key=lambda kv: -sum(kv[1])))
            )
            if OPTS.explain:
                executed = 0.0
                for app, sql, params, ms in seen:
                    line = explain(sql, params)
                    if line.startswith("exec"):
                        executed += float(line.split()[1])
                    print(f"   [{app:<12}] {ms:6.1f} ms  {line}  {sql[:110]!r}", flush=True)
                print(f"   the page's statements under EXPLAIN ANALYZE: {executed:.1f} ms of execution in all", flush=True)
    print(f"end: {load()} ({hygiene.uptime()})", flush=True)


main()
