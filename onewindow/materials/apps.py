from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MaterialsConfig(AppConfig):
    name = "onewindow.materials"
    label = "materials"
    verbose_name = _("材料库")
    # Periodic jobs: idempotent functions returning a count (core/sweeps.py runs every app's sweeps each minute).
    # Drafts abandoned or untouched for RETENTION_DRAFT_DAYS, with their files (core/retention.py).
    sweeps = ("onewindow.materials.retention.sweep_draft_retention",)
