"""Periodic jobs run by the worker every minute. Each is an idempotent function returning a count.

Apps append their dotted paths here (cases: deadline warnings; appointments: reminders and
no-shows; hall: end-of-day close; core: waiting work that nobody holds).
"""

SWEEPS: list[str] = [
    "onewindow.core.notify.deliver_pending",
    "onewindow.appointments.services.send_reminders",
    "onewindow.appointments.services.mark_no_shows",
    "onewindow.cases.sweeps.sweep_warnings",
    "onewindow.assistance.services.sweep_forwarding",
    "onewindow.accounts.services.login_failures_purge",
    "onewindow.core.ratelimit.purge",
    "onewindow.core.auditchain.seal_and_verify",
    "onewindow.hall.services.close_day",
    "onewindow.core.ownership.sweep_unowned",
    # Tasks left RUNNING by a worker that died (kill -9, a lost machine) go back to the queue.
    "onewindow.core.health.recover_stuck_tasks",
    # Private files that no row refers to (a process killed between writing a file and committing
    # its row), older than ORPHAN_FILE_GRACE_HOURS; at most once an hour.
    "onewindow.core.orphans.sweep_orphan_files",
    "onewindow.ratings.sweeps.send_invitations",
    "onewindow.ratings.sweeps.sweep_follow_ups",
    # After close_day, so the day's last abandoned tickets are counted in the same minute.
    "onewindow.core.rollups.refresh_all",
]
