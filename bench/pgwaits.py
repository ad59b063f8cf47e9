"""What a benchmark's PostgreSQL backends wait on: sample pg_stat_activity and pg_locks every few
milliseconds during a run (a thread of the benchmark's process with a connection of its own) and
print where the backends' time went (`--waits` in appointments_booking.py).

Each sample reads, for every client backend of the benchmark's database: its state (active, idle
in transaction, idle), its wait event (Lock/transactionid, LWLock/WALWrite, IO/WALSync, Client/
ClientRead ...), its statement, and for a backend waiting on a lock the lock it asks for
(pg_locks, granted = false) and the backends that block it (`pg_blocking_pids`) with their state
and statement. The share of samples in each (state, wait event) is the share of the backends' wall
time spent there:

- `active`, no wait event: the backend is on a CPU (or waiting for one: see the run queue).
- `active`, Lock/*: waiting for another transaction's row or tuple lock (the hot rows).
- `active`, LWLock/WALWrite or IO/WALSync / WALWrite: waiting for a commit's WAL flush.
- `idle in transaction`: the transaction is open and the backend waits for its client (the
  client's Python between two statements of one transaction, or the client waiting for a core).
- `idle`: between transactions (the client's Python outside the transaction).

The run queue (`procs_running` of /proc/stat, this machine's runnable threads, every process)
says whether the clients also wait for a core: above the core count, someone does.
"""

from __future__ import annotations

import collections
import os
import threading
import time

SAMPLE = """
SELECT a.pid, a.state, a.wait_event_type, a.wait_event, a.query, pg_blocking_pids(a.pid),
       (SELECT string_agg(l.locktype || coalesce(':' || l.relation::regclass::text, '') || ' ' || l.mode, ', ')
          FROM pg_locks l WHERE l.pid = a.pid AND NOT l.granted)
  FROM pg_stat_activity a
 WHERE a.datname = %s AND a.backend_type = 'client backend' AND a.pid <> pg_backend_pid()
"""


def _short(sql: str | None, n: int = 110) -> str:
    s = " ".join((sql or "").split())
    return s if len(s) <= n else s[: n - 1] + "…"


def _procs_running() -> int | None:
    try:
        with open("/proc/stat") as f:
            for line in f:
                if line.startswith("procs_running"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


class WaitSampler:
    """`start()` / `stop()` around a run; `report(label)` prints the tables. PostgreSQL only."""

    def __init__(self, dsn: str, db_name: str, interval: float = 0.01) -> None:
        self.dsn, self.db_name, self.interval = dsn, db_name, interval
        self.states: collections.Counter[str] = collections.Counter()
        self.locks: collections.Counter[str] = collections.Counter()
        self.blockers: collections.Counter[tuple[str, str]] = collections.Counter()
        self.waiting_stmt: collections.Counter[str] = collections.Counter()
        self.samples = 0
        self.backend_samples = 0
        self.run_queue: list[int] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.seconds = 0.0

    def start(self) -> None:
        import psycopg

        self.conn = psycopg.connect(self.dsn, dbname=self.db_name, autocommit=True)
        self._stop.clear()
        self._t0 = time.perf_counter()
        self._thread = threading.Thread(target=self._loop, name="pgwaits", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.seconds = time.perf_counter() - self._t0
        self.conn.close()

    def _loop(self) -> None:
        with self.conn.cursor() as cur:
            while not self._stop.is_set():
                cur.execute(SAMPLE, [self.db_name])
                rows = cur.fetchall()
                rq = _procs_running()
                if rq is not None:
                    self.run_queue.append(rq)
                self.samples += 1
                by_pid = {r[0]: r for r in rows}
                for _pid, state, wtype, wevent, query, blocking, asked in rows:
                    if state is None:
                        continue
                    self.backend_samples += 1
                    wait = f"{wtype}/{wevent}" if wtype else "-"
                    if state == "idle" or (state.startswith("idle in") and wtype == "Client"):
                        wait = "(the client)"
                    self.states[f"{state:<20} {wait}"] += 1
                    if wtype == "Lock":
                        self.locks[f"{asked or wevent}"] += 1
                        self.waiting_stmt[_short(query)] += 1
                        # Each blocker's (state, statement) once per waiting backend: a queue
                        # on one row names every backend ahead in it.
                        seen = set()
                        for b in blocking or []:
                            br = by_pid.get(b)
                            seen.add((br[1] if br else "?", _short(br[4]) if br else "?"))
                        for key in seen:
                            self.blockers[key] += 1
                time.sleep(self.interval)

    def report(self, label: str) -> dict[str, float]:
        n = max(1, self.backend_samples)
        print(
            f"\nwaits ({label}): {self.samples} samples in {self.seconds:.1f} s, "
            f"{self.backend_samples / max(1, self.samples):.1f} backends on average"
        )
        if self.run_queue:
            rq = sorted(self.run_queue)
            print(
                f"  run queue (runnable threads on the machine, {os.cpu_count()} cores): mean "
                f"{sum(rq) / len(rq):.1f}, median {rq[len(rq) // 2]}, p90 {rq[int(len(rq) * 0.9)]}"
            )
        print(f"  {'share':>6}  {'state':<20} wait event")
        shares: dict[str, float] = {}
        for key, c in self.states.most_common():
            shares[key] = c / n
            print(f"  {100 * c / n:>5.1f}%  {key}")
        if self.locks:
            print("  lock waits by lock asked for (pg_locks, granted = false):")
            for key, c in self.locks.most_common(6):
                print(f"  {100 * c / n:>5.1f}%  {key}")
            print("  statements waiting on a lock:")
            for key, c in self.waiting_stmt.most_common(6):
                print(f"  {100 * c / n:>5.1f}%  {key}")
            print("  blocking backends (their state and current or last statement; a waiting backend counts each once):")
            for (state, q), c in self.blockers.most_common(8):
                print(f"  {100 * c / n:>5.1f}%  [{state}] {q}")
        else:
            print("  no lock waits seen")
        return shares
