"""Idle timeout for staff sessions (等保 level 3: a session left open at an unattended window or
office PC ends by itself). Citizens keep the ordinary session length: for them an expiry mid-form
costs more than it protects, and their pages hold only their own data.

The last-activity time lives in the session; it is rewritten at most once a minute so that an
ordinary page view does not cost a session write.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

SEEN_KEY = "_ow_seen"
STAFF_KEY = "_ow_staff"
WRITE_EVERY_SECONDS = 60


def idle_limit_seconds() -> int:
    return int(getattr(settings, "ONEWINDOW_STAFF_IDLE_MINUTES", 15)) * 60


class StaffIdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        limit = idle_limit_seconds()
        if user is None or not user.is_authenticated or limit <= 0 or not hasattr(request, "session"):
            return self.get_response(request)
        session = request.session
        staff = session.get(STAFF_KEY)
        if staff is None:
            # Asked once per session: roles are read from the database.
            staff = bool(user.is_superuser or user.is_staff_member)
            session[STAFF_KEY] = staff
        if not staff:
            return self.get_response(request)
        now = int(time.time())
        seen = session.get(SEEN_KEY)
        if seen is not None and now - int(seen) > limit:
            # Read by the audit of sign-outs (accounts/signin_audit.py).
            request._onewindow_logout_reason = "idle"  # type: ignore[attr-defined]  # read by the sign-out page
            logout(request)
            message = _("您已超过 %(minutes)d 分钟未操作，为保护数据已自动退出，请重新登录。") % {"minutes": limit // 60}
            if request.path.startswith("/api/") or request.headers.get("Accept", "").startswith("application/json"):
                return JsonResponse({"code": "session_expired", "message": message, "fields": {}}, status=401)
            messages.warning(request, message)
            return redirect_to_login(request.get_full_path())
        if seen is None or now - int(seen) >= WRITE_EVERY_SECONDS:
            session[SEEN_KEY] = now
        return self.get_response(request)
