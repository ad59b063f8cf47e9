from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "onewindow.accounts"
    label = "accounts"
    verbose_name = _("组织与用户")

    def ready(self) -> None:
        from . import signin_audit  # noqa: F401 - connects the audit of failed sign-ins and sign-outs
