"""Load-independent cost of an operation: CPU milliseconds spent in the client / application
processes and in the PostgreSQL backends serving them, statements and commits, per operation.

On the shared 2-core machine a throughput figure says how much of the cores the benchmark got;
CPU time per operation does not depend on who else is running (only a little, through caches),
so `cores / (CPU ms per operation)` is the ceiling this machine could give if the benchmark had it
to itself and nothing waited (no lock, no fsync stall): a measured "what stands in the way".

- Own process: `time.process_time()` (user + system, every thread of the process).
- Another process on this machine (a gunicorn worker, a PostgreSQL backend): utime + stime of
  /proc/<pid>/stat. The database server must be on this machine (127.0.0.1); if /proc cannot be
  read, the database side is reported as unknown (None), never as zero.
- Statements: a Django execute wrapper. Commits: calls of the connection's `_commit` (an atomic
  block's COMMIT), plus the writes run in autocommit mode (each its own transaction, its own WAL
  flush): `commits` counts both, `atomic_commits` only the first.

Not counted: PostgreSQL's background processes (WAL writer, checkpointer, autovacuum), which
serve every database on the server and are a few per cent of the backends' time in these runs.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import asdict, dataclass, field
from typing import Any, cast

_WRITE = re.compile(r"^\s*(WITH\b.*\b)?(INSERT|UPDATE|DELETE)\b", re.IGNORECASE | re.DOTALL)
CLK_TCK = os.sysconf("SC_CLK_TCK")
CORES = os.cpu_count() or 1


def proc_cpu(pid: int) -> float | None:
    """CPU seconds (user + system) of process `pid` so far, or None if it cannot be read."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
    except OSError:
        return None
    fields = data[data.rindex(b")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime (fields 14, 15 of stat)


def children(pid: int) -> list[int]:
    """The direct children of `pid` (a gunicorn master's workers)."""
    out: list[int] = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                data = f.read()
        except OSError:
            continue
        if int(data[data.rindex(b")") + 2 :].split()[1]) == pid:
            out.append(int(name))
    return out


def cpu_of(pids: list[int]) -> dict[int, float]:
    out = {}
    for p in pids:
        c = proc_cpu(p)
        if c is not None:
            out[p] = c
    return out


def delta(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds spent between two readings of a set of processes (a process that appeared in
    between counts from zero; one that ended in between is lost: a lower bound)."""
    return sum(after[p] - before.get(p, 0.0) for p in after)


def backend_pids(db_name: str, exclude: int | None = None) -> list[int]:
    """The PostgreSQL backends connected to `db_name` (from the bench process's own connection)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND backend_type = 'client backend' AND pid <> pg_backend_pid()",
            [db_name],
        )
        return [r[0] for r in cur.fetchall() if r[0] != exclude]


@dataclass
class Cost:
    """What a measured piece of work cost; `add` sums the parts of several processes."""

    ops: int = 0
    app_s: float = 0.0
    db_s: float | None = 0.0
    statements: int = 0
    commits: int = 0
    atomic_commits: int = 0
    extra: dict[str, float] = field(default_factory=dict)

    def add(self, other: Cost) -> None:
        self.ops += other.ops
        self.app_s += other.app_s
        self.db_s = None if self.db_s is None or other.db_s is None else self.db_s + other.db_s
        self.statements += other.statements
        self.commits += other.commits
        self.atomic_commits += other.atomic_commits
        for k, v in other.extra.items():
            self.extra[k] = self.extra.get(k, 0.0) + v

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Cost:
        return cls(**d)


class Meter:
    """In one process with a Django connection: CPU of this process and of its backend, its
    statements and commits, between `start()` and `stop()`. Install after a fork (the wrapper
    lives on the process's connection object)."""

    def __init__(self) -> None:
        from django.db import connection

        self.connection: Any = cast(Any, connection)  # its private `_commit` is wrapped below
        self.statements = 0
        self.commits = 0
        self.atomic_commits = 0
        self.running = False
        self.keep_sql = False
        self.sql: list[str] = []
        self.connection.execute_wrappers.append(self)
        real = self.connection._commit

        def counted() -> None:
            if self.running:
                self.atomic_commits += 1
                self.commits += 1
            real()

        self.connection._commit = counted
        self.backend: int | None = None

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if self.running:
            self.statements += 1
            if not self.connection.in_atomic_block and _WRITE.search(sql):
                self.commits += 1  # autocommit: the statement is its own transaction
            if self.keep_sql:
                self.sql.append(sql)
        return execute(sql, params, many, context)

    def _backend_pid(self) -> int | None:
        if self.connection.vendor != "postgresql":
            return None
        with self.connection.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            return int(cur.fetchone()[0])

    def start(self) -> None:
        self.backend = self._backend_pid()  # opens the connection before the clock starts
        self.s0, self.c0, self.a0 = self.statements, self.commits, self.atomic_commits
        self.db0 = proc_cpu(self.backend) if self.backend else None
        self.app0 = time.process_time()
        self.running = True

    def stop(self, ops: int) -> Cost:
        app = time.process_time() - self.app0
        self.running = False
        db1 = proc_cpu(self.backend) if self.backend else None
        # The backend may have changed (a reconnection): then its CPU is unknown.
        same = self.backend is not None and self._backend_pid() == self.backend
        db = (db1 - self.db0) if (same and db1 is not None and self.db0 is not None) else None
        return Cost(
            ops=ops,
            app_s=app,
            db_s=db,
            statements=self.statements - self.s0,
            commits=self.commits - self.c0,
            atomic_commits=self.atomic_commits - self.a0,
        )


def report(label: str, cost: Cost, *, aim: float | None = None, unit: str = "op", app_name: str = "client/app") -> dict[str, Any]:
    """Print the cost per operation and the machine's ceiling; return the figures."""
    n = max(1, cost.ops)
    app_ms = cost.app_s * 1000 / n
    db_ms = None if cost.db_s is None else cost.db_s * 1000 / n
    total_ms = app_ms + (db_ms or 0.0)
    ceiling = CORES * 1000 / total_ms if total_ms else float("inf")
    out: dict[str, Any] = {
        "ops": cost.ops,
        "app_cpu_ms": round(app_ms, 3),
        "db_cpu_ms": None if db_ms is None else round(db_ms, 3),
        "cpu_ms": round(total_ms, 3),
        "statements": round(cost.statements / n, 2),
        "commits": round(cost.commits / n, 2),
        "atomic_commits": round(cost.atomic_commits / n, 2),
        "ceiling_per_s": round(ceiling, 1),
        "cores": CORES,
    }
    for k, v in cost.extra.items():
        out[k + "_ms"] = round(v * 1000 / n, 3)
    db_txt = "unknown (no /proc of the backend)" if db_ms is None else f"{db_ms:.2f}"
    print(
        f"CPU cost per {unit} ({label}, {cost.ops} {unit}s): {app_name} {app_ms:.2f} ms + PostgreSQL backends {db_txt} ms "
        f"= {total_ms:.2f} CPU ms; {out['statements']} statements, {out['commits']} commits "
        f"({out['atomic_commits']} of atomic blocks) per {unit}",
        flush=True,
    )
    for k, v in cost.extra.items():
        print(f"    also {k}: {v * 1000 / n:.2f} CPU ms per {unit} (not in the ceiling)")
    line = (
        f"    ceiling on this machine: {CORES} cores / {total_ms:.2f} ms = {ceiling:.0f} {unit}s/s (CPU bound, nothing waiting)"
    )
    if aim:
        need = aim * total_ms / 1000
        out["aim"] = aim
        out["cores_for_aim"] = round(need, 2)
        line += f"; the aim of {aim:g}/s needs {need:.1f} cores at this cost"
    print(line, flush=True)
    return out


def result(measure: str, figures: dict[str, Any]) -> None:
    """A BENCH-RESULT row with the CPU cost (for bench/all's table)."""
    import hygiene

    note = f"app {figures['app_cpu_ms']} + db {figures['db_cpu_ms']} CPU ms, {figures['statements']} stmts, {figures['commits']} commits"
    if "cores_for_aim" in figures:
        note += f"; aim needs {figures['cores_for_aim']} cores"
    hygiene.result(measure, figures["cpu_ms"], "CPU ms/op", note=note, ratio=None)
    hygiene.result(measure.replace("CPU cost", "CPU ceiling"), figures["ceiling_per_s"], f"/s on {CORES} cores")
