"""Health endpoints: JSON, 200 when the check passes and 503 when not, nothing about the machine
or anyone's data, open to an outsider (a load balancer has no account) but read-only."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from onewindow.core import health
from onewindow.core.models import ServiceHeartbeat

pytestmark = pytest.mark.django_db

ALLOWED_KEYS = {"status", "checks", "reason", "age_seconds", "limit_seconds"}


def _keys(obj: Any) -> set[str]:
    if isinstance(obj, dict):
        out = set()
        for k, v in obj.items():
            out.add(k)
            if k != "checks":
                out |= _keys(v)
            else:
                for sub in v.values():
                    out |= _keys(sub)
        return out
    return set()


def _beat(kind: str, key: str, seconds_ago: float) -> None:
    at = timezone.now() - datetime.timedelta(seconds=seconds_ago)
    ServiceHeartbeat.objects.update_or_create(key=key, defaults={"kind": kind, "beat_at": at, "started_at": at, "pid": 4242})


def test_web_and_database_answer_200_to_an_outsider(client: Any) -> None:
    for url, check in [("/health/", "web"), ("/health/db/", "database")]:
        r = client.get(url)
        assert r.status_code == 200 and r["Content-Type"] == "application/json"
        assert r.json() == {"status": "ok", "checks": {check: {"status": "ok"}}}
        assert "no-cache" in r["Cache-Control"] or "no-store" in r["Cache-Control"]


def test_no_heartbeat_is_503(client: Any) -> None:
    for url, check in [("/health/worker/", "worker"), ("/health/scheduler/", "scheduler")]:
        r = client.get(url)
        assert r.status_code == 503
        assert r.json() == {"status": "fail", "checks": {check: {"status": "fail", "reason": "never"}}}


def test_fresh_and_stale_heartbeats(client: Any, settings: Any) -> None:
    settings.WORKER_HEARTBEAT_STALE_SECONDS = 60
    settings.SCHEDULER_HEARTBEAT_STALE_SECONDS = 180
    _beat("worker", "worker:dead", 3600)
    _beat("scheduler", "scheduler", 200)
    assert client.get("/health/worker/").status_code == 503
    assert client.get("/health/scheduler/").status_code == 503
    _beat("worker", "worker:live", 2)  # any live worker will do
    _beat("scheduler", "scheduler", 5)
    r = client.get("/health/worker/")
    assert r.status_code == 200 and r.json()["checks"]["worker"]["limit_seconds"] == 60
    assert client.get("/health/scheduler/").status_code == 200
    r = client.get("/health/all/")
    assert r.status_code == 200 and set(r.json()["checks"]) == {"web", "database", "worker", "scheduler"}


def test_answers_say_nothing_about_the_machine(client: Any) -> None:
    _beat("worker", "worker:secret-worker-id", 1)
    _beat("scheduler", "scheduler", 1)
    for url in ["/health/", "/health/db/", "/health/worker/", "/health/scheduler/", "/health/all/"]:
        r = client.get(url)
        body = r.content.decode()
        assert _keys(r.json()) <= ALLOWED_KEYS | {"web", "database", "worker", "scheduler"}, body
        assert "secret-worker-id" not in body and "4242" not in body


def test_only_get(client: Any) -> None:
    assert client.post("/health/all/").status_code in (403, 405)  # CSRF or method: never a write
    assert client.get("/health/all/", REQUEST_METHOD="PUT").status_code == 405


def test_database_down_is_503(client: Any, monkeypatch: Any) -> None:
    from django.db import OperationalError

    def boom(*a: Any, **k: Any) -> Any:
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(health, "_age", boom)
    monkeypatch.setattr(connection, "cursor", boom)
    r = client.get("/health/all/")
    assert r.status_code == 503
    assert r.json()["checks"]["database"] == {"status": "fail"}
    assert r.json()["checks"]["worker"] == {"status": "fail", "reason": "database"}
    assert client.get("/health/").status_code == 200  # the web process itself still answers


def test_beat_survives_a_database_error(monkeypatch: Any) -> None:
    from django.db import OperationalError

    def boom(*a: Any, **k: Any) -> Any:
        raise OperationalError("gone")

    monkeypatch.setattr(ServiceHeartbeat.objects, "update_or_create", boom)
    assert health.beat("scheduler", "scheduler", force=True) is False
