"""Fault drill (issue 13, docs/ops.md): kill things under load and check that nothing acknowledged
is lost, nothing is left behind, and everything comes back without a hand.

    .venv/bin/python ops/fault.py [--seconds 60] [--db fault_ops] [--port 8799] [--keep]

What it does, on a PostgreSQL database of its own (dropped and created, migrated):
1. starts the web server (gunicorn, 3 workers, the app preloaded), the DB worker and the scheduler, each under
   bin/supervise exactly as bin/run does, with production settings (DEBUG=0);
2. runs a write load: several citizens upload small files to their material library over the
   API (a row and a private file per upload); every 201 answer is an acknowledged write, noted
   with the SHA-256 of what was sent;
3. meanwhile, every few seconds one fault, in turn: kill -9 of a web worker, of the DB worker, of
   the scheduler, pg_terminate_backend of every connection to the database, and once kill -9 of
   the gunicorn master itself;
4. afterwards, without touching anything: waits for /health/all/ to answer 200 (web, database,
   fresh worker and scheduler heartbeats) and for the tasks the kills left RUNNING to be
   recovered by the sweep; checks that every acknowledged upload has its row and its file with the
   same bytes, that every row's file exists, and that the orphan purge (the sweep's, run here
   with no grace period instead of waiting 24 h) leaves no file without a row.
Prints what it did and found; exits 1 if any check fails.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PNG = b"\x89PNG\r\n\x1a\n"


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())} UTC] {msg}", flush=True)


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def psql(sql: str, db: str = "postgres") -> str:
    run = subprocess.run(  # noqa: S603
        ["/usr/bin/psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-Atc", sql],
        capture_output=True,
        text=True,
        check=True,
    )
    return run.stdout.strip()


class Services:
    def __init__(self, env: dict[str, str], port: int, logs: Path):
        self.env, self.port, self.logs = env, port, logs
        self.sup: dict[str, subprocess.Popen[bytes]] = {}

    def start(self) -> None:
        py = str(ROOT / ".venv" / "bin" / "python")
        cmds = {
            "web": [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "onewindow.config.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "3",
                "--timeout",
                "60",
                "--preload",
            ],
            "worker": [py, "manage.py", "db_worker", "--queue-name", "default", "--interval", "0.5", "--no-reload"],
            "scheduler": [py, "manage.py", "run_scheduler", "--interval", "2"],
        }
        for name, cmd in cmds.items():
            out = (self.logs / f"{name}.log").open("ab")
            self.sup[name] = subprocess.Popen(  # noqa: S603
                [str(ROOT / "bin" / "supervise"), name, *cmd], cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )

    def child(self, name: str) -> int | None:
        kids = children(self.sup[name].pid)
        kids = [
            k
            for k in kids
            if Path(f"/proc/{k}/cmdline").exists() and b"sleep" not in Path(f"/proc/{k}/cmdline").read_bytes()[:40]
        ]
        return kids[0] if kids else None

    def web_workers(self) -> list[int]:
        master = self.child("web")
        return children(master) if master else []

    def stop(self) -> None:
        for p in self.sup.values():
            p.send_signal(signal.SIGTERM)
        for p in self.sup.values():
            try:
                p.wait(60)
            except subprocess.TimeoutExpired:
                p.kill()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=60.0, help="how long the faults go on")
    ap.add_argument("--db", default="fault_ops")
    ap.add_argument("--port", type=int, default=8799)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--every", type=float, default=3.0, help="seconds between faults")
    ap.add_argument("--keep", action="store_true", help="keep the database and files afterwards")
    args = ap.parse_args()
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,40}", args.db):
        ap.error("--db: lower-case letters, digits and _ only")
    print(f"load at start: {os.getloadavg()}", flush=True)
    work = ROOT / "var" / f"fault-{args.db}"
    logs = work / "logs"
    subprocess.run(["/bin/rm", "-rf", str(work)], check=True)  # noqa: S603
    logs.mkdir(parents=True)
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{args.db}",
        PRIVATE_STORAGE_ROOT=str(work / "private"),
        MEDIA_ROOT=str(work / "media"),
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(40),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        # Short limits so the drill sees the recovery of tasks orphaned by kill -9 in minutes.
        TASK_STUCK_MINUTES="1",
        WORKER_HEARTBEAT_STALE_SECONDS="20",
        SCHEDULER_HEARTBEAT_STALE_SECONDS="20",
    )
    env.pop("TEST_DB_NAME", None)
    os.environ.update(env)

    log(f"database {args.db}: drop, create, migrate")
    psql(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{args.db}"')
    subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.config.settings")
    import django

    django.setup()
    import requests
    from django.db import connection

    from onewindow.accounts.models import User
    from onewindow.accounts.services import api_token_create
    from onewindow.core.orphans import orphan_files, purge_orphan_files
    from onewindow.core.uploads import private_storage
    from onewindow.materials.models import LibraryItem

    tokens = []
    for i in range(args.clients):
        citizen = User.objects.create_user(username=f"fault{i}", password=secrets.token_urlsafe(12))
        tokens.append(api_token_create(user=citizen, name="fault drill")[1])
    connection.close()

    services = Services(env, args.port, logs)
    base = f"http://127.0.0.1:{args.port}"
    failures: list[str] = []
    try:
        services.start()
        t0 = time.monotonic()
        while time.monotonic() - t0 < 180:
            try:
                if requests.get(f"{base}/health/all/", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(1)
        else:
            failures.append("services never became healthy before the drill")
        log(f"services healthy after {time.monotonic() - t0:.1f} s; load and faults for {args.seconds:.0f} s")

        acked: dict[str, str] = {}
        counts = {"sent": 0, "acked": 0, "refused": 0, "errors": 0}
        lock = threading.Lock()
        stop = threading.Event()

        def client(token: str) -> None:
            s = requests.Session()
            s.headers["Authorization"] = f"Bearer {token}"
            while not stop.is_set():
                body = PNG + secrets.token_bytes(512)
                with lock:
                    counts["sent"] += 1
                try:
                    r = s.post(
                        f"{base}/api/v1/materials/library",
                        data={"name": "drill"},
                        files={"file": ("scan.png", body, "image/png")},
                        timeout=30,
                    )
                except requests.RequestException:
                    with lock:
                        counts["errors"] += 1
                    time.sleep(0.2)
                    continue
                with lock:
                    if r.status_code == 201:
                        counts["acked"] += 1
                        acked[r.json()["uuid"]] = hashlib.sha256(body).hexdigest()
                    else:
                        counts["refused"] += 1
                        counts[f"http {r.status_code}"] = counts.get(f"http {r.status_code}", 0) + 1
                        if r.status_code < 500 and r.status_code not in (429,):
                            failures.append(f"unexpected answer {r.status_code}: {r.text[:200]}")
                            stop.set()

        threads = [threading.Thread(target=client, args=(t,), daemon=True) for t in tokens]
        for t in threads:
            t.start()
        faults = {
            "kill -9 web worker": 0,
            "kill -9 db worker": 0,
            "kill -9 scheduler": 0,
            "pg_terminate_backend": 0,
            "kill -9 gunicorn master": 0,
        }
        order = [
            "kill -9 web worker",
            "kill -9 db worker",
            "pg_terminate_backend",
            "kill -9 scheduler",
            "kill -9 web worker",
            "pg_terminate_backend",
        ]
        start = time.monotonic()
        n = 0
        master_killed = False
        while time.monotonic() - start < args.seconds:
            time.sleep(args.every)
            what = order[n % len(order)]
            n += 1
            if not master_killed and time.monotonic() - start > args.seconds / 2:
                what, master_killed = "kill -9 gunicorn master", True
            pid: int | None = None
            if what == "kill -9 web worker":
                workers = services.web_workers()
                pid = random.choice(workers) if workers else None
            elif what == "kill -9 db worker":
                pid = services.child("worker")
            elif what == "kill -9 scheduler":
                pid = services.child("scheduler")
            elif what == "kill -9 gunicorn master":
                pid = services.child("web")
            if what == "pg_terminate_backend":
                got = psql(
                    f"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '{args.db}' AND pid <> pg_backend_pid()"  # noqa: S608 (checked name)
                )
                faults[what] += 1
                log(f"{what}: {got} connection(s) cut")
            elif pid:
                try:
                    os.kill(pid, signal.SIGKILL)
                    faults[what] += 1
                    log(f"{what}: pid {pid}")
                except ProcessLookupError:
                    pass
            else:
                log(f"{what}: not running at this moment (restarting)")
        stop.set()
        for t in threads:
            t.join(60)
        log(f"faults done: {faults}")
        log(f"load: {counts}")

        # Recovery without a hand.
        t1 = time.monotonic()
        healthy = False
        while time.monotonic() - t1 < 240:
            try:
                r = requests.get(f"{base}/health/all/", timeout=5)
                if r.status_code == 200:
                    healthy = True
                    break
            except requests.RequestException:
                pass
            time.sleep(1)
        log(f"/health/all/ {'200' if healthy else 'NOT 200'} {time.monotonic() - t1:.1f} s after the last fault")
        if not healthy:
            failures.append("services did not come back within 240 s")

        from django_tasks_db.models import DBTaskResult

        end_of_faults = time.monotonic()
        stuck = -1
        while time.monotonic() - end_of_faults < 300:
            connection.close()
            stuck = DBTaskResult.objects.filter(status="RUNNING").count()
            alive = services.child("worker")
            if stuck == 0 or (stuck <= 1 and alive):  # the live worker may be running one sweep now
                break
            time.sleep(5)
        reran = sum(1 for ids in DBTaskResult.objects.values_list("worker_ids", flat=True) if len(ids or []) > 1)
        lost = DBTaskResult.objects.filter(exception_class_path__endswith="WorkerLost").count()
        log(
            f"tasks RUNNING after recovery: {stuck}; tasks put back in the queue after a kill or a blip: {reran}; given up: {lost}"
        )
        if stuck > 1:
            failures.append(f"{stuck} task(s) still RUNNING after 300 s")

        # Every acknowledged write is there, byte for byte.
        connection.close()
        rows = {str(u): s for u, s in LibraryItem.objects.values_list("uuid", "storage_name")}
        missing = [u for u in acked if u not in rows]
        storage = private_storage()
        bad_files = []
        for u, digest in acked.items():
            name = rows.get(u)
            if name is None:
                continue
            try:
                with storage.open(name, "rb") as f:
                    if hashlib.sha256(f.read()).hexdigest() != digest:
                        bad_files.append(u)
            except FileNotFoundError:
                bad_files.append(u)
        rows_without_file = [n for n in rows.values() if not storage.exists(n)]
        log(
            f"acknowledged uploads: {len(acked)}; rows in the database: {len(rows)} "
            f"(the rest were committed when the answer was lost to a kill); acknowledged but missing: {len(missing)}; "
            f"file missing or different: {len(bad_files)}; rows whose file is missing: {len(rows_without_file)}"
        )
        if missing or bad_files or rows_without_file:
            failures.append(f"lost writes: {missing[:5]} {bad_files[:5]} {rows_without_file[:5]}")

        import datetime

        before = orphan_files(older_than=datetime.timedelta(0))
        purged = purge_orphan_files(older_than=datetime.timedelta(0))
        after = orphan_files(older_than=datetime.timedelta(0))
        log(f"orphan files (written by requests killed before commit): {len(before)}; purged {len(purged)}; left {len(after)}")
        if after:
            failures.append(f"orphans left after the purge: {after[:5]}")
        restarts = {
            name: (logs / f"{name}.log").read_text(errors="replace").count("[supervise]")
            for name in ("web", "worker", "scheduler")
        }
        log(f"restarts by bin/supervise: {restarts}")
    finally:
        services.stop()
        connection.close()
        if not args.keep:
            psql(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
            subprocess.run(["/bin/rm", "-rf", str(work / "private"), str(work / "media")], check=False)  # noqa: S603
    print(f"load at end: {os.getloadavg()}", flush=True)
    if failures:
        print("FAILED:\n  " + "\n  ".join(failures), flush=True)
        return 1
    print("PASSED: every acknowledged write present, no orphan file, services back without a hand", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
