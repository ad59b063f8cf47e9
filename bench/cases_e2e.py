"""End-to-end cases per second: submit -> accept -> three parallel department approvals (the
real-estate transfer bundle) -> decide -> conclude, through the real services (audit rows, timeline,
outbox notifications, row locks).

Uses its own throw-away database: PostgreSQL when DATABASE_URL is set (database name from
TEST_DB_NAME, default bench_cases), else a SQLite file. Runs one client, then W concurrent clients
(threads with their own connections) working on separate cases.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres TEST_DB_NAME=bench_cases \\
        .venv/bin/python bench/cases_e2e.py [N] [W]
"""

from __future__ import annotations

import datetime
import os
import sys
import threading
import time
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.config.settings")
os.environ.setdefault("TEST_DB_NAME", "bench_cases" if os.environ.get("DATABASE_URL") else "bench-cases.sqlite3")
os.environ.setdefault("ONEWINDOW_VAR_DIR", "/tmp/ow-bench-cases")

import django

django.setup()

from django.db import connection, connections  # noqa: E402


def setup() -> dict[str, Any]:
    from onewindow.accounts.models import OrgUnit, Role, RoleAssignment, User
    from onewindow.accounts.services import org_unit_create
    from onewindow.cases.models import RouteStage, RouteStep, RouteVersion
    from onewindow.catalog.models import Bundle, BundleItem, MaterialRequirement, Matter, MatterVersion
    from onewindow.core.calendar_seed import PROVISIONAL, import_year, seed_from_chinesecalendar
    from onewindow.core.demo.calendar import PROVISIONAL_2027

    seed_from_chinesecalendar(first_year=2025)
    import_year(
        year=2027, exceptions=[(datetime.date.fromisoformat(d), False, n) for d, n in PROVISIONAL_2027], source=PROVISIONAL
    )
    gov = org_unit_create(code="QY", name="青原区人民政府", kind=OrgUnit.Kind.GOVERNMENT)
    units = {
        c: org_unit_create(code=c, name=n, kind=OrgUnit.Kind.DEPARTMENT, parent=gov)
        for c, n in [("XZSP", "行政审批局"), ("ZJJ", "住建局"), ("SW", "税务局"), ("BDC", "不动产登记中心")]
    }

    def user(name: str, role: str, unit: Any) -> User:
        u = User.objects.create_user(username=name, password=None, display_name=name)
        RoleAssignment.objects.create(user=u, role=role, org_unit=unit)
        return u

    people = {
        "clerk": user("clerk", Role.CLERK, units["XZSP"]),
        "ZJJ": user("a_zjj", Role.APPROVER, units["ZJJ"]),
        "SW": user("a_sw", Role.APPROVER, units["SW"]),
        "BDC": user("a_bdc", Role.APPROVER, units["BDC"]),
        "citizen": user("citizen", Role.CITIZEN, None),
    }
    bundle = Bundle.objects.create(code="YJS-BDCZY", name="不动产转移登记一件事")
    for i, (code, name, days) in enumerate([("ZJJ", "网签备案", 0), ("SW", "纳税申报", 0), ("BDC", "转移登记", 8)]):
        m = Matter.objects.create(code=f"{code}-1", department=units[code], search_name=name)
        mv = MatterVersion.objects.create(
            matter=m,
            number=1,
            status="published",
            name=name,
            matter_type="licence",
            kind="committed",
            statutory_days=15,
            committed_days=days,
        )
        MaterialRequirement.objects.create(version=mv, name="身份证", shared_key="id_card")
        MaterialRequirement.objects.create(version=mv, name=f"{name}材料")
        m.current_version = mv
        m.save(update_fields=["current_version"])
        BundleItem.objects.create(bundle=bundle, matter=m, sort_order=i)
    route = RouteVersion.objects.create(bundle=bundle, number=1, name="并联", status="published")
    stage = RouteStage.objects.create(route=route, order=1, name="并联审批")
    for code, days in [("ZJJ", 2), ("SW", 2), ("BDC", 5)]:
        RouteStep.objects.create(stage=stage, department=units[code], name=f"{code}审查", limit_days=days)
    return {"people": people, "bundle": bundle}


def one_case(env: dict[str, Any]) -> None:
    from onewindow.cases import services as svc

    p, bundle = env["people"], env["bundle"]
    reqs = env.setdefault("reqs", svc.merged_requirements([i.matter.current_version for i in bundle.items.all()]))
    case = svc.case_submit(
        applicant=p["citizen"],
        bundle=bundle,
        channel="counter",
        form_data={"address": "1"},
        materials=[svc.MaterialInput(requirement=r, paper=True) for r in reqs],
        actor=p["clerk"],
    )
    case = svc.case_accept(case=case, actor=p["clerk"])
    for step in list(case.steps.select_related("department")):
        svc.step_approve(step=step, actor=p[step.department.code])
    svc.case_decide(case=case, actor=p[case.department.code], approved=True)
    svc.case_conclude(case=case, actor=p["clerk"])


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    old_name = connection.settings_dict["NAME"]
    db_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        env = setup()
        one_case(env)  # warm up
        t0 = time.perf_counter()
        for _ in range(n):
            one_case(env)
        single = n / (time.perf_counter() - t0)

        errors: list[BaseException] = []
        per = max(1, n // workers)

        def work() -> None:
            try:
                for _ in range(per):
                    one_case(env)
            except BaseException as exc:
                errors.append(exc)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=work) for _ in range(workers)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        multi = per * workers / (time.perf_counter() - t0)
        from onewindow.cases.models import Case

        done = Case.objects.filter(status="concluded").count()
        print(f"database: {connection.vendor} ({db_name})")
        print(
            f"flow: submit -> accept -> 3 parallel approvals -> decide -> conclude; {done} cases concluded, errors: {len(errors)}"
        )
        print(f"1 client : {single:8.1f} cases/s ({n} cases)")
        print(f"{workers} clients: {multi:8.1f} cases/s ({per * workers} cases)")
        if errors:
            print("first error:", repr(errors[0]))
    finally:
        connections.close_all()
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
