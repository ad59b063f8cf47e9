from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onewindow.core.models import PublicModel

from .household import Household


class Enrolment(PublicModel):
    """One period of a household in payment: from confirmation to exit.

    The F13a figures are counted from these rows: households / people newly approved are the
    enrolments confirmed in a period (`people` is the member count at confirmation), removed are
    the enrolments ended in it. A household has at most one open enrolment (constraint).
    """

    class EndReason(models.TextChoices):
        INCOME_ROSE = "income_rose", _("家庭收入超过标准")
        ASSETS = "assets", _("家庭财产不符合条件")
        MOVED = "moved", _("户籍迁出")
        DECEASED = "deceased", _("死亡（户内无其他成员）")
        REFUSED_REVIEW = "refused_review", _("拒不配合复核")
        FALSE_INFO = "false_info", _("隐瞒或虚报")
        VOLUNTARY = "voluntary", _("自愿退出")

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("家庭"))
    # The 审核确认 case that confirmed it; empty for households taken over from the old register.
    case = models.OneToOneField(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("审核确认办件")
    )
    confirmed_on = models.DateField(_("确认日期"), db_index=True)
    starts_month = models.DateField(_("起始发放月"))  # first day of the month after confirmation
    people = models.PositiveSmallIntegerField(_("保障人数"))
    monthly_amount_fen = models.PositiveIntegerField(_("月保障金（分）"))
    ended_on = models.DateField(_("退出日期"), null=True, blank=True, db_index=True)
    end_reason = models.CharField(_("退出原因"), max_length=16, choices=EndReason.choices, blank=True)

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "household__township__county"

    class Meta:
        verbose_name = _("低保在保记录")
        verbose_name_plural = _("低保在保记录")
        ordering = ["-confirmed_on"]
        constraints = [
            models.UniqueConstraint(fields=["household"], condition=Q(ended_on__isnull=True), name="welfare_one_open_enrolment"),
            models.CheckConstraint(condition=Q(ended_on__isnull=True) | ~Q(end_reason=""), name="welfare_exit_has_reason"),
            # What a roll line's composite foreign key (enrolment, household) refers to (migration
            # 0010, `RollItem`): one key check per line for both columns.
            models.UniqueConstraint(fields=["id", "household"], name="welfare_enrolment_id_household"),
        ]

    def __str__(self) -> str:
        return f"{self.household} {self.confirmed_on}"
