"""Without DATABASE_REPLICA_URL the router changes nothing (core/dbrouter.py)."""

from __future__ import annotations

from django.test import Client

from onewindow.accounts.models import User
from onewindow.core import dbrouter
from onewindow.core.dbrouter import PIN_COOKIE, REPLICA


def test_without_a_replica_nothing_changes(db: None) -> None:
    assert dbrouter.status() == {"configured": False, "usable": False, "lag_seconds": None}
    r = Client().get("/health/replica/")
    assert r.status_code == 200 and r.json()["checks"]["replica"] == {"status": "ok", "reason": "off"}
    r = Client().post("/health/replica/")
    assert r.status_code == 405
    assert PIN_COOKIE not in Client().post("/accounts/login/").cookies


def test_the_router_keeps_writes_and_migrations_on_the_primary() -> None:
    router = dbrouter.ReplicaRouter()
    assert router.db_for_write(User) == "default"
    assert router.db_for_read(User) is None  # outside a marked view
    assert router.allow_migrate(REPLICA, "accounts") is False
    assert router.allow_migrate("default", "accounts") is True
