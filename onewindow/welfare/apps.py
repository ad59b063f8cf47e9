from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WelfareConfig(AppConfig):
    name = "onewindow.welfare"
    label = "welfare"
    verbose_name = _("低保")

    def ready(self) -> None:
        # The 审核确认 process listens to the cases engine's end of a public notice.
        from onewindow.cases import managed

        from .process import notice  # noqa: F401
        from .process.managed import application_of

        # The generic case actions (cases API, workbench) refuse a 低保 application's case.
        managed.register(application_of)
