"""好差评: ratings of delivered services, the follow-up of bad ones, appeals, rating links and pads.

A rating names its subject generically — a kind and the subject's UUID — plus the unit and the
person who delivered the service, resolved once by the kind's adapter (`subjects.py`) and copied
into the row, so figures group by unit, window, area and matter without joining every app.

Ratings are never edited: a correction is a new row pointing at the rating it replaces, and the
figures read the newest row of each service. An appeal upheld by the hall manager takes a rating
out of the figures and leaves the row in place.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onewindow.core.fieldcrypto.fields import BlindIndexField, EncryptedCharField, EncryptedManager
from onewindow.core.models import PublicModel, TimeStampedModel


class Kind(models.TextChoices):
    """What was served. New kinds register an adapter in subjects.py."""

    TICKET = "ticket", _("窗口办事（排队号）")
    CASE = "case", _("办件")
    ACCEPTANCE = "acceptance", _("办件受理")
    BOOKING = "booking", _("预约服务")
    FILING = "filing", _("告知承诺备案")
    AGENT_SERVICE = "agent_service", _("代办服务")
    WELFARE_DECISION = "welfare_decision", _("低保审核确认")


class Level(models.IntegerChoices):
    VERY_SATISFIED = 5, _("非常满意")
    SATISFIED = 4, _("满意")
    BASIC = 3, _("基本满意")
    DISSATISFIED = 2, _("不满意")
    VERY_DISSATISFIED = 1, _("非常不满意")


BAD_LEVELS = (Level.DISSATISFIED, Level.VERY_DISSATISFIED)


class Mode(models.TextChoices):
    """Which national indicator set applies."""

    ONLINE = "online", _("网上办事")
    WINDOW = "window", _("窗口服务")


class RatingChannel(models.TextChoices):
    PAD = "pad", _("窗口评价器")
    LINK = "link", _("短信链接")
    WEB = "web", _("网站")
    PHONE = "phone", _("手机")
    KIOSK = "kiosk", _("自助终端")
    API = "api", _("接口")
    # The resident's satisfaction told at the agent point's 回访 after a case ended
    # (ratings.recorded.rating_from_follow_up): recorded by the agent, in the resident's name.
    FOLLOW_UP = "followup", _("代办回访")


class Rating(PublicModel):
    kind = models.CharField(_("评价对象类型"), max_length=20, choices=Kind.choices)
    subject_uuid = models.UUIDField(_("评价对象"))
    subject_label = models.CharField(_("服务事项"), max_length=200)
    mode = models.CharField(_("指标体系"), max_length=8, choices=Mode.choices)
    # Who delivered the service (谁办理、谁负责): the unit answers for a bad rating.
    unit = models.ForeignKey("accounts.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("责任单位"))
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ratings_received",
        verbose_name=_("办理人员"),
    )
    window = models.ForeignKey(
        "hall.Window", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("窗口")
    )
    area = models.ForeignKey(
        "hall.ServiceArea", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("服务区")
    )
    matter = models.ForeignKey(
        "catalog.Matter", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("事项")
    )
    served_at = models.DateTimeField(_("服务完成时间"))
    # Null when rated anonymously at the window's pad (the person is not signed in there).
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ratings_given",
        verbose_name=_("评价人"),
    )
    rater_name = models.CharField(_("评价人姓名"), max_length=64, blank=True)
    # For the unit's call-back (回访); shown to the delivering unit only, never published.
    rater_phone = EncryptedCharField(_("评价人电话"), max_length=20, blank=True, index_field="rater_phone_hash")
    rater_phone_hash = BlindIndexField(source="rater_phone")
    # 实名: the person is identified (an account, or the ID number and name the service was
    # delivered to, e.g. a booking made by phone). Anonymous ratings (a walk-in ticket at the pad)
    # count in the figures but nobody can be called back, so they open no follow-up.
    real_name = models.BooleanField(_("实名评价"), default=False)
    channel = models.CharField(_("评价渠道"), max_length=8, choices=RatingChannel.choices)
    level = models.PositiveSmallIntegerField(_("评价等级"), choices=Level.choices)
    indicators = models.JSONField(_("分项评价"), default=dict, blank=True)
    tags = models.JSONField(_("评价原因"), default=list, blank=True)
    comment = models.TextField(_("文字评价"), blank=True)
    # A keyed hash of the client address (never the address itself), for flood throttling.
    client_key = models.CharField(max_length=64, blank=True, db_index=True)
    corrects = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="correction",
        verbose_name=_("更正的评价"),
    )

    objects = EncryptedManager()

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "unit__county"

    class Meta:
        verbose_name = _("评价")
        verbose_name_plural = _("评价")
        ordering = ["-created_at", "-id"]
        constraints = [
            # 一次一评 / 一事一评: one original rating per service, whoever tries at the same moment.
            models.UniqueConstraint(
                fields=["kind", "subject_uuid"], condition=Q(corrects__isnull=True), name="uniq_rating_per_service"
            ),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="rating_level_1_5"),
        ]
        indexes = [
            models.Index(fields=["unit", "created_at"]),
            models.Index(fields=["rater", "created_at"]),
            models.Index(fields=["window", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.subject_label}"

    @property
    def is_bad(self) -> bool:
        return self.level in BAD_LEVELS

    @property
    def is_real_name(self) -> bool:
        return self.real_name


class FollowUp(PublicModel):
    """差评整改: the delivering unit verifies with the person, fixes and replies; the person
    confirms or disputes. Clocks in working days (settings)."""

    class Status(models.TextChoices):
        OPEN = "open", _("待回访核实")
        VERIFIED = "verified", _("整改中")
        REPLIED = "replied", _("待群众确认")
        CONFIRMED = "confirmed", _("群众认可")
        DISPUTED = "disputed", _("群众不认可")
        NO_RESPONSE = "no_response", _("逾期未确认")
        WITHDRAWN = "withdrawn", _("申诉成立撤销")

    OPEN_STATUSES = ("open", "verified", "replied")

    rating = models.OneToOneField(Rating, on_delete=models.PROTECT, related_name="follow_up", verbose_name=_("评价"))
    unit = models.ForeignKey("accounts.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("责任单位"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True)
    opened_on = models.DateField(_("开始日"))
    verify_due = models.DateField(_("回访核实期限"))
    reply_due = models.DateField(_("整改反馈期限"))
    verified_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("核实人")
    )
    verify_note = models.TextField(_("核实情况"), blank=True)
    replied_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("反馈人")
    )
    reply = models.TextField(_("整改情况"), blank=True)
    responded_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    response_note = models.TextField(_("群众意见"), blank=True)
    # 电子监察 on the two clocks: yellow near a limit, red past one; only ever raised.
    warning_level = models.CharField(_("预警"), max_length=8, blank=True, db_index=True)

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "unit__county"

    class Meta:
        verbose_name = _("差评整改")
        verbose_name_plural = _("差评整改")
        ordering = ["-opened_on", "-id"]
        indexes = [models.Index(fields=["unit", "status"])]

    def __str__(self) -> str:
        return f"{self.rating} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class Appeal(PublicModel):
    """申诉: the unit believes a rating malicious or mistaken; the hall manager decides."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        UPHELD = "upheld", _("申诉成立")
        REJECTED = "rejected", _("申诉不成立")

    rating = models.OneToOneField(Rating, on_delete=models.PROTECT, related_name="appeal", verbose_name=_("评价"))
    unit = models.ForeignKey("accounts.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("申诉单位"))
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("申诉人"))
    reason = models.TextField(_("申诉理由"))
    evidence = models.TextField(_("证据说明"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("审核人")
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_note = models.TextField(_("审核意见"), blank=True)

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "unit__county"

    class Meta:
        verbose_name = _("差评申诉")
        verbose_name_plural = _("差评申诉")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.rating} ({self.get_status_display()})"


class Invitation(PublicModel):
    """A rating invitation sent after a service ended; its link is signed and single-use."""

    kind = models.CharField(_("评价对象类型"), max_length=20, choices=Kind.choices)
    subject_uuid = models.UUIDField(_("评价对象"))
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("被邀请人"))
    expires_at = models.DateTimeField(_("有效期至"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("评价邀请")
        verbose_name_plural = _("评价邀请")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["kind", "subject_uuid"], name="uniq_invitation_per_service")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.subject_uuid}"


class RatingPad(PublicModel):
    """The tablet at a window. It proves itself with a device token (only a hash is kept), the way
    the kiosk proves itself to the take-ticket API."""

    window = models.OneToOneField("hall.Window", on_delete=models.CASCADE, related_name="rating_pad", verbose_name=_("窗口"))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("前缀"), max_length=8, editable=False)
    last_seen_at = models.DateTimeField(_("最近连接"), null=True, blank=True)

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "window__point__org_unit__county"

    class Meta:
        verbose_name = _("窗口评价器")
        verbose_name_plural = _("窗口评价器")

    def __str__(self) -> str:
        return f"{self.window} ({self.prefix}…)"


class CountyRules(TimeStampedModel):
    """A county's own 差评整改 clocks (issue 17: a county owns its settings). A blank field keeps
    the deployment's value (settings.ONEWINDOW_RATINGS, else ratings.conf.DEFAULTS). Only the
    follow-up clocks are the county's: how long a service may be rated, the flood limits and the
    pad's window are the province platform's rules, the same for every resident (ratings/conf.py)."""

    county = models.OneToOneField(
        "accounts.County", on_delete=models.CASCADE, primary_key=True, related_name="+", verbose_name=_("区县")
    )
    verify_workdays = models.PositiveSmallIntegerField(
        _("核实时限（工作日）"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    fix_workdays = models.PositiveSmallIntegerField(
        _("整改答复时限（工作日）"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    yellow_margin_workdays = models.PositiveSmallIntegerField(
        _("黄牌提前量（工作日）"), null=True, blank=True, validators=[MaxValueValidator(30)]
    )
    confirm_days = models.PositiveSmallIntegerField(
        _("群众确认期限（自然日）"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )

    county_lookup = "county"

    class Meta:
        verbose_name = _("区县好差评时限")
        verbose_name_plural = _("区县好差评时限")

    def __str__(self) -> str:
        return str(self.county)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from . import conf

        verify = self.verify_workdays or int(conf.get("verify_workdays"))
        fix = self.fix_workdays or int(conf.get("fix_workdays"))
        if verify > fix:
            raise ValidationError({"verify_workdays": _("核实时限不能长于整改答复时限。")})
