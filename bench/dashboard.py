"""The dashboard at a province's volume, on PostgreSQL: 1,000,000 cases and 5,000,000 ticket events,
generated with generate_series in a throw-away database, the rollups counted in set-based SQL
(bench/rollup_sql.py; --check compares them with rebuild_rollups), then the dashboard
page timed for every kind of filter (through Django's test client: every app's figures, templates
and all): periods, departments, townships, matters, channels, service points and areas,
combinations, readers whose remit is a unit, and the lists of cases behind the figures; then the
supervisors' late list (the workbench page, first pages with their count) and the wall screen.
Prints median and p95 per filter, a table of p95 per filter class, and the load average at start
and end.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/dashboard.py \
        [--cases 1000000] [--events 5000000] [--repeat 15] [--db-name bench_dd] [--keep]
        [--reuse [--rebuild]] [--sections] [--only CLASSES]

--check (at a small size) also runs rebuild_rollups after the set-based fill and compares every
rollup table; --no-pages stops after the build. --keep keeps the database afterwards; --reuse times an earlier run's kept database again (after
migrating it; --rebuild also recounts the rollups), and keeps it. --sections also times, on a few
pages, each provider's `sections()` (median ms, its queries and their database time) and the
template's rendering: where a page's time goes. --only times the pages of some filter classes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.config.settings")

ARGS = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
ARGS.add_argument("--cases", type=int, default=1_000_000)
ARGS.add_argument("--events", type=int, default=5_000_000)
ARGS.add_argument("--repeat", type=int, default=15)
ARGS.add_argument("--db-name", default="bench_dd")
ARGS.add_argument("--keep", action="store_true", help="keep the database afterwards")
ARGS.add_argument("--reuse", action="store_true", help="time the database an earlier run kept (implies --keep)")
ARGS.add_argument("--rebuild", action="store_true", help="with --reuse: recount the rollups first (rebuild_rollups)")
ARGS.add_argument(
    "--check",
    action="store_true",
    help="after the set-based fill, also run rebuild_rollups and compare every rollup table (use at a small size)",
)
ARGS.add_argument("--no-pages", action="store_true", help="build (and --check) only; time no page")
ARGS.add_argument("--var-dir", default="", help="var directory (default: a fresh temporary folder, removed at exit)")
ARGS.add_argument("--sections", action="store_true", help="also time each provider's figures and the template on a few pages")
ARGS.add_argument("--only", default="", help="time only these filter classes (comma-separated, e.g. 'period,late list')")
OPTS = ARGS.parse_args()

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hygiene  # noqa: E402

hygiene.own_var_dir("dashboard", OPTS.var_dir)

from pgdb import drop, load, timed, use_existing, use_throwaway  # noqa: E402  (bench/ is the script's directory)

print(f"start: {load()} ({hygiene.uptime()})", flush=True)
if OPTS.reuse:
    OPTS.keep = True
    use_existing(OPTS.db_name)
else:
    use_throwaway(OPTS.db_name)

import django  # noqa: E402

django.setup()

import rollup_sql  # noqa: E402  (after setup: it imports the project's modules)
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from onewindow.accounts.models import County, OrgUnit, Role, RoleAssignment, User  # noqa: E402
from onewindow.accounts.services import org_unit_create  # noqa: E402
from onewindow.catalog.models import Matter, MatterVersion  # noqa: E402
from onewindow.core.calendar_seed import seed_from_chinesecalendar  # noqa: E402
from onewindow.dashboard.models import RegionReader  # noqa: E402
from onewindow.hall.models import ServiceArea, ServicePoint  # noqa: E402

FIRST_DAY, LAST_DAY = "2021-01-04", "2026-11-27"
CHANNELS = "ARRAY['counter','counter','counter','online','online','mobile','agent','appointment','off_hours']"


def structure() -> dict[str, Any]:
    seed_from_chinesecalendar(first_year=2021)
    gov = org_unit_create(code="QY", name="青原区人民政府", kind=OrgUnit.Kind.GOVERNMENT)
    depts = [org_unit_create(code=f"D{i:02d}", name=f"部门{i:02d}", kind=OrgUnit.Kind.DEPARTMENT, parent=gov) for i in range(32)]
    towns = [
        org_unit_create(code=f"T{i:02d}", name=f"乡镇{i:02d}", kind=OrgUnit.Kind.TOWNSHIP, parent=gov, sort_order=100 + i)
        for i in range(9)
    ]
    matters = Matter.objects.bulk_create(
        Matter(code=f"M{i:04d}", department=depts[i % 32], search_name=f"事项{i:04d}") for i in range(921)
    )
    versions = MatterVersion.objects.bulk_create(
        MatterVersion(
            matter=m,
            number=1,
            status=MatterVersion.Status.PUBLISHED,
            name=m.search_name,
            matter_type=MatterVersion.MatterType.LICENCE,
            kind=MatterVersion.Kind.COMMITTED,
            statutory_days=20,
            committed_days=5 + (i % 4) * 5,
        )
        for i, m in enumerate(matters)
    )
    for m, v in zip(matters, versions, strict=True):
        m.current_version = v
    Matter.objects.bulk_update(matters, ["current_version"])
    applicant = User.objects.create_user(username="applicant", password="x")
    leader = User.objects.create_user(username="leader", password="x")
    RoleAssignment.objects.create(user=leader, role=Role.LEADER, org_unit=gov)
    readers(depts, towns)
    points = [ServicePoint.objects.create(org_unit=gov, code="HALL", name="区行政服务中心")]
    points += [ServicePoint.objects.create(org_unit=t, code=f"P{t.code}", name=f"{t.name}便民服务中心") for t in towns]
    areas = [
        ServiceArea.objects.create(
            point=points[0], code=f"A{i}", name=f"服务区{i}", theme="comprehensive", ticket_prefix="ABCDEF"[i]
        )
        for i in range(6)
    ]
    areas += [
        ServiceArea.objects.create(point=p, code=f"A{p.code}", name="便民服务区", theme="township", ticket_prefix="A")
        for p in points[1:]
    ]
    return {
        "gov": gov,
        "depts": depts,
        "towns": towns,
        "applicant": applicant,
        "leader": leader,
        "points": points,
        "areas": areas,
    }


def readers(depts: list[OrgUnit], towns: list[OrgUnit]) -> None:
    """A department's head and a township's leader: their remit narrows the page. A province's
    reader, and two more counties of the city beside the district, so the roll-up page
    (/dashboard/counties/) compares three counties: every generated case is the district's, so the
    page reads the whole million's rollups grouped by county (its cost is per rollup row, not per
    county)."""
    for name, role, unit in (("dept_leader", Role.LEADER, depts[3]), ("town_leader", Role.LEADER, towns[2])):
        user, _created = User.objects.get_or_create(username=name)
        RoleAssignment.objects.get_or_create(user=user, role=role, org_unit=unit)
    for code, name, letters in (("360802", "吉州区", "JZ"), ("360821", "吉安县", "JA")):
        county, _created = County.objects.get_or_create(
            code=code, defaults={"name": name, "city_code": "360800", "case_prefix": letters}
        )
        if not OrgUnit.objects.filter(code=f"{letters}GOV").exists():
            root = org_unit_create(code=f"{letters}GOV", name=f"{name}人民政府", kind=OrgUnit.Kind.GOVERNMENT, county=county)
            org_unit_create(code=f"{letters}ZJJ", name="住房和城乡建设局", kind=OrgUnit.Kind.DEPARTMENT, parent=root)
    province, _created = User.objects.get_or_create(username="province")
    RegionReader.objects.get_or_create(user=province, region_code="360000")


def existing() -> dict[str, Any]:
    """The structure of a kept database (--reuse)."""
    gov = OrgUnit.objects.get(code="QY")
    depts = list(OrgUnit.objects.filter(code__regex=r"^D[0-9]{2}$").order_by("code"))
    towns = list(OrgUnit.objects.filter(code__regex=r"^T[0-9]{2}$").order_by("code"))
    readers(depts, towns)
    return {
        "gov": gov,
        "depts": depts,
        "towns": towns,
        "leader": User.objects.get(username="leader"),
        "points": list(ServicePoint.objects.order_by("id")),
        "areas": list(ServiceArea.objects.order_by("id")),
    }


def generate_cases(s: dict[str, Any], n: int) -> None:
    towns = ",".join(str(t.pk) for t in s["towns"])
    sql = f"""
    WITH mv AS (SELECT array_agg(v.id ORDER BY v.id) ids, array_agg(m.department_id ORDER BY v.id) depts,
                       array_agg(v.committed_days ORDER BY v.id) cdays, array_agg(v.name ORDER BY v.id) names
                FROM catalog_matterversion v JOIN catalog_matter m ON m.id = v.matter_id),
    g AS (
      SELECT i,
             1 + floor(power(random(), 3) * 921)::int AS k,
             timestamptz '{FIRST_DAY} 01:00+00' + (random() * (date '{LAST_DAY}' - date '{FIRST_DAY}')) * interval '1 day'
               + (floor(random() * 9) * interval '1 hour') AS rec,
             random() AS r, random() AS r2, random() AS r3
      FROM generate_series(1, {n}) i
    )
    INSERT INTO cases_case (created_at, updated_at, uuid, number, check_code, channel, title, status, form_data, is_joint,
      received_at, received_on, intake_due, accepted_at, committed_days, statutory_days, extension_days, paused_days,
      committed_due, statutory_due, status_before_pause, current_stage, warning_level, refusal_reasons, decision,
      decision_reason, decided_at, concluded_at, delivery_method, tracking_number, delivered_at,
      applicant_id, department_id, intake_unit_id, matter_version_id, prereview, prereview_note)
    SELECT rec, rec, gen_random_uuid(), 'B' || lpad(i::text, 10, '0'), 'ABCDEF',
      ({CHANNELS})[1 + floor(r2 * 9)::int], mv.names[k],
      CASE WHEN rec > now() - interval '40 days' THEN (CASE WHEN r < 0.15 THEN 'submitted' ELSE 'in_review' END)
           WHEN r < 0.03 THEN 'refused' ELSE 'delivered' END,
      '{{}}', false, rec, rec::date, rec::date + 7,
      CASE WHEN r >= 0.15 OR rec <= now() - interval '40 days' THEN rec + interval '1 day' END,
      mv.cdays[k], 20, 0, 0,
      (rec + interval '1 day')::date + (mv.cdays[k] * 7 / 5),
      (rec + interval '1 day')::date + 28, '', 0,
      CASE WHEN rec > now() - interval '40 days' AND r3 < 0.10 THEN 'red'
           WHEN rec > now() - interval '40 days' AND r3 < 0.18 THEN 'yellow' ELSE '' END,
      '', CASE WHEN rec <= now() - interval '40 days' AND r >= 0.03 THEN 'approved' ELSE '' END, '',
      NULL,
      CASE WHEN rec <= now() - interval '40 days' AND r >= 0.03 THEN rec + (1 + floor(r3 * mv.cdays[k] * 1.6)) * interval '1 day' END,
      '', '', NULL,
      {s["applicant"].pk}, mv.depts[k],
      CASE WHEN r2 < 0.25 THEN (ARRAY[{towns}])[1 + floor(r3 * 9)::int] ELSE {s["gov"].pk} END,
      mv.ids[k], '', ''
    FROM g, mv
    """
    with connection.cursor() as cur:
        cur.execute(sql)
        cur.execute("ANALYZE cases_case")


def generate_tickets(s: dict[str, Any], events: int) -> None:
    """Four events per ticket (issued, called, started, finished), one in twelve a no-show
    (issued, called, no_show): tickets ≈ events / 4, over the working days, 8:30 to 17:30. The
    time of issue (`r`) and the no-show (`r2`) are drawn apart: with one draw for both, every
    ticket issued before 9:13 was a no-show, and the hall's chart by hour showed 8:00 with no
    service time (the rollups' hour bucket was right; the data was not)."""
    tickets = events // 4
    areas = s["areas"]
    area_ids = ",".join(str(a.pk) for a in areas)
    point_ids = ",".join(str(a.point_id) for a in areas)
    with connection.cursor() as cur:
        cur.execute(
            f"""
            WITH days AS (SELECT array_agg(date ORDER BY date) d FROM core_workcalendarday
                          WHERE is_workday AND date BETWEEN '{FIRST_DAY}' AND '{LAST_DAY}'),
            g AS (SELECT i, 1 + floor(power(random(), 1.5) * {len(areas)})::int AS a,
                         1 + floor(random() * array_length((SELECT d FROM days), 1))::int AS di,
                         random() AS r, random() AS r2 FROM generate_series(1, {tickets}) i)
            INSERT INTO hall_ticket (created_at, updated_at, uuid, area_id, issue_area_id, point_id, business_date, seq, number,
              source, priority, priority_rank, status, issued_at, queue_at, id_number, id_number_hash, phone, phone_hash,
              booking_ref, call_count)
            SELECT now(), now(), gen_random_uuid(), (ARRAY[{area_ids}])[a], (ARRAY[{area_ids}])[a], (ARRAY[{point_ids}])[a],
              days.d[di], i, 'A' || i, 'kiosk', 'normal', 3, CASE WHEN r2 < 0.08 THEN 'no_show' ELSE 'finished' END,
              date_trunc('milliseconds', (days.d[di] + time '08:30' + r * interval '9 hours') AT TIME ZONE 'Asia/Shanghai'),
              date_trunc('milliseconds', (days.d[di] + time '08:30' + r * interval '9 hours') AT TIME ZONE 'Asia/Shanghai'),
              '', '', '', '', '', 1
            FROM g, days
            """
        )
        cur.execute(
            """
            INSERT INTO hall_ticketevent (ticket_id, kind, at, area_id, point_id, business_date, note)
            SELECT t.id, e.kind, date_trunc('milliseconds', t.issued_at + e.after * (0.5 + (t.id % 7) / 7.0)), t.area_id,
              t.point_id, t.business_date, ''
            FROM hall_ticket t
            CROSS JOIN (VALUES ('issued', interval '0'), ('called', interval '14 min'), ('started', interval '15 min'),
                               ('finished', interval '24 min'), ('no_show', interval '18 min')) AS e(kind, after)
            WHERE (t.status = 'finished' AND e.kind <> 'no_show') OR (t.status = 'no_show' AND e.kind IN ('issued', 'called', 'no_show'))
            ORDER BY t.id, e.after
            """
        )
        cur.execute("ANALYZE hall_ticket; ANALYZE hall_ticketevent")
        cur.execute("SELECT count(*) FROM hall_ticketevent")
        print(f"  ticket events: {cur.fetchone()[0]:,}", flush=True)


def measure(client: Client, label: str, url: str, repeat: int) -> tuple[float, float]:
    client.get(url)  # warm (templates, the first query plans)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        r = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200, (url, r.status_code)
        assert "该模块统计暂不可用".encode() not in r.content, (url, "a section failed")
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    print(f"  {label:<52} median {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms", flush=True)
    return statistics.median(times), p95


def pages(s: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(filter class, label, reader, url) for every kind of filter of dashboard/filters.py."""
    dept, town = s["depts"][3].code, s["towns"][2].code
    matters = list(Matter.objects.order_by("id").values_list("code", flat=True))
    busy, rare = matters[0], matters[len(matters) // 2]  # popularity is skewed towards the first
    point, area = s["points"][0].code, s["areas"][0].code
    d = "/dashboard/"
    return [
        ("period", "default (last 12 months)", "leader", d),
        ("period", "whole history (2021-01-01 on)", "leader", f"{d}?date_from=2021-01-01"),
        ("period", "one year", "leader", f"{d}?date_from=2025-01-01&date_to=2025-12-31"),
        ("period", "a quarter", "leader", f"{d}?date_from=2026-04-01&date_to=2026-06-30"),
        ("period", "a month", "leader", f"{d}?date_from=2026-05-01&date_to=2026-05-31"),
        ("period", "a week", "leader", f"{d}?date_from=2026-06-01&date_to=2026-06-07"),
        ("period", "a day", "leader", f"{d}?date_from=2026-06-03&date_to=2026-06-03"),
        ("period", "odd dates (2023-03-17 to 2024-08-09)", "leader", f"{d}?date_from=2023-03-17&date_to=2024-08-09"),
        ("department", "a department", "leader", f"{d}?department={dept}"),
        ("department", "a department, whole history", "leader", f"{d}?department={dept}&date_from=2021-01-01"),
        ("department", "a department's head (remit)", "dept_leader", d),
        ("township", "a township", "leader", f"{d}?township={town}"),
        ("township", "a township, whole history", "leader", f"{d}?township={town}&date_from=2021-01-01"),
        ("township", "a township's leader (remit)", "town_leader", d),
        ("matter", "a busy matter (a tenth of all cases)", "leader", f"{d}?matter={busy}"),
        ("matter", "a busy matter, whole history", "leader", f"{d}?matter={busy}&date_from=2021-01-01"),
        ("matter", "a rare matter", "leader", f"{d}?matter={rare}"),
        ("channel", "a channel", "leader", f"{d}?channel=online"),
        ("channel", "a channel, whole history", "leader", f"{d}?channel=online&date_from=2021-01-01"),
        (
            "combination",
            "department + channel + odd dates",
            "leader",
            f"{d}?department={dept}&channel=mobile&date_from=2023-03-17&date_to=2024-08-09",
        ),
        ("combination", "township + matter", "leader", f"{d}?township={town}&matter={busy}"),
        (
            "combination",
            "department + township + channel, whole history",
            "leader",
            f"{d}?department={dept}&township={town}&channel=counter&date_from=2021-01-01",
        ),
        ("hall", "a service point", "leader", f"{d}?point={point}"),
        ("hall", "a hall area", "leader", f"{d}?area={area}"),
        ("hall", "a hall area, a week", "leader", f"{d}?area={area}&date_from=2026-06-01&date_to=2026-06-07"),
        ("case list", "cases of the last 12 months", "leader", f"{d}?view=cases"),
        ("case list", "cases of a busy matter", "leader", f"{d}?view=cases&matter={busy}"),
        ("case list", "cases of a busy matter, page 20", "leader", f"{d}?view=cases&matter={busy}&page=20"),
        ("case list", "cases of a department", "leader", f"{d}?view=cases&department={dept}"),
        ("case list", "cases of a township", "leader", f"{d}?view=cases&township={town}"),
        ("case list", "cases of a channel, whole history", "leader", f"{d}?view=cases&channel=online&date_from=2021-01-01"),
        ("case list", "cases late now (red)", "leader", f"{d}?view=cases&late=red"),
        ("case list", "a township leader's cases", "town_leader", f"{d}?view=cases"),
        ("late list", "late list, page 1", "leader", "/workbench/late/?page=1"),
        ("late list", "late list, page 2", "leader", "/workbench/late/?page=2"),
        ("late list", "late list, page 10", "leader", "/workbench/late/?page=10"),
        ("counties", "province: the counties' roll-up (last 12 months)", "province", "/dashboard/counties/"),
        ("counties", "province: the roll-up, whole history", "province", "/dashboard/counties/?date_from=2021-01-01"),
        ("counties", "province: the roll-up ranked by on-time rate", "province", "/dashboard/counties/?sort=on_time"),
        ("counties", "province: the district's dashboard", "province", f"{d}?county=360803"),
        ("wall", "wall screen", "leader", "/dashboard/wall/"),
        ("wall", "wall screen, a township's hall", "leader", f"/dashboard/wall/?point={s['points'][3].code}"),
    ]


SECTION_PAGES = [
    ("default (last 12 months)", "leader", "/dashboard/"),
    ("whole history", "leader", "/dashboard/?date_from=2021-01-01"),
    ("odd dates", "leader", "/dashboard/?date_from=2023-03-17&date_to=2024-08-09"),
    ("a township, whole history", "leader", "/dashboard/?township=T02&date_from=2021-01-01"),
    ("a township's leader (remit)", "town_leader", "/dashboard/"),
    ("a busy matter", "leader", "/dashboard/?matter=M0000"),
    ("a hall area", "leader", "/dashboard/?area=A0"),
]


def per_section(repeat: int) -> None:
    """Where a page's time goes: each provider's sections() on its own (median of `repeat`, with
    the number of queries and their time in the database), then the whole page with the
    template's rendering timed apart."""
    from urllib.parse import urlsplit

    from django.http import QueryDict
    from django.test.utils import CaptureQueriesContext

    from onewindow.dashboard import discovery, views
    from onewindow.dashboard.filters import parse_params
    from onewindow.dashboard.selectors import remit, within_remit

    renders: list[float] = []
    original = views.render

    def timed_render(*args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        out = original(*args, **kwargs)
        renders.append((time.perf_counter() - t0) * 1000)
        return out

    print(f"per section, median of {repeat} (ms; queries; their database ms):", flush=True)
    for label, reader, url in SECTION_PAGES:
        user = User.objects.get(username=reader)
        params = within_remit(parse_params(QueryDict(urlsplit(url).query)), remit(user))
        line = []
        for name, fn in discovery.providers():
            if params.get("remit") is not None and not discovery.honours_remit(fn):
                continue
            times, queries, db = [], 0, 0.0
            fn(user=user, params=params)  # warm
            for _i in range(repeat):
                with CaptureQueriesContext(connection) as ctx:
                    t0 = time.perf_counter()
                    fn(user=user, params=params)
                    times.append((time.perf_counter() - t0) * 1000)
                queries = len(ctx.captured_queries)
                db = sum(float(q["time"]) for q in ctx.captured_queries) * 1000
            line.append(f"{name} {statistics.median(times):.0f} ({queries}q, db {db:.0f})")
        client = Client()
        client.force_login(user)
        views.render = timed_render
        try:
            first = client.get(url)
            assert first.status_code == 200, (url, first.status_code)
            renders.clear()
            page = []
            for _i in range(repeat):
                t0 = time.perf_counter()
                client.get(url)
                page.append((time.perf_counter() - t0) * 1000)
        finally:
            views.render = original
        print(f"  {label}: page {statistics.median(page):.0f}, template {statistics.median(renders):.0f}", flush=True)
        print("    " + "; ".join(line), flush=True)


def main() -> None:
    try:
        timed("migrate", lambda: call_command("migrate", verbosity=0))
        from onewindow.core import rollups

        if OPTS.reuse:
            s = existing()
            if OPTS.rebuild:
                timed("rebuild_rollups (cases and hall)", rollups.rebuild_all)
        else:
            s = timed("structure (calendar, 32 departments, 9 townships, 921 matters, 15 areas)", structure)
            timed(f"{OPTS.cases:,} cases (generate_series)", lambda: generate_cases(s, OPTS.cases))
            timed(f"{OPTS.events:,} ticket events (generate_series)", lambda: generate_tickets(s, OPTS.events))
            with connection.cursor() as cur:
                cur.execute("ANALYZE")
            timed("case rollups (set-based SQL)", rollup_sql.fill_cases)
            timed("hall rollups (set-based SQL)", rollup_sql.fill_hall)
            if OPTS.check:
                rollup_sql.snapshot("sqlfill")
                timed("rebuild_rollups (the product's way, to compare)", rollups.rebuild_all)
                diff = rollup_sql.differences("sqlfill")
                for table, (only_fill, only_rebuild) in diff.items():
                    print(f"  {table}: {only_fill} rows only in the fill, {only_rebuild} only in the rebuild", flush=True)
                if any(a or b for a, b in diff.values()):
                    sys.exit("the set-based fill differs from rebuild_rollups")
                print("  the set-based fill equals rebuild_rollups, table by table", flush=True)
        with connection.cursor() as cur:
            cur.execute("SELECT (SELECT count(*) FROM cases_case), (SELECT count(*) FROM hall_ticketevent)")
            print("  cases {:,}, ticket events {:,}".format(*cur.fetchone()), flush=True)
            tables = ["cases_caseday", "cases_casemonth", "cases_caseyear", "hall_hallday", "hall_hallmonth"]
            tables += [
                t
                for t in connection.introspection.table_names()
                if t.startswith("cases_case") and t.endswith(("unitmonth", "unityear", "mattermonth", "matteryear"))
            ]
            counts = []
            for t in tables:
                cur.execute(f"SELECT count(*) FROM {connection.ops.quote_name(t)}")  # our own table names
                counts.append(f"{t.split('_', 1)[1]} {cur.fetchone()[0]:,}")
            print("  rollup rows: " + ", ".join(counts), flush=True)
            # VACUUM as autovacuum would have by then on a live system: the day rows are read from
            # their covering indexes alone only where the visibility map says the pages are all
            # visible (a fresh fill has none; without it each index entry costs a heap fetch).
            cur.execute("VACUUM ANALYZE")
        print(f"after set-up: {load()} ({hygiene.uptime()})", flush=True)
        if OPTS.no_pages:
            return

        clients: dict[str, Client] = {}
        results: list[tuple[str, str, float, float]] = []
        print(f"pages, {OPTS.repeat} runs each after one to warm up (DEBUG off):", flush=True)
        only = {c.strip() for c in OPTS.only.split(",") if c.strip()}
        # The readers sign in with force_login: the staff second factor and password expiry
        # (accounts/mfa.py, accounts/passwords.py) would send them to their own pages, as in the tests.
        with override_settings(DEBUG=False, ONEWINDOW_STAFF_OTP_REQUIRED=False, ONEWINDOW_STAFF_PASSWORD_MAX_AGE_DAYS=0):
            if OPTS.sections:
                per_section(OPTS.repeat)
            for kind, label, reader, url in pages(s):
                if only and kind not in only:
                    continue
                if reader not in clients:
                    clients[reader] = Client()
                    clients[reader].force_login(User.objects.get(username=reader))
                median, p95 = measure(clients[reader], label, url, OPTS.repeat)
                results.append((kind, label, median, p95))
        print(f"p95 per filter class (ms), {OPTS.cases:,} cases:", flush=True)
        for kind in dict.fromkeys(k for k, *_rest in results):
            mine = [r for r in results if r[0] == kind]
            worst = max(mine, key=lambda r: r[3])
            print(f"  {kind:<12} worst p95 {worst[3]:7.1f}  ({worst[1]}; {len(mine)} filters)", flush=True)
        dash = [r[3] for r in results if r[0] not in ("late list", "wall")]
        late = [r[3] for r in results if r[0] == "late list"]
        if dash:
            print(f"  dashboard, every filter: worst p95 {max(dash):.1f} ms (aim < 300)", flush=True)
        if late:
            print(f"  late list: worst p95 {max(late):.1f} ms (aim < 100)", flush=True)
    finally:
        connection.close()
        print(f"end: {load()} ({hygiene.uptime()})", flush=True)
        if not OPTS.keep:
            drop(OPTS.db_name)


main()
