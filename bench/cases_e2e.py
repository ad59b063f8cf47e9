"""End-to-end cases per second: submit -> accept -> three parallel department approvals (the
real-estate transfer bundle) -> decide -> conclude, through the real services (audit rows, timeline,
outbox notifications, row locks).

Uses its own throw-away database: PostgreSQL when DATABASE_URL is set (database --db-name,
default bench_cases), else a SQLite file in its own var directory. Prints the SQL statements and
commits of every service call of one case, then runs one client, then W client processes (each its
own connection; processes, not threads, so the clients can use every core) on separate cases.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/cases_e2e.py [N] [W]
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cpucost
import hygiene

OPTS = hygiene.begin("cases_e2e", "bench_cases")

import django  # noqa: E402

django.setup()

from django.db import connection, connections  # noqa: E402


def setup() -> dict[str, Any]:
    from joint_case import build_joint_case

    return build_joint_case()


CALLS = ("submit", "accept", "approve", "approve", "approve", "decide", "conclude")


class Counter:
    """SQL statements (an execute wrapper) and commits (the connection's `_commit`) per call."""

    def __init__(self) -> None:
        self.statements = 0
        self.commits = 0
        self.per_call: dict[str, list[tuple[int, int]]] = {}

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.statements += 1
        return execute(sql, params, many, context)

    def install(self) -> None:
        connection.execute_wrappers.append(self)
        real = connection._commit

        def counted() -> None:
            self.commits += 1
            real()

        connection._commit = counted  # type: ignore[method-assign]

    def call(self, name: str, fn: Any) -> Any:
        s0, c0 = self.statements, self.commits
        out = fn()
        self.per_call.setdefault(name, []).append((self.statements - s0, self.commits - c0))
        return out


def one_case(env: dict[str, Any], counter: Counter | None = None) -> None:
    from onewindow.cases import services as svc

    def call(name: str, fn: Any) -> Any:
        return counter.call(name, fn) if counter is not None else fn()

    p, bundle = env["people"], env["bundle"]
    if "reqs" not in env:  # read once (setdefault evaluated its argument, three reads, for every case)
        env["reqs"] = svc.merged_requirements([i.matter.current_version for i in bundle.items.all()])
    reqs = env["reqs"]
    case = call(
        "submit",
        lambda: svc.case_submit(
            applicant=p["citizen"],
            bundle=bundle,
            channel="counter",
            form_data={"address": "1"},
            materials=[svc.MaterialInput(requirement=r, paper=True) for r in reqs],
            actor=p["clerk"],
        ),
    )
    case = call("accept", lambda: svc.case_accept(case=case, actor=p["clerk"]))
    for step in list(case.steps.select_related("department")):
        call("approve", lambda step=step: svc.step_approve(step=step, actor=p[step.department.code]))
    call("decide", lambda: svc.case_decide(case=case, actor=p[case.department.code], approved=True))
    call("conclude", lambda: svc.case_conclude(case=case, actor=p["clerk"]))


def _worker(env: dict[str, Any], per: int, start: Any, out: Any) -> None:
    """One client process: its own connection (opened after the fork), `per` cases; its CPU and
    its backend's, statements and commits (cpucost.Meter)."""
    try:
        meter = cpucost.Meter()
        meter.start()  # connects before the start signal
        start.wait()
        for _ in range(per):
            one_case(env)
        out.put(("ok", per, meter.stop(per).as_dict()))
    except BaseException as exc:  # reported by the parent
        out.put(("error", repr(exc)))
    finally:
        connections.close_all()


def main() -> None:
    import argparse
    import multiprocessing

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    hygiene.add_common(ap, "bench_cases")
    ap.add_argument("n", nargs="?", type=int, default=200, help="cases per run (default 200)")
    ap.add_argument("workers", nargs="?", type=int, default=4, help="client processes (default 4)")
    args = ap.parse_args()
    n, workers = args.n, args.workers
    old_name = connection.settings_dict["NAME"]
    db_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        env = setup()
        one_case(env)  # warm up
        counter = Counter()
        counter.install()
        one_case(env, counter)
        connection.execute_wrappers.remove(counter)
        meter = cpucost.Meter()
        meter.start()
        t0 = time.perf_counter()
        for _ in range(n):
            one_case(env)
        single = n / (time.perf_counter() - t0)
        single_cost = meter.stop(n)
        connection.execute_wrappers.remove(meter)

        # Client processes (not threads: one Python process cannot use more than one core).
        per = max(1, n // workers)
        connections.close_all()  # never share a connection across fork
        ctx = multiprocessing.get_context("fork")
        start = ctx.Event()
        out = ctx.Queue()
        procs = [ctx.Process(target=_worker, args=(env, per, start, out)) for _ in range(workers)]
        for pr in procs:
            pr.start()
        time.sleep(0.5)
        t0 = time.perf_counter()
        start.set()
        answers = [out.get() for _ in procs]
        multi_secs = time.perf_counter() - t0
        for pr in procs:
            pr.join()
        errors = [a[1] for a in answers if a[0] == "error"]
        multi_cost = cpucost.Cost()
        for a in answers:
            if a[0] == "ok":
                multi_cost.add(cpucost.Cost.from_dict(a[2]))
        done_multi = sum(a[1] for a in answers if a[0] == "ok")
        multi = done_multi / multi_secs
        from onewindow.cases.models import Case

        done = Case.objects.filter(status="concluded").count()
        print(f"database: {connection.vendor} ({db_name})")
        print(
            f"flow: submit -> accept -> 3 parallel approvals -> decide -> conclude; {done} cases concluded, errors: {len(errors)}"
        )
        print("statements and commits per service call (one case):")
        total_s = total_c = 0
        worst_s = worst_c = 0
        for name in dict.fromkeys(CALLS):
            for stmts, commits in counter.per_call[name]:
                print(f"  {name:<9} {stmts:>4} statements {commits:>2} commits")
                total_s += stmts
                total_c += commits
                worst_s, worst_c = max(worst_s, stmts), max(worst_c, commits)
        print(f"  per case  {total_s:>4} statements {total_c:>2} commits")
        print(f"1 client : {single:8.1f} cases/s ({n} cases)")
        print(f"{workers} processes: {multi:8.1f} cases/s ({done_multi} cases)")
        if errors:
            print("first error:", errors[0])
        print("load-independent cost (a case = the 7 service calls):")
        cpucost.report("1 client", single_cost, aim=100, unit="case", app_name="client process (services, Django)")
        figures = cpucost.report(
            f"{workers} processes", multi_cost, aim=100, unit="case", app_name="client processes (services, Django)"
        )
        hygiene.result("joint case: most statements in one service call", worst_s, "statements", aim="<= 30", met=worst_s <= 30)
        hygiene.result("joint case: most commits in one service call", worst_c, "commits", aim="1", met=worst_c <= 1)
        hygiene.result(
            f"joint case end to end, {workers} processes ({connection.vendor})",
            multi,
            "cases/s",
            aim=">= 100/s (PostgreSQL)",
            met=multi >= 100 and not errors,
        )
        cpucost.result(f"joint case: CPU cost per case, {workers} processes", figures)
    finally:
        connections.close_all()
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
