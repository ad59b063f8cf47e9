"""Failed sign-ins and sign-outs in the audit log (等保 level 3: security events are audited).

Every sign-in path (pages, /admin/login/, API tokens, SMS codes) ends in Django's `authenticate()`
(accounts/guard.py), which sends `user_login_failed`; every sign-out (the button, the staff idle
timeout) goes through `logout()`, which sends `user_logged_out`. The audit row names the account
when one exists for what was typed; an unknown name is recorded as unknown, never as typed (people
type passwords into the user-name box).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_out, user_login_failed
from django.db import transaction
from django.dispatch import receiver

from onewindow.core.audit import audit


def _ip(request: Any) -> str | None:
    from .guard import client_ip

    return client_ip(request) if request is not None else None


@receiver(user_login_failed, dispatch_uid="onewindow_audit_login_failed")
def audit_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    from .models import User

    user = None
    if credentials.get("username"):
        user = User.objects.filter(username__iexact=str(credentials["username"]).strip()).first()
    elif credentials.get("phone"):
        user = User.objects.filter(phone=str(credentials["phone"]).strip(), phone_verified_at__isnull=False).first()
    how = "sms" if "sms_code" in credentials or "phone" in credentials else "password"
    with transaction.atomic():
        if user is not None:
            audit(actor=None, action="user.login_failed", target=user, data={"ip": _ip(request), "how": how})
        else:
            from onewindow.core.models import AuditEntry

            AuditEntry.objects.create(
                actor=None,
                action="user.login_failed",
                target_type="accounts.user",
                target_id="unknown",
                data={"ip": _ip(request), "how": how},
            )


@receiver(user_logged_out, dispatch_uid="onewindow_audit_logout")
def audit_logout(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    if user is None or not getattr(user, "is_authenticated", False):
        return
    reason = getattr(request, "_onewindow_logout_reason", "") if request is not None else ""
    with transaction.atomic():
        audit(actor=user, action="user.logout", target=user, data={"ip": _ip(request), "reason": reason or "user"})
