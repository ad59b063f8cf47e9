"""The register's history and the money: every change of a household in payment, the reviews
(动态管理), reported changes of circumstance, and the monthly payment roll with its payments.

The register is event-sourced by month: each `RegisterChange` carries the state it leaves (amount,
people) and the month it takes effect, so the roll of any month is "the latest change at or before
that month, per open enrolment" — one set-based statement (`services/rolls.py`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onewindow.core.models import PublicModel

from .enrolment import Enrolment
from .household import Household


class RegisterChange(PublicModel):
    """One change of a household in the register, with the amount before and after.

    社会救助暂行办法 art. 13: when a household's people, income or assets change, the county
    民政 department decides to increase, decrease or stop the allowance, and gives reasons in
    writing for a stop. `effective_month` is the first month paid at `new_amount_fen` (0: not paid
    from that month: suspended, stopped, exited).
    """

    class Kind(models.TextChoices):
        ENROL = "enrol", _("纳入保障")
        INCREASE = "increase", _("增发")
        DECREASE = "decrease", _("减发")
        SUSPEND = "suspend", _("暂停发放")
        RESUME = "resume", _("恢复发放")
        STOP = "stop", _("停发")
        EXIT = "exit", _("退出")

    # No single-column indexes of their own: the (enrolment, effective_month, id) and (household,
    # effective_month) indexes below serve every lookup by either, and a standard's recompute
    # writes a line per household (two indexes fewer to maintain).
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="changes", verbose_name=_("家庭"), db_index=False
    )
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.PROTECT, related_name="changes", verbose_name=_("在保记录"), db_index=False
    )
    kind = models.CharField(_("变更类型"), max_length=10, choices=Kind.choices)
    old_amount_fen = models.PositiveIntegerField(_("原月保障金（分）"), default=0)
    new_amount_fen = models.PositiveIntegerField(_("新月保障金（分）"))
    old_people = models.PositiveSmallIntegerField(_("原保障人数"), default=0)
    new_people = models.PositiveSmallIntegerField(_("新保障人数"))
    reason = models.CharField(_("原因"), max_length=300)
    effective_month = models.DateField(_("生效月份"))  # first day of the month
    decided_on = models.DateField(_("决定日期"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("经办人")
    )
    report = models.ForeignKey(
        "CircumstanceReport", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("变化报告")
    )
    # The per-person standard the new amount was computed with (fen), when known: a change of the
    # standard recomputes 补差 as the amount plus the standard's rise times the people, which keeps
    # the household's per-capita income as the township last decided it (services/standards.py).
    standard_fen = models.PositiveIntegerField(_("计算所用标准（分/人）"), null=True, blank=True)

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "household__township__county"

    class Meta:
        verbose_name = _("低保变更记录")
        verbose_name_plural = _("低保变更记录")
        ordering = ["-effective_month", "-id"]
        indexes = [
            # The roll's "latest change at or before the month" per enrolment.
            models.Index(fields=["enrolment", "effective_month", "id"], name="welfare_change_enr_month"),
            models.Index(fields=["household", "effective_month"], name="welfare_change_hh_month"),
        ]

    def __str__(self) -> str:
        return f"{self.household} {self.get_kind_display()} {self.effective_month:%Y-%m}"


class CircumstanceReport(PublicModel):
    """A change of circumstance reported by the household, the village or a data check.

    2021 审核确认办法 (管理和监督): a household in payment tells the township when its people, income
    or assets change; the township checks and proposes an increase, decrease or stop. Open reports
    are the township's waiting work (`welfare/owners_money.py`).
    """

    class Source(models.TextChoices):
        HOUSEHOLD = "household", _("家庭主动报告")
        VILLAGE = "village", _("村（居）委会报告")
        DATA = "data", _("信息比对")
        REVIEW = "review", _("定期复核发现")

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        HANDLED = "handled", _("已处理")

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="reports", verbose_name=_("家庭"))
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    reported_on = models.DateField(_("报告日期"))
    description = models.CharField(_("变化情况"), max_length=500)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField(_("处理结果"), max_length=300, blank=True)
    handled_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "household__township__county"

    class Meta:
        verbose_name = _("家庭情况变化报告")
        verbose_name_plural = _("家庭情况变化报告")
        ordering = ["-reported_on", "-id"]
        indexes = [models.Index(fields=["status", "household"], name="welfare_report_open")]


class HouseholdReview(PublicModel):
    """A periodic review (定期核查) of a household in payment, and what came of it."""

    class Outcome(models.TextChoices):
        UNCHANGED = "unchanged", _("情况无变化，继续保障")
        CHANGED = "changed", _("情况变化，调整保障金")
        STOPPED = "stopped", _("不再符合条件，停发")

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("家庭"))
    reviewed_on = models.DateField(_("复核日期"))
    due_on = models.DateField(_("应复核日期"), null=True, blank=True)
    findings = models.CharField(_("核查情况"), max_length=500)
    outcome = models.CharField(_("结果"), max_length=10, choices=Outcome.choices)
    next_review_on = models.DateField(_("下次复核日期"), null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("复核人")
    )

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "household__township__county"

    class Meta:
        verbose_name = _("定期复核")
        verbose_name_plural = _("定期复核")
        ordering = ["-reviewed_on", "-id"]


class PaymentRoll(PublicModel):
    """One township's payment roll (发放名册) for one month.

    Generated from the enrolments in payment that month, checked and approved by the township,
    approved by the district 民政局, then frozen: the payments are written and the bank file can be
    downloaded. One roll per township and month (constraint); a frozen roll is never regenerated.
    """

    class Kind(models.TextChoices):
        REGULAR = "regular", _("月度发放")
        BACKPAY = "backpay", _("补发")

    class Status(models.TextChoices):
        GENERATED = "generated", _("已生成")
        STALE = "stale", _("需重新生成")
        CHECKED = "checked", _("已核对")
        TOWNSHIP_APPROVED = "township_approved", _("乡镇已审批")
        DISTRICT_APPROVED = "district_approved", _("区民政局已审批")
        FROZEN = "frozen", _("已冻结")

    township = models.ForeignKey("accounts.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("乡镇（街道）"))
    month = models.DateField(_("发放月份"))  # first day of the month
    # 补发: the difference owed for months already frozen when a standard rose after them; its
    # lines are per household and owed month, the roll's month is the month it is paid in.
    kind = models.CharField(_("名册类型"), max_length=8, choices=Kind.choices, default=Kind.REGULAR)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.GENERATED)
    households = models.PositiveIntegerField(_("户数"), default=0)
    people = models.PositiveIntegerField(_("人数"), default=0)
    total_fen = models.PositiveBigIntegerField(_("金额（分）"), default=0)
    generated_at = models.DateTimeField(_("生成时间"), null=True, blank=True)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("生成人")
    )
    checked_at = models.DateTimeField(_("核对时间"), null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("核对人")
    )
    township_approved_at = models.DateTimeField(_("乡镇审批时间"), null=True, blank=True)
    township_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("乡镇审批人")
    )
    district_approved_at = models.DateTimeField(_("区民政局审批时间"), null=True, blank=True)
    district_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("区民政局审批人"),
    )
    frozen_at = models.DateTimeField(_("冻结时间"), null=True, blank=True)
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("冻结人")
    )

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "township__county"

    class Meta:
        verbose_name = _("低保发放名册")
        verbose_name_plural = _("低保发放名册")
        ordering = ["-month", "township__sort_order", "township__code"]
        constraints = [
            models.UniqueConstraint(fields=["township", "month", "kind"], name="welfare_one_roll_per_township_month"),
        ]
        indexes = [models.Index(fields=["month", "status"], name="welfare_roll_month_status")]

    def __str__(self) -> str:
        return f"{self.township} {self.month:%Y-%m}"


class RollItem(models.Model):
    """One household's line on a roll: what it is due that month."""

    # No single-column indexes on roll and household: (roll, household) and the unique (household,
    # month, kind) lead with them, and every index is written once per line of a province's roll.
    # None on the enrolment either: nothing looks lines up by it, and enrolments are never deleted.
    roll = models.ForeignKey(PaymentRoll, on_delete=models.CASCADE, related_name="items", db_index=False, verbose_name=_("名册"))
    # The household and the enrolment are one composite foreign key on PostgreSQL, (enrolment_id,
    # household_id) -> the enrolment's unique (id, household_id) (migration 0010), instead of one key
    # each: PostgreSQL checks a foreign key with a query and a row lock per inserted line, and the
    # three keys were more than half of a province's roll (docs/welfare.md, "Benchmark"). The one
    # key is stricter than the two: the line's household must be its enrolment's, and the household
    # cannot go while the enrolment refers to it. Django cannot declare a composite key, hence
    # `db_constraint=False` here; on SQLite (development and tests) the two columns carry no key.
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False, verbose_name=_("家庭")
    )
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False, verbose_name=_("在保记录")
    )
    month = models.DateField(_("发放月份"))  # the month the money is for (a back pay line: the month owed)
    kind = models.CharField(_("类型"), max_length=8, choices=PaymentRoll.Kind.choices, default=PaymentRoll.Kind.REGULAR)
    people = models.PositiveSmallIntegerField(_("保障人数"))
    amount_fen = models.PositiveIntegerField(_("金额（分）"))
    # The per-person standard the line pays up to (fen): the register line's, or the standard in
    # force when the roll was generated; a back pay tops a month up from it.
    standard_fen = models.PositiveIntegerField(_("计算所用标准（分/人）"), null=True, blank=True)

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "roll__township__county"

    class Meta:
        verbose_name = _("名册明细")
        verbose_name_plural = _("名册明细")
        constraints = [
            # A household is on one roll a month for each kind, whichever township's.
            models.UniqueConstraint(fields=["household", "month", "kind"], name="welfare_item_once_per_month"),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="welfare_item_positive"),
        ]
        indexes = [models.Index(fields=["roll", "household"], name="welfare_item_roll_hh")]

    def __str__(self) -> str:
        return f"{self.household_id} {self.month:%Y-%m}"


class Payment(PublicModel):
    """A bank transfer of one household's allowance for one month.

    2021 审核确认办法 (管理和监督) and 社会救助暂行办法 art. 12: paid monthly, through a bank
    (社会化发放). A failed transfer stays as it was and a new payment re-issues it; at most one
    payment per household, month and kind (monthly, back pay) is pending or paid (partial unique):
    nothing is paid twice.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("待银行发放")
        PAID = "paid", _("已发放")
        FAILED = "failed", _("发放失败")

    # The index (roll, status) leads with the roll: no single-column one (written once per payment).
    roll = models.ForeignKey(
        PaymentRoll, on_delete=models.PROTECT, related_name="payments", db_index=False, verbose_name=_("名册")
    )
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="payments", verbose_name=_("家庭"))
    month = models.DateField(_("发放月份"))
    kind = models.CharField(_("类型"), max_length=8, choices=PaymentRoll.Kind.choices, default=PaymentRoll.Kind.REGULAR)
    amount_fen = models.PositiveIntegerField(_("金额（分）"))
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.PENDING)
    attempt = models.PositiveSmallIntegerField(_("发放次数"), default=1)
    bank_account = models.CharField(_("银行账号"), max_length=32, blank=True)
    paid_on = models.DateField(_("到账日期"), null=True, blank=True, db_index=True)
    failure_reason = models.CharField(_("失败原因"), max_length=200, blank=True)
    reissue_of = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reissued_as", verbose_name=_("重发自")
    )

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "household__township__county"

    class Meta:
        verbose_name = _("低保金发放记录")
        verbose_name_plural = _("低保金发放记录")
        ordering = ["household", "month", "attempt"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "month", "kind"],
                condition=Q(status__in=["pending", "paid"]),
                name="welfare_paid_once_per_month",
            ),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="welfare_payment_positive"),
            models.CheckConstraint(condition=~Q(status="paid") | Q(paid_on__isnull=False), name="welfare_paid_has_date"),
            models.CheckConstraint(condition=~Q(status="failed") | ~Q(failure_reason=""), name="welfare_failed_has_reason"),
        ]
        indexes = [models.Index(fields=["roll", "status"], name="welfare_payment_roll_status")]


class BankReturn(PublicModel):
    """One imported bank return file (回盘文件) of a frozen roll: which payments the bank paid and
    which failed. The file's SHA-256 is unique per roll, so the same file is taken once even when
    two officers import it at the same moment (`bankreturn.py`)."""

    roll = models.ForeignKey(PaymentRoll, on_delete=models.PROTECT, related_name="bank_returns", verbose_name=_("名册"))
    sha256 = models.CharField(_("文件摘要"), max_length=64)
    filename = models.CharField(_("文件名"), max_length=200)
    paid_on = models.DateField(_("到账日期"))
    lines = models.PositiveIntegerField(_("行数"))
    paid = models.PositiveIntegerField(_("到账笔数"))
    failed = models.PositiveIntegerField(_("失败笔数"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("导入人")
    )

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "roll__township__county"

    class Meta:
        verbose_name = _("银行回盘文件")
        verbose_name_plural = _("银行回盘文件")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["roll", "sha256"], name="welfare_bank_return_once")]

    def __str__(self) -> str:
        return f"{self.roll} {self.filename}"
