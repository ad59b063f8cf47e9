"""Every routine benchmark in one command, one table: measure, figure, aim, met, ratio to pgbench
(or to the reference) where it applies, and the machine's load at start and end.

    bench/all                       # PostgreSQL at DATABASE_URL (default 127.0.0.1:5432) + SQLite
    bench/all --only catalog,hall   # some of them
    bench/all --markdown out.md     # also write the table as Markdown

Each benchmark runs as its own process with its own database (`--db-name bench_all_<name>`) and
its own temporary var directory, and cleans up after itself. The catalog benchmark keeps its
100,000-matter database (`bench_all_catalog_100k`): the first run builds it (minutes), later runs
reuse it. The dashboard (1,000,000 cases) and the welfare register (1,000,000 households) are too
big for this run; run them on their own (bench/README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import hygiene  # noqa: E402

PG = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")


CATALOG_DB = "bench_all_catalog_100k"


def catalog_args() -> list[str]:
    import psycopg

    with psycopg.connect(PG, autocommit=True) as conn:
        kept = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [CATALOG_DB]).fetchone()
    return ["--repeat", "50", "--db-name", CATALOG_DB] + (["--reuse"] if kept else ["--keep"])


# name, script, arguments, on PostgreSQL
BENCHES: list[tuple[str, str, list[str] | object, bool]] = [
    ("deadlines", "deadlines.py", ["20000"], False),
    ("catalog", "catalog_search.py", catalog_args, True),
    ("pages", "page_weight.py", [], False),
    ("booking", "appointments_booking.py", ["--workers", "1,8", "--per-worker", "40"], True),
    ("availability", "appointments_availability.py", ["--repeat", "10"], True),
    ("cases", "cases_e2e.py", ["100", "4"], True),
    ("portal", "portal_filing.py", ["--workers", "1,8", "--per-worker", "20", "--applications", "10"], True),
    ("hall", "hall_load.py", ["--seconds", "5", "--clients", "1,8,32"], True),
    ("mixed", "mixed_load.py", ["--rate", "300", "--seconds", "60"], True),
]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", default="", help="comma-separated names: " + ",".join(b[0] for b in BENCHES))
    ap.add_argument("--markdown", default="", help="also write the table to this file")
    ap.add_argument("--catalog-db", default=CATALOG_DB, help="the kept 100,000-matter catalog database")
    args = ap.parse_args()
    globals()["CATALOG_DB"] = args.catalog_db
    only = {x for x in args.only.split(",") if x}
    start_load = hygiene.uptime()
    print(f"[all] start: {start_load}", flush=True)
    rows: list[dict[str, object]] = []
    t_all = time.perf_counter()
    for name, script, bench_args, on_pg in BENCHES:
        if only and name not in only:
            continue
        argv = bench_args() if callable(bench_args) else list(bench_args)  # type: ignore[call-overload]
        if "--db-name" not in argv:
            argv += ["--db-name", f"bench_all_{name}"]
        env = dict(os.environ)
        if on_pg:
            env["DATABASE_URL"] = PG
        else:
            env.pop("DATABASE_URL", None)
        cmd = [sys.executable, str(ROOT / "bench" / script), *argv]
        print(f"\n[all] {name}: {' '.join(cmd[1:])}", flush=True)
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
        secs = time.perf_counter() - t0
        found = 0
        for line in proc.stdout.splitlines():
            if line.startswith(hygiene.RESULT_TAG):
                row = json.loads(line[len(hygiene.RESULT_TAG) :])
                row["bench"] = name
                rows.append(row)
                found += 1
            elif line.startswith(f"[{name}") or "load average" in line:
                print("  " + line)
        print(f"[all] {name}: {secs:.0f} s, exit {proc.returncode}, {found} figures", flush=True)
        if proc.returncode != 0 or not found:
            rows.append({"bench": name, "measure": f"{name} FAILED (exit {proc.returncode})", "figure": float("nan"), "unit": ""})
            print(proc.stdout[-3000:], proc.stderr[-3000:], sep="\n")
    end_load = hygiene.uptime()
    table = render(rows)
    print(f"\n[all] {time.perf_counter() - t_all:.0f} s; start: {start_load}\n[all] end:   {end_load}\n")
    print(table)
    if args.markdown:
        Path(args.markdown).write_text(f"Load at start: `{start_load}`\nLoad at end: `{end_load}`\n\n{table}\n")
    return 0 if all(r.get("met") is not False for r in rows) else 1


def render(rows: list[dict[str, object]]) -> str:
    out = ["| bench | measure | figure | aim | met | ratio |", "| --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        met = {True: "yes", False: "**no**", None: ""}[r.get("met")]  # type: ignore[index]
        fig = r["figure"]
        figure = f"{fig:,.1f} {r['unit']}".strip() if isinstance(fig, float | int) else str(fig)
        ratio = f"{r['ratio']:.2f}" if r.get("ratio") is not None else ""
        note = f" ({r['note']})" if r.get("note") else ""
        out.append(f"| {r['bench']} | {r['measure']}{note} | {figure} | {r.get('aim', '')} | {met} | {ratio} |")
    return "\n".join(out)


if __name__ == "__main__":
    raise SystemExit(main())
