"""The 审核确认 process of a 低保 application (2021 national 最低生活保障审核确认办法).

An `Application` is the household's side of one `cases.Case` of the 低保 matter: the case carries
the clock, the routing to the township, the steps and the cards; the application carries what the
rules ask of the process (the economic check, the township's proposal, the notices, the
confirmation). Its `stage` mirrors the case's open step and is changed in the same transactions.

The article numbers of the 2021 审核确认办法 cited here are unverified (see docs/welfare.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onewindow.core.models import PublicModel, TimeStampedModel

from .household import Household


class Application(PublicModel):
    class Stage(models.TextChoices):
        ACCEPTANCE = "acceptance", _("待受理")
        CHECK = "check", _("家庭经济状况调查")
        REVIEW = "review", _("乡镇审核")
        NOTICE = "notice", _("公示中")
        CONFIRMATION = "confirmation", _("待审核确认")
        APPROVED = "approved", _("已确认")
        REFUSED = "refused", _("不予确认")

    class Channel(models.TextChoices):
        ONLINE = "online", _("网上申请")
        MOBILE = "mobile", _("掌上申请")
        COUNTER = "counter", _("乡镇窗口")
        AGENT = "agent", _("村（社区）代办")

    class Proposal(models.TextChoices):
        NONE = "", _("未提出")
        APPROVE = "approve", _("拟同意")
        REFUSE = "refuse", _("拟不同意")

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="applications", verbose_name=_("家庭"))
    case = models.OneToOneField(
        "cases.Case", on_delete=models.PROTECT, related_name="welfare_application", verbose_name=_("办件")
    )
    channel = models.CharField(_("申请渠道"), max_length=10, choices=Channel.choices)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("经办人"))
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="welfare_applications_filed",
        verbose_name=_("代办员"),
    )
    stage = models.CharField(_("环节"), max_length=14, choices=Stage.choices, default=Stage.ACCEPTANCE, db_index=True)
    proposal = models.CharField(_("审核意见"), max_length=8, choices=Proposal.choices, blank=True, default="")
    proposal_reasons = models.TextField(_("审核理由"), blank=True)
    proposed_amount_fen = models.PositiveIntegerField(_("拟保障金额（分/月）"), default=0)
    proposed_people = models.PositiveSmallIntegerField(_("拟保障人数"), default=0)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("审核人")
    )
    proposed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    # A refusal's written notice with reasons (art. 23): due within 3 working days of the decision.
    refusal_notice_due = models.DateField(_("不予确认告知期限"), null=True, blank=True)
    refusal_notified_at = models.DateTimeField(_("书面告知时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("确认人")
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    certificate_number = models.CharField(_("低保证编号"), max_length=24, blank=True)
    certificate_code = models.CharField(_("证书校验码"), max_length=12, blank=True)

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "household__township__county"

    class Meta:
        verbose_name = _("低保申请")
        verbose_name_plural = _("低保申请")
        ordering = ["-created_at"]
        constraints = [
            # A household has one application in progress at a time (two windows filing at once: one).
            models.UniqueConstraint(
                fields=["household"],
                condition=~Q(stage__in=["approved", "refused"]),
                name="welfare_one_open_application",
            ),
            models.UniqueConstraint(
                fields=["certificate_number"], condition=~Q(certificate_number=""), name="welfare_certificate_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household} {self.get_stage_display()}"

    @property
    def is_open(self) -> bool:
        return self.stage not in (self.Stage.APPROVED, self.Stage.REFUSED)


class HomeVisit(PublicModel):
    """入户调查 (art. 17): who visited, when, what they found; photos are private uploads."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="visits", verbose_name=_("申请"))
    visited_on = models.DateField(_("调查日期"))
    visitors = models.CharField(_("调查人员"), max_length=200)
    findings = models.TextField(_("调查情况"))
    photos = models.JSONField(_("照片"), default=list, blank=True)  # private storage names
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("记录人")
    )

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "application__household__township__county"

    class Meta:
        verbose_name = _("入户调查")
        verbose_name_plural = _("入户调查")
        ordering = ["application", "visited_on", "id"]


class Appraisal(PublicModel):
    """民主评议 (art. 19, optional): held by the village committee with the township."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="appraisals", verbose_name=_("申请"))
    held_on = models.DateField(_("评议日期"))
    participants = models.PositiveSmallIntegerField(_("参加人数"))
    in_favour = models.PositiveSmallIntegerField(_("同意人数"))
    summary = models.TextField(_("评议意见"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("记录人")
    )

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "application__household__township__county"

    class Meta:
        verbose_name = _("民主评议")
        verbose_name_plural = _("民主评议")
        ordering = ["application", "held_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(in_favour__lte=models.F("participants")), name="welfare_appraisal_votes"),
        ]


class CrossCheck(PublicModel):
    """家庭经济状况信息核对 (art. 18): one run of the cross-check backend over the household."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="cross_checks", verbose_name=_("申请"))
    backend = models.CharField(_("核对系统"), max_length=100)
    checked_at = models.DateTimeField(_("核对时间"), auto_now_add=True)
    passed = models.BooleanField(_("核对相符"))
    findings = models.JSONField(_("核对结果"), default=list, blank=True)  # [{"member", "item", "declared", "found"}]
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("申请核对人")
    )

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "application__household__township__county"

    class Meta:
        verbose_name = _("经济状况核对")
        verbose_name_plural = _("经济状况核对")
        ordering = ["application", "checked_at", "id"]


class PublicNotice(PublicModel):
    """One round of the 公示 in the household's village (art. 21). It mirrors the case's notice
    step: it runs from `starts_on` to `ends_on` (its last day) and is public only while it runs.
    What it shows is copied when it opens (masked head name, household size, monthly amount) so the
    public page never reads the household file."""

    class Outcome(models.TextChoices):
        RUNNING = "running", _("公示中")
        NO_OBJECTION = "no_objection", _("期满无异议")
        OBJECTED = "objected", _("有异议，重新调查")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="notices", verbose_name=_("申请"))
    # The case's notice step; an objection re-opens the same step for the next round.
    step = models.ForeignKey("cases.CaseStep", on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    round = models.PositiveSmallIntegerField(_("轮次"))
    village = models.ForeignKey("accounts.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("村（社区）"))
    starts_on = models.DateField(_("公示开始"))
    ends_on = models.DateField(_("公示截止"), db_index=True)
    outcome = models.CharField(_("结果"), max_length=14, choices=Outcome.choices, default=Outcome.RUNNING, db_index=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    head_masked = models.CharField(_("户主"), max_length=50)
    people = models.PositiveSmallIntegerField(_("家庭人口"))
    monthly_amount_fen = models.PositiveIntegerField(_("月保障金（分）"))

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "village__county"

    class Meta:
        verbose_name = _("低保公示")
        verbose_name_plural = _("低保公示")
        ordering = ["village", "starts_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "round"], name="welfare_notice_round"),
            models.UniqueConstraint(fields=["application"], condition=Q(outcome="running"), name="welfare_one_running_notice"),
        ]


class Objection(TimeStampedModel):
    """An objection to a notice (art. 21), lodged online by anyone or at the point by staff."""

    class Channel(models.TextChoices):
        ONLINE = "online", _("网上")
        POINT = "point", _("现场（工作人员代录）")

    notice = models.ForeignKey(PublicNotice, on_delete=models.PROTECT, related_name="objections", verbose_name=_("公示"))
    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices)
    text = models.TextField(_("异议内容"))
    contact = models.CharField(_("联系方式"), max_length=50, blank=True)
    lodged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("提出人账号")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("代录人")
    )

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "notice__village__county"

    class Meta:
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")
        ordering = ["notice", "created_at"]
