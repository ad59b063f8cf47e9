"""Reads from a PostgreSQL streaming replica, never a read that follows one's own write.

When `DATABASE_REPLICA_URL` is set (settings add the `replica` alias), a view marked
`@replica_read` (dashboard, catalog search, public guides: pages that show and never change) runs
its reads on the replica. Everything else, and every write, stays on the primary. A marked view
still reads the primary when:

- the request is not GET/HEAD;
- this browser wrote within `REPLICA_PIN_SECONDS` (the `ow_primary` cookie, set by
  `ReplicaPinMiddleware` on the answer to any request that wrote: a POST/PUT/PATCH/DELETE, or any
  other request whose code saved a row through the ORM; the session row alone does not count);
- this request already wrote (a read after a write in the same request), or the read is inside a
  transaction the view opened (a service's read-then-write must see the primary);
- the replica lags more than `REPLICA_MAX_LAG_SECONDS`, or did not answer within
  `REPLICA_RETRY_SECONDS` (a stopped replica: the view is run again on the primary, so the user
  sees no error).

The session and the signed-in user are loaded from the primary before the view switches, so a
sign-in is never missed on a lagging replica; accounts, roles and permissions (PRIMARY_APPS) are
always read from the primary, so a revoked role takes effect at once. The lag is measured at most every
`REPLICA_CHECK_SECONDS` per process and shown on the dashboard and at `/health/replica/`.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import HttpRequest, HttpResponse
from django.template.response import SimpleTemplateResponse

log = logging.getLogger("onewindow.replica")

REPLICA = "replica"
PIN_COOKIE = "ow_primary"
CHECK_SECONDS = 5.0
RETRY_SECONDS = 10.0
SAFE_METHODS = ("GET", "HEAD")
# Who may see what is always read from the primary: a role revoked or a unit moved a moment ago
# must take effect now, not when the replica catches up. (Small tables: nothing to offload.)
PRIMARY_APPS = frozenset({"accounts", "auth", "sessions", "contenttypes", "otp_totp", "otp_static", "django_otp"})


@dataclass
class RequestState:
    """What the router knows of the request being served."""

    pinned: bool = False
    wrote: bool = False


@dataclass
class Route:
    """Set while a `@replica_read` view runs on the replica."""

    depth: int = 0
    used: bool = False


@dataclass
class _Health:
    checked: float = -1e9
    down_until: float = 0.0
    lag: float | None = None
    error: str = ""


_request: ContextVar[RequestState | None] = ContextVar("onewindow_request_state", default=None)
_route: ContextVar[Route | None] = ContextVar("onewindow_replica_route", default=None)
_health = _Health()


def configured() -> bool:
    return REPLICA in settings.DATABASES


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def _lag_sql(vendor: str) -> str:
    if vendor != "postgresql":
        return "SELECT 0"  # a test mirror of the primary: no lag, but it must answer
    # Caught up (all received WAL replayed): 0, however long ago the last write was.
    return (
        "SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0 "
        "WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
        "ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END"
    )


def _close_replica() -> None:
    try:
        connections[REPLICA].close()
    except DatabaseError:
        connections[REPLICA].connection = None


def mark_down(reason: str) -> None:
    """The replica failed a query: leave it alone for REPLICA_RETRY_SECONDS."""
    _health.down_until = time.monotonic() + _setting("REPLICA_RETRY_SECONDS", RETRY_SECONDS)
    _health.lag, _health.error = None, reason[:120]
    _close_replica()
    log.warning("replica unavailable (%s); reading the primary", _health.error)


def status(*, fresh: bool = False) -> dict[str, Any]:
    """The replica as this process sees it: configured, usable, lag in seconds (None: unknown)."""
    if not configured():
        return {"configured": False, "usable": False, "lag_seconds": None}
    now = time.monotonic()
    if now >= _health.down_until and (fresh or now - _health.checked >= _setting("REPLICA_CHECK_SECONDS", CHECK_SECONDS)):
        _health.checked = now
        try:
            conn = connections[REPLICA]
            with conn.cursor() as cur:
                cur.execute(_lag_sql(conn.vendor))
                _health.lag = float(cur.fetchone()[0])
            _health.error = ""
        except DatabaseError as exc:
            mark_down(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)
    lag = _health.lag
    usable = time.monotonic() >= _health.down_until and lag is not None and lag <= _setting("REPLICA_MAX_LAG_SECONDS", 30.0)
    return {"configured": True, "usable": usable, "lag_seconds": None if lag is None else round(lag, 1)}


def reset_health() -> None:
    """Forget what was measured (tests; a replica brought back by hand)."""
    global _health
    _health = _Health()


class ReplicaRouter:
    """DATABASE_ROUTERS: the replica only inside a `@replica_read` view that may use it."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        route = _route.get()
        if route is None or model._meta.app_label in PRIMARY_APPS:
            return None
        state = _request.get()
        if state is not None and state.wrote:
            return None
        # Inside a transaction the view (or a service it calls) opened: the primary.
        if len(connections[DEFAULT_DB_ALIAS].atomic_blocks) > route.depth:
            return None
        route.used = True
        return REPLICA

    def db_for_write(self, model: type[Any], **hints: Any) -> str | None:
        state = _request.get()
        if state is not None and model._meta.label_lower != "sessions.session":
            state.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True  # the same rows on both: the replica is a copy of the primary

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool | None:
        return db != REPLICA  # the replica gets its schema from the primary's WAL


def replica_read(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark a view that only reads: it may be served from the replica (see the module)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        state = _request.get()
        if (
            not configured()
            or request.method not in SAFE_METHODS
            or (state is not None and (state.pinned or state.wrote))
            or not status()["usable"]
        ):
            return view(request, *args, **kwargs)
        # The session and the user from the primary: a sign-in the replica has not seen yet
        # must not look signed out.
        user = getattr(request, "user", None)
        if user is not None:
            _ = user.is_authenticated
        route = Route(depth=len(connections[DEFAULT_DB_ALIAS].atomic_blocks))
        token = _route.set(route)
        try:
            response = view(request, *args, **kwargs)
            if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
                response.render()  # lazy templates query while rendering: still on the replica
            return response
        except DatabaseError as exc:
            if not route.used:
                raise
            mark_down(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)
        finally:
            _route.reset(token)
        # The replica failed mid-view: the same (read-only) view again, on the primary.
        return view(request, *args, **kwargs)

    wrapper.replica_read = True  # type: ignore[attr-defined]  # a mark on the function, read by the tests and checks
    return wrapper


class ReplicaPinMiddleware:
    """Pins a browser that wrote to the primary for REPLICA_PIN_SECONDS (see the module)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            until = float(request.COOKIES.get(PIN_COOKIE, "0"))
        except ValueError:
            until = 0.0
        state = RequestState(pinned=until > time.time())
        token = _request.set(state)
        try:
            response = self.get_response(request)
        finally:
            _request.reset(token)
        if configured() and (state.wrote or request.method not in SAFE_METHODS):
            seconds = int(_setting("REPLICA_PIN_SECONDS", 10))
            response.set_cookie(
                PIN_COOKIE,
                str(int(time.time()) + seconds),
                max_age=seconds,
                httponly=True,
                samesite="Lax",
                secure=bool(getattr(settings, "SESSION_COOKIE_SECURE", False)),
            )
        return response
