"""System checks for sign-in and identity (run by `manage.py check`, `check --deploy`, and at start)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security)
def production_sign_in(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """With DEBUG off: real-name verification by the offline local backend marks nobody verified
    (only a window clerk can), and staff without a second factor fall short of 等保 level 3."""
    if settings.DEBUG:
        return []
    from .realname import DEFAULT_BACKEND

    found: list[checks.CheckMessage] = []
    if getattr(settings, "ONEWINDOW_REALNAME_BACKEND", DEFAULT_BACKEND) == DEFAULT_BACKEND:
        found.append(
            checks.Warning(
                "ONEWINDOW_REALNAME_BACKEND is the offline local backend: registrations are checked for "
                "well-formed numbers only and are never marked verified online (identity checked at a window).",
                hint="Point REALNAME_BACKEND at the province identity service's adapter.",
                id="onewindow.W101",
            )
        )
    if not getattr(settings, "ONEWINDOW_STAFF_OTP_REQUIRED", True):
        found.append(
            checks.Warning(
                "STAFF_OTP_REQUIRED is off: staff and administrators sign in without a second factor.",
                id="onewindow.W102",
            )
        )
    return found


@checks.register(checks.Tags.database)
def one_duty_per_account(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """三员分立: accounts holding two administrator duties (refused everywhere until fixed)."""
    from django.db import DatabaseError

    from .duties import conflicting_accounts

    try:
        bad = conflicting_accounts()
    except DatabaseError:  # not migrated yet
        return []
    return [
        checks.Error(
            f"account {u.username!r} holds more than one of the system, security and audit administrator duties",
            hint="Remove all but one (三员分立); until then the account is refused all of them.",
            id="onewindow.E101",
        )
        for u in bad
    ]
