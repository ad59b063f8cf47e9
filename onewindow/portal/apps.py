from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "onewindow.portal"
    label = "portal"
    verbose_name = _("网上办事")
    # Demo steps (core/demo: `manage.py load_demo` runs every app's by order key; later steps use what
    # earlier ones built).
    demo_steps = (
        (800, "onewindow.portal.demo"),  # the personas' material libraries
        # Last but one: it ranks matters by what the steps above used (cases, bookings, filings), so
        # the top 50 of the finished demo are the ones with real forms (core/tests/test_demo_owners.py
        # checks). In the portal (an interface app): it reads those apps, which the catalog must not.
        (9000, "onewindow.portal.demo_forms"),
    )
