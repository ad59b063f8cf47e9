from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WelfareConfig(AppConfig):
    name = "onewindow.welfare"
    label = "welfare"
    verbose_name = _("低保")
    # Demo steps (core/demo: `manage.py load_demo` runs every app's by order key; later steps use what
    # earlier ones built).
    demo_steps = (
        # Current 低保 applications in every state of the 审核确认.
        (1100, "onewindow.welfare.process.demo"),
        # The 低保 register's history (2018 on, F13/F13a): read by no other step, but its approvals are
        # cases, so it comes before the portal's ranking of matters.
        (1300, "onewindow.welfare.demo_history"),
    )

    def ready(self) -> None:
        # The 审核确认 process listens to the cases engine's end of a public notice.
        from onewindow.cases import managed

        from .process import notice  # noqa: F401
        from .process.managed import application_of

        # The generic case actions (cases API, workbench) refuse a 低保 application's case.
        managed.register(application_of)
