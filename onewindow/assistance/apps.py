from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    name = "onewindow.assistance"
    label = "assistance"
    verbose_name = _("帮代办")
