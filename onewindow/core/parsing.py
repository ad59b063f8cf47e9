"""The one parser of UUIDs from untrusted input (paths, query strings, form fields, API bodies), the
one parser of a form's date field, and the one cleaner of text that services take from callers
other than a request."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.utils.translation import gettext_lazy as _

from .errors import ValidationFailed


def parse_uuid(value: Any) -> uuid.UUID | None:
    """A UUID, or None for anything that is not one: a malformed UUID is "not found", never a 500."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value)) if value else None
    except (ValueError, TypeError, AttributeError):
        return None


def parse_day(value: Any, field: str, *, message: Any = None, hint: Any = None, code: str | None = None) -> datetime.date:
    """A date typed in a form field (ISO, "2027-06-30", as <input type="date"> posts it), or
    ValidationFailed naming `field`: a bad date is a message on the form, never a 500. `message`
    for the page, `hint` beside the field (default: the message), `code` for the API's answer."""
    try:
        return datetime.date.fromisoformat(str(value or "").strip())
    except ValueError:
        text = message if message is not None else _("日期格式不正确。")
        extra = {"code": code} if code else {}
        raise ValidationFailed(text, fields={field: [hint if hint is not None else text]}, **extra) from None


def clean_text(value: Any, limit: int | None = None, *, strip: bool = True) -> str:
    """Text for a service: NUL characters removed (PostgreSQL refuses them in text), stripped, at
    most `limit` characters. Requests are already cleaned by core.middleware.StripNulMiddleware;
    this is for the callers that are not requests (commands, imports, other services)."""
    text = str(value or "").replace("\x00", "")
    text = text.strip() if strip else text
    return text[:limit] if limit is not None else text
