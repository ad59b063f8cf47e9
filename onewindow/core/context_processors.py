from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "SITE_NAME": settings.ONEWINDOW_SITE_NAME,
        "care_mode": bool(getattr(user, "care_mode", False)) or request.COOKIES.get("care_mode") == "1",
    }
