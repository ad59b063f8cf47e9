"""The one login guard (lockout).

Every way of signing in - the sign-in page (password or SMS code), the Django admin's login page,
the API's token endpoints - ends in `django.contrib.auth.authenticate()`, and every configured
authentication backend (`accounts.backends`) asks this module first and reports to it after. A
path that authenticates any other way would bypass the lock, so nothing else may be listed in
AUTHENTICATION_BACKENDS (a test checks the list).

Failures are rows in the database (`LoginFailure`), counted per subject (the account's username;
a phone number that belongs to no account is counted under a keyed hash of it) and per client
address, so the lock survives restarts and holds across worker processes.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.core.audit import audit
from onewindow.core.errors import ApplicationError

from .models import LoginFailure

LOCKOUT_WINDOW = datetime.timedelta(minutes=15)
LOCKOUT_PER_USERNAME = 5
LOCKOUT_PER_IP = 20


class LockedOut(ApplicationError):
    status = 429
    code = "locked_out"


def locked_message() -> Any:
    return _("登录失败次数过多，请15分钟后再试。")


def client_ip(request: Any) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is client-controlled unless a trusted proxy rewrites it.
    meta = getattr(request, "META", None) or {}
    return meta.get("REMOTE_ADDR") or None


def is_locked(*, subject: str, ip: str | None, now: datetime.datetime | None = None) -> bool:
    since = (now or timezone.now()) - LOCKOUT_WINDOW
    if LoginFailure.objects.filter(username__iexact=subject or "", at__gte=since).count() >= LOCKOUT_PER_USERNAME:
        return True
    return bool(ip) and LoginFailure.objects.filter(ip=ip, at__gte=since).count() >= LOCKOUT_PER_IP


def refuse_if_locked(*, request: Any, subject: str) -> None:
    """Raise LockedOut while the subject or the address is locked. The request is marked, so a
    sign-in page can tell "locked" from "wrong password" after `authenticate()` returned None."""
    if is_locked(subject=subject, ip=client_ip(request)):
        if request is not None:
            request.login_locked = True
        raise LockedOut(locked_message())


def failed(*, request: Any, subject: str) -> None:
    # Committed on its own (autocommit) before the refusal is raised, so the failure counts even
    # when the caller's transaction rolls back.
    LoginFailure.objects.create(username=(subject or "")[:150], ip=client_ip(request), at=timezone.now())


def succeeded(*, request: Any, user: Any, subject: str, how: str) -> None:
    with transaction.atomic():
        LoginFailure.objects.filter(username__iexact=subject).delete()
        audit(actor=user, action="user.login", target=user, data={"ip": client_ip(request), "how": how})


def purge() -> int:
    """Sweep: drop failures older than the lockout window (they no longer count)."""
    deleted, _detail = LoginFailure.objects.filter(at__lt=timezone.now() - LOCKOUT_WINDOW * 4).delete()
    return deleted
