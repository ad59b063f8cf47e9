"""Authentication backends. Both go through the one login guard (accounts.guard): refused while
locked, a failure recorded, a success clearing the subject's failures. They are the only entries
of AUTHENTICATION_BACKENDS, so the sign-in page, /admin/login/ and the API token endpoints - which
all call `authenticate()` - cannot get around the lock."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from onewindow.core.fastquery import Compiled

from . import guard
from .models import User

# The signed-in user is read on every request (django.contrib.auth.get_user -> backend.get_user):
# compiled once per process (core/fastquery.py) instead of building `User.objects.get(pk=…)` each time.
_USER_BY_PK: Compiled[User] = Compiled(User, lambda pk: User._default_manager.filter(pk=pk), -2_000_000_001)


class _FastGetUser(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        if type(user_id) is not int:  # the session's key, already made an int by auth; anything else: the ORM
            return super().get_user(user_id)
        user = _USER_BY_PK.first(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class GuardedPasswordBackend(_FastGetUser):
    """Username + password, under the lockout."""

    def authenticate(self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any) -> Any:
        if username is None or password is None:
            return None  # not a password sign-in (e.g. an SMS code): another backend's turn
        subject = username.strip()
        try:
            guard.refuse_if_locked(request=request, subject=subject)
        except guard.LockedOut:
            # PermissionDenied stops authenticate() at once: no other backend may let them in.
            raise PermissionDenied from None
        user = super().authenticate(request, username=subject, password=password, **kwargs)
        if user is None:
            guard.failed(request=request, subject=subject)
            return None
        guard.succeeded(request=request, user=user, subject=subject, how="password")
        return user


class PhoneCodeBackend(_FastGetUser):
    """Verified phone + SMS code, under the same lockout (counted against the phone's account)."""

    def authenticate(  # type: ignore[override]  # its own credentials (phone, SMS code), not a password
        self, request: Any, phone: str | None = None, sms_code: str | None = None, **kwargs: Any
    ) -> Any:
        if phone is None or sms_code is None:
            return None
        from .models import PhoneCode
        from .phone import guard_subject, phone_code_use

        subject = guard_subject(phone)
        try:
            guard.refuse_if_locked(request=request, subject=subject)
        except guard.LockedOut:
            raise PermissionDenied from None
        user = phone_code_use(phone=phone, purpose=PhoneCode.Purpose.LOGIN, code=sms_code)
        if user is None or not self.user_can_authenticate(user):
            guard.failed(request=request, subject=subject)
            return None
        guard.succeeded(request=request, user=user, subject=subject, how="sms")
        return user
