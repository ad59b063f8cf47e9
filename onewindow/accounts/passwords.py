"""Password policy for staff (等保 2.0 level 3, 身份鉴别): a minimum length, three of the four
character classes, no reuse of the last N passwords, and an expiry after which the next sign-in
leads to the change page before anything else (accounts/signin.py). All four are settings.

Citizens keep Django's ordinary validators: the policy is for accounts that can reach other
people's files. The validator is listed in AUTH_PASSWORD_VALIDATORS, so every place that sets a
password through Django's validation (the change page, 找回密码, the admin) applies it.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import PasswordHistory, User


def min_length() -> int:
    return int(getattr(settings, "ONEWINDOW_STAFF_PASSWORD_MIN_LENGTH", 10))


def min_classes() -> int:
    return int(getattr(settings, "ONEWINDOW_STAFF_PASSWORD_CLASSES", 3))


def history_size() -> int:
    return int(getattr(settings, "ONEWINDOW_STAFF_PASSWORD_HISTORY", 5))


def max_age_days() -> int:
    return int(getattr(settings, "ONEWINDOW_STAFF_PASSWORD_MAX_AGE_DAYS", 90))


def is_policy_subject(user: Any) -> bool:
    """Staff and administrators (any staff role, Django staff or superuser)."""
    if user is None or not getattr(user, "pk", None):
        return False
    return bool(user.is_staff or user.is_superuser or user.is_staff_member)


def character_classes(password: str) -> int:
    kinds = [
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    ]
    return sum(kinds)


def recent_hashes(user: User) -> list[str]:
    """The current password and the earlier ones, newest first, `history_size()` in all."""
    size = history_size()
    if size <= 0:
        return []
    hashes = [user.password] if user.password else []
    for old in PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[:size]:
        if old not in hashes:
            hashes.append(old)
    return hashes[:size]


def password_set_at(user: User) -> datetime.datetime:
    last = PasswordHistory.objects.filter(user=user).values_list("set_at", flat=True).first()
    return last or user.date_joined


def is_expired(user: User, now: datetime.datetime | None = None) -> bool:
    days = max_age_days()
    if days <= 0 or not is_policy_subject(user):
        return False
    return (now or timezone.now()) - password_set_at(user) > datetime.timedelta(days=days)


class StaffPasswordValidator:
    """Length, classes and history for staff accounts; records the history when a password changes."""

    def validate(self, password: str, user: Any = None) -> None:
        if not is_policy_subject(user):
            return
        problems: list[ValidationError] = []
        if len(password) < min_length():
            problems.append(
                ValidationError(
                    _("工作人员的密码至少需要 %(n)d 位。") % {"n": min_length()},
                    code="staff_password_too_short",
                )
            )
        if character_classes(password) < min_classes():
            problems.append(
                ValidationError(
                    _("工作人员的密码需包含大写字母、小写字母、数字、符号中的至少 %(n)d 类。") % {"n": min_classes()},
                    code="staff_password_classes",
                )
            )
        if any(check_password(password, old) for old in recent_hashes(user)):
            problems.append(
                ValidationError(_("不能使用最近 %(n)d 次用过的密码。") % {"n": history_size()}, code="staff_password_reused")
            )
        if problems:
            raise ValidationError(problems)

    def password_changed(self, password: str, user: Any = None) -> None:
        # Called by Django after the new password is saved (user.password is its hash now).
        if not is_policy_subject(user) or not user.password:
            return
        PasswordHistory.objects.create(user=user, password=user.password, set_at=timezone.now())
        keep = max(history_size(), 1)
        old = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[keep:]
        PasswordHistory.objects.filter(pk__in=list(old)).delete()

    def get_help_text(self) -> str:
        return _(
            "工作人员：至少 %(n)d 位，包含大写字母、小写字母、数字、符号中的至少 %(c)d 类，不能与最近 %(h)d 次的密码相同。"
        ) % {
            "n": min_length(),
            "c": min_classes(),
            "h": history_size(),
        }
