from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    name = "onewindow.assistance"
    label = "assistance"
    verbose_name = _("帮代办")
    # Periodic jobs: idempotent functions returning a count (core/sweeps.py runs every app's sweeps each minute).
    sweeps = ("onewindow.assistance.services.sweep_forwarding",)
    # Answers to hooks of the apps it builds on (core/hooks.py): the catalog names agent points.
    provides = {
        "catalog.agent_points": "onewindow.assistance.selectors.all_points",
        "catalog.agent_point_of_village": "onewindow.assistance.selectors.point_of_village",
    }
