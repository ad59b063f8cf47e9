"""The one login guard (lockout).

Every way of signing in - the sign-in page (password or SMS code), the Django admin's login page,
the API's token endpoints - ends in `django.contrib.auth.authenticate()`, and every configured
authentication backend (`accounts.backends`) asks this module first and reports to it after. A
path that authenticates any other way would bypass the lock, so nothing else may be listed in
AUTHENTICATION_BACKENDS (a test checks the list).

Failures are rows in the database (`LoginFailure`), so the lock survives restarts and holds across
worker processes. They are counted per (subject, client address) pair - the subject is the
account's username; a phone number that belongs to no account is counted under a keyed hash of it -
and, more loosely, per client address:

- a pair gets `ONEWINDOW_LOGIN_FREE_TRIES` wrong tries; after that each next try waits a delay that
  starts at `ONEWINDOW_LOGIN_FIRST_DELAY_SECONDS` and doubles with every further failure (capped at
  the counting window). A stranger guessing a named clerk's password from their own address slows
  only themselves: the clerk signing in from the hall's address is not locked out.
- an address gets `ONEWINDOW_LOGIN_FAILURES_PER_ADDRESS` failures over all accounts in the window
  (one address trying many accounts).

There is deliberately no lock per account over all addresses: that is the lock a stranger could use
to keep a named clerk out. Guessing from many addresses is answered by the second factor that every
staff account must pass (accounts/mfa.py). The address is read by core.clientip (trusted proxies).
"""

from __future__ import annotations

import datetime
import math
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.core import clientip
from onewindow.core.audit import audit
from onewindow.core.errors import ApplicationError

from .models import LoginFailure


def window() -> datetime.timedelta:
    return datetime.timedelta(minutes=int(getattr(settings, "ONEWINDOW_LOGIN_WINDOW_MINUTES", 15)))


def free_tries() -> int:
    return int(getattr(settings, "ONEWINDOW_LOGIN_FREE_TRIES", 5))


def first_delay() -> datetime.timedelta:
    return datetime.timedelta(seconds=int(getattr(settings, "ONEWINDOW_LOGIN_FIRST_DELAY_SECONDS", 60)))


def per_address() -> int:
    return int(getattr(settings, "ONEWINDOW_LOGIN_FAILURES_PER_ADDRESS", 30))


class LockedOut(ApplicationError):
    status = 429
    code = "locked_out"


def locked_message(wait: datetime.timedelta | None = None) -> Any:
    minutes = max(1, math.ceil((wait or window()).total_seconds() / 60))
    return _("登录失败次数过多，请%(minutes)d分钟后再试。") % {"minutes": minutes}


def client_ip(request: Any) -> str | None:
    return clientip.client_ip(request)


def pair_delay(failures: int) -> datetime.timedelta:
    """How long a pair with `failures` recent failures waits after the last one (0 while free)."""
    extra = failures - free_tries()
    if extra < 0:
        return datetime.timedelta(0)
    return min(first_delay() * (1 << min(extra, 20)), window())  # doubling: 2**n as an int


def wait_before_next_try(*, subject: str, ip: str | None, now: datetime.datetime | None = None) -> datetime.timedelta:
    """Zero when a try is allowed now; otherwise how long until it is."""
    now = now or timezone.now()
    since = now - window()
    pair = LoginFailure.objects.filter(username__iexact=subject or "", ip=ip, at__gte=since).aggregate(
        n=Count("id"), last=Max("at")
    )
    waits = [datetime.timedelta(0)]
    if pair["n"]:
        waits.append(pair["last"] + pair_delay(pair["n"]) - now)
    if ip:
        recent = LoginFailure.objects.filter(ip=ip, at__gte=since)
        if recent.count() >= per_address():
            oldest = recent.order_by("at").values_list("at", flat=True)[recent.count() - per_address()]
            waits.append(oldest + window() - now)
    return max(waits)


def is_locked(*, subject: str, ip: str | None, now: datetime.datetime | None = None) -> bool:
    return wait_before_next_try(subject=subject, ip=ip, now=now) > datetime.timedelta(0)


def refuse_if_locked(*, request: Any, subject: str) -> None:
    """Raise LockedOut while the (subject, address) pair waits or the address is locked. The request
    is marked, so a sign-in page can tell "locked" from "wrong password" after `authenticate()`
    returned None."""
    wait = wait_before_next_try(subject=subject, ip=client_ip(request))
    if wait > datetime.timedelta(0):
        if request is not None:
            request.login_locked = True
            request.login_wait = wait
        raise LockedOut(locked_message(wait))


def failed(*, request: Any, subject: str) -> None:
    # Committed on its own (autocommit) before the refusal is raised, so the failure counts even
    # when the caller's transaction rolls back.
    LoginFailure.objects.create(username=(subject or "")[:150], ip=client_ip(request), at=timezone.now())


def succeeded(*, request: Any, user: Any, subject: str, how: str) -> None:
    if request is not None:
        # Read by accounts.mfa when login() follows: an SMS first factor rules out SMS as the second.
        request.first_factor = how
    with transaction.atomic():
        # Only this pair's failures: a success elsewhere must not reset a stranger's delay.
        LoginFailure.objects.filter(username__iexact=subject, ip=client_ip(request)).delete()
        audit(actor=user, action="user.login", target=user, data={"ip": client_ip(request), "how": how})


def purge() -> int:
    """Sweep: drop failures older than the lockout window (they no longer count)."""
    deleted, _detail = LoginFailure.objects.filter(at__lt=timezone.now() - window() * 4).delete()
    return deleted


def unlock(*, user: Any, actor: Any) -> int:
    """The security administrator clears an account's recorded failures (every address)."""
    from .duties import SECURITY, require_duty

    require_duty(actor, SECURITY)
    with transaction.atomic():
        cleared, _detail = LoginFailure.objects.filter(username__iexact=user.username).delete()
        audit(actor=actor, action="user.unlock", target=user, data={"failures": cleared})
    return cleared
