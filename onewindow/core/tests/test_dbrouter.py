"""The read-replica router (core/dbrouter.py).

The `replica` alias here is a second, real connection to the test database. The test's own rows
are written in its (uncommitted) transaction on the primary connection, so the "replica" does not
see them yet: exactly a replica that lags. Which connection served a read is therefore visible in
what the page counts.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.test import Client, RequestFactory, override_settings
from django.urls import path, resolve
from django.utils import timezone

from onewindow.core import dbrouter
from onewindow.core.dbrouter import PIN_COOKIE, REPLICA, replica_read
from onewindow.core.models import ServiceHeartbeat
from onewindow.core.views import health_replica


def _count() -> int:
    return ServiceHeartbeat.objects.filter(key__startswith="lagging").count()


def _row(key: str) -> None:
    now = timezone.now()
    ServiceHeartbeat.objects.create(key=key, kind="test", beat_at=now, started_at=now)


@replica_read
def marked(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"n": _count()})


def unmarked(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"n": _count()})


@replica_read
def marked_writes_then_reads(request: HttpRequest) -> HttpResponse:
    _row("lagging-self")
    return JsonResponse({"n": _count()})


@replica_read
def marked_reads_in_transaction(request: HttpRequest) -> HttpResponse:
    with transaction.atomic():
        return JsonResponse({"n": _count()})


def write(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"ok": True})


urlpatterns = [
    path("t/marked/", marked),
    path("t/unmarked/", unmarked),
    path("t/marked-writes/", marked_writes_then_reads),
    path("t/marked-atomic/", marked_reads_in_transaction),
    path("t/write/", write),
]


@pytest.fixture(scope="module")
def replica_alias(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """A `replica` alias: its own connection to the test database. Added before each test's
    database set-up (which forbids queries to an alias the test does not name)."""
    copy = dict(connections["default"].settings_dict)
    if copy["ENGINE"].endswith("sqlite3"):
        # A reader: it must not queue behind the test's open write transaction on the primary.
        copy["OPTIONS"] = {**copy.get("OPTIONS", {}), "transaction_mode": "DEFERRED", "timeout": 5}
    connections.settings[REPLICA] = copy
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]


@pytest.fixture
def replica(replica_alias: None) -> Iterator[None]:
    dbrouter.reset_health()
    yield
    dbrouter.reset_health()


WITH_REPLICA = pytest.mark.django_db(databases=["default", REPLICA])


@pytest.fixture
def lagging(replica: None) -> None:
    """A row the replica has not received: written in the test's open transaction."""
    _row("lagging-1")


def _n(client: Client, url: str) -> int:
    r = client.get(url)
    assert r.status_code == 200
    return int(r.json()["n"])


@WITH_REPLICA
@override_settings(ROOT_URLCONF=__name__)
def test_marked_view_reads_the_replica_unmarked_the_primary(replica: None, lagging: None) -> None:
    c = Client()
    assert _n(c, "/t/marked/") == 0  # the replica has not seen the row yet
    assert _n(c, "/t/unmarked/") == 1
    assert dbrouter.status()["usable"] is True


@WITH_REPLICA
@override_settings(ROOT_URLCONF=__name__, REPLICA_PIN_SECONDS=7)
def test_after_a_write_the_browser_reads_the_primary(replica: None, lagging: None) -> None:
    c = Client()
    assert _n(c, "/t/marked/") == 0
    r = c.post("/t/write/")
    assert r.cookies[PIN_COOKIE]["max-age"] == 7
    assert _n(c, "/t/marked/") == 1  # pinned: its own write is never missed
    other = Client()
    assert _n(other, "/t/marked/") == 0  # another browser still reads the replica


@WITH_REPLICA
@override_settings(ROOT_URLCONF=__name__)
def test_an_expired_or_forged_pin_reads_the_replica(replica: None, lagging: None) -> None:
    c = Client()
    c.cookies[PIN_COOKIE] = "1"  # long past
    assert _n(c, "/t/marked/") == 0
    c.cookies[PIN_COOKIE] = "not a number"
    assert _n(c, "/t/marked/") == 0


@WITH_REPLICA
@override_settings(ROOT_URLCONF=__name__)
def test_a_read_after_a_write_in_the_same_request_reads_the_primary(replica: None, lagging: None) -> None:
    c = Client()
    r = c.get("/t/marked-writes/")
    assert r.json()["n"] == 2  # the lagging row and its own
    assert PIN_COOKIE in r.cookies  # and the next requests too


@WITH_REPLICA
@override_settings(ROOT_URLCONF=__name__)
def test_reads_inside_a_transaction_read_the_primary(replica: None, lagging: None) -> None:
    assert _n(Client(), "/t/marked-atomic/") == 1


@WITH_REPLICA
@override_settings(ROOT_URLCONF=__name__)
def test_a_post_to_a_marked_view_reads_the_primary(replica: None, lagging: None) -> None:
    r = Client().post("/t/marked/")
    assert r.json()["n"] == 1


@WITH_REPLICA
@override_settings(ROOT_URLCONF=__name__, REPLICA_RETRY_SECONDS=60)
def test_a_stopped_replica_costs_no_error(replica: None, lagging: None, tmp_path: Path) -> None:
    assert _n(Client(), "/t/marked/") == 0
    # The replica goes away (a stopped server; here a database that cannot be opened).
    real_connection, real_settings = connections[REPLICA], connections.settings[REPLICA]
    broken = dict(real_settings)
    if broken["ENGINE"].endswith("sqlite3"):
        broken["NAME"] = str(tmp_path / "absent" / "replica.sqlite3")
    else:
        broken["PORT"] = 1  # nothing listens there
    connections.settings[REPLICA] = broken
    connections[REPLICA] = connections.create_connection(REPLICA)
    try:
        dbrouter.reset_health()
        # The periodic check passed just before it stopped: the view meets the error.
        dbrouter._health.checked, dbrouter._health.lag = 1e18, 0.0
        assert _n(Client(), "/t/marked/") == 1  # run again on the primary
        state = dbrouter.status()
        assert state["usable"] is False and state["lag_seconds"] is None
        assert _n(Client(), "/t/marked/") == 1  # and left alone while it is down
        r = health_replica(RequestFactory().get("/health/replica/"))
        assert r.status_code == 503
        assert json.loads(r.content)["checks"]["replica"]["status"] == "fail"
    finally:
        connections[REPLICA].close()
        connections.settings[REPLICA], connections[REPLICA] = real_settings, real_connection


@WITH_REPLICA
@override_settings(REPLICA_MAX_LAG_SECONDS=5)
def test_a_replica_lagging_too_far_is_not_used(replica: None, lagging: None) -> None:
    dbrouter._health.lag, dbrouter._health.checked = 12.0, 1e18
    assert dbrouter.status() == {"configured": True, "usable": False, "lag_seconds": 12.0}
    with override_settings(ROOT_URLCONF=__name__):
        assert _n(Client(), "/t/marked/") == 1


@WITH_REPLICA
def test_health_replica_on(replica: None) -> None:
    r = Client().get("/health/replica/")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "checks": {"replica": {"status": "ok", "lag_seconds": 0.0}}}


@pytest.mark.parametrize(
    "url",
    ["/catalog/", "/catalog/bundles/", "/catalog/stats/", "/dashboard/", "/dashboard/wall/"],
)
def test_read_only_pages_are_marked(url: str) -> None:
    assert getattr(resolve(url).func, "replica_read", False) is True


@WITH_REPLICA
def test_the_catalog_search_page_is_served_by_the_replica(replica: None) -> None:
    served: list[tuple[str, bool]] = []
    real = dbrouter.ReplicaRouter.db_for_read

    def spy(self: dbrouter.ReplicaRouter, model: Any, **hints: object) -> str | None:
        alias = real(self, model, **hints)
        served.append((model._meta.app_label, alias == REPLICA))
        return alias

    # The deployment's county exists in every real database (accounts migration 0010); a test
    # after a flushing (transactional) one finds it gone and County.default() would create it
    # during the request, a write that pins the rest of the request to the primary.
    from onewindow.accounts.models import County

    County.default()
    dbrouter.ReplicaRouter.db_for_read = spy  # type: ignore[method-assign]
    try:
        r = Client().get("/catalog/?q=%E5%8A%9E")
    finally:
        dbrouter.ReplicaRouter.db_for_read = real  # type: ignore[method-assign]
    assert r.status_code == 200
    catalog = [on_replica for app, on_replica in served if app == "catalog"]
    assert catalog and all(catalog)  # the catalog's rows from the replica
    assert all(not on_replica for app, on_replica in served if app in dbrouter.PRIMARY_APPS)


@WITH_REPLICA
def test_the_dashboard_is_read_from_the_replica_and_says_so(replica: None, client: Client, leader: Any) -> None:
    from conftest import login

    login(client, leader)
    body = client.get("/dashboard/").content.decode()
    assert "本页读自只读副本，副本比主库晚 0.0 秒。" in body
    dbrouter._health.lag, dbrouter._health.checked = 99.0, 1e18  # far behind: the primary, and it says so
    body = client.get("/dashboard/").content.decode()
    assert "只读副本暂不可用或延迟过大，本页读自主库。" in body


@WITH_REPLICA
def test_accounts_and_roles_are_read_from_the_primary(replica: None) -> None:
    """A role granted or revoked a moment ago counts at once, whatever the replica has seen."""
    from onewindow.accounts.models import RoleAssignment, User

    router = dbrouter.ReplicaRouter()
    token = dbrouter._route.set(dbrouter.Route(depth=len(connections["default"].atomic_blocks)))
    try:
        assert router.db_for_read(User) is None
        assert router.db_for_read(RoleAssignment) is None
        assert router.db_for_read(ServiceHeartbeat) == REPLICA
    finally:
        dbrouter._route.reset(token)
