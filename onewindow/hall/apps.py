from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HallConfig(AppConfig):
    name = "onewindow.hall"
    label = "hall"
    verbose_name = _("服务大厅")
    # Demo steps (core/demo: `manage.py load_demo` runs every app's by order key; later steps use what
    # earlier ones built).
    demo_steps = ((400, "onewindow.hall.demo"),)  # points, areas, windows: after the catalog
    # Periodic jobs: idempotent functions returning a count (core/sweeps.py runs every app's sweeps each minute).
    sweeps = (
        "onewindow.hall.services.close_day",
        # Personal data of closed tickets past RETENTION_TICKET_DAYS (core/retention.py).
        "onewindow.hall.retention.sweep_ticket_retention",
    )
