"""Cases (办件), their routes (流程), steps, clock pauses, warnings and timeline.

A `RouteVersion` describes how a matter or a bundle is approved: ordered `RouteStage`s, each with
one or more `RouteStep`s (one department each) that run in parallel. A case copies the route into
its own `CaseStep` rows when it is accepted, so re-engineering a route never changes a running case.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onewindow.core.fieldcrypto.fields import EncryptedJSONField
from onewindow.core.models import PublicModel, TimeStampedModel


class RouteVersion(PublicModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")
        RETIRED = "retired", _("已停用")

    matter = models.ForeignKey(
        "catalog.Matter", null=True, blank=True, on_delete=models.CASCADE, related_name="routes", verbose_name=_("事项")
    )
    bundle = models.ForeignKey(
        "catalog.Bundle", null=True, blank=True, on_delete=models.CASCADE, related_name="routes", verbose_name=_("一件事")
    )
    number = models.PositiveIntegerField(_("版本号"))
    name = models.CharField(_("名称"), max_length=200)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = ("matter__department__county", "bundle__items__matter__department__county")

    class Meta:
        verbose_name = _("审批流程版本")
        verbose_name_plural = _("审批流程版本")
        ordering = ["matter", "bundle", "-number"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(matter__isnull=False) & Q(bundle__isnull=True)) | (Q(matter__isnull=True) & Q(bundle__isnull=False)),
                name="route_for_matter_xor_bundle",
            ),
            models.UniqueConstraint(fields=["matter", "number"], name="uniq_route_matter_number"),
            models.UniqueConstraint(fields=["bundle", "number"], name="uniq_route_bundle_number"),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.number}"


class RouteCounter(models.Model):
    """The last route version number handed out for one matter or one bundle.

    Numbers come from this row (an UPDATE ... SET last_number = last_number + 1 under the parent's
    row lock), never from counting versions: a deleted draft would make a count hand out a number
    that is already taken."""

    matter = models.OneToOneField("catalog.Matter", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    bundle = models.OneToOneField("catalog.Bundle", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    last_number = models.PositiveIntegerField(default=0)

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = ("matter__department__county", "bundle__items__matter__department__county")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(matter__isnull=False) & Q(bundle__isnull=True)) | (Q(matter__isnull=True) & Q(bundle__isnull=False)),
                name="route_counter_matter_xor_bundle",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.matter_id or self.bundle_id}: {self.last_number}"


class RouteStage(models.Model):
    route = models.ForeignKey(RouteVersion, on_delete=models.CASCADE, related_name="stages")
    order = models.PositiveSmallIntegerField(_("顺序"))
    name = models.CharField(_("名称"), max_length=100)

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = ("route__matter__department__county", "route__bundle__items__matter__department__county")

    class Meta:
        verbose_name = _("流程阶段")
        verbose_name_plural = _("流程阶段")
        ordering = ["route", "order"]
        constraints = [models.UniqueConstraint(fields=["route", "order"], name="uniq_route_stage_order")]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"


class StepKind(models.TextChoices):
    REVIEW = "review", _("审查")
    PUBLIC_NOTICE = "public_notice", _("公示")


class LimitUnit(models.TextChoices):
    """How a step's limit is counted. Reviews count working days; a public notice may count
    calendar days (the 低保 公示 of the 2021 rules: 7 days, calendar days). On the critical path a
    calendar-day step counts as the most working days such a run can hold (cases.routes)."""

    WORKDAYS = "workdays", _("工作日")
    CALENDAR = "calendar", _("自然日")


class RouteStep(models.Model):
    stage = models.ForeignKey(RouteStage, on_delete=models.CASCADE, related_name="steps")
    department = models.ForeignKey("accounts.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("部门"))
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=StepKind.choices, default=StepKind.REVIEW)
    limit_days = models.PositiveSmallIntegerField(_("环节时限（工作日）"))
    limit_unit = models.CharField(_("时限单位"), max_length=10, choices=LimitUnit.choices, default=LimitUnit.WORKDAYS)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "department__county"

    class Meta:
        verbose_name = _("流程环节")
        verbose_name_plural = _("流程环节")
        ordering = ["stage", "sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class Channel(models.TextChoices):
    COUNTER = "counter", _("窗口")
    ONLINE = "online", _("网上")
    MOBILE = "mobile", _("掌上（赣服通）")
    AGENT = "agent", _("代办")
    APPOINTMENT = "appointment", _("预约")
    OFF_HOURS = "off_hours", _("延时错时")


class Case(PublicModel):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待受理")
        SUPPLEMENT = "supplement", _("待补正")
        REFUSED = "refused", _("不予受理")
        IN_REVIEW = "in_review", _("审查中")
        PAUSED = "paused", _("中止计时")
        REVIEWED = "reviewed", _("待决定")
        DECIDED = "decided", _("已决定")
        CONCLUDED = "concluded", _("已办结")
        # Concluded, the result waits at the window for the applicant to collect it (窗口领取).
        READY = "ready", _("待领取")
        DELIVERED = "delivered", _("已送达")

    class Decision(models.TextChoices):
        NONE = "", _("未决定")
        APPROVED = "approved", _("准予许可")
        DENIED = "denied", _("不予许可")

    class PreReview(models.TextChoices):
        """网上预审 of an online application (cases.prereview), inside the intake period."""

        NONE = "", _("无需预审")
        PENDING = "pending", _("待预审")
        FIX_REQUESTED = "fix_requested", _("预审退回修改")
        PASSED = "passed", _("预审通过")
        NOT_PASSED = "not_passed", _("预审不通过")

    class Delivery(models.TextChoices):
        WINDOW = "window", _("窗口领取")
        POST = "post", _("邮寄送达")
        ELECTRONIC = "electronic", _("电子证照")
        AGENT_POINT = "agent_point", _("代办点领取")

    number = models.CharField(_("办件编号"), max_length=24, unique=True)
    check_code = models.CharField(_("查询码"), max_length=8)
    channel = models.CharField(_("申请渠道"), max_length=12, choices=Channel.choices)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cases", verbose_name=_("申请人")
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="filed_cases",
        verbose_name=_("代办员"),
    )
    enterprise = models.ForeignKey(
        "accounts.Enterprise", null=True, blank=True, on_delete=models.PROTECT, related_name="cases", verbose_name=_("企业")
    )
    matter_version = models.ForeignKey(
        "catalog.MatterVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="cases", verbose_name=_("事项版本")
    )
    bundle = models.ForeignKey(
        "catalog.Bundle", null=True, blank=True, on_delete=models.PROTECT, related_name="cases", verbose_name=_("一件事")
    )
    # For a bundle: the matter versions in force when the case was filed.
    bundle_versions = models.ManyToManyField("catalog.MatterVersion", blank=True, related_name="bundle_cases")
    route = models.ForeignKey(RouteVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="cases")
    title = models.CharField(_("事项"), max_length=200)
    # The deciding unit: the matter's department, or the township a delegated matter is handled by
    # (cases.routing). Work lists, decisions, extensions and warnings follow it.
    department = models.ForeignKey(
        "accounts.OrgUnit", on_delete=models.PROTECT, related_name="owned_cases", verbose_name=_("主办部门")
    )
    # The delegations (赋权) in force for the case's matters when it was filed; kept so that a
    # revocation never moves an open case.
    delegations = models.ManyToManyField("catalog.Delegation", blank=True, related_name="cases", verbose_name=_("赋权依据"))
    # Where intake happens (the clerk's unit, or the hall that accepts the matter online).
    intake_unit = models.ForeignKey(
        "accounts.OrgUnit", on_delete=models.PROTECT, related_name="intake_cases", verbose_name=_("受理单位")
    )
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.SUBMITTED, db_index=True)
    ticket_uuid = models.UUIDField(_("排队号"), null=True, blank=True, db_index=True)
    # What the applicant typed (ID and phone numbers among it): encrypted at rest as a whole
    # (core/fieldcrypto/fields.EncryptedJSONField); read as a dict, never queried inside.
    form_data = EncryptedJSONField(_("申请表"), default=dict, blank=True)
    prereview = models.CharField(_("网上预审"), max_length=16, choices=PreReview.choices, blank=True, default="", db_index=True)
    prereview_note = models.TextField(_("预审意见"), blank=True)
    is_joint = models.BooleanField(_("联合办理"), default=False)

    # The clock. Dates are calendar dates in the local time zone; all limits are working days.
    received_at = models.DateTimeField(_("收件时间"))
    received_on = models.DateField(_("起算日"))  # the day received; day 1 is the first working day after it
    intake_due = models.DateField(_("受理期限"))
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    committed_days = models.PositiveSmallIntegerField(_("承诺时限（工作日）"))
    statutory_days = models.PositiveSmallIntegerField(_("法定时限（工作日）"))
    extension_days = models.PositiveSmallIntegerField(_("延长（工作日）"), default=0)
    paused_days = models.PositiveSmallIntegerField(_("中止（工作日）"), default=0)
    committed_due = models.DateField(_("承诺期限"), null=True, blank=True)
    statutory_due = models.DateField(_("法定期限"), null=True, blank=True)
    status_before_pause = models.CharField(max_length=12, blank=True)
    current_stage = models.PositiveSmallIntegerField(_("当前阶段"), default=0)
    warning_level = models.CharField(_("预警"), max_length=8, blank=True, db_index=True)

    refusal_reasons = models.TextField(_("不予受理理由"), blank=True)
    decision = models.CharField(_("决定"), max_length=10, choices=Decision.choices, blank=True, default="")
    decision_reason = models.TextField(_("决定理由"), blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    concluded_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    delivery_method = models.CharField(_("送达方式"), max_length=12, choices=Delivery.choices, blank=True)
    tracking_number = models.CharField(_("邮件单号"), max_length=40, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "department__county"

    class Meta:
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        ordering = ["-received_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(matter_version__isnull=False) & Q(bundle__isnull=True))
                | (Q(matter_version__isnull=True) & Q(bundle__isnull=False)),
                name="case_matter_xor_bundle",
            ),
            models.CheckConstraint(
                condition=Q(committed_days__lte=models.F("statutory_days")), name="case_committed_le_statutory"
            ),
        ]
        indexes = [
            # The rollups recount a day's cases by the time they were received.
            models.Index(fields=["received_at"], name="case_received_idx"),
            # The dashboard's list of a matter's cases (and its count), newest first.
            models.Index(fields=["matter_version", "received_at"], name="case_version_received_idx"),
            # The lists of a township's and a department's cases (and their counts), newest first: without
            # them the count was a BitmapAnd with every case of the period (600 ms at 1M cases).
            models.Index(fields=["intake_unit", "received_at"], name="case_intake_received_idx"),
            models.Index(fields=["department", "received_at"], name="case_dept_received_idx"),
            # The supervisors' late list: open cases with a warning, red first, by deadline.
            models.Index(
                fields=["warning_level", "committed_due", "id"],
                condition=~Q(warning_level="") & Q(status__in=["submitted", "in_review", "paused", "reviewed", "decided"]),
                name="case_late_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status not in (self.Status.REFUSED, self.Status.CONCLUDED, self.Status.READY, self.Status.DELIVERED)


class CaseNumberCounter(models.Model):
    """One row per county and day; case numbers are taken by incrementing it under a row lock.
    Keyed by the county too (issue 17): with one row per day for the deployment, every county's
    intake of a day queued on the same row lock; now a county's intake waits only for its own."""

    county = models.ForeignKey("accounts.County", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    county_lookup = "county"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["county", "day"], name="case_number_counter_county_day")]

    def __str__(self) -> str:
        return f"{self.county_id} {self.day}: {self.last}"


class CaseStep(PublicModel):
    class Status(models.TextChoices):
        WAITING = "waiting", _("未开始")
        OPEN = "open", _("办理中")
        APPROVED = "approved", _("通过")
        REJECTED = "rejected", _("不通过")
        RETURNED = "returned", _("已退回")
        CANCELLED = "cancelled", _("已取消")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps")
    route_step = models.ForeignKey(RouteStep, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    stage_order = models.PositiveSmallIntegerField(_("阶段"))
    stage_name = models.CharField(_("阶段名称"), max_length=100)
    department = models.ForeignKey(
        "accounts.OrgUnit", on_delete=models.PROTECT, related_name="case_steps", verbose_name=_("部门")
    )
    name = models.CharField(_("环节"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=StepKind.choices, default=StepKind.REVIEW)
    limit_days = models.PositiveSmallIntegerField(_("环节时限（工作日）"))
    limit_unit = models.CharField(_("时限单位"), max_length=10, choices=LimitUnit.choices, default=LimitUnit.WORKDAYS)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.WAITING, db_index=True)
    opened_on = models.DateField(_("开始日"), null=True, blank=True)
    due_on = models.DateField(_("环节期限"), null=True, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("承办人")
    )
    acted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    acted_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(_("意见"), blank=True)
    fields_to_fix = models.JSONField(_("需修改的内容"), default=list, blank=True)
    rounds = models.PositiveSmallIntegerField(default=1)

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "case__department__county"

    class Meta:
        verbose_name = _("办理环节")
        verbose_name_plural = _("办理环节")
        ordering = ["case", "stage_order", "id"]
        indexes = [models.Index(fields=["department", "status"])]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.stage_order}:{self.name}"


class SubmittedMaterial(PublicModel):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("已提交")
        ACCEPTED = "accepted", _("合格")
        FAULTY = "faulty", _("需补正")
        REPLACED = "replaced", _("已替换")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials")
    requirement = models.ForeignKey(
        "catalog.MaterialRequirement", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(_("材料名称"), max_length=200)
    storage_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=64, blank=True)
    size = models.PositiveIntegerField(default=0)
    paper = models.BooleanField(_("纸质材料已收"), default=False)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "case__department__county"

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["case", "id"]

    def __str__(self) -> str:
        return self.name


class CasePause(TimeStampedModel):
    """A period that does not count toward the clock (art. 45: hearings, inspections, expert
    review; 补正). Working days in (started_on, ended_on] are taken out."""

    class Kind(models.TextChoices):
        SUPPLEMENT = "supplement", _("补正材料")
        HEARING = "hearing", _("听证")
        EXPERT = "expert", _("专家评审")
        INSPECTION = "inspection", _("现场勘验")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="pauses")
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    reason = models.TextField(_("原因"), blank=True)
    started_on = models.DateField(_("开始"))
    ended_on = models.DateField(_("结束"), null=True, blank=True)
    items = models.JSONField(_("补正清单"), default=list, blank=True)  # for supplements: [{"name","reason"}]

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "case__department__county"

    class Meta:
        verbose_name = _("中止计时")
        verbose_name_plural = _("中止计时")
        ordering = ["case", "started_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(ended_on__isnull=True), name="one_open_pause_per_case")
        ]


class CaseExtension(TimeStampedModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveSmallIntegerField(_("延长工作日"))
    reason = models.TextField(_("理由"))
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("批准人"))

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "case__department__county"

    class Meta:
        verbose_name = _("延长期限")
        verbose_name_plural = _("延长期限")
        constraints = [models.UniqueConstraint(fields=["case"], name="one_extension_per_case")]


class ExtensionRequest(PublicModel):
    """A request to extend the decision period (行政许可法 art. 42), made by the lead department and
    approved or declined by a leader (负责人) of that department signed in as themselves: the
    approval is the leader's own act, never a name chosen by the person who asks."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待批准")
        APPROVED = "approved", _("已批准")
        DECLINED = "declined", _("未批准")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extension_requests")
    days = models.PositiveSmallIntegerField(_("延长工作日"))
    reason = models.TextField(_("理由"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("申请人")
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("批准人")
    )
    decided_at = models.DateTimeField(_("批准时间"), null=True, blank=True)
    decline_reason = models.TextField(_("不批准理由"), blank=True)

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "case__department__county"

    class Meta:
        verbose_name = _("延长期限申请")
        verbose_name_plural = _("延长期限申请")
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(status="pending"), name="one_pending_extension_request"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} +{self.days}"


class Warning(TimeStampedModel):
    class Level(models.TextChoices):
        YELLOW = "yellow", _("黄牌")
        RED = "red", _("红牌")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="warnings")
    step = models.ForeignKey(CaseStep, null=True, blank=True, on_delete=models.CASCADE, related_name="warnings")
    level = models.CharField(_("等级"), max_length=8, choices=Level.choices)
    reason = models.CharField(_("原因"), max_length=200)
    resolved_at = models.DateTimeField(null=True, blank=True)

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "case__department__county"

    class Meta:
        verbose_name = _("电子监察预警")
        verbose_name_plural = _("电子监察预警")
        ordering = ["-created_at"]
        constraints = [
            # The sweep may run twice at once; the database keeps one warning per case/step/level.
            models.UniqueConstraint(fields=["case", "level"], condition=Q(step__isnull=True), name="uniq_case_warning"),
            models.UniqueConstraint(fields=["case", "step", "level"], condition=Q(step__isnull=False), name="uniq_step_warning"),
        ]


class CaseVisit(TimeStampedModel):
    """A trip the applicant made in person for this case (一次不跑 is measured from these, F2): handing
    in the application at a window, bringing a supplement, collecting the result, or a hall ticket
    served for the case. One per case and day: a ticket served and the acceptance it led to are one
    trip. An agent's trip is not the applicant's."""

    class Kind(models.TextChoices):
        SUBMIT = "submit", _("窗口收件")
        SUPPLEMENT = "supplement", _("窗口补正")
        COLLECT = "collect", _("窗口领取")
        TICKET = "ticket", _("取号办理")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="visits")
    day = models.DateField(_("日期"))
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    ticket_uuid = models.UUIDField(_("排队号"), null=True, blank=True)

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "case__department__county"

    class Meta:
        verbose_name = _("到现场记录")
        verbose_name_plural = _("到现场记录")
        ordering = ["case", "day"]
        constraints = [models.UniqueConstraint(fields=["case", "day"], name="one_visit_per_case_day")]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.day}:{self.kind}"


class CaseEvent(models.Model):
    """The timeline. `kind` and `at` are public (progress page); `note` may hold internal detail."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    kind = models.CharField(max_length=32)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey("accounts.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "case__department__county"

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind}"


# Rollup tables live in their own module; imported here so Django registers them with the app.
from .rollup_models import CaseDay, CaseMatterMonth, CaseMatterYear, CaseMonth, CaseUnitMonth, CaseUnitYear, CaseYear  # noqa: E402,F401
