"""More than one machine (docs/deployment.md): the settings that make the web tier stateless and the
RQ task backend, each read from the environment in a child process as a server would."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from onewindow.core.models import ServiceHeartbeat

ROOT = Path(__file__).resolve().parents[3]

PROBE = """
import json, django
django.setup()
from django.conf import settings
print(json.dumps({
    "private": settings.STORAGES["private"],
    "cache": settings.CACHES["default"]["BACKEND"],
    "cache_location": settings.CACHES["default"].get("LOCATION"),
    "session": settings.SESSION_ENGINE,
    "tasks": settings.TASKS["default"]["BACKEND"],
    "rq": "django_rq" in settings.INSTALLED_APPS,
    "rq_queues": getattr(settings, "RQ_QUEUES", None),
    "replica": settings.DATABASES.get("replica", {}).get("PORT"),
    "replica_test": settings.DATABASES.get("replica", {}).get("TEST"),
}, default=str))
"""

SCALE_OUT_VARS = (
    "PRIVATE_STORAGE",
    "CACHE_BACKEND",
    "SESSION_BACKEND",
    "TASKS_BACKEND",
    "REDIS_URL",
    "DATABASE_REPLICA_URL",
)


def _settings(**env: str) -> dict[str, object]:
    child = {k: v for k, v in os.environ.items() if k not in SCALE_OUT_VARS and not k.startswith("S3_")}
    child.update(env, DJANGO_SETTINGS_MODULE="onewindow.config.settings")
    run = subprocess.run(  # noqa: S603 (this interpreter, fixed program)
        [sys.executable, "-c", PROBE], cwd=ROOT, env=child, capture_output=True, text=True, timeout=120, check=True
    )
    return json.loads(run.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_defaults_are_single_machine() -> None:
    s = _settings()
    assert s["private"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"  # type: ignore[index]
    assert s["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert s["session"] == "onewindow.core.sessions"  # Django's database store, its read compiled once
    assert s["tasks"] == "django_tasks_db.DatabaseBackend"
    assert s["rq"] is False and s["replica"] is None


def test_scale_out_from_the_environment() -> None:
    s = _settings(
        PRIVATE_STORAGE="s3",
        S3_BUCKET="onewindow-private",
        S3_ENDPOINT_URL="http://10.0.0.9:9000",
        S3_ACCESS_KEY_ID="k",
        S3_SECRET_ACCESS_KEY="s",
        CACHE_BACKEND="redis",
        SESSION_BACKEND="cached_db",
        TASKS_BACKEND="django_tasks_rq.RQBackend",
        REDIS_URL="redis://10.0.0.8:6379/1",
        DATABASE_REPLICA_URL="postgres://app@10.0.0.7:5433/onewindow",
    )
    private = s["private"]
    assert private["BACKEND"] == "storages.backends.s3.S3Storage"  # type: ignore[index]
    opts = private["OPTIONS"]  # type: ignore[index]
    assert opts["bucket_name"] == "onewindow-private" and opts["endpoint_url"] == "http://10.0.0.9:9000"
    assert opts["default_acl"] == "private" and opts["querystring_auth"] is True
    assert s["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert s["cache_location"] == "redis://10.0.0.8:6379/1"
    assert s["session"] == "django.contrib.sessions.backends.cached_db"
    assert s["tasks"] == "django_tasks_rq.RQBackend" and s["rq"] is True
    assert s["rq_queues"]["default"]["URL"] == "redis://10.0.0.8:6379/1"  # type: ignore[index]
    assert s["replica"] == 5433 and s["replica_test"]["MIRROR"] == "default"  # type: ignore[index]


def test_the_s3_storage_is_built_from_those_settings() -> None:
    """django-storages constructs the private storage from the options (no network needed)."""
    from storages.backends.s3 import S3Storage

    storage = S3Storage(
        bucket_name="onewindow-private",
        endpoint_url="http://127.0.0.1:9",
        access_key="k",
        secret_key="s",
        location="private",
        default_acl="private",
        file_overwrite=False,
    )
    assert storage.location == "private" and storage.bucket_name == "onewindow-private"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port = _free_port()
    proc = subprocess.Popen(  # noqa: S603 (fixed program)
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        end = time.monotonic() + 20
        while time.monotonic() < end:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(10)


def _child_env(redis: str) -> dict[str, str]:
    db = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if k not in SCALE_OUT_VARS}
    if db["ENGINE"].endswith("sqlite3"):
        env["DATABASE_URL"] = f"sqlite:///{db['NAME']}"
    else:
        env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env.pop("TEST_DB_NAME", None)
    env.update(TASKS_BACKEND="django_tasks_rq.RQBackend", REDIS_URL=redis)
    return env


def _manage(env: dict[str, str], *args: str) -> str:
    run = subprocess.run(  # noqa: S603 (this interpreter, fixed arguments)
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return run.stdout


@pytest.mark.django_db(transaction=True)
def test_the_sweep_runs_through_redis(redis_url: str) -> None:
    """The scheduler enqueues on Redis, an RQ worker (another process, as on another host) runs the
    sweep against the shared database, and its heartbeat answers /health/worker/."""
    env = _child_env(redis_url)
    # Two processes (a scheduler's host, a worker's host), each reading the queue after its command
    # in the same interpreter: a Django start-up per process, not per command.
    code = (
        "from django.core.management import call_command; from django_rq import get_queue;"
        "call_command('run_scheduler', '--once', '--interval', '1000000000');"
        "q = get_queue('default'); print(q.count, [j.func_name for j in q.jobs])"
    )
    queued = _manage(env, "shell", "-v", "0", "-c", code).strip().splitlines()[-1]
    assert queued.split()[0] == "1" and "periodic_sweep" in queued
    code = (
        "from django.core.management import call_command; from django_rq import get_queue;"
        "from rq.registry import FinishedJobRegistry; call_command('rq_worker', '--burst');"
        "q = get_queue('default'); reg = FinishedJobRegistry(queue=q);"
        "print(q.count, len(reg.get_job_ids()), [q.fetch_job(i).get_status() for i in reg.get_job_ids()])"
    )
    done = _manage(env, "shell", "-v", "0", "-c", code).strip().splitlines()[-1]
    assert done.split()[:2] == ["0", "1"], done
    assert "finished" in done.lower(), done
    assert ServiceHeartbeat.objects.filter(kind="worker", key__startswith="worker:rq:").exists()
