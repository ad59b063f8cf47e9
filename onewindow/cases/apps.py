from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "onewindow.cases"
    label = "cases"
    verbose_name = _("办件")
    # Demo steps (core/demo: `manage.py load_demo` runs every app's by order key; later steps use what
    # earlier ones built).
    demo_steps = ((500, "onewindow.cases.demo"),)  # routes and cases: on the catalog and the hall
    # Periodic jobs: idempotent functions returning a count (core/sweeps.py runs every app's sweeps each minute).
    sweeps = ("onewindow.cases.sweeps.sweep_warnings",)
