from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FilingsConfig(AppConfig):
    name = "onewindow.filings"
    label = "filings"
    verbose_name = _("告知承诺备案")
