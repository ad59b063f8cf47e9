"""Fees collected for residents at the point (社保代缴, 医保代收): an append-only ledger.

Amounts are integers in fen (分), never floats. A `TillDay` is one point's till for one day; its
running totals are moved by the same transaction that inserts an entry, under the till's row lock,
and CHECK constraints keep them consistent with what an entry may be. Entries are never edited:
a mistake is corrected by a reversing entry (negative, naming the entry it reverses, at most one
per entry). Closed days are handed to the department in signed batches.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onewindow.core.models import PublicModel


class CollectionKind(models.TextChoices):
    SOCIAL_INSURANCE = "social", _("社会保险费代缴")
    MEDICAL_INSURANCE = "medical", _("城乡居民医疗保险费代收")


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("现金")
    TRANSFER = "transfer", _("转账")


class TillDay(PublicModel):
    class Status(models.TextChoices):
        OPEN = "open", _("营业中")
        CLOSED = "closed", _("已日结")

    point = models.ForeignKey("assistance.AgentPoint", on_delete=models.PROTECT, related_name="tills", verbose_name=_("代办点"))
    day = models.DateField(_("日期"))
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.OPEN)
    last_seq = models.PositiveIntegerField(default=0)
    cash_fen = models.BigIntegerField(_("现金合计（分）"), default=0)
    transfer_fen = models.BigIntegerField(_("转账合计（分）"), default=0)
    entry_count = models.PositiveIntegerField(_("笔数"), default=0)
    counted_cash_fen = models.BigIntegerField(_("清点现金（分）"), null=True, blank=True)
    closed_at = models.DateTimeField(_("日结时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("日结人")
    )

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "point__village__county"

    class Meta:
        verbose_name = _("日结账")
        verbose_name_plural = _("日结账")
        ordering = ["-day", "point"]
        constraints = [
            models.UniqueConstraint(fields=["point", "day"], name="one_till_per_point_day"),
            # Reversals only ever take back what was collected: a till never goes below zero.
            models.CheckConstraint(condition=Q(cash_fen__gte=0) & Q(transfer_fen__gte=0), name="till_totals_not_negative"),
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True)
                | Q(status="closed", closed_at__isnull=False, counted_cash_fen=models.F("cash_fen")),
                name="till_closed_balances",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.point} {self.day}"

    @property
    def total_fen(self) -> int:
        return self.cash_fen + self.transfer_fen


class HandoverBatch(PublicModel):
    """Entries of closed days handed to the department (人社局 or 医保局), signed on receipt."""

    class Status(models.TextChoices):
        PREPARED = "prepared", _("待移交")
        HANDED_OVER = "handed_over", _("已移交")

    number = models.CharField(_("批次号"), max_length=40, unique=True)
    point = models.ForeignKey("assistance.AgentPoint", on_delete=models.PROTECT, related_name="batches", verbose_name=_("代办点"))
    kind = models.CharField(_("类型"), max_length=8, choices=CollectionKind.choices)
    department = models.ForeignKey("accounts.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("接收部门"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.PREPARED)
    total_fen = models.BigIntegerField(_("金额（分）"))
    entry_count = models.PositiveIntegerField(_("笔数"))
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("制单人")
    )
    handed_over_at = models.DateTimeField(_("移交时间"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("签收人")
    )

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "point__village__county"

    class Meta:
        verbose_name = _("移交批次")
        verbose_name_plural = _("移交批次")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="prepared", handed_over_at__isnull=True, received_by__isnull=True)
                | Q(status="handed_over", handed_over_at__isnull=False, received_by__isnull=False),
                name="batch_handed_over_is_signed",
            ),
            models.CheckConstraint(condition=Q(entry_count__gt=0), name="batch_not_empty"),
        ]

    def __str__(self) -> str:
        return self.number


class LedgerEntry(PublicModel):
    class Kind(models.TextChoices):
        COLLECTION = "collection", _("收款")
        REVERSAL = "reversal", _("冲正")

    till = models.ForeignKey(TillDay, on_delete=models.PROTECT, related_name="entries", verbose_name=_("日结账"))
    number = models.CharField(_("收据号"), max_length=40, unique=True)
    check_code = models.CharField(_("校验码"), max_length=8)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    collection_kind = models.CharField(_("代收项目"), max_length=8, choices=CollectionKind.choices)
    method = models.CharField(_("支付方式"), max_length=8, choices=PaymentMethod.choices)
    amount_fen = models.BigIntegerField(_("金额（分）"))
    resident = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("缴费人"))
    mandate = models.ForeignKey("assistance.Mandate", on_delete=models.PROTECT, related_name="+", verbose_name=_("委托书"))
    period = models.CharField(_("缴费年度/期间"), max_length=16)
    payment_ref = models.CharField(_("支付流水号"), max_length=64)
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by", verbose_name=_("冲正原收据")
    )
    reason = models.CharField(_("冲正原因"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("收款人"))
    batch = models.ForeignKey(
        HandoverBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="entries", verbose_name=_("移交批次")
    )

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "till__point__village__county"

    class Meta:
        verbose_name = _("代收台账")
        verbose_name_plural = _("代收台账")
        ordering = ["till", "id"]
        constraints = [
            # A collection is positive and reverses nothing; a reversal is negative, gives a reason
            # and names exactly one entry (OneToOne: never two reversals of one entry).
            models.CheckConstraint(
                condition=Q(kind="collection", amount_fen__gt=0, reverses__isnull=True)
                | Q(kind="reversal", amount_fen__lt=0, reverses__isnull=False) & ~Q(reason=""),
                name="ledger_entry_sign_by_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.number
