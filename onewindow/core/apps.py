from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "onewindow.core"
    label = "core"
    verbose_name = _("基础")

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the production checks
        from .workdays import _connect

        _connect()
