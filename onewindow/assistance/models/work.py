"""What an agent point does for a resident: the application filed under a mandate, the paper
materials forwarded to the accepting unit, the result delivered at the point, the follow-up."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onewindow.core.models import PublicModel, TimeStampedModel


class AgentApplication(PublicModel):
    """One application an agent filed for a resident (a case, a booking, a 低保 application or a
    commitment filing), under a mandate."""

    class Kind(models.TextChoices):
        CASE = "case", _("办件")
        BOOKING = "booking", _("预约")
        WELFARE = "welfare", _("低保申请")
        FILING = "filing", _("告知承诺备案")

    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    point = models.ForeignKey(
        "assistance.AgentPoint", on_delete=models.PROTECT, related_name="applications", verbose_name=_("代办点")
    )
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("代办员"))
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="agent_applications", verbose_name=_("申请人")
    )
    mandate = models.ForeignKey(
        "assistance.Mandate", on_delete=models.PROTECT, related_name="applications", verbose_name=_("委托书")
    )
    matter = models.ForeignKey(
        "catalog.Matter", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("事项")
    )
    case = models.OneToOneField(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="agent_application", verbose_name=_("办件")
    )
    booking = models.OneToOneField(
        "appointments.Booking",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agent_application",
        verbose_name=_("预约"),
    )
    filing = models.OneToOneField(
        "filings.Filing",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agent_application",
        verbose_name=_("备案"),
    )
    # Welfare applications live in their own app; the link is its public UUID.
    welfare_ref = models.UUIDField(_("低保申请"), null=True, blank=True)
    deliver_at_point = models.BooleanField(_("结果送达代办点"), default=False)
    # Set when the case ends (concluded, refused, delivered): frees the resident and matter for a new filing.
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "point__village__county"

    class Meta:
        verbose_name = _("代办申请")
        verbose_name_plural = _("代办申请")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["point", "created_at"])]
        constraints = [
            # Two agents filing for the same resident and matter at the same moment: one case.
            models.UniqueConstraint(
                fields=["resident", "matter"],
                condition=Q(kind="case", closed_at__isnull=True),
                name="one_open_agent_case_per_resident_matter",
            ),
            models.CheckConstraint(
                condition=(Q(kind="case") & Q(case__isnull=False) & Q(matter__isnull=False))
                | (Q(kind="booking") & Q(booking__isnull=False))
                | (Q(kind="welfare") & Q(welfare_ref__isnull=False))
                | (Q(kind="filing") & Q(filing__isnull=False) & Q(matter__isnull=False)),
                name="agent_application_names_its_object",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.resident}"


class MaterialForwarding(PublicModel):
    """Paper materials collected at the point on their way to the accepting unit. They must arrive
    within a number of working days (a district setting); the sweep raises yellow and red cards."""

    class Warning(models.TextChoices):
        NONE = "", _("正常")
        YELLOW = "yellow", _("黄牌")
        RED = "red", _("红牌")

    application = models.OneToOneField(AgentApplication, on_delete=models.PROTECT, related_name="forwarding")
    to_unit = models.ForeignKey("accounts.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("接收单位"))
    items = models.JSONField(_("材料清单"), default=list)
    collected_at = models.DateTimeField(_("收取时间"))
    due_on = models.DateField(_("送达期限"), db_index=True)
    sent_at = models.DateTimeField(_("移交时间"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("移交人")
    )
    carrier = models.CharField(_("递送人"), max_length=64, blank=True)
    received_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("签收人")
    )
    warning = models.CharField(_("预警"), max_length=8, choices=Warning.choices, blank=True, default="", db_index=True)

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "application__point__village__county"

    class Meta:
        verbose_name = _("材料移交")
        verbose_name_plural = _("材料移交")
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(received_at__isnull=True) | Q(sent_at__isnull=False), name="forwarding_received_after_sent"
            ),
            models.CheckConstraint(
                condition=Q(sent_at__isnull=True) | Q(sent_by__isnull=False), name="forwarding_sent_names_who"
            ),
            models.CheckConstraint(
                condition=Q(received_at__isnull=True) | Q(received_by__isnull=False), name="forwarding_received_names_who"
            ),
        ]

    def is_late(self, today: datetime.date) -> bool:
        arrived = self.received_at.date() if self.received_at else None
        return (arrived or today) > self.due_on


class ResultDelivery(PublicModel):
    """The result handed to the resident at the point, signed by them on screen."""

    application = models.OneToOneField(AgentApplication, on_delete=models.PROTECT, related_name="delivery")
    delivered_at = models.DateTimeField(_("送达时间"))
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("代办员")
    )
    receiver_name = models.CharField(_("签收人"), max_length=64)
    signature_file = models.CharField(max_length=255)
    signature_sha256 = models.CharField(max_length=64)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "application__point__village__county"

    class Meta:
        verbose_name = _("结果送达")
        verbose_name_plural = _("结果送达")


class FollowUp(TimeStampedModel):
    """回访 after a case ends: a call or a visit, and the resident's satisfaction (1-5, the rating
    scale of 好差评; ratings read it through `selectors.follow_ups_for_ratings`)."""

    class Method(models.TextChoices):
        PHONE = "phone", _("电话回访")
        VISIT = "visit", _("上门回访")

    application = models.OneToOneField(AgentApplication, on_delete=models.PROTECT, related_name="follow_up")
    at = models.DateTimeField(_("回访时间"), db_index=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("回访人"))
    method = models.CharField(_("方式"), max_length=8, choices=Method.choices)
    satisfaction = models.PositiveSmallIntegerField(_("满意度"))
    comment = models.CharField(_("意见"), max_length=500, blank=True)

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "application__point__village__county"

    class Meta:
        verbose_name = _("回访")
        verbose_name_plural = _("回访")
        ordering = ["-at"]
        constraints = [
            models.CheckConstraint(condition=Q(satisfaction__gte=1, satisfaction__lte=5), name="follow_up_satisfaction_1_5")
        ]
