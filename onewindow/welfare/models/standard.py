from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onewindow.core.models import TimeStampedModel


class AreaKind(models.TextChoices):
    """Urban and rural households have different standards (城市低保 / 农村低保)."""

    URBAN = "urban", _("城市")
    RURAL = "rural", _("农村")


def default_county() -> str:
    """The deployment's first county (a single-county deployment names none)."""
    from onewindow.accounts.models import County

    return County.default().pk


class Standard(TimeStampedModel):
    """A county's monthly 低保 standard per person for one year and area kind, in fen.

    Entered by the county's 民政局 when its government publishes it; the allowance (补差) of a
    household is (standard − per-capita income) × members, computed from the standard in force in
    the household's county (its township's). Each county sets its own (docs/tenancy.md).
    """

    county = models.ForeignKey(
        "accounts.County", on_delete=models.PROTECT, related_name="+", default=default_county, verbose_name=_("区县")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    area_kind = models.CharField(_("城乡"), max_length=8, choices=AreaKind.choices)
    monthly_fen = models.PositiveIntegerField(_("月保障标准（分/人）"))
    effective_from = models.DateField(_("执行日期"))
    basis = models.CharField(_("文件依据"), max_length=200, blank=True)

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "county"

    class Meta:
        verbose_name = _("低保标准")
        verbose_name_plural = _("低保标准")
        ordering = ["county", "-year", "area_kind"]
        constraints = [
            models.UniqueConstraint(fields=["county", "year", "area_kind"], name="welfare_one_standard_per_county_year_kind"),
            models.CheckConstraint(condition=Q(monthly_fen__gt=0), name="welfare_standard_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_area_kind_display()} {self.monthly_fen / 100:.2f}"
