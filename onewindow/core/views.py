"""Health endpoints for the supervisor, the load balancer and the fault script.

Public (a load balancer has no account) and therefore bare: a status word per check and the age of
a heartbeat, never host names, process or worker ids, versions, counts or personal data. 200 when
the check passes, 503 when it does not. Nothing is written.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import dbrouter, health


def _answer(checks: dict[str, dict[str, Any]]) -> JsonResponse:
    ok = all(c["status"] == "ok" for c in checks.values())
    return JsonResponse({"status": "ok" if ok else "fail", "checks": checks}, status=200 if ok else 503)


@never_cache
@require_GET
def health_web(request: HttpRequest) -> JsonResponse:
    """The web process answers (liveness); touches nothing else."""
    return _answer({"web": {"status": "ok"}})


@never_cache
@require_GET
def health_database(request: HttpRequest) -> JsonResponse:
    return _answer({"database": health.check_database()})


@never_cache
@require_GET
def health_worker(request: HttpRequest) -> JsonResponse:
    return _answer({"worker": health.check_heartbeat("worker")})


@never_cache
@require_GET
def health_scheduler(request: HttpRequest) -> JsonResponse:
    return _answer({"scheduler": health.check_heartbeat("scheduler")})


@never_cache
@require_GET
def health_all(request: HttpRequest) -> JsonResponse:
    return _answer({"web": {"status": "ok"}, **health.checks()})


@never_cache
@require_GET
def health_replica(request: HttpRequest) -> JsonResponse:
    """The read replica (core/dbrouter.py): its lag in seconds; "off" (200) when none is configured,
    503 when it is configured but not usable (down or lagging past REPLICA_MAX_LAG_SECONDS): the
    marked views then read the primary, so this is a warning for monitoring, not an outage."""
    state = dbrouter.status(fresh=True)
    if not state["configured"]:
        return _answer({"replica": {"status": "ok", "reason": "off"}})
    check: dict[str, Any] = {"status": "ok" if state["usable"] else "fail", "lag_seconds": state["lag_seconds"]}
    return _answer({"replica": check})
