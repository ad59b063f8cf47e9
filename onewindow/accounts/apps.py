from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "onewindow.accounts"
    label = "accounts"
    verbose_name = _("组织与用户")

    def ready(self) -> None:
        from . import checks, mfa, signin_audit  # noqa: F401 - checks, sign-in receivers, sign-in audit
        from .duties import install_admin_guard

        # The admin has discovered every ModelAdmin by now (django.contrib.admin is listed first).
        install_admin_guard()
