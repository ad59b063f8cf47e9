from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "onewindow.dashboard"
    label = "dashboard"
    verbose_name = _("统计分析")
    # The province's and city's readers, and a little activity in the extra counties: after the
    # counties step (8500) and after the portal's ranking of matters by use (9000), which so
    # counts 青原区's cases only, as before.
    demo_steps = ((9500, "onewindow.dashboard.demo"),)
