from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from onewindow.core.fieldcrypto.fields import BlindIndexField, EncryptedCharField, EncryptedManager
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
    # Share of tickets called within this many minutes is the service level (an area may override).
    service_level_minutes = models.PositiveSmallIntegerField(_("服务水平（分钟）"), default=15)
    # A called ticket may be marked no-show only after this many recalls.
    max_recalls = models.PositiveSmallIntegerField(_("过号前重呼次数"), default=2)
    # Kiosk devices authenticate to the take-ticket API with this token (header X-Kiosk-Token).
    kiosk_token = models.CharField(_("取号机令牌"), max_length=64, blank=True)

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "org_unit__county"

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
    # None: the point's service level applies.
    service_level_minutes = models.PositiveSmallIntegerField(_("服务水平（分钟）"), null=True, blank=True)
    require_id_number = models.BooleanField(_("凭身份证取号"), default=False)
    # 0 = no limit. Counted per ID number, area and business day.
    per_person_daily_limit = models.PositiveSmallIntegerField(_("每人每日取号上限"), default=0)
    # Used for the estimated wait until the day has its own finished tickets to learn from.
    default_service_minutes = models.PositiveSmallIntegerField(_("预计每人办理时长（分钟）"), default=8)

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "point__org_unit__county"

    class Meta:
        verbose_name = _("服务区")
        verbose_name_plural = _("服务区")
        ordering = ["point", "sort_order", "code"]
        constraints = [models.UniqueConstraint(fields=["point", "ticket_prefix"], name="uniq_area_prefix_per_point")]

    def __str__(self) -> str:
        return self.name

    @property
    def effective_service_level(self) -> int:
        return self.service_level_minutes or self.point.service_level_minutes


class Window(PublicModel):
    """A front-desk window. It serves one or more areas, each with a priority."""

    point = models.ForeignKey(ServicePoint, on_delete=models.PROTECT, related_name="windows", verbose_name=_("服务场所"))
    number = models.PositiveIntegerField(_("窗口号"))
    name = models.CharField(_("名称"), max_length=100, blank=True)
    areas: models.ManyToManyField[ServiceArea, WindowArea] = models.ManyToManyField(
        ServiceArea, through="WindowArea", related_name="windows", verbose_name=_("服务区")
    )
    is_active = models.BooleanField(_("启用"), default=True)

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "point__org_unit__county"

    class Meta:
        verbose_name = _("窗口")
        verbose_name_plural = _("窗口")
        ordering = ["point", "number"]
        constraints = [models.UniqueConstraint(fields=["point", "number"], name="uniq_window_number_per_point")]

    def __str__(self) -> str:
        return str(_("%(n)s号窗口") % {"n": self.number})


class WindowArea(TimeStampedModel):
    window = models.ForeignKey(Window, on_delete=models.CASCADE)
    area = models.ForeignKey(ServiceArea, on_delete=models.CASCADE)
    # Lower is served first when the window calls the next ticket across its areas.
    priority = models.PositiveSmallIntegerField(_("优先级"), default=1)

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "window__point__org_unit__county"

    class Meta:
        verbose_name = _("窗口服务区")
        verbose_name_plural = _("窗口服务区")
        constraints = [models.UniqueConstraint(fields=["window", "area"], name="uniq_window_area")]


class AreaDayCounter(models.Model):
    """The per-area daily ticket counter. Advanced by one conditional upsert
    (`INSERT ... ON CONFLICT DO UPDATE SET n = n + 1 WHERE n < cap RETURNING n`) so the number and
    the daily cap are decided by the database in one statement, never by Python holding a lock."""

    area = models.ForeignKey(ServiceArea, on_delete=models.CASCADE, related_name="+")
    business_date = models.DateField()
    n = models.PositiveIntegerField(default=0)

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "area__point__org_unit__county"

    class Meta:
        verbose_name = _("每日取号计数")
        verbose_name_plural = _("每日取号计数")
        constraints = [models.UniqueConstraint(fields=["area", "business_date"], name="uniq_area_day_counter")]

    def __str__(self) -> str:
        return f"{self.area_id} {self.business_date}: {self.n}"


class PersonDayCounter(models.Model):
    """Tickets taken per person (keyed by a keyed hash of the ID number) per area and day, for the
    hall's per-person limit; advanced by the same kind of conditional upsert."""

    area = models.ForeignKey(ServiceArea, on_delete=models.CASCADE, related_name="+")
    business_date = models.DateField()
    person_key = models.CharField(max_length=64)
    n = models.PositiveIntegerField(default=0)

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "area__point__org_unit__county"

    class Meta:
        verbose_name = _("每人每日取号计数")
        verbose_name_plural = _("每人每日取号计数")
        constraints = [models.UniqueConstraint(fields=["area", "business_date", "person_key"], name="uniq_person_day_counter")]

    def __str__(self) -> str:
        return f"{self.area_id} {self.business_date}: {self.n}"


class Ticket(PublicModel):
    """A queue number (取号). Its state changes are all recorded as TicketEvent rows."""

    class Source(models.TextChoices):
        KIOSK = "kiosk", _("自助取号机")
        PHONE = "phone", _("手机远程取号")
        APPOINTMENT = "appointment", _("预约签到")
        CLERK = "clerk", _("窗口代取")

    class Priority(models.TextChoices):
        APPOINTMENT = "appointment", _("预约优先")
        GREEN = "green", _("绿色通道")
        NORMAL = "normal", _("普通")

    class Status(models.TextChoices):
        WAITING = "waiting", _("等候中")
        CALLED = "called", _("已叫号")
        SERVING = "serving", _("办理中")
        ON_HOLD = "on_hold", _("暂停")
        FINISHED = "finished", _("已办结")
        NO_SHOW = "no_show", _("过号")
        ABANDONED = "abandoned", _("已作废")

    OPEN_STATUSES = ("waiting", "called", "serving", "on_hold")

    # The area the ticket waits in now (a transfer changes it) and the area whose counter gave the number.
    area = models.ForeignKey(
        ServiceArea, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("服务区"), db_index=False
    )
    issue_area = models.ForeignKey(
        ServiceArea, on_delete=models.PROTECT, related_name="+", verbose_name=_("取号服务区"), db_index=False
    )
    point = models.ForeignKey(
        ServicePoint, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("服务场所"), db_index=False
    )
    business_date = models.DateField(_("业务日期"))
    seq = models.PositiveIntegerField(_("序号"))
    number = models.CharField(_("号码"), max_length=8)
    source = models.CharField(_("取号方式"), max_length=12, choices=Source.choices)
    priority = models.CharField(_("优先级"), max_length=12, choices=Priority.choices, default=Priority.NORMAL)
    # 0 = transferred to the front of the line, 1 = appointment, 2 = green channel, 3 = arrival order.
    priority_rank = models.PositiveSmallIntegerField(default=3)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.WAITING)
    issued_at = models.DateTimeField(_("取号时间"))
    # Place in line; equals issued_at unless the ticket was transferred to the end of another line.
    queue_at = models.DateTimeField()
    id_number = EncryptedCharField(_("证件号码"), max_length=18, blank=True, index_field="id_number_hash")
    id_number_hash = BlindIndexField(source="id_number")
    phone = EncryptedCharField(_("手机号"), max_length=20, blank=True, index_field="phone_hash")
    phone_hash = BlindIndexField(source="phone")
    booking_ref = models.CharField(_("预约编号"), max_length=40, blank=True)
    # Asked for the green channel at a kiosk: waits in the normal line until staff see the person
    # and confirm (hall.kiosk.green_confirm). db_default: the raw INSERTs of the hot path omit it.
    green_requested = models.BooleanField(_("申请绿色通道"), default=False, db_default=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("取号人"),
        db_index=False,
    )
    # Only this window may call the ticket (set by a transfer to a specific window).
    target_window = models.ForeignKey(
        Window, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("指定窗口"), db_index=False
    )
    window = models.ForeignKey(
        Window, null=True, blank=True, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("办理窗口")
    )
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("办理人员"),
        db_index=False,
    )
    called_at = models.DateTimeField(_("叫号时间"), null=True, blank=True)
    started_at = models.DateTimeField(_("开始办理时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    call_count = models.PositiveSmallIntegerField(_("呼叫次数"), default=0)

    objects = EncryptedManager()

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "point__org_unit__county"

    class Meta:
        verbose_name = _("排队号")
        verbose_name_plural = _("排队号")
        ordering = ["business_date", "priority_rank", "queue_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["issue_area", "business_date", "seq"], name="uniq_ticket_seq_per_area_day"),
            models.UniqueConstraint(fields=["issue_area", "business_date", "number"], name="uniq_ticket_number_per_area_day"),
            # One current ticket per window: a window never holds two called/serving tickets.
            models.UniqueConstraint(
                fields=["window"], condition=Q(status__in=["called", "serving"]), name="uniq_current_ticket_per_window"
            ),
        ]
        indexes = [
            # call_next reads one area's line in this order and stops at the first row.
            models.Index(
                fields=["area", "status", "business_date", "priority_rank", "queue_at", "id"], name="hall_ticket_queue_idx"
            ),
            models.Index(fields=["point", "business_date", "status"], name="hall_ticket_point_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.business_date})"


class TicketEvent(models.Model):
    """The ticket log: who did what to which ticket, when. It is the audit record of tickets and the
    only source of the hall's figures (waiting, service time, service level, no-shows)."""

    class Kind(models.TextChoices):
        ISSUED = "issued", pgettext_lazy("ticket event", "取号")
        CALLED = "called", pgettext_lazy("ticket event", "叫号")
        RECALLED = "recalled", pgettext_lazy("ticket event", "重呼")
        STARTED = "started", pgettext_lazy("ticket event", "开始办理")
        TRANSFERRED = "transferred", pgettext_lazy("ticket event", "转窗")
        HELD = "held", pgettext_lazy("ticket event", "暂停")
        RESUMED = "resumed", pgettext_lazy("ticket event", "恢复")
        FINISHED = "finished", pgettext_lazy("ticket event", "办结")
        NO_SHOW = "no_show", pgettext_lazy("ticket event", "过号")
        ABANDONED = "abandoned", pgettext_lazy("ticket event", "作废")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events", verbose_name=_("排队号"))
    kind = models.CharField(_("事件"), max_length=12, choices=Kind.choices)
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("操作人"),
        db_index=False,
    )
    window = models.ForeignKey(
        Window, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("窗口"), db_index=False
    )
    area = models.ForeignKey(ServiceArea, on_delete=models.PROTECT, related_name="+", verbose_name=_("服务区"), db_index=False)
    point = models.ForeignKey(
        ServicePoint, on_delete=models.PROTECT, related_name="+", verbose_name=_("服务场所"), db_index=False
    )
    business_date = models.DateField(_("业务日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "point__org_unit__county"

    class Meta:
        verbose_name = _("排队事件")
        verbose_name_plural = _("排队事件")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["point", "business_date", "kind"], name="hall_event_point_day_idx"),
            models.Index(fields=["point", "id"], name="hall_event_point_id_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.ticket_id} {self.at:%H:%M:%S}"


class WindowSession(PublicModel):
    """A staff member signed in to a window for a shift."""

    window = models.ForeignKey(Window, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("窗口"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="window_sessions", verbose_name=_("工作人员")
    )
    started_at = models.DateTimeField(_("签到时间"))
    ended_at = models.DateTimeField(_("签退时间"), null=True, blank=True)

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "window__point__org_unit__county"

    class Meta:
        verbose_name = _("窗口值班")
        verbose_name_plural = _("窗口值班")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(fields=["window"], condition=Q(ended_at__isnull=True), name="uniq_open_session_per_window"),
            models.UniqueConstraint(fields=["user"], condition=Q(ended_at__isnull=True), name="uniq_open_session_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.window}"


# Rollup tables live in their own module; imported here so Django registers them with the app.
from .rollup_models import HallDay, HallMonth, HallWindowDay, HallWindowMonth  # noqa: E402,F401
