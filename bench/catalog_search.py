"""Catalog search latency: 921 matters (the district) and 100,000 matters (a province-size catalog).

Builds a throw-away database (SQLite by default; PostgreSQL when DATABASE_URL is set: a database
named by --db-name, default "bench_catalog", is created and dropped; a SQLite file in its own var
directory otherwise), loads the demo district's 921 matters, runs a fixed set of searches through
the real selector (catalog.selectors.search_page, exactly what /catalog/ and the API run: the
page's rows by keyset and the count capped at 1,000; a deep page by its cursor), then
grows the catalog to 100,000 matters with catalog.services.matter_bulk_create and runs them again.
Prints the median and p99 latency per query and size.

    .venv/bin/python bench/catalog_search.py                 # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/catalog_search.py
    .venv/bin/python bench/catalog_search.py --big 20000 --repeat 50   # quicker
    ... --keep --db-name bench_catalog_100k        # keep the database; later: --reuse (no rebuild)
"""

from __future__ import annotations

import argparse
import gc
import io
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import hygiene  # noqa: E402

# Jiangxi counties and districts: a province-size catalog repeats each district's list per county.
COUNTIES = [
    "东湖",
    "西湖",
    "青云谱",
    "青山湖",
    "新建",
    "红谷滩",
    "南昌",
    "安义",
    "进贤",
    "昌江",
    "珠山",
    "浮梁",
    "乐平",
    "安源",
    "湘东",
    "莲花",
    "上栗",
    "芦溪",
    "濂溪",
    "浔阳",
    "柴桑",
    "武宁",
    "修水",
    "永修",
    "德安",
    "都昌",
    "湖口",
    "彭泽",
    "瑞昌",
    "共青城",
    "庐山",
    "渝水",
    "分宜",
    "月湖",
    "余江",
    "贵溪",
    "章贡",
    "南康",
    "赣县",
    "信丰",
    "大余",
    "上犹",
    "崇义",
    "安远",
    "定南",
    "全南",
    "宁都",
    "于都",
    "兴国",
    "会昌",
    "寻乌",
    "石城",
    "瑞金",
    "龙南",
    "吉州",
    "青原",
    "吉安",
    "吉水",
    "峡江",
    "新干",
    "永丰",
    "泰和",
    "遂川",
    "万安",
    "安福",
    "永新",
    "井冈山",
    "袁州",
    "奉新",
    "万载",
    "上高",
    "宜丰",
    "靖安",
    "铜鼓",
    "丰城",
    "樟树",
    "高安",
    "临川",
    "东乡",
    "南城",
    "黎川",
    "南丰",
    "崇仁",
    "乐安",
    "宜黄",
    "金溪",
    "资溪",
    "广昌",
    "信州",
    "广丰",
    "广信",
    "玉山",
    "铅山",
    "横峰",
    "弋阳",
    "余干",
    "鄱阳",
    "万年",
    "婺源",
    "德兴",
]

QUERIES: list[tuple[str, dict[str, object]]] = [
    ("中文 不动产", {"q": "不动产"}),
    ("中文 登记（宽）", {"q": "登记"}),
    ("中文 结婚登记", {"q": "结婚登记"}),
    ("首字母 bdc", {"q": "bdc"}),
    ("全拼 budongchan", {"q": "budongchan"}),
    ("首字母 jhdj", {"q": "jhdj"}),
    ("两词 不动产 转移", {"q": "不动产 转移"}),
    ("筛选 网上+掌上", {"online": True, "mobile": True}),
    ("部门 BDC", {"department": "BDC"}),
    ("事件 结婚", {"event": "marriage"}),
    ("服务区+延时错时", {"area": "QY-SB", "off_hours": True}),
    ("登记 第5页", {"q": "登记", "_page": 5}),
]


def setup_django() -> None:
    import django

    django.setup()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


class SampleProbe:
    """Where one timed search's time went: the database's (the statements' execute and fetch, by
    Django's execute wrapper), Python's garbage collector (gc.callbacks: the collections that ran
    during the sample, by generation, and their time), and the rest (the ORM building the query
    and the rows, the page's attribute reads). Used to say what the slowest sample was."""

    def __init__(self) -> None:
        import gc

        from django.db import connection

        self.sql_s = 0.0
        self.statements = 0
        self.gc_s = 0.0
        self.gc_gens: list[int] = []
        self._gc_t0 = 0.0
        self.total_gc_s = [0.0, 0.0, 0.0]  # per generation, over the whole run (never reset)
        self.total_gc_n = [0, 0, 0]
        gc.callbacks.append(self._on_gc)
        connection.execute_wrappers.append(self._wrap)

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._gc_t0 = time.perf_counter()
        else:
            spent = time.perf_counter() - self._gc_t0
            self.gc_s += spent
            self.gc_gens.append(info["generation"])
            self.total_gc_s[info["generation"]] += spent
            self.total_gc_n[info["generation"]] += 1

    def _wrap(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.sql_s += time.perf_counter() - t0
            self.statements += 1

    def reset(self) -> None:
        self.sql_s, self.statements, self.gc_s, self.gc_gens = 0.0, 0, 0.0, []

    def snapshot(self) -> dict[str, Any]:
        return {
            "sql_ms": self.sql_s * 1000,
            "statements": self.statements,
            "gc_ms": self.gc_s * 1000,
            "gc_gens": list(self.gc_gens),
        }


Result = tuple[str, float, float, str, dict[str, Any]]


def run_queries(repeat: int, probe: SampleProbe | None = None) -> list[Result]:
    """Each query through `catalog.selectors.search_page` (what /catalog/ and the catalog API run:
    the page's rows and the count, capped at 1,000). A deep page is reached the way the page
    reaches it: by the `after` cursor of the page before (taken outside the timing). For each
    class, the slowest sample with what the probe saw during it."""
    from onewindow.catalog.selectors import MatterQuery, search_page

    out = []
    for label, params in QUERIES:
        params = dict(params)
        page_no = int(params.pop("_page", 1))  # type: ignore[call-overload]
        query = MatterQuery(**params)  # type: ignore[arg-type]
        after = ""
        for _ in range(page_no - 1):
            after = search_page(query, after=after).next_cursor
        times = []
        count = ""
        slowest: dict[str, Any] = {"ms": -1.0}
        for i in range(repeat + 3):
            if probe:
                probe.reset()
            t0 = time.perf_counter()
            page = search_page(query, after=after)
            count = page.count_text
            for m in page.items:  # what the page renders
                _ = (m.current_version.name, m.department.name)
            elapsed = (time.perf_counter() - t0) * 1000
            if i >= 3:  # warm-up runs are not counted
                times.append(elapsed)
                if elapsed > slowest["ms"]:
                    slowest = {"ms": elapsed, "sample": i - 3, **(probe.snapshot() if probe else {})}
        out.append((label, statistics.median(times), percentile(times, 99), count, slowest))
    return out


def explain_queries() -> None:
    """Per query class: the SQL statements one page runs and the database's own execution time of
    each (EXPLAIN ANALYZE, PostgreSQL), a figure far less moved by a busy machine's Python
    processes than the wall-clock latency."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from onewindow.catalog.selectors import MatterQuery, search_page

    print("\nEXPLAIN ANALYZE: database execution time per page (ms), statements")
    for label, params in QUERIES:
        params = dict(params)
        page_no = int(params.pop("_page", 1))  # type: ignore[call-overload]
        query = MatterQuery(**params)  # type: ignore[arg-type]
        after = ""
        for _ in range(page_no - 1):
            after = search_page(query, after=after).next_cursor
        with CaptureQueriesContext(connection) as ctx:
            search_page(query, after=after)
        total = 0.0
        worst = (0.0, "")
        for q in ctx.captured_queries:
            with connection.cursor() as cur:
                cur.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + q["sql"])
                ms = float(cur.fetchone()[0][0]["Execution Time"])
            total += ms
            worst = max(worst, (ms, q["sql"]))
        print(f"  {label:<22} {total:>8.2f} ms in {len(ctx.captured_queries)} statements (slowest {worst[0]:.2f} ms)")


def explain_plans_sqlite() -> None:
    """SQLite: EXPLAIN QUERY PLAN of each statement of the broad term's page (登记)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from onewindow.catalog.selectors import MatterQuery, search_page

    with CaptureQueriesContext(connection) as ctx:
        search_page(MatterQuery(q="登记"))
    print("\nEXPLAIN QUERY PLAN, 登记 (broad), one page's statements:")
    for q in ctx.captured_queries:
        print("  " + " ".join(q["sql"].split())[:300])
        with connection.cursor() as cur:
            cur.execute("EXPLAIN QUERY PLAN " + q["sql"])
            for row in cur.fetchall():
                print(f"      {row[-1]}")


def grow(total: int, seed: int = 2021) -> None:
    """Add matters until the catalog holds `total`: every district's list again per county."""
    from onewindow.accounts.models import OrgUnit
    from onewindow.catalog.demo import matter_specs
    from onewindow.catalog.models import LifeEvent, Matter
    from onewindow.catalog.services import MatterInput, matter_bulk_create

    rng = random.Random(seed)
    specs = matter_specs(20210603)
    departments = {u.code: u for u in OrgUnit.objects.filter(kind=OrgUnit.Kind.DEPARTMENT)}
    events = list(LifeEvent.objects.all())
    have = Matter.objects.count()
    batch: list[MatterInput] = []
    n = 0
    started = time.perf_counter()
    while have + n < total:
        county = COUNTIES[(n // len(specs)) % len(COUNTIES)]
        s = specs[n % len(specs)]
        fields = dict(s.extra)
        fields["name"] = f"{s.name}（{county}）"
        batch.append(
            MatterInput(
                department=departments[s.dept],
                fields=fields,
                materials=[{"name": "申请人居民身份证", "shared_key": "id_card"}, {"name": f"《{s.name}》申请表"}],
                life_events=[rng.choice(events)] if rng.random() < 0.3 else [],
            )
        )
        n += 1
        if len(batch) == 2000 or have + n >= total:
            matter_bulk_create(items=batch, actor=None)
            batch = []
            print(f"\r  building: {have + n:>7} matters ({time.perf_counter() - started:.0f} s)", end="", flush=True)
    print()


def report(size: int, vendor: str, results: list[Result], gc_mode: str = "on") -> None:
    print(f"\n{vendor}, {size:,} matters (garbage collector: {gc_mode})")
    print(f"  {'query':<22} {'median ms':>10} {'p99 ms':>9} {'hits':>8}  slowest sample: ms = SQL + GC + rest (GC generations)")
    for label, med, p99, count, slow in results:
        line = f"  {label:<22} {med:>10.2f} {p99:>9.2f} {count:>8}"
        if "sql_ms" in slow:
            rest = slow["ms"] - slow["sql_ms"] - slow["gc_ms"]
            line += (
                f"  #{slow['sample']:<3} {slow['ms']:.1f} = {slow['sql_ms']:.1f} + {slow['gc_ms']:.1f} + {rest:.1f}"
                f" ({','.join(map(str, slow['gc_gens'])) or 'none'})"
            )
        print(line)
    print("  (hits: the count the page shows, capped at 1,000: 1,000+)")
    meds = [r[1] for r in results]
    print(
        f"  {'all queries':<22} {statistics.median(meds):>10.2f} {max(r[2] for r in results):>9.2f}  (median of medians, worst p99)"
    )
    worst = max(results, key=lambda r: r[4].get("ms", 0.0))
    slow = worst[4]
    if "sql_ms" in slow:
        gc_txt = (
            f"{len(slow['gc_gens'])} collection(s), generations {slow['gc_gens']}, {slow['gc_ms']:.1f} ms"
            if slow["gc_gens"]
            else "none"
        )
        print(
            f"  slowest sample of all: {worst[0]} #{slow['sample']}, {slow['ms']:.1f} ms: SQL {slow['sql_ms']:.1f} ms "
            f"in {slow['statements']} statements, garbage collector {gc_txt}, "
            f"the rest (ORM, Python) {slow['ms'] - slow['sql_ms'] - slow['gc_ms']:.1f} ms; load: {hygiene.uptime()}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--big", type=int, default=100_000, help="size of the large catalog (default 100000)")
    parser.add_argument("--repeat", type=int, default=100, help="timed runs per query (default 100)")
    parser.add_argument("--keep", action="store_true", help="keep the database (with --var-dir on SQLite)")
    parser.add_argument("--reuse", action="store_true", help="time the database an earlier --keep run left (implies --keep)")
    parser.add_argument(
        "--gc",
        choices=["server", "on", "off"],
        default="server",
        help="the garbage collector during the timed runs: server (the default: as the WSGI entry point leaves a "
        "server process, the URLconf loaded and the startup heap frozen, onewindow/config/startup.py), on (nothing "
        "frozen: the bench process's own heap is walked by every generation-2 collection), off (disabled while timing, "
        "a diagnostic)",
    )
    hygiene.add_common(parser, "bench_catalog")
    hygiene.begin("catalog_search", "bench_catalog")
    args = parser.parse_args()
    args.keep = args.keep or args.reuse

    setup_django()
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    from onewindow.accounts.demo import build_org
    from onewindow.assistance import demo as assistance_demo
    from onewindow.catalog import demo as catalog_demo
    from onewindow.catalog.models import Matter
    from onewindow.core.demo import DemoContext
    from onewindow.core.demo import calendar as calendar_demo

    if args.reuse:
        connection.settings_dict["NAME"] = connection.settings_dict["TEST"]["NAME"]
        connection.close()
        print(f"reusing {connection.settings_dict['NAME']}: {Matter.objects.count():,} matters")
        old = None
    else:
        print("creating a throw-away database and migrating ...", flush=True)
        old = setup_databases(verbosity=0, interactive=False)
    probe = SampleProbe()
    try:
        vendor = _vendor(connection)
        if not args.reuse:
            ctx = DemoContext(out=io.StringIO(), quiet=True)
            t0 = time.perf_counter()
            # The work calendar as the demo has it: a case accepted in December has deadlines in a
            # year chinesecalendar does not know yet (the demo's provisional schedule).
            calendar_demo.build(ctx)
            build_org(ctx)
            catalog_demo.build(ctx)
            assistance_demo.build(ctx)
            print(f"demo district loaded in {time.perf_counter() - t0:.1f} s")
            with connection.cursor() as cur:
                cur.execute("ANALYZE")
            report(921, vendor, run_queries(args.repeat, probe), args.gc)
        if Matter.objects.count() < args.big:
            grow(args.big)
            with connection.cursor() as cur:
                cur.execute("ANALYZE")
        if args.gc == "server":
            from onewindow.config.startup import freeze_startup_heap

            freeze_startup_heap()
        elif args.gc == "off":
            gc.disable()
        n0, s0 = list(probe.total_gc_n), list(probe.total_gc_s)
        big = run_queries(args.repeat, probe)
        gc_line = ", ".join(
            f"gen {g}: {probe.total_gc_n[g] - n0[g]} ({(probe.total_gc_s[g] - s0[g]) * 1000:.1f} ms)" for g in range(3)
        )
        gc.enable()
        report(args.big, vendor, big, args.gc)
        print(f"  garbage collections during the {args.big:,}-matter runs (warm-ups included): {gc_line}")
        if connection.vendor == "postgresql":
            explain_queries()
        else:
            explain_plans_sqlite()
        aim_ms = 20.0 if connection.vendor == "postgresql" else 50.0
        worst = max(big, key=lambda r: r[2])
        hygiene.result(
            f"catalog search p99, worst class, {args.big:,} matters ({connection.vendor})",
            worst[2],
            "ms",
            aim=f"< {aim_ms:.0f} ms",
            met=worst[2] < aim_ms,
            note=worst[0],
        )
    finally:
        if old is not None and not args.keep:
            teardown_databases(old, verbosity=0)
        else:
            print(f"kept {connection.settings_dict['NAME']} (rerun with --reuse --db-name {args.db_name})")


def _vendor(connection: Any) -> str:
    if connection.vendor == "sqlite":
        return f"sqlite {connection.Database.sqlite_version}"
    return f"postgresql {connection.pg_version}"


if __name__ == "__main__":
    main()
