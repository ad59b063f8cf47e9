from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppointmentsConfig(AppConfig):
    name = "onewindow.appointments"
    label = "appointments"
    verbose_name = _("预约")
    # Periodic jobs: idempotent functions returning a count (core/sweeps.py runs every app's sweeps each minute).
    sweeps = (
        # Slots of the booking window ahead: reads never create them (selectors.preview in memory).
        "onewindow.appointments.services.materialise_window",
        "onewindow.appointments.services.send_reminders",
        "onewindow.appointments.services.mark_no_shows",
        # Personal data of past bookings after RETENTION_BOOKING_DAYS (core/retention.py).
        "onewindow.appointments.retention.sweep_booking_retention",
    )
