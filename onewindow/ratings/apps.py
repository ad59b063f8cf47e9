from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingsConfig(AppConfig):
    name = "onewindow.ratings"
    label = "ratings"
    verbose_name = _("好差评")
    # Demo steps (core/demo: `manage.py load_demo` runs every app's by order key; later steps use what
    # earlier ones built).
    demo_steps = ((1200, "onewindow.ratings.demo"),)  # ratings of the cases, tickets and bookings above
    # Periodic jobs: idempotent functions returning a count (core/sweeps.py runs every app's sweeps each minute).
    sweeps = (
        "onewindow.ratings.sweeps.send_invitations",
        "onewindow.ratings.sweeps.sweep_follow_ups",
    )
    # 好差评 rates the services of the other apps (its adapters import them); where one of them needs
    # 好差评 back, it asks a hook this app answers (core/hooks.py), so the imports point one way.
    provides = {
        "assistance.follow_up_rated": "onewindow.ratings.recorded.rating_from_follow_up",
        "assistance.follow_up_rating": "onewindow.ratings.recorded.follow_up_rating",
        "assistance.satisfaction_levels": "onewindow.ratings.recorded.satisfaction_levels",
    }

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from .conf import forget_county_rules
        from .models import CountyRules

        post_save.connect(forget_county_rules, sender=CountyRules, dispatch_uid="ratings_county_rules_save")
        post_delete.connect(forget_county_rules, sender=CountyRules, dispatch_uid="ratings_county_rules_delete")
