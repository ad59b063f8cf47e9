from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "onewindow.catalog"
    label = "catalog"
    verbose_name = _("事项目录")
    # Demo steps (core/demo: `manage.py load_demo` runs every app's by order key; later steps use what
    # earlier ones built).
    demo_steps = (
        (300, "onewindow.catalog.demo"),  # matters and bundles: after the departments
        # Two more counties of 吉安市 (docs/tenancy.md), small: after every step the figures count;
        # their matters have no cases, so the portal's ranking of matters by use (9000) ignores them.
        (8500, "onewindow.catalog.demo_counties"),
        # The province's standard catalog over the counties' shared matters, one revision pending.
        (8510, "onewindow.catalog.demo_standards"),
    )
    # The counties' matters of a province entry whose retirement took effect are withdrawn
    # (停止实施) on its date (services/standards.py).
    sweeps = ("onewindow.catalog.services.standards.withdraw_retired",)
