"""The one parser of UUIDs from untrusted input (paths, query strings, form fields, API bodies)."""

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
