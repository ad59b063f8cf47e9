from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    name = "onewindow.assistance"
    label = "assistance"
    verbose_name = _("帮代办")
    # Demo steps (core/demo: `manage.py load_demo` runs every app's by order key; later steps use what
    # earlier ones built).
    demo_steps = ((900, "onewindow.assistance.demo"),)  # agent points and their work: on cases and bookings
    # Periodic jobs: idempotent functions returning a count (core/sweeps.py runs every app's sweeps each minute).
    sweeps = ("onewindow.assistance.services.sweep_forwarding",)
    # Answers to hooks of the apps it builds on (core/hooks.py): the catalog names agent points.
    provides = {
        "catalog.agent_points": "onewindow.assistance.selectors.all_points",
        "catalog.agent_point_of_village": "onewindow.assistance.selectors.point_of_village",
    }
