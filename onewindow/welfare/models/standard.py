from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onewindow.core.models import TimeStampedModel


class AreaKind(models.TextChoices):
    """Urban and rural households have different standards (城市低保 / 农村低保)."""

    URBAN = "urban", _("城市")
    RURAL = "rural", _("农村")


class Standard(TimeStampedModel):
    """The district's monthly 低保 standard per person for one year and area kind, in fen.

    Entered by the district 民政局 when the government publishes it; the allowance (补差) of a
    household is (standard − per-capita income) × members, computed from the standard in force.
    """

    year = models.PositiveSmallIntegerField(_("年度"))
    area_kind = models.CharField(_("城乡"), max_length=8, choices=AreaKind.choices)
    monthly_fen = models.PositiveIntegerField(_("月保障标准（分/人）"))
    effective_from = models.DateField(_("执行日期"))
    basis = models.CharField(_("文件依据"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("低保标准")
        verbose_name_plural = _("低保标准")
        ordering = ["-year", "area_kind"]
        constraints = [
            models.UniqueConstraint(fields=["year", "area_kind"], name="welfare_one_standard_per_year_kind"),
            models.CheckConstraint(condition=Q(monthly_fen__gt=0), name="welfare_standard_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_area_kind_display()} {self.monthly_fen / 100:.2f}"
