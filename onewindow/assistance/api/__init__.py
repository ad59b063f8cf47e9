"""Agent service API (/api/v1/assistance/): mandates, applications filed for residents (cases,
bookings), forwarding, delivery at the point, follow-ups, the agent's workbench and the township's
view. Forms and uploads are in `forms`, the collections ledger in `ledger` (same router). Signatures and scans travel as
data URLs (`data:image/png;base64,...`); their content is checked like any upload."""

from . import applications, forms, ledger, mandates, township  # noqa: F401 - their operations register on the router
from .base import router

__all__ = ["router"]
