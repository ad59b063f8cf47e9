from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "onewindow.accounts"
    label = "accounts"
    verbose_name = _("组织与用户")
    # Demo steps (core/demo: `manage.py load_demo` runs every app's by order key; later steps use what
    # earlier ones built).
    demo_steps = (
        (200, "onewindow.accounts.demo"),  # the organisation and the personas: every later step uses them
        (9900, "onewindow.accounts.demo_authenticators"),  # last: after every step that made staff
    )
    # Periodic jobs: idempotent functions returning a count (core/sweeps.py runs every app's sweeps each minute).
    sweeps = ("onewindow.accounts.services.login_failures_purge",)
    # A county's overrides of the national working calendar, read by core.workdays (core/hooks.py).
    provides = {"core.calendar_overrides": "onewindow.accounts.calendar.override_rows"}

    def ready(self) -> None:
        from . import checks, mfa, signin_audit  # noqa: F401 - checks, sign-in receivers, sign-in audit
        from .admin_scope import install_admin_scope
        from .duties import install_admin_guard

        # The admin has discovered every ModelAdmin by now (django.contrib.admin is listed first).
        install_admin_guard()
        install_admin_scope()

        from django.db.models.signals import post_delete, post_save

        from .models import County, forget_case_prefixes

        post_save.connect(forget_case_prefixes, sender=County, dispatch_uid="county_prefixes_save")
        post_delete.connect(forget_case_prefixes, sender=County, dispatch_uid="county_prefixes_delete")

        from .sms import forget_county_names

        # The messages' signatures (accounts/sms.py): a renamed county signs with its new name at once.
        post_save.connect(forget_county_names, sender=County, dispatch_uid="county_names_save")
        post_delete.connect(forget_county_names, sender=County, dispatch_uid="county_names_delete")

        from onewindow.core.workdays import invalidate

        from .models import CalendarOverride

        # As the national table's rows (core.workdays._connect): a changed override reloads the calendar.
        post_save.connect(invalidate, sender=CalendarOverride, dispatch_uid="workdays-override-save")
        post_delete.connect(invalidate, sender=CalendarOverride, dispatch_uid="workdays-override-delete")
