"""Lockout that cannot be used against a named clerk (issue 13): failures count per (account,
address) pair with a doubling delay, and more loosely per address; the address is read correctly
behind a reverse proxy (X-Forwarded-For only from TRUSTED_PROXIES), by the guard and the rate
limits alike."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.test import Client, RequestFactory
from django.utils import timezone

from conftest import PASSWORD
from onewindow.accounts import guard
from onewindow.accounts.models import LoginFailure, User
from onewindow.core.clientip import client_ip
from onewindow.core.models import RateLimitHit

pytestmark = pytest.mark.django_db
STRANGER, HALL = "203.0.113.66", "10.20.0.7"


def _login(client: Client, username: str, password: str, ip: str, **extra: Any) -> Any:
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip, **extra)


def test_a_stranger_cannot_lock_a_named_clerk_out(client: Client, clerk: User) -> None:
    for _ in range(40):
        _login(client, "clerk", "guess", STRANGER)
    # The stranger is held back...
    assert _login(client, "clerk", PASSWORD, STRANGER).status_code == 429
    # ...and the clerk at the hall signs in with the right password, also through /admin/login/
    # and the API, which share the guard.
    assert _login(Client(), "clerk", PASSWORD, HALL).status_code == 302
    api = Client().post(
        "/api/v1/accounts/token", {"username": "clerk", "password": PASSWORD}, content_type="application/json", REMOTE_ADDR=HALL
    )
    assert api.status_code == 201
    # The clerk's success did not wipe the stranger's failures (their delay goes on).
    assert LoginFailure.objects.filter(username="clerk", ip=STRANGER).exists()


def test_delay_doubles_after_the_free_tries(client: Client, citizen: User) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(guard.free_tries()):
            assert _login(client, "citizen", "guess", STRANGER).status_code == 422
        locked = _login(client, "citizen", PASSWORD, STRANGER)
        assert locked.status_code == 429 and "1分钟" in locked.content.decode()
    first = guard.first_delay()
    with time_machine.travel(start + first + datetime.timedelta(seconds=1), tick=False):
        assert _login(client, "citizen", "guess", STRANGER).status_code == 422  # one more try, wrong
    # The next wait is twice as long: still refused after one delay, let in after two.
    with time_machine.travel(start + first * 2 + datetime.timedelta(seconds=2), tick=False):
        assert _login(client, "citizen", PASSWORD, STRANGER).status_code == 429
    with time_machine.travel(start + first * 3 + datetime.timedelta(seconds=3), tick=False):
        assert _login(client, "citizen", PASSWORD, STRANGER).status_code == 302
    assert guard.pair_delay(guard.free_tries() + 30) == guard.window()


def test_one_address_trying_many_accounts_is_locked_more_loosely(client: Client, citizen: User) -> None:
    assert guard.per_address() > guard.free_tries()
    for i in range(guard.per_address()):
        _login(client, f"someone{i}", "guess", STRANGER)
    assert _login(client, "citizen", PASSWORD, STRANGER).status_code == 429
    assert _login(Client(), "citizen", PASSWORD, HALL).status_code == 302


# --- the client address ------------------------------------------------------------------------


def _ip(remote: str, forwarded: str | None = None) -> str | None:
    meta: dict[str, Any] = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **meta))


def test_forwarded_for_is_ignored_without_a_trusted_proxy(settings: Any) -> None:
    settings.ONEWINDOW_TRUSTED_PROXIES = []
    assert _ip(STRANGER, "1.2.3.4") == STRANGER


def test_forwarded_for_is_read_from_a_trusted_proxy_only(settings: Any) -> None:
    settings.ONEWINDOW_TRUSTED_PROXIES = ["10.0.0.0/8", "192.168.1.5"]
    assert _ip("10.0.0.2", f"{STRANGER}") == STRANGER
    # Entries the client wrote itself (left of the first untrusted hop) are never believed.
    assert _ip("10.0.0.2", f"1.2.3.4, {STRANGER}, 192.168.1.5") == STRANGER
    # A request straight from the internet cannot choose its address.
    assert _ip(STRANGER, "10.0.0.99") == STRANGER
    assert _ip("10.0.0.2", "not-an-ip") == "10.0.0.2"
    assert _ip("10.0.0.2", "[2001:db8::1]:443") == "2001:db8::1"
    assert _ip("10.0.0.2") == "10.0.0.2"


def test_guard_and_rate_limits_count_the_forwarded_address(client: Client, settings: Any, citizen: User) -> None:
    settings.ONEWINDOW_TRUSTED_PROXIES = ["127.0.0.1"]
    for _ in range(guard.free_tries()):
        _login(client, "citizen", "guess", "127.0.0.1", HTTP_X_FORWARDED_FOR=STRANGER)
    assert set(LoginFailure.objects.values_list("ip", flat=True)) == {STRANGER}
    # Behind the same proxy, the citizen at another address is not held back by the stranger.
    assert _login(Client(), "citizen", PASSWORD, "127.0.0.1", HTTP_X_FORWARDED_FOR=HALL).status_code == 302
    client.post(
        "/accounts/login/",
        {"way": "sms", "phone": "13900000009", "send": "1"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR=HALL,
    )
    assert RateLimitHit.objects.filter(key=f"sms:ip:{HALL}").exists()
