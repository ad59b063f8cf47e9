from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TownshipsConfig(AppConfig):
    name = "onewindow.townships"
    label = "townships"
    verbose_name = _("赋权与就近办")
