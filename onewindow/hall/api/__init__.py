"""Hall API (/api/v1/hall/): public reads for kiosks, boards and phones (numbers only, no personal
data), the kiosk's take-ticket with a device token, and the staff endpoints (session + CSRF).

The kiosk take-ticket endpoint is the hot path: one indexed read of the area and its point, then
`ticket_issue`'s single statement; no session, no CSRF, no per-request audit row (the ticket's
"issued" event is its record)."""

from . import manager, public, windows  # noqa: F401 - their operations register on the router
from .base import router

__all__ = ["router"]
