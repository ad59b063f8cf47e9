from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TownshipsConfig(AppConfig):
    name = "onewindow.townships"
    label = "townships"
    verbose_name = _("赋权与就近办")
    # Demo steps (core/demo: `manage.py load_demo` runs every app's by order key; later steps use what
    # earlier ones built).
    demo_steps = ((1000, "onewindow.townships.demo"),)  # after the agent points
