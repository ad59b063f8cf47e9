"""What a staff session must do before anything else: pass the second factor (accounts/mfa.py),
bind an authenticator if it has none, and change an expired password (accounts/passwords.py).

One middleware for every path - pages, /admin/, the API's session authentication - so no sign-in
route can skip it: until the steps are done a staff session reaches only the pages of those steps
and sign-out; pages are redirected there, the API answers 401.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from . import mfa, passwords

POLICY_KEY = "_ow_policy"  # [user pk, is a policy subject], asked once per session
PASSWORD_OK_KEY = "_ow_pw_ok"  # noqa: S105 - a session key: the user pk once the password was found current
OPEN_PREFIXES = ("/static/", "/media/", "/i18n/", "/accounts/logout/", "/admin/logout/", "/accounts/care-mode/")


def _subject(request: HttpRequest) -> bool:
    user = request.user
    cached = request.session.get(POLICY_KEY)
    if isinstance(cached, list) and len(cached) == 2 and cached[0] == user.pk:
        return bool(cached[1])
    answer = passwords.is_policy_subject(user)
    request.session[POLICY_KEY] = [user.pk, answer]
    return answer


def pending_step(request: HttpRequest) -> str | None:
    """'second_factor', 'enrol', 'password_change' or None (nothing pending)."""
    user = request.user
    if not user.is_authenticated or not hasattr(request, "session") or not _subject(request):
        return None
    if mfa.enabled():
        verified = mfa.is_verified(request)
        # The device is looked up only while a step may be pending, not on every page of the day.
        if not verified or request.session.get(mfa.SMS_PASSED_KEY) == user.pk:
            if mfa.device_of(user) is None:
                return "enrol" if mfa.may_enrol(request, user) else "second_factor"
            if not verified:
                return "second_factor"
    if request.session.get(PASSWORD_OK_KEY) != user.pk:
        if passwords.is_expired(user):
            return "password_change"
        request.session[PASSWORD_OK_KEY] = user.pk
    return None


STEP_URLS = {
    "second_factor": "accounts:second_factor",
    "enrol": "accounts:otp_enrol",
    "password_change": "accounts:password_change",
}


class StaffSignInMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.path.startswith(OPEN_PREFIXES):
            return self.get_response(request)
        step = pending_step(request)
        if step is None:
            return self.get_response(request)
        target = reverse(STEP_URLS[step])
        if request.path == target:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            if step == "password_change":
                code, message = "password_expired", _("密码已过期，请先在网页上修改密码。")
            else:
                code, message = "second_factor_required", str(mfa.SecondFactorRequired.default_message)
            return JsonResponse({"code": code, "message": message, "fields": {}}, status=401)
        nxt = request.get_full_path() if request.method == "GET" else ""
        return redirect(f"{target}?{urlencode({'next': nxt})}" if nxt else target)
