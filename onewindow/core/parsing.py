"""The one parser of UUIDs from untrusted input (paths, query strings, form fields, API bodies), and
the one cleaner of text that services take from callers other than a request."""

from __future__ import annotations

import uuid
from typing import Any


def parse_uuid(value: Any) -> uuid.UUID | None:
    """A UUID, or None for anything that is not one: a malformed UUID is "not found", never a 500."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value)) if value else None
    except (ValueError, TypeError, AttributeError):
        return None


def clean_text(value: Any, limit: int | None = None, *, strip: bool = True) -> str:
    """Text for a service: NUL characters removed (PostgreSQL refuses them in text), stripped, at
    most `limit` characters. Requests are already cleaned by core.middleware.StripNulMiddleware;
    this is for the callers that are not requests (commands, imports, other services)."""
    text = str(value or "").replace("\x00", "")
    text = text.strip() if strip else text
    return text[:limit] if limit is not None else text
