from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.core.models import PublicModel, TimeStampedModel


class ServicePoint(PublicModel):
    """A place people go: the district administrative service centre, or a township's hall."""

    org_unit = models.ForeignKey(
        "accounts.OrgUnit", on_delete=models.PROTECT, related_name="service_points", verbose_name=_("所属机构")
    )
    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("咨询电话"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("服务场所")
        verbose_name_plural = _("服务场所")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ServiceArea(PublicModel):
    """A themed area of a hall (综合服务区, 医保, 社保, 企业注册开办, 不动产, 项目投资)."""

    class Theme(models.TextChoices):
        COMPREHENSIVE = "comprehensive", _("综合服务区")
        MEDICAL_INSURANCE = "medical_insurance", _("医保服务区")
        SOCIAL_INSURANCE = "social_insurance", _("社保服务区")
        BUSINESS = "business", _("企业注册开办服务区")
        REAL_ESTATE = "real_estate", _("不动产服务区")
        INVESTMENT = "investment", _("项目投资服务区")
        TOWNSHIP = "township", _("乡镇便民服务区")

    point = models.ForeignKey(ServicePoint, on_delete=models.PROTECT, related_name="areas", verbose_name=_("服务场所"))
    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    theme = models.CharField(_("主题"), max_length=24, choices=Theme.choices)
    ticket_prefix = models.CharField(_("号码前缀"), max_length=2)
    departments = models.ManyToManyField("accounts.OrgUnit", blank=True, related_name="service_areas", verbose_name=_("进驻部门"))
    daily_cap = models.PositiveIntegerField(_("每日取号上限"), default=500)
    warn_level = models.PositiveIntegerField(_("排队预警人数"), default=30)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("服务区")
        verbose_name_plural = _("服务区")
        ordering = ["point", "sort_order", "code"]
        constraints = [models.UniqueConstraint(fields=["point", "ticket_prefix"], name="uniq_area_prefix_per_point")]

    def __str__(self) -> str:
        return self.name


class Window(PublicModel):
    """A front-desk window. It serves one or more areas, each with a priority."""

    point = models.ForeignKey(ServicePoint, on_delete=models.PROTECT, related_name="windows", verbose_name=_("服务场所"))
    number = models.PositiveIntegerField(_("窗口号"))
    name = models.CharField(_("名称"), max_length=100, blank=True)
    areas = models.ManyToManyField(ServiceArea, through="WindowArea", related_name="windows", verbose_name=_("服务区"))
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("窗口")
        verbose_name_plural = _("窗口")
        ordering = ["point", "number"]
        constraints = [models.UniqueConstraint(fields=["point", "number"], name="uniq_window_number_per_point")]

    def __str__(self) -> str:
        return f"{self.number}号窗口"


class WindowArea(TimeStampedModel):
    window = models.ForeignKey(Window, on_delete=models.CASCADE)
    area = models.ForeignKey(ServiceArea, on_delete=models.CASCADE)
    # Lower is served first when the window calls the next ticket across its areas.
    priority = models.PositiveSmallIntegerField(_("优先级"), default=1)

    class Meta:
        verbose_name = _("窗口服务区")
        verbose_name_plural = _("窗口服务区")
        constraints = [models.UniqueConstraint(fields=["window", "area"], name="uniq_window_area")]
