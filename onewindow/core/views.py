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

from . import health


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
