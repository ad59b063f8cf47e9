"""A resident's mandate (委托书) to a village agent point.

The point, not one cadre, is the mandated party: any agent of the point may act under it. The
text the resident signs is rendered once, stored verbatim with its SHA-256, and never changed;
the signature (a PNG drawn on screen, or the scan of a signed paper form) is a private upload with
its own SHA-256. Revoking stops new applications at once and never touches cases already filed.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onewindow.core.models import PublicModel


class Mandate(PublicModel):
    class Status(models.TextChoices):
        AWAITING_RESIDENT = "awaiting_resident", _("待本人确认")
        AWAITING_COUNTERSIGN = "awaiting_countersign", _("待村（居）委会负责人签字")
        ACTIVE = "active", _("有效")
        REVOKED = "revoked", _("已撤销")

    class Method(models.TextChoices):
        ON_SCREEN = "on_screen", _("现场屏幕签名")
        PAPER = "paper", _("纸质委托书扫描")
        PHONE = "phone", _("本人手机确认")

    number = models.CharField(_("委托编号"), max_length=32, unique=True)
    point = models.ForeignKey(
        "assistance.AgentPoint", on_delete=models.PROTECT, related_name="mandates", verbose_name=_("代办点")
    )
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mandates", verbose_name=_("委托人")
    )
    all_eligible = models.BooleanField(_("全部可代办事项"), default=False)
    matters = models.ManyToManyField("catalog.Matter", blank=True, related_name="mandates", verbose_name=_("委托事项"))
    valid_from = models.DateField(_("生效日期"))
    valid_until = models.DateField(_("截止日期"))
    method = models.CharField(_("签署方式"), max_length=12, choices=Method.choices)
    status = models.CharField(_("状态"), max_length=24, choices=Status.choices, db_index=True)

    # The signed text, exactly as shown, and its hash: what the resident agreed to.
    text = models.TextField(_("委托书文本"))
    text_sha256 = models.CharField(_("文本 SHA-256"), max_length=64)
    signature_file = models.CharField(max_length=255, blank=True)
    signature_sha256 = models.CharField(_("签名 SHA-256"), max_length=64, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("经办代办员")
    )
    id_checked = models.BooleanField(_("已核验身份证件"), default=False)
    resident_confirmed_at = models.DateTimeField(_("本人确认时间"), null=True, blank=True)
    signed_at = models.DateTimeField(_("签署时间"), null=True, blank=True)

    countersign_required = models.BooleanField(_("须村（居）委会负责人签字"), default=False)
    countersigner_name = models.CharField(_("签字负责人"), max_length=64, blank=True)
    countersign_file = models.CharField(max_length=255, blank=True)
    countersigned_at = models.DateTimeField(_("负责人签字时间"), null=True, blank=True)

    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("撤销人")
    )
    revoke_reason = models.CharField(_("撤销原因"), max_length=200, blank=True)

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "point__village__county"

    class Meta:
        verbose_name = _("委托书")
        verbose_name_plural = _("委托书")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["resident", "status"]), models.Index(fields=["point", "status"])]
        constraints = [
            models.CheckConstraint(condition=Q(valid_until__gte=models.F("valid_from")), name="mandate_period_ordered"),
            # An active mandate was signed (on screen, on paper, or confirmed from the phone) and,
            # when the district asks for it, countersigned.
            models.CheckConstraint(
                condition=~Q(status="active") | Q(signed_at__isnull=False),
                name="mandate_active_is_signed",
            ),
            models.CheckConstraint(
                condition=~Q(status="active") | Q(countersign_required=False) | Q(countersigned_at__isnull=False),
                name="mandate_active_is_countersigned",
            ),
            models.CheckConstraint(
                condition=Q(status="revoked", revoked_at__isnull=False) | (~Q(status="revoked") & Q(revoked_at__isnull=True)),
                name="mandate_revoked_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def in_force_on(self, day: datetime.date) -> bool:
        return self.status == self.Status.ACTIVE and self.valid_from <= day <= self.valid_until
