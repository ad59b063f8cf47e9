"""Readers above the counties: a province's or a city's (docs/tenancy.md, "Province and city roles").

A `RegionReader` row gives a person the roll-up of the counties of a province (`region_code`
ending in 0000, e.g. 360000 江西省: every county whose code starts with 36) or of a city (e.g.
360800 吉安市: the counties whose `County.city_code` is 360800). It is not a role at a unit: it
reaches no unit tree, so none of the unit-scoped selectors (case lists, work lists, case pages)
let such a person in; only the dashboard's roll-up pages read it, and they read the roll-up tables
per county, never a case.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RegionReader(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="region_remits", verbose_name=_("用户")
    )
    region_code = models.CharField(_("省或市的行政区划代码"), max_length=6)
    granted_at = models.DateTimeField(_("授予时间"), auto_now_add=True)
    # The last day the grant reads (inclusive; empty: until revoked). A province gives an
    # inspection team or a seconded official the roll-up for a term, and nobody has to remember
    # to take it back: from the next day the reader sees nothing (selectors.region_counties).
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)

    class Meta:
        verbose_name = _("省市统计查看人")
        verbose_name_plural = _("省市统计查看人")
        constraints = [
            models.UniqueConstraint(fields=["user", "region_code"], name="uniq_region_reader"),
            # A province (xx0000) or a city (xxxx00), never a county's own code.
            models.CheckConstraint(condition=Q(region_code__regex=r"^[0-9]{4}00$"), name="region_code_province_or_city"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.region_code}"

    @property
    def is_province(self) -> bool:
        return self.region_code.endswith("0000")
