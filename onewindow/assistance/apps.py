from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    name = "onewindow.assistance"
    label = "assistance"
    verbose_name = _("帮代办")
    # Periodic jobs: idempotent functions returning a count (core/sweeps.py runs every app's sweeps each minute).
    sweeps = ("onewindow.assistance.services.sweep_forwarding",)
