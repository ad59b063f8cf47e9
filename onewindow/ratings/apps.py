from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingsConfig(AppConfig):
    name = "onewindow.ratings"
    label = "ratings"
    verbose_name = _("好差评")
    # Periodic jobs: idempotent functions returning a count (core/sweeps.py runs every app's sweeps each minute).
    sweeps = (
        "onewindow.ratings.sweeps.send_invitations",
        "onewindow.ratings.sweeps.sweep_follow_ups",
    )
