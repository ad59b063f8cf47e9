"""More than one machine, exercised on this one (issue 17, docs/deployment.md).

    .venv/bin/python ops/multi_machine.py [--seconds 60] [--db mm_ops] [--keep] [--reuse]

(--keep leaves the migrated database, --reuse starts from it: migrating takes minutes here.)

Run as root on a machine with the PostgreSQL 15 server on 127.0.0.1:5432 (as CI and the
developers' machines have). What it does:

1. installs nginx and redis-server from the Debian packages when they are missing;
2. a database of its own on the primary (dropped, created, migrated), and a streaming replica of
   the primary: `pg_basebackup` into a temporary directory, started on another port with the
   Debian binaries (/usr/lib/postgresql/15/bin) as a hot standby; a replication line is added to
   the primary's pg_hba.conf for the run and removed afterwards;
3. Redis on its own port, for the tasks (TASKS_BACKEND=django_tasks_rq.RQBackend), the cache and
   the sessions;
4. two web instances (gunicorn, 2 workers each, as two hosts would run them) behind nginx, an RQ
   worker and two schedulers (one wins each tick), all with DEBUG=0 and the replica configured;
5. a mixed load through the balancer: citizens uploading to their material library over the API
   (a row and a private file each; every 201 is an acknowledged write) and readers of the catalog
   search and bundle pages (views marked to read the replica); meanwhile it kills one web instance
   outright (its whole process group, kill -9: a lost host), starts it again, and stops the
   replica;
6. checks: every acknowledged upload is in the primary with the same bytes; every failed request
   was in flight on the killed instance when it died (nginx names the upstream in a header); the
   replica served reads before it was stopped and no read failed because of its loss; the
   schedulers enqueued one sweep per tick; the replica, started again, catches up to the primary.
Prints a summary; stops and removes everything it started; exits 1 if a check fails.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_BIN = Path("/usr/lib/postgresql/15/bin")
PG_HBA = Path("/etc/postgresql/15/main/pg_hba.conf")
HBA_LINE = "host replication all 127.0.0.1/32 trust  # onewindow ops/multi_machine.py (removed after the run)"
PNG = b"\x89PNG\r\n\x1a\n"


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())} UTC] {msg}", flush=True)


def sh(*cmd: str, env: dict[str, str] | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(cmd), capture_output=True, text=True, check=check, env=env)  # noqa: S603


def psql(sql: str, *, db: str = "postgres", port: int = 5432) -> str:
    return sh("/usr/bin/psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", db, "-Atc", sql).stdout.strip()


def as_postgres(*cmd: str) -> subprocess.CompletedProcess[str]:
    return sh("/usr/sbin/runuser", "-u", "postgres", "--", *cmd)


def replica_xacts(db: str, port: int) -> int:
    """Transactions the replica has run in `db` (reads: a standby runs no other)."""
    sql = f"SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = '{db}'"  # noqa: S608 (checked name)
    return int(psql(sql, port=port))


def wait_port(port: int, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return True
        except OSError:
            time.sleep(0.2)
    return False


def ensure_packages() -> None:
    missing = [
        p for p, binary in (("nginx", "/usr/sbin/nginx"), ("redis-server", "/usr/bin/redis-server")) if not Path(binary).exists()
    ]
    if missing:
        log(f"apt-get install {' '.join(missing)}")
        sh("apt-get", "update", "-qq")
        sh("apt-get", "install", "-y", "-qq", *missing, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})


@dataclass
class Stack:
    work: Path
    db: str
    lb_port: int
    web_ports: list[int]
    replica_port: int
    redis_port: int
    env: dict[str, str] = field(default_factory=dict)
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    hba_added: bool = False
    replica_dir: Path | None = None

    # --- PostgreSQL replica -------------------------------------------------------------------
    def allow_replication(self) -> None:
        text = PG_HBA.read_text()
        if not re.search(r"^host\s+replication\s+all\s+127\.0\.0\.1/32\s+trust", text, re.M):
            PG_HBA.write_text(text.rstrip("\n") + "\n" + HBA_LINE + "\n")
            self.hba_added = True
            psql("SELECT pg_reload_conf()")

    def start_replica(self) -> None:
        assert self.replica_dir is not None
        d = self.replica_dir
        if not (d / "PG_VERSION").exists():
            d.mkdir(mode=0o700, exist_ok=True)
            shutil.chown(d, "postgres", "postgres")
            as_postgres(
                str(PG_BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", "5432", "-U", "postgres",
                "-D", str(d), "-R", "-X", "stream", "-c", "fast",
            )  # fmt: skip
            # The Debian cluster keeps its configuration in /etc: the copy gets its own.
            (d / "postgresql.conf").write_text(
                f"port = {self.replica_port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{d}'\n"
                "hot_standby = on\nshared_buffers = 32MB\nfsync = off\n"
                f"hba_file = '{d}/pg_hba.conf'\nident_file = '{d}/pg_ident.conf'\n"
            )
            (d / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
            (d / "pg_ident.conf").write_text("")
            for name in ("postgresql.conf", "pg_hba.conf", "pg_ident.conf"):
                shutil.chown(d / name, "postgres", "postgres")
        try:
            as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(d), "-l", str(d / "server.log"), "-w", "-t", "120", "start")
        except subprocess.CalledProcessError:
            log("replica did not start; its log:\n" + (d / "server.log").read_text(errors="replace")[-2000:])
            raise

    def stop_replica(self) -> None:
        if self.replica_dir and (self.replica_dir / "postmaster.pid").exists():
            as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.replica_dir), "-m", "fast", "-w", "stop")

    # --- processes ---------------------------------------------------------------------------
    def spawn(self, name: str, cmd: list[str], env: dict[str, str] | None = None) -> None:
        out = (self.work / f"{name}.log").open("ab")
        self.procs[name] = subprocess.Popen(  # noqa: S603 (fixed programs)
            cmd, cwd=ROOT, env=env or self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )

    def start_web(self, i: int) -> None:
        self.spawn(
            f"web{i}",
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"), "onewindow.config.wsgi:application",
                "--bind", f"127.0.0.1:{self.web_ports[i]}", "--workers", "2", "--timeout", "120", "--preload",
                "--access-logfile", "-",
            ],
        )  # fmt: skip

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        p = self.procs.get(name)
        if p is None or p.poll() is not None:
            return
        try:
            os.killpg(p.pid, sig)  # the whole group: gunicorn's master and workers, a host lost
        except ProcessLookupError:
            return
        try:
            p.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait(10)

    def nginx_conf(self) -> Path:
        upstreams = "\n".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=3s;" for p in self.web_ports)
        conf = self.work / "nginx.conf"
        conf.write_text(
            f"""worker_processes 1;
pid {self.work}/nginx.pid;
error_log {self.work}/nginx-error.log warn;
events {{ worker_connections 512; }}
http {{
  access_log {self.work}/nginx-access.log;
  client_body_temp_path {self.work}/nginx-body;
  proxy_temp_path {self.work}/nginx-proxy;
  fastcgi_temp_path {self.work}/nginx-fastcgi;
  uwsgi_temp_path {self.work}/nginx-uwsgi;
  scgi_temp_path {self.work}/nginx-scgi;
  client_max_body_size 60m;
  upstream onewindow {{
{upstreams}
  }}
  server {{
    listen 127.0.0.1:{self.lb_port};
    location / {{
      proxy_pass http://onewindow;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $remote_addr;
      # A request not yet sent (connection refused by a dead instance) goes to the other one; one
      # already sent is never replayed (non-idempotent requests are not passed on by default).
      proxy_next_upstream error timeout;
      proxy_connect_timeout 2s;
      proxy_read_timeout 120s;
      add_header X-Upstream $upstream_addr always;
    }}
  }}
}}
"""
        )
        return conf

    def stop_all(self) -> None:
        for name in list(self.procs):
            if name == "nginx":
                continue
            self.kill(name, signal.SIGTERM)
        if "nginx" in self.procs:
            self.kill("nginx", signal.SIGQUIT)
        try:
            self.stop_replica()
        except subprocess.CalledProcessError as exc:
            log(f"replica stop: {exc.stderr.strip()[:200]}")
        if self.hba_added:
            text = PG_HBA.read_text()
            PG_HBA.write_text("".join(line + "\n" for line in text.splitlines() if line != HBA_LINE))
            psql("SELECT pg_reload_conf()")


@dataclass
class Result:
    kind: str
    started: float
    ended: float
    status: int  # 0: no answer (connection error)
    upstream: str


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=60.0, help="how long the load runs")
    ap.add_argument("--db", default="mm_ops")
    ap.add_argument("--writers", type=int, default=3)
    ap.add_argument("--readers", type=int, default=3)
    ap.add_argument("--lb-port", type=int, default=8810)
    ap.add_argument("--replica-port", type=int, default=5433)
    ap.add_argument("--redis-port", type=int, default=6390)
    ap.add_argument("--tick", type=float, default=5.0, help="scheduler interval in seconds (60 in production)")
    ap.add_argument("--keep", action="store_true", help="keep the database afterwards")
    ap.add_argument("--reuse", action="store_true", help="use the database a --keep run left (no drop, create)")
    args = ap.parse_args()
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,40}", args.db):
        ap.error("--db: lower-case letters, digits and _ only")
    if os.geteuid() != 0:
        ap.error("run as root (it installs packages and runs the replica as the postgres user)")
    print(f"load at start: {tuple(round(x, 2) for x in os.getloadavg())}", flush=True)
    ensure_packages()

    work = Path(tempfile.mkdtemp(prefix="onewindow-mm-"))
    os.chmod(work, 0o755)  # noqa: S103 (the postgres user reaches the replica's directory inside it)
    stack = Stack(
        work=work, db=args.db, lb_port=args.lb_port, web_ports=[args.lb_port + 1, args.lb_port + 2],
        replica_port=args.replica_port, redis_port=args.redis_port, replica_dir=work / "replica",
    )  # fmt: skip
    redis_url = f"redis://127.0.0.1:{args.redis_port}/0"
    env = {k: v for k, v in os.environ.items() if k not in ("TEST_DB_NAME",)}
    env.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{args.db}",
        DATABASE_REPLICA_URL=f"postgres://postgres@127.0.0.1:{args.replica_port}/{args.db}",
        TASKS_BACKEND="django_tasks_rq.RQBackend",
        REDIS_URL=redis_url,
        CACHE_BACKEND="redis",
        SESSION_BACKEND="cached_db",
        # One shared store for every web host (here a directory; NFS or S3 between machines).
        PRIVATE_STORAGE_ROOT=str(work / "private"),
        MEDIA_ROOT=str(work / "media"),
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(40),
        # Keys of the drill's own (throw-away) data; production keys come from the environment file.
        ONEWINDOW_FIELD_KEYS="mm1:" + base64.b64encode(os.urandom(32)).decode(),
        ONEWINDOW_INDEX_KEY=base64.b64encode(os.urandom(32)).decode(),
        UPLOAD_SCANNER="none",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="0",
        SESSION_COOKIE_SECURE="0",
        TRUSTED_PROXIES="127.0.0.1",
        REPLICA_CHECK_SECONDS="2",
        REPLICA_RETRY_SECONDS="5",
    )
    stack.env = env
    failures: list[str] = []
    results: list[Result] = []
    events: dict[str, float] = {}
    try:
        if args.reuse and psql(f"SELECT count(*) FROM pg_database WHERE datname = '{args.db}'") == "1":  # noqa: S608 (checked name)
            log(f"database {args.db}: kept from a --keep run, migrate")
        else:
            log(f"database {args.db}: drop, create, migrate")
            psql(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
            psql(f'CREATE DATABASE "{args.db}"')
        subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)

        os.environ.update(env)
        sys.path.insert(0, str(ROOT))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.config.settings")
        import django

        django.setup()
        import requests
        from django.db import connection, connections

        from onewindow.accounts.models import User
        from onewindow.accounts.services import api_token_create
        from onewindow.core.uploads import private_storage
        from onewindow.materials.models import LibraryItem

        tokens = []
        for i in range(args.writers):
            citizen = User.objects.create_user(username=f"mm{i}-{secrets.token_hex(4)}", password=secrets.token_urlsafe(12))
            tokens.append(api_token_create(user=citizen, name="multi-machine drill")[1])
        connection.close()

        log(f"replica: pg_basebackup from 127.0.0.1:5432, hot standby on port {args.replica_port}")
        stack.allow_replication()
        t = time.monotonic()
        stack.start_replica()
        receiver = psql("SELECT status FROM pg_stat_wal_receiver", port=args.replica_port)
        log(f"replica streaming after {time.monotonic() - t:.1f} s: {receiver}")

        stack.spawn("redis", ["/usr/bin/redis-server", "--port", str(args.redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(work)])  # fmt: skip
        if not wait_port(args.redis_port, 20):
            raise RuntimeError("redis did not start")
        py = str(ROOT / ".venv" / "bin" / "python")
        stack.spawn("rqworker", [py, "manage.py", "rq_worker", "default"])
        stack.spawn("scheduler1", [py, "manage.py", "run_scheduler", "--interval", str(args.tick)])
        stack.spawn("scheduler2", [py, "manage.py", "run_scheduler", "--interval", str(args.tick)])
        for i in range(2):
            stack.start_web(i)
        stack.spawn("nginx", ["/usr/sbin/nginx", "-c", str(stack.nginx_conf()), "-p", str(work), "-g", "daemon off;"])
        base = f"http://127.0.0.1:{args.lb_port}"
        t = time.monotonic()
        for port in stack.web_ports:
            if not wait_port(port, 300):
                raise RuntimeError(f"web instance on {port} did not start")
        while time.monotonic() - t < 300:
            try:
                if requests.get(f"{base}/health/all/", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(1)
        else:
            failures.append("the stack never became healthy")
        log(
            f"stack healthy after {time.monotonic() - t:.1f} s: nginx :{args.lb_port} -> web {stack.web_ports}, replica :{args.replica_port}, redis :{args.redis_port}"
        )
        replica_before = requests.get(f"{base}/health/replica/", timeout=10).json()
        log(f"/health/replica/ before the load: {replica_before}")
        replica_xacts_0 = replica_xacts(args.db, args.replica_port)
        sweeps_0 = time.time()

        acked: dict[str, str] = {}
        lock = threading.Lock()
        stop = threading.Event()

        def record(kind: str, started: float, r: requests.Response | None) -> None:
            with lock:
                results.append(
                    Result(kind, started, time.monotonic(), r.status_code if r is not None else 0, r.headers.get("X-Upstream", "") if r is not None else "")
                )  # fmt: skip

        def writer(token: str) -> None:
            s = requests.Session()
            s.headers["Authorization"] = f"Bearer {token}"
            while not stop.is_set():
                body = PNG + secrets.token_bytes(512)
                started = time.monotonic()
                try:
                    r = s.post(f"{base}/api/v1/materials/library", data={"name": "drill"}, files={"file": ("scan.png", body, "image/png")}, timeout=60)  # fmt: skip
                except requests.RequestException:
                    record("write", started, None)
                    continue
                record("write", started, r)
                if r.status_code == 201:
                    with lock:
                        acked[r.json()["uuid"]] = hashlib.sha256(body).hexdigest()

        def reader(i: int) -> None:
            s = requests.Session()
            pages = ["/catalog/?q=%E5%8A%9E%E7%90%86", "/catalog/bundles/", "/catalog/?q=shebao"]
            n = i
            while not stop.is_set():
                n += 1
                started = time.monotonic()
                try:
                    r = s.get(base + pages[n % len(pages)], timeout=60)
                except requests.RequestException:
                    record("read", started, None)
                    continue
                record("read", started, r)

        threads = [threading.Thread(target=writer, args=(tok,), daemon=True) for tok in tokens]
        threads += [threading.Thread(target=reader, args=(i,), daemon=True) for i in range(args.readers)]
        t0 = time.monotonic()
        for th in threads:
            th.start()
        log(f"load through the balancer for {args.seconds:.0f} s: {args.writers} writers, {args.readers} readers")
        victim = 0
        time.sleep(args.seconds * 0.25)
        events["kill"] = time.monotonic()
        stack.kill(f"web{victim}")
        log(f"kill -9 of web instance :{stack.web_ports[victim]} (master and workers)")
        time.sleep(args.seconds * 0.15)
        events["restart"] = time.monotonic()
        stack.start_web(victim)
        log(f"web instance :{stack.web_ports[victim]} started again")
        time.sleep(args.seconds * 0.2)
        lag_before_stop = requests.get(f"{base}/health/replica/", timeout=10).json()
        replica_xacts_1 = replica_xacts(args.db, args.replica_port)
        events["replica_stop"] = time.monotonic()
        stack.stop_replica()
        log(f"replica stopped (pg_ctl stop -m fast); /health/replica/ just before: {lag_before_stop}")
        remaining = args.seconds - (time.monotonic() - t0)
        time.sleep(max(0.0, remaining))
        stop.set()
        for th in threads:
            th.join(90)
        t_end = time.monotonic()
        back = wait_port(stack.web_ports[victim], 1)
        log(f"load done after {t_end - t0:.1f} s; the restarted instance {'answers' if back else 'does NOT answer'}")
        replica_after = requests.get(f"{base}/health/replica/", timeout=10)
        log(f"/health/replica/ with the replica stopped: {replica_after.status_code} {replica_after.json()}")

        # --- what happened ---------------------------------------------------------------------
        killed_addr = f"127.0.0.1:{stack.web_ports[victim]}"
        summary: dict[str, dict[str, object]] = {}
        for kind in ("write", "read"):
            rs = [r for r in results if r.kind == kind]
            ok = [r for r in rs if 200 <= r.status < 400]
            lat = [(r.ended - r.started) * 1000 for r in ok]
            summary[kind] = {
                "requests": len(rs),
                "ok": len(ok),
                "failed": len(rs) - len(ok),
                "per_second": round(len(ok) / (t_end - t0), 1),
                "p50_ms": round(percentile(lat, 0.5)),
                "p95_ms": round(percentile(lat, 0.95)),
                "max_ms": round(max(lat) if lat else float("nan")),
            }
        served = {
            addr: sum(1 for r in results if r.upstream.split(",")[-1].strip() == addr)
            for addr in (f"127.0.0.1:{p}" for p in stack.web_ports)
        }
        log(f"writes: {summary['write']}")
        log(f"reads:  {summary['read']}")
        log(f"answers by instance (last upstream tried): {served}")
        bad = [r for r in results if not (200 <= r.status < 400)]
        in_flight = [
            r
            for r in bad
            if r.started <= events["kill"] + 0.5 and r.ended >= events["kill"] and (killed_addr in r.upstream or r.status == 0)
        ]
        other = [r for r in bad if r not in in_flight]
        kinds = sorted({f"{r.kind} {r.status} via {r.upstream or '-'}" for r in in_flight})
        log(
            f"failed requests: {len(bad)}; in flight on the killed instance when it died: {len(in_flight)} "
            f"({', '.join(kinds) or 'none'}); any other: {len(other)}"
        )
        for r in other[:10]:
            log(f"  other failure: {r.kind} {r.status} via {r.upstream or '-'} at +{r.started - t0:.1f} s")
        if other:
            failures.append(f"{len(other)} failed request(s) not in flight on the killed instance")
        reads_after_stop = [r for r in results if r.kind == "read" and r.started >= events["replica_stop"]]
        log(
            f"reads after the replica stopped: {len(reads_after_stop)}, failed: {sum(1 for r in reads_after_stop if r.status != 200)}"
        )
        if not reads_after_stop:
            failures.append("no read ran after the replica stopped")
        replica_reads = replica_xacts_1 - replica_xacts_0
        log(f"transactions served by the replica before it stopped: {replica_reads}")
        if replica_reads <= 0:
            failures.append("the replica served no read")

        # Every acknowledged write is on the primary, byte for byte.
        connections.close_all()
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
        log(
            f"acknowledged uploads: {len(acked)}; rows on the primary: {len(rows)}; acknowledged but missing: {len(missing)}; "
            f"file missing or different: {len(bad_files)}"
        )
        if missing or bad_files:
            failures.append(f"lost writes: {missing[:5]} {bad_files[:5]}")

        # One sweep per tick from two schedulers (RQ's registries of finished and failed jobs).
        from django_rq import get_queue
        from rq.registry import FailedJobRegistry, FinishedJobRegistry, StartedJobRegistry

        q = get_queue("default")
        ids = list(q.job_ids)
        for reg in (FinishedJobRegistry(queue=q), FailedJobRegistry(queue=q), StartedJobRegistry(queue=q)):
            ids += reg.get_job_ids()
        sweeps = [j for j in (q.fetch_job(i) for i in set(ids)) if j is not None and j.func_name.endswith("periodic_sweep")]
        in_window = [j for j in sweeps if j.enqueued_at and j.enqueued_at.timestamp() >= sweeps_0]
        elapsed = time.time() - sweeps_0
        ticks = elapsed / args.tick
        log(
            f"sweeps enqueued by 2 schedulers in {elapsed:.0f} s at a {args.tick:.0f} s tick: {len(in_window)} (ticks: {ticks:.1f})"
        )
        if len(in_window) > ticks + 1:
            failures.append(f"more sweeps ({len(in_window)}) than ticks ({ticks:.1f}): two schedulers both won a tick")
        if not in_window:
            failures.append("no sweep was enqueued")
        failed_sweeps = sum(1 for j in sweeps if j.is_failed)
        log(f"sweeps run by the RQ worker: finished {sum(1 for j in sweeps if j.is_finished)}, failed {failed_sweeps}")

        # The replica comes back and catches up.
        t = time.monotonic()
        stack.start_replica()
        primary_rows = LibraryItem.objects.count()
        caught_up = False
        while time.monotonic() - t < 120:
            try:
                on_replica = int(psql("SELECT count(*) FROM materials_libraryitem", db=args.db, port=args.replica_port))
            except subprocess.CalledProcessError:
                on_replica = -1
            if on_replica == primary_rows:
                caught_up = True
                break
            time.sleep(0.5)
        log(
            f"replica started again: {'caught up' if caught_up else 'NOT caught up'} ({primary_rows} uploads) after {time.monotonic() - t:.1f} s"
        )
        if not caught_up:
            failures.append("the replica did not catch up after its restart")
        time.sleep(float(env["REPLICA_RETRY_SECONDS"]) + 1)
        log(f"/health/replica/ after the restart: {requests.get(f'{base}/health/replica/', timeout=10).json()}")
        connections.close_all()
    finally:
        stack.stop_all()
        if args.keep:
            stack.stop_replica()
            shutil.rmtree(work, ignore_errors=True)  # the database stays, the replica and files do not
        else:
            try:
                psql(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
            except subprocess.CalledProcessError as exc:
                log(f"drop database: {exc.stderr.strip()[:200]}")
            shutil.rmtree(work, ignore_errors=True)
        left = [n for n, p in stack.procs.items() if p.poll() is None]
        log(
            f"cleaned up: processes still running: {left or 'none'}; work directory removed{'; database ' + args.db + ' kept' if args.keep else ''}"
        )
    print(f"load at end: {tuple(round(x, 2) for x in os.getloadavg())}", flush=True)
    if failures:
        print("FAILED:\n  " + "\n  ".join(failures), flush=True)
        return 1
    print(
        "PASSED: no acknowledged write lost; failures only in flight on the killed instance; reads survived the replica's stop",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
