"""Services that come back (issue 13): the worker and the scheduler survive a database blip,
bin/supervise restarts a crashed child, a task orphaned by a dead worker is recovered."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from onewindow.core.testing import is_postgres

ROOT = Path(__file__).resolve().parents[3]


def wait_for(cond: Callable[[], Any], timeout: float = 90.0, step: float = 0.3) -> Any:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        got = cond()
        if got:
            return got
        time.sleep(step)
    raise AssertionError(f"condition not met within {timeout} s")


def _env_for_test_db() -> dict[str, str]:
    db = connection.settings_dict
    env = dict(os.environ)
    env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env.pop("TEST_DB_NAME", None)
    return env


@pytest.fixture
def services(tmp_path: Path) -> Iterator[dict[str, subprocess.Popen[bytes]]]:
    """The real `manage.py db_worker` and `manage.py run_scheduler`, on the test database."""
    env = _env_for_test_db()
    procs: dict[str, subprocess.Popen[bytes]] = {}
    logs = {}
    for name, cmd in {
        "worker": ["db_worker", "--no-startup-delay", "--interval", "0.2", "--worker-id", "blip-test", "--no-reload"],
        "scheduler": ["run_scheduler", "--interval", "1"],
    }.items():
        logs[name] = (tmp_path / f"{name}.log").open("wb")
        procs[name] = subprocess.Popen(  # noqa: S603 (this interpreter, fixed arguments)
            [sys.executable, "manage.py", *cmd], cwd=ROOT, env=env, stdout=logs[name], stderr=subprocess.STDOUT
        )
    yield procs
    for p in procs.values():
        p.terminate()
    for p in procs.values():
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    for f in logs.values():
        f.close()


def _terminate_backends() -> int:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return int(cur.fetchone()[0])


ON_PG = os.environ.get("DATABASE_URL", "").startswith("postgres")


@pytest.mark.skipif(not ON_PG, reason="pg_terminate_backend needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_worker_and_scheduler_survive_terminated_backends(services: dict[str, subprocess.Popen[bytes]], tmp_path: Path) -> None:
    assert is_postgres()
    from django_tasks_db.models import DBTaskResult

    from onewindow.core.models import ServiceHeartbeat

    # Both are up: heartbeats written, the scheduler's sweep run by the worker.
    wait_for(lambda: ServiceHeartbeat.objects.filter(key="worker:blip-test").exists())
    wait_for(lambda: ServiceHeartbeat.objects.filter(key="scheduler").exists())
    wait_for(lambda: DBTaskResult.objects.filter(status="SUCCESSFUL").exists())

    for _ in range(3):  # three blips a second apart: every connection of both processes is cut
        assert _terminate_backends() >= 1
        time.sleep(1.0)
    blip_over = timezone.now()
    time.sleep(2.0)
    for name, p in services.items():
        assert p.poll() is None, f"{name} died: {(tmp_path / f'{name}.log').read_text()[-2000:]}"

    # They keep going: fresh heartbeats, and sweeps enqueued after the blip are run.
    wait_for(lambda: ServiceHeartbeat.objects.filter(key="scheduler", beat_at__gt=blip_over).exists())
    wait_for(lambda: ServiceHeartbeat.objects.filter(key="worker:blip-test", beat_at__gt=blip_over).exists())
    wait_for(lambda: DBTaskResult.objects.filter(status="SUCCESSFUL", enqueued_at__gt=blip_over).exists())
    # Nothing the blip interrupted stays RUNNING on this worker.
    wait_for(lambda: not DBTaskResult.objects.filter(status="RUNNING", started_at__lt=blip_over).exists())


def _supervise(tmp_path: Path, script: str) -> subprocess.Popen[bytes]:
    env = dict(os.environ, SUPERVISE_BACKOFF_START="0.2", SUPERVISE_BACKOFF_MAX="0.4")
    return subprocess.Popen([str(ROOT / "bin" / "supervise"), "test", "bash", "-c", script], env=env, cwd=tmp_path)  # noqa: S603


def test_supervise_restarts_a_crashed_child_and_stops_cleanly(tmp_path: Path) -> None:
    starts = tmp_path / "starts"
    sup = _supervise(tmp_path, f"echo $$ >> {starts}; exit 3")
    try:
        wait_for(lambda: starts.exists() and len(starts.read_text().split()) >= 3, timeout=20)
        assert sup.poll() is None  # the supervisor itself keeps going
    finally:
        sup.terminate()
    assert sup.wait(10) == 0


def test_supervise_restarts_after_kill_9_and_terminates_its_child(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    sup = _supervise(tmp_path, f"echo $$ >> {pids}; exec sleep 300")
    try:
        first = int(wait_for(lambda: pids.exists() and pids.read_text().split(), timeout=20)[0])
        os.kill(first, 9)
        second = int(wait_for(lambda: len(pids.read_text().split()) >= 2 and pids.read_text().split(), timeout=20)[1])
        assert second != first
    finally:
        sup.terminate()
    assert sup.wait(10) == 0
    with pytest.raises(ProcessLookupError):  # the child went with the supervisor
        os.kill(second, 0)


def test_bin_run_supervises_each_child_and_waits_for_all() -> None:
    run = (ROOT / "bin" / "run").read_text()
    commands = [
        line for line in run.splitlines() if "manage.py db_worker" in line or "run_scheduler" in line or "gunicorn" in line
    ]
    assert commands and all(line.startswith("bin/supervise ") for line in commands), commands
    assert "wait -n" not in run.replace("`wait -n`", "")


@pytest.mark.django_db
def test_task_left_running_by_a_dead_worker_is_recovered(settings: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    from onewindow.core import health
    from onewindow.core.models import ServiceHeartbeat
    from onewindow.core.tasks import periodic_sweep

    settings.TASK_STUCK_MINUTES = 15
    settings.TASK_MAX_ATTEMPTS = 3
    now = timezone.now()
    long_ago = now - datetime.timedelta(minutes=20)

    def running(worker_ids: list[str], started: datetime.datetime = long_ago) -> Any:
        r = periodic_sweep.enqueue()
        DBTaskResult.objects.filter(pk=r.id).update(status="RUNNING", started_at=started, worker_ids=worker_ids)
        return r.id

    dead = running(["gone"])  # worker gone, no heartbeat
    live = running(["alive"])  # a long task on a live worker
    ServiceHeartbeat.objects.create(key="worker:alive", kind="worker", beat_at=now, started_at=long_ago)
    recent = running(["gone"], started=now - datetime.timedelta(minutes=1))  # not yet past the timeout
    hopeless = running(["a", "b", "gone"])  # third run lost too

    assert health.recover_stuck_tasks() == 2
    status = {str(k): v for k, v in DBTaskResult.objects.values_list("id", "status")}
    assert status[dead] == "READY"
    assert status[live] == "RUNNING" and status[recent] == "RUNNING"
    assert status[hopeless] == "FAILED"
    assert DBTaskResult.objects.get(pk=hopeless).exception_class_path.endswith("WorkerLost")
    # The sweep runs it.
    from onewindow.core.sweeps import sweeps

    assert "onewindow.core.health.recover_stuck_tasks" in sweeps()


def test_systemd_units_restart_every_service_with_real_commands() -> None:
    import configparser
    import shlex

    from django.core.management import get_commands

    units = ROOT / "ops" / "systemd"
    seen = {}
    for name in ["onewindow-web.service", "onewindow-worker.service", "onewindow-scheduler.service"]:
        cp = configparser.ConfigParser(strict=False, interpolation=None)
        cp.optionxform = str  # type: ignore[assignment,method-assign]
        cp.read(units / name)
        service = cp["Service"]
        assert service["Restart"] == "always" and cp["Unit"]["StartLimitIntervalSec"] == "0", name
        argv = shlex.split(service["ExecStart"].replace("\\\n", " ").replace("\\", " "))
        if "manage.py" in argv:
            command = argv[argv.index("manage.py") + 1]
            assert command in get_commands(), command
            seen[name] = command
        else:
            assert argv[0].endswith("/gunicorn") and argv[1] == "onewindow.config.wsgi:application"
            seen[name] = "gunicorn"
        assert service["EnvironmentFile"] == "/etc/onewindow/env"
    # the worker is ours (reconnects, heartbeat), not the upstream one
    assert get_commands()["db_worker"] == "onewindow.core"
    assert seen == {
        "onewindow-web.service": "gunicorn",
        "onewindow-worker.service": "db_worker",
        "onewindow-scheduler.service": "run_scheduler",
    }
