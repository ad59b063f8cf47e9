"""Periodic jobs run by the worker every minute. Each is an idempotent function returning a count.

Apps append their dotted paths here (cases: deadline warnings; appointments: reminders and
no-shows; hall: end-of-day close).
"""

SWEEPS: list[str] = [
    "onewindow.core.notify.deliver_pending",
]
