"""Instant filing and online application throughput, through the real services.

  filing   W concurrent enterprises sign the business-resumption commitment
           (filings.services.filing_sign: identity and text-hash checks, breach check, insert,
           number from the database id, audit row, outbox message): filings per second, latency.
           F10's rush was 1,200+ filings in 1.5 months; this shows the head-room.
  apply    one citizen application end to end (materials.services: start draft, confirm
           conditions, save the form, reuse the library's ID card with one tap, upload the form
           PDF, submit -> cases.services.case_submit): applications per second, latency.

Uses its own throw-away database: PostgreSQL when DATABASE_URL is set (database --db-name,
default bench_portal, created and dropped), else a SQLite file in its own var directory
(--var-dir, default a temporary folder removed at exit).

    .venv/bin/python bench/portal_filing.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/portal_filing.py
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import os
import statistics
import sys
import time
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hygiene

OPTS = hygiene.begin("portal_filing", "bench_portal")
os.environ["PRIVATE_STORAGE_ROOT"] = os.path.join(OPTS.var_dir, "private")

import django  # noqa: E402

django.setup()

from django.db import connection, connections  # noqa: E402

from onewindow.core.testing import run_concurrently_timed  # noqa: E402


def setup(enterprises: int) -> dict[str, Any]:
    from onewindow.accounts.models import Enterprise, EnterpriseHandler, OrgUnit, Role, RoleAssignment, User
    from onewindow.accounts.services import org_unit_create
    from onewindow.core.calendar_seed import seed_from_chinesecalendar
    from onewindow.filings.demo import demo_resident_id, demo_uscc
    from onewindow.portal.testing import COMMITMENT, make_online_matter

    seed_from_chinesecalendar(first_year=2025)
    gov = org_unit_create(code="QY", name="青原区人民政府", kind=OrgUnit.Kind.GOVERNMENT)
    dept = org_unit_create(code="XZSP", name="行政审批局", kind=OrgUnit.Kind.DEPARTMENT, parent=gov)
    filing = make_online_matter(
        dept,
        code="BA-1",
        name="企业复工经营备案",
        audience="enterprise",
        kind="filing",
        form_schema=[],
        commitment_text=COMMITMENT,
    )
    online = make_online_matter(dept)
    people = []
    for i in range(enterprises):
        u = User.objects.create(username=f"b{i}", display_name=f"法人{i}", id_number=demo_resident_id(i), password="!")
        e = Enterprise.objects.create(
            uscc=demo_uscc(50000 + i, sole_trader=False), name=f"企业{i}", legal_representative=u.display_name
        )
        EnterpriseHandler.objects.create(enterprise=e, user=u, kind="legal")
        RoleAssignment.objects.create(user=u, role=Role.ENTERPRISE)
        people.append((u.pk, e.pk))
    return {"filing": filing, "online": online, "people": people, "hash": hashlib.sha256(COMMITMENT.encode()).hexdigest()}


def main() -> None:
    ap = argparse.ArgumentParser()
    hygiene.add_common(ap, "bench_portal")
    ap.add_argument("--workers", default="1,8")
    ap.add_argument("--per-worker", type=int, default=40)
    ap.add_argument("--applications", type=int, default=30)
    args = ap.parse_args()
    workers_list = [int(w) for w in args.workers.split(",")]

    import time_machine

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    # A working day inside the seeded calendar, so deadlines never run past it.
    travel = time_machine.travel(datetime.datetime(2026, 4, 1, 10, tzinfo=datetime.UTC), tick=True)
    travel.start()
    try:
        from onewindow.accounts.models import Enterprise, User
        from onewindow.filings.models import Filing
        from onewindow.filings.services import filing_sign

        ctx = setup(max(workers_list))
        print(f"database: {connection.vendor}")
        print("\nfiling: concurrent enterprises signing the commitment")
        print(f"{'workers':>8} {'filings':>8} {'seconds':>8} {'per sec':>8} {'p50 ms':>7} {'p95 ms':>7}")
        for workers in workers_list:
            lat: list[float] = []

            def sign(i: int, lat: list[float] = lat) -> int:
                user_pk, ent_pk = ctx["people"][i]
                user, ent = User.objects.get(pk=user_pk), Enterprise.objects.get(pk=ent_pk)
                for _ in range(args.per_worker):
                    t = time.perf_counter()
                    filing_sign(
                        applicant=user,
                        matter=ctx["filing"],
                        enterprise=ent,
                        signer_name=user.display_name,
                        signer_id_number=user.id_number or "",
                        text_sha256=ctx["hash"],
                    )
                    lat.append((time.perf_counter() - t) * 1000)
                return args.per_worker

            results, secs = run_concurrently_timed(sign, workers)
            errors = [r for r in results if isinstance(r, BaseException)]
            done = sum(r for r in results if isinstance(r, int))
            lat.sort()
            print(
                f"{workers:>8} {done:>8} {secs:>8.2f} {done / secs:>8.1f} {statistics.median(lat):>7.1f} "
                f"{lat[max(0, int(len(lat) * 0.95) - 1)]:>7.1f}" + (f"  errors: {len(errors)} {errors[:1]}" if errors else "")
            )
            hygiene.result(f"instant filing, {workers} clients ({connection.vendor})", done / secs, "filings/s")
        numbers = list(Filing.objects.values_list("number", flat=True))
        print(f"numbers distinct: {len(set(numbers)) == len(numbers)} ({len(numbers)} filings)")

        print("\napply: one online application end to end (draft -> case), sequential")
        from onewindow.materials import selectors, services
        from onewindow.portal.testing import pdf_file, png_file

        citizen = User.objects.get(pk=ctx["people"][0][0])
        services.library_upload(actor=citizen, file=png_file(), name="居民身份证", shared_key="id_card")
        lat = []
        t0 = time.perf_counter()
        for _ in range(args.applications):
            t = time.perf_counter()
            d = services.draft_start(applicant=citizen, matter=ctx["online"])
            d = services.draft_confirm_conditions(draft=d, actor=citizen, confirmed=True)
            d = services.draft_save_form(draft=d, actor=citizen, data={"address": "值夏镇1号"})
            d, _n = services.draft_reuse_all(draft=d, actor=citizen)
            key = selectors.missing_materials(d)[0].key
            d = services.draft_upload(draft=d, actor=citizen, key=key, file=pdf_file())
            services.draft_submit(draft=d, actor=citizen)
            lat.append((time.perf_counter() - t) * 1000)
        secs = time.perf_counter() - t0
        lat.sort()
        print(
            f"applications {args.applications}, {secs:.2f} s, {args.applications / secs:.1f} per second, "
            f"p50 {statistics.median(lat):.1f} ms, p95 {lat[max(0, int(len(lat) * 0.95) - 1)]:.1f} ms"
        )
        hygiene.result(f"online application end to end, 1 client ({connection.vendor})", args.applications / secs, "apps/s")
    finally:
        travel.stop()
        connections.close_all()
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
