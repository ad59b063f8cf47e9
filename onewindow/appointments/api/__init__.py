"""Appointments API (/api/v1/appointments/): public availability reads; booking, my bookings,
cancel and reschedule for signed-in users (session or bearer token, e.g. the town app, F11);
the signed-link endpoints; and the staff endpoints (day list, check-in, plan editing)."""

from . import bookings, public, staff  # noqa: F401 - their operations register on the router
from .base import router

__all__ = ["router"]
