from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "onewindow.core"
    label = "core"
    verbose_name = _("基础")
    # Demo steps (core/demo: `manage.py load_demo` runs every app's by order key; later steps use what
    # earlier ones built).
    demo_steps = (
        (100, "onewindow.core.demo.calendar"),  # first: every date of the demo is a work day or not
        (9800, "onewindow.core.demo.settle"),  # after every step that writes history: the rollups recounted
    )

    def ready(self) -> None:
        from django.db.models.signals import pre_save

        from . import checks  # noqa: F401 - registers the production checks
        from .fieldcrypto.rotation import refuse_duplicates_across_index_keys
        from .workdays import _connect

        _connect()
        # During an index key rotation, unique numbers are compared under every key (fieldcrypto).
        pre_save.connect(refuse_duplicates_across_index_keys, dispatch_uid="fieldcrypto.index_rotation")
