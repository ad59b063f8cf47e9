from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppointmentsConfig(AppConfig):
    name = "onewindow.appointments"
    label = "appointments"
    verbose_name = _("预约")
    # Demo steps (core/demo: `manage.py load_demo` runs every app's by order key; later steps use what
    # earlier ones built).
    demo_steps = ((600, "onewindow.appointments.demo"),)  # bookings: for matters at the hall's areas
    # Periodic jobs: idempotent functions returning a count (core/sweeps.py runs every app's sweeps each minute).
    sweeps = (
        # Slots of the booking window ahead: reads never create them (selectors.preview in memory).
        "onewindow.appointments.services.materialise_window",
        "onewindow.appointments.services.send_reminders",
        "onewindow.appointments.services.mark_no_shows",
        # Personal data of past bookings after RETENTION_BOOKING_DAYS (core/retention.py).
        "onewindow.appointments.retention.sweep_booking_retention",
    )
    # Answers to hooks of the apps below (core/hooks.py): a county's calendar override re-plans the
    # county's booking slots of the day it changes (accounts/calendar.py).
    provides = {"accounts.county_calendar_changed": "onewindow.appointments.services.plans.county_calendar_changed"}

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from .models import CountyPolicy
        from .policy import forget_county_policies

        post_save.connect(forget_county_policies, sender=CountyPolicy, dispatch_uid="appointments_county_policy_save")
        post_delete.connect(forget_county_policies, sender=CountyPolicy, dispatch_uid="appointments_county_policy_delete")
