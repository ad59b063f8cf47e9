"""Parsing of rating forms (pages) and the device cookies of pads and kiosks."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse

from onewindow.core import clientip

from .indicators import INDICATORS

DEVICE_SALT = "onewindow.ratings.device"
DEVICE_MAX_AGE = 365 * 24 * 3600


def rating_input(post: Any, mode: str) -> dict[str, Any]:
    """level, indicators (ind_<key>), tags (repeated), comment from a posted form."""
    indicators: dict[str, Any] = {}
    for key, _label in INDICATORS[mode]:
        if key == "overall":
            continue
        value = (post.get(f"ind_{key}") or "").strip()
        if value:
            indicators[key] = value
    return {
        "level": post.get("level"),
        "indicators": indicators,
        "tags": [t for t in post.getlist("tags") if t],
        "comment": post.get("comment") or "",
    }


def client_ip(request: HttpRequest) -> str | None:
    # X-Forwarded-For only from a trusted proxy (core.clientip).
    return clientip.client_ip(request)


def device_cookie_name(kind: str, key: Any) -> str:
    return f"ow_{kind}_{str(key).replace('-', '')[:12]}"


def device_token(request: HttpRequest, kind: str, key: Any) -> str:
    """The device token a pad or kiosk stored when it was set up (a signed, HttpOnly cookie)."""
    value = request.get_signed_cookie(device_cookie_name(kind, key), default="", salt=DEVICE_SALT)
    return str(value or "")


def remember_device(response: HttpResponse, kind: str, key: Any, token: str) -> HttpResponse:
    response.set_signed_cookie(
        device_cookie_name(kind, key),
        token,
        salt=DEVICE_SALT,
        max_age=DEVICE_MAX_AGE,
        httponly=True,
        samesite="Strict",
    )
    return response
