"""The benchmark's rollups counted in a few set-based statements (PostgreSQL) instead of
`rebuild_rollups`, which counts day by day in Python (at 100,000 cases and 500,000 ticket events
it took 12 minutes on the shared machine: a province's volume would take two hours).

What each column counts is `cases.rollups.case_counts` and `hall.stats.track_sums` over
`hall.stats.replay`, written again in SQL for the histories the benchmark generates: every case
and ticket event the benchmark writes, plus what the services would add to a case (pauses, trips,
joint steps). The ticket replay is simplified where the benchmark's tickets are simple (one call
per ticket, no recall before a start, events in time order); `bench/dashboard.py --check` rebuilds
the rollups the product's way afterwards and compares every table row by row, so a run at a small
size shows this fill equal to `rebuild_rollups` for these histories.

The month and year rows are then re-added from the day rows by the product's own code."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import connection

from onewindow.core.rollups import claim


def _tz() -> str:
    return str(settings.TIME_ZONE)


def fill_cases() -> None:
    from onewindow.cases import rollups
    from onewindow.cases.models import CaseEvent

    tz = _tz()
    towns = rollups.township_map()
    with connection.cursor() as cur:
        cur.execute("CREATE TEMP TABLE ow_town (unit_id integer PRIMARY KEY, town_id integer NOT NULL)")
        cur.executemany("INSERT INTO ow_town VALUES (%s, %s)", list(towns.items()))
        # Working days up to each day of the calendar: workdays_between(a, b) = wd(b) - wd(a).
        cur.execute(
            "CREATE TEMP TABLE ow_cal AS SELECT date, sum(is_workday::int) OVER (ORDER BY date) AS wd FROM core_workcalendarday"
        )
        cur.execute("CREATE UNIQUE INDEX ON ow_cal (date)")
        cur.execute("DELETE FROM cases_caseday")
        for month_model, year_model, _dims in rollups.CUBES:
            cur.execute(f"DELETE FROM {month_model._meta.db_table}")
            cur.execute(f"DELETE FROM {year_model._meta.db_table}")
        measures = ", ".join(rollups.MEASURES)
        sums = ", ".join(f"SUM({m})" for m in rollups.MEASURES)
        cur.execute(
            f"""
            INSERT INTO cases_caseday (day, department_id, township_id, matter_id, bundle_id, channel, {measures})
            SELECT day, department_id, township_id, matter_id, bundle_id, channel, {sums}
            FROM (
              SELECT (c.received_at AT TIME ZONE %(tz)s)::date AS day, c.department_id,
                COALESCE(NULLIF(ti.town_id, 0), NULLIF(td.town_id, 0), 0) AS township_id,
                COALESCE(mv.matter_id, 0) AS matter_id, COALESCE(c.bundle_id, 0) AS bundle_id, c.channel,
                1 AS received,
                (c.bundle_id IS NOT NULL)::int AS joint,
                (c.accepted_at IS NOT NULL)::int AS accepted,
                (c.status = 'refused')::int AS refused,
                EXISTS (SELECT 1 FROM cases_casepause p WHERE p.case_id = c.id AND p.kind = 'supplement')::int AS supplemented,
                (c.concluded_at IS NOT NULL)::int AS concluded,
                (c.concluded_at IS NOT NULL AND c.committed_due IS NOT NULL
                   AND (c.concluded_at AT TIME ZONE %(tz)s)::date <= c.committed_due)::int AS on_time,
                (timed.ok)::int AS timed,
                CASE WHEN timed.ok THEN GREATEST(0, cd.wd - ca.wd - c.paused_days) ELSE 0 END AS workdays,
                CASE WHEN timed.ok THEN c.committed_days ELSE 0 END AS committed,
                CASE WHEN timed.ok THEN c.statutory_days ELSE 0 END AS statutory,
                CASE WHEN c.bundle_id IS NOT NULL AND c.accepted_at IS NOT NULL THEN
                  (SELECT COALESCE(SUM(s), 0) - COALESCE(SUM(m), 0) FROM
                     (SELECT SUM(limit_days) s, MAX(limit_days) m FROM cases_casestep st
                      WHERE st.case_id = c.id GROUP BY st.stage_order) z)
                ELSE 0 END AS joint_saved,
                (c.decision = 'approved')::int AS approved,
                (c.decision = 'denied')::int AS denied,
                done.ok::int AS done,
                (done.ok AND trips.n = 0)::int AS zero_trips,
                (done.ok AND trips.n <= 1)::int AS one_trip,
                CASE WHEN done.ok THEN trips.n ELSE 0 END AS trips
              FROM cases_case c
              LEFT JOIN catalog_matterversion mv ON mv.id = c.matter_version_id
              LEFT JOIN ow_town ti ON ti.unit_id = c.intake_unit_id
              LEFT JOIN ow_town td ON td.unit_id = c.department_id
              LEFT JOIN ow_cal ca ON ca.date = (c.accepted_at AT TIME ZONE %(tz)s)::date
              LEFT JOIN ow_cal cd ON cd.date = (c.concluded_at AT TIME ZONE %(tz)s)::date
              CROSS JOIN LATERAL (SELECT c.status IN ('delivered', 'refused') AS ok) done
              CROSS JOIN LATERAL (SELECT c.concluded_at IS NOT NULL AND c.accepted_at IS NOT NULL
                                          AND ca.wd IS NOT NULL AND cd.wd IS NOT NULL AS ok) timed
              CROSS JOIN LATERAL (SELECT CASE WHEN c.status IN ('delivered', 'refused')
                                   THEN (SELECT count(*) FROM cases_casevisit v WHERE v.case_id = c.id) ELSE 0 END AS n) trips
            ) x
            GROUP BY day, department_id, township_id, matter_id, bundle_id, channel
            """,
            {"tz": tz},
        )
        cur.execute("SELECT min(day), max(day) FROM cases_caseday")
        first, last = cur.fetchone()
        cur.execute("DROP TABLE ow_town; DROP TABLE ow_cal")
    if first is not None:
        m = first.replace(day=1)
        while m <= last:
            for month_model, _year_model, dims in rollups.CUBES:
                rollups._resum(month_model, "month", m, rollups.CaseDay, "day", rollups._next_month(m), dims)
            m = rollups._next_month(m)
        for y in range(first.year, last.year + 1):
            start = datetime.date(y, 1, 1)
            for month_model, year_model, dims in rollups.CUBES:
                rollups._resum(year_model, "year", start, month_model, "month", start.replace(year=y + 1), dims)
    _mark(rollups.NAME, CaseEvent)


def fill_hall() -> None:
    from onewindow.hall import rollups
    from onewindow.hall.models import ServiceArea, TicketEvent
    from onewindow.hall.stats import service_levels

    levels = service_levels(ServiceArea.objects.values_list("pk", flat=True))
    with connection.cursor() as cur:
        cur.execute("CREATE TEMP TABLE ow_level (area_id integer PRIMARY KEY, minutes integer NOT NULL)")
        cur.executemany("INSERT INTO ow_level VALUES (%s, %s)", list(levels.items()))
        cur.execute(
            "DELETE FROM hall_hallday; DELETE FROM hall_hallmonth; DELETE FROM hall_hallwindowday; DELETE FROM hall_hallwindowmonth"
        )
        # One row per ticket and (point, business day), as hall.stats.replay tracks it; then
        # track_sums per ticket (milliseconds rounded as Python's round() does: half to even).
        cur.execute(
            """
            CREATE TEMP TABLE ow_track AS
            SELECT e.ticket_id, e.point_id, e.business_date,
              min(e.area_id) FILTER (WHERE e.kind = 'issued') AS area_id,
              max(e.at) FILTER (WHERE e.kind = 'issued') AS issued,
              min(e.at) FILTER (WHERE e.kind IN ('called', 'recalled')) AS first_call,
              max(e.at) FILTER (WHERE e.kind = 'called') AS last_call,
              min(e.at) FILTER (WHERE e.kind IN ('started', 'resumed')) AS started,
              (array_agg(e.kind ORDER BY e.id DESC) FILTER (WHERE e.kind IN ('finished', 'no_show', 'abandoned')))[1] AS end_kind,
              (array_agg(e.at ORDER BY e.id DESC) FILTER (WHERE e.kind IN ('finished', 'no_show', 'abandoned')))[1] AS end_at,
              (array_agg(e.window_id ORDER BY e.id DESC) FILTER (WHERE e.kind IN ('finished', 'no_show', 'abandoned')))[1] AS end_window,
              (array_agg(e.actor_id ORDER BY e.id DESC) FILTER (WHERE e.kind IN ('finished', 'no_show', 'abandoned')))[1] AS end_actor
            FROM hall_ticketevent e
            GROUP BY e.ticket_id, e.point_id, e.business_date
            """
        )
        cur.execute("DELETE FROM ow_track WHERE area_id IS NULL")  # no issue event that day: left out, as replay does
        cur.execute(
            """
            CREATE FUNCTION pg_temp.ow_ms(d interval) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
              SELECT CASE WHEN mod(us, 1000) > 500 OR (mod(us, 1000) = 500 AND mod(div(us, 1000), 2) = 1)
                          THEN div(us, 1000) + 1 ELSE div(us, 1000) END
              FROM (SELECT (extract(epoch FROM d) * 1000000)::bigint AS us) x
            $$
            """
        )
        cur.execute(
            """
            INSERT INTO hall_hallday (business_date, point_id, area_id, hour, issued, called, finished, no_show, abandoned,
                                      wait_ms, wait_n, service_ms, service_n, judged, within)
            SELECT business_date, point_id, area_id, hour, sum(issued), sum(called), sum(finished), sum(no_show), sum(abandoned),
                   sum(wait_ms), sum(wait_n), sum(service_ms), sum(service_n), sum(judged), sum(within)
            FROM (
              SELECT t.business_date, t.point_id, t.area_id,
                COALESCE(extract(hour FROM t.issued AT TIME ZONE %(tz)s)::int, 0) AS hour,
                (t.issued IS NOT NULL)::int AS issued,
                (t.first_call IS NOT NULL)::int AS called,
                (t.end_kind = 'finished')::int AS finished,
                (t.end_kind = 'no_show')::int AS no_show,
                (t.end_kind = 'abandoned')::int AS abandoned,
                CASE WHEN t.issued IS NOT NULL AND t.first_call IS NOT NULL THEN pg_temp.ow_ms(t.first_call - t.issued) ELSE 0 END AS wait_ms,
                (t.issued IS NOT NULL AND t.first_call IS NOT NULL)::int AS wait_n,
                CASE WHEN svc.ok THEN pg_temp.ow_ms(t.end_at - COALESCE(t.started, t.last_call)) ELSE 0 END AS service_ms,
                svc.ok::int AS service_n,
                (t.issued IS NOT NULL AND (t.first_call IS NOT NULL OR t.end_kind = 'abandoned'))::int AS judged,
                (t.issued IS NOT NULL AND t.first_call IS NOT NULL
                   AND t.first_call - t.issued <= make_interval(mins => COALESCE(l.minutes, 15)))::int AS within
              FROM ow_track t
              LEFT JOIN ow_level l ON l.area_id = t.area_id
              CROSS JOIN LATERAL (SELECT COALESCE(t.end_kind = 'finished' AND COALESCE(t.started, t.last_call) IS NOT NULL
                                   AND t.end_at >= COALESCE(t.started, t.last_call), false) AS ok) svc
            ) x
            GROUP BY business_date, point_id, area_id, hour
            """,
            {"tz": _tz()},
        )
        cur.execute(
            """
            INSERT INTO hall_hallwindowday (business_date, point_id, window_id, clerk_id, finished)
            SELECT business_date, point_id, end_window, COALESCE(end_actor, 0), count(*)
            FROM ow_track WHERE end_kind = 'finished' AND end_window IS NOT NULL
            GROUP BY business_date, point_id, end_window, COALESCE(end_actor, 0)
            """
        )
        cur.execute("SELECT DISTINCT date_trunc('month', business_date)::date FROM hall_hallday")
        months = [r[0] for r in cur.fetchall()]
        cur.execute("DROP TABLE ow_track; DROP TABLE ow_level")
    rollups._count_months(months)
    _mark(rollups.NAME, TicketEvent)


def _mark(name: str, event_model: Any) -> None:
    """The rollup counts every event there is: its mark moves to the newest."""
    from django.db.models import Max

    with claim(name) as mark:
        assert mark is not None
        mark.last_id = event_model.objects.aggregate(m=Max("id"))["m"] or 0


ROLLUP_TABLES = [
    "cases_caseday",
    "cases_casemonth",
    "cases_caseyear",
    "cases_caseunitmonth",
    "cases_caseunityear",
    "cases_casemattermonth",
    "cases_casematteryear",
    "hall_hallday",
    "hall_hallmonth",
    "hall_hallwindowday",
    "hall_hallwindowmonth",
]


def snapshot(suffix: str) -> None:
    """Copy every rollup table (without ids) to <table>_<suffix>, to compare after a rebuild."""
    with connection.cursor() as cur:
        for t in ROLLUP_TABLES:
            cur.execute(f"DROP TABLE IF EXISTS {t}_{suffix}")
            cur.execute(f"CREATE TABLE {t}_{suffix} AS SELECT * FROM {t}")
            cur.execute(f"ALTER TABLE {t}_{suffix} DROP COLUMN id")


def differences(suffix: str) -> dict[str, tuple[int, int]]:
    """Per rollup table: (rows only in the snapshot, rows only in the table now), ids left out."""
    out = {}
    with connection.cursor() as cur:
        for t in ROLLUP_TABLES:
            cur.execute(f"SELECT * FROM {t}_{suffix} LIMIT 0")
            cols = ", ".join(d[0] for d in cur.description)
            cur.execute(
                f"SELECT (SELECT count(*) FROM (SELECT {cols} FROM {t}_{suffix} EXCEPT ALL SELECT {cols} FROM {t}) a), "
                f"(SELECT count(*) FROM (SELECT {cols} FROM {t} EXCEPT ALL SELECT {cols} FROM {t}_{suffix}) b)"
            )
            out[t] = cur.fetchone()
            cur.execute(f"DROP TABLE {t}_{suffix}")
    return out
