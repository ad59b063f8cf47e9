from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FilingsConfig(AppConfig):
    name = "onewindow.filings"
    label = "filings"
    verbose_name = _("告知承诺备案")
    # Demo steps (core/demo: `manage.py load_demo` runs every app's by order key; later steps use what
    # earlier ones built).
    demo_steps = ((700, "onewindow.filings.demo"),)
