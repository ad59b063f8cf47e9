from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.core.models import PublicModel


class AgentPoint(PublicModel):
    """A village-level agent service point (村级民事代办点), one per village or community (F15)."""

    village = models.OneToOneField(
        "accounts.OrgUnit", on_delete=models.PROTECT, related_name="agent_point", verbose_name=_("村（居）")
    )
    name = models.CharField(_("名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    opened_on = models.DateField(_("设立日期"), null=True, blank=True)

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "village__county"

    class Meta:
        verbose_name = _("代办点")
        verbose_name_plural = _("代办点")
        ordering = ["village__path"]

    def __str__(self) -> str:
        return self.name
