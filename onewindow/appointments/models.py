"""Appointments (预约), including the off-hours service (延时错时预约, F12).

A service area's weekly plan is a set of `SessionRule`s; `DateException`s close a day or add a
session. Which rules apply on a date comes from the work calendar (workday, ordinary rest day or
public holiday; a 调休 make-up workday gets the workday sessions). Sessions are cut into `Slot`
rows, materialised on demand, each with a capacity and a `booked` counter that is only ever
changed by a conditional UPDATE and is held by a CHECK constraint to booked <= capacity.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from onewindow.core.fieldcrypto.fields import BlindIndexField, EncryptedCharField, EncryptedManager
from onewindow.core.models import PublicModel, TimeStampedModel


class SessionKind(models.TextChoices):
    REGULAR = "regular", _("工作时间")
    LUNCH = "lunch", _("午间延时")
    EVENING = "evening", _("晚间延时")
    WEEKEND = "weekend", _("周末")
    HOLIDAY = "holiday", _("法定节假日")


WEEKDAY_NAMES = [_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日")]

# Sessions only matters flagged `off_hours_bookable` may use.
OFF_HOURS_KINDS = frozenset({SessionKind.LUNCH, SessionKind.EVENING, SessionKind.WEEKEND, SessionKind.HOLIDAY})
# Kinds that run on working days (incl. 调休 make-up days); the others run on rest days.
WORKDAY_KINDS = frozenset({SessionKind.REGULAR, SessionKind.LUNCH, SessionKind.EVENING})


class SessionRule(PublicModel):
    """One line of an area's weekly plan, e.g. "weekdays 09:00-12:00, 15-minute slots, 4 places"."""

    area = models.ForeignKey("hall.ServiceArea", on_delete=models.CASCADE, related_name="session_rules", verbose_name=_("服务区"))
    kind = models.CharField(_("时段类型"), max_length=10, choices=SessionKind.choices)
    # Weekday digits, Monday = 0 ("01234" = Monday to Friday). Holiday sessions ignore them.
    weekdays = models.CharField(_("适用星期"), max_length=7, default="0123456")
    start = models.TimeField(_("开始"))
    end = models.TimeField(_("结束"))
    slot_minutes = models.PositiveSmallIntegerField(_("每段分钟数"), default=30)
    capacity = models.PositiveSmallIntegerField(_("每段名额"), default=4)
    is_active = models.BooleanField(_("启用"), default=True)

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "area__point__org_unit__county"

    class Meta:
        verbose_name = _("预约时段规则")
        verbose_name_plural = _("预约时段规则")
        ordering = ["area", "kind", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="appt_rule_end_after_start"),
            models.CheckConstraint(condition=Q(slot_minutes__gte=5), name="appt_rule_slot_min_5"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="appt_rule_capacity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.get_kind_display()} {self.start:%H:%M}-{self.end:%H:%M}"

    @property
    def is_off_hours(self) -> bool:
        return self.kind in OFF_HOURS_KINDS

    @property
    def weekday_names(self) -> str:
        if self.kind == SessionKind.HOLIDAY:
            return str(_("法定节假日"))
        # The list separator is language-dependent: "、" in Chinese, ", " in English.
        return str(_("、")).join(str(WEEKDAY_NAMES[int(d)]) for d in self.weekdays if d.isdigit() and int(d) < 7)


class DateException(PublicModel):
    """A date that differs from the weekly plan: the area is closed, or runs an extra session."""

    class Kind(models.TextChoices):
        CLOSED = "closed", _("闭厅")
        EXTRA = "extra", _("加开时段")

    area = models.ForeignKey(
        "hall.ServiceArea", on_delete=models.CASCADE, related_name="date_exceptions", verbose_name=_("服务区")
    )
    date = models.DateField(_("日期"))
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    session_kind = models.CharField(_("时段类型"), max_length=10, choices=SessionKind.choices, blank=True)
    start = models.TimeField(_("开始"), null=True, blank=True)
    end = models.TimeField(_("结束"), null=True, blank=True)
    slot_minutes = models.PositiveSmallIntegerField(_("每段分钟数"), default=30)
    capacity = models.PositiveSmallIntegerField(_("每段名额"), default=4)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "area__point__org_unit__county"

    class Meta:
        verbose_name = _("预约例外日期")
        verbose_name_plural = _("预约例外日期")
        ordering = ["area", "date", "start"]
        constraints = [
            models.UniqueConstraint(fields=["area", "date"], condition=Q(kind="closed"), name="appt_one_closure_per_day"),
            models.CheckConstraint(
                condition=Q(kind="closed") | (Q(start__isnull=False) & Q(end__gt=F("start")) & ~Q(session_kind="")),
                name="appt_extra_session_has_times",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.date} {self.get_kind_display()}"


class MatterBookingRule(TimeStampedModel):
    """Booking settings of a matter: how many consecutive slots one booking of it takes."""

    matter = models.OneToOneField("catalog.Matter", on_delete=models.CASCADE, related_name="booking_rule", verbose_name=_("事项"))
    slot_units = models.PositiveSmallIntegerField(_("占用时段数"), default=1)

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "matter__department__county"

    class Meta:
        verbose_name = _("事项预约设置")
        verbose_name_plural = _("事项预约设置")
        constraints = [models.CheckConstraint(condition=Q(slot_units__gte=1) & Q(slot_units__lte=4), name="appt_units_1_to_4")]

    def __str__(self) -> str:
        return f"{self.matter_id}: {self.slot_units}"


class Slot(models.Model):
    """A bookable time range of an area. `booked` is changed only by conditional UPDATEs."""

    area = models.ForeignKey("hall.ServiceArea", on_delete=models.CASCADE, related_name="slots", verbose_name=_("服务区"))
    date = models.DateField(_("日期"))
    kind = models.CharField(_("时段类型"), max_length=10, choices=SessionKind.choices)
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    # Slots of one session share a key, so a longer booking takes consecutive slots of one session.
    session_key = models.CharField(max_length=40)
    capacity = models.PositiveSmallIntegerField(_("名额"))
    booked = models.PositiveSmallIntegerField(_("已约"), default=0)
    # False when a plan change or a closure removed the slot; kept while bookings still hold it.
    is_open = models.BooleanField(_("开放"), default=True)

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "area__point__org_unit__county"

    class Meta:
        verbose_name = _("预约时段")
        verbose_name_plural = _("预约时段")
        ordering = ["area", "starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["area", "starts_at"], name="appt_one_slot_per_area_start"),
            models.CheckConstraint(condition=Q(booked__lte=F("capacity")), name="appt_slot_not_overbooked"),
            models.CheckConstraint(condition=Q(booked__gte=0), name="appt_slot_booked_nonnegative"),
        ]
        indexes = [models.Index(fields=["area", "date"]), models.Index(fields=["date", "kind"])]

    def __str__(self) -> str:
        return f"{self.area_id} {self.starts_at:%Y-%m-%d %H:%M} {self.booked}/{self.capacity}"

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.booked) if self.is_open else 0

    @property
    def is_off_hours(self) -> bool:
        return self.kind in OFF_HOURS_KINDS


class SlotDay(models.Model):
    """Marks an area's day whose slots were materialised from the plan, so availability reads
    skip recomputing it. Plan changes and date exceptions drop the area's future marks."""

    area = models.ForeignKey("hall.ServiceArea", on_delete=models.CASCADE, related_name="+")
    date = models.DateField()

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "area__point__org_unit__county"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["area", "date"], name="appt_slotday_once")]

    def __str__(self) -> str:
        return f"{self.area_id} {self.date}"


class Booking(PublicModel):
    class Status(models.TextChoices):
        BOOKED = "booked", _("已预约")
        CHECKED_IN = "checked_in", _("已签到")
        CANCELLED = "cancelled", _("已取消")
        NO_SHOW = "no_show", _("爽约")

    class Channel(models.TextChoices):
        WEB = "web", _("网站")
        PHONE = "phone", _("手机")
        COUNTER = "counter", _("窗口代约")
        CALL = "call", _("电话预约")
        AGENT = "agent", _("村级代办")

    code = models.CharField(_("预约码"), max_length=12, unique=True)
    matter = models.ForeignKey("catalog.Matter", on_delete=models.PROTECT, related_name="bookings", verbose_name=_("事项"))
    area = models.ForeignKey("hall.ServiceArea", on_delete=models.PROTECT, related_name="bookings", verbose_name=_("服务区"))
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("时段"))
    slot_units = models.PositiveSmallIntegerField(_("占用时段数"), default=1)
    # Denormalised from the slot(s), so lists and figures need no join.
    starts_at = models.DateTimeField(_("开始"), db_index=True)
    ends_at = models.DateTimeField(_("结束"))
    session_kind = models.CharField(_("时段类型"), max_length=10, choices=SessionKind.choices)
    is_off_hours = models.BooleanField(_("延时错时"), default=False, db_index=True)

    # The person served. The per-person limits are bound to this verified identity number.
    id_number = EncryptedCharField(_("证件号码"), max_length=18, index_field="id_number_hash")
    id_number_hash = BlindIndexField(source="id_number", db_index=True)
    person_name = models.CharField(_("姓名"), max_length=64)
    phone = EncryptedCharField(_("手机号"), max_length=20, blank=True, index_field="phone_hash")
    phone_hash = BlindIndexField(source="phone")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="bookings",
        verbose_name=_("预约人账号"),
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("经办人")
    )
    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices)
    # A village agent booking for a resident they represent: the agent and their village.
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agent_bookings",
        verbose_name=_("代办员"),
    )
    agent_unit = models.ForeignKey(
        "accounts.OrgUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("代办点")
    )

    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.BOOKED)
    reschedule_count = models.PositiveSmallIntegerField(_("改约次数"), default=0)
    # Set when a plan change or closure removed the booking's slot: the person was told to rebook.
    displaced_at = models.DateTimeField(_("受计划调整影响"), null=True, blank=True)
    day_reminder_at = models.DateTimeField(_("前一天提醒"), null=True, blank=True)
    hour_reminder_at = models.DateTimeField(_("提前一小时提醒"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checked_in_late = models.BooleanField(_("迟到"), default=False)
    ticket_uuid = models.UUIDField(_("排队号"), null=True, blank=True)
    ticket_number = models.CharField(_("排队号码"), max_length=16, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    no_show_at = models.DateTimeField(_("爽约时间"), null=True, blank=True)

    objects = EncryptedManager()

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "area__point__org_unit__county"

    class Meta:
        verbose_name = _("预约")
        verbose_name_plural = _("预约")
        ordering = ["-starts_at"]
        constraints = [
            # Against ticket scalpers (号贩子): one active booking per person and matter.
            models.UniqueConstraint(
                fields=["id_number_hash", "matter"], condition=Q(status="booked"), name="appt_one_active_per_person_matter"
            ),
            models.CheckConstraint(condition=Q(slot_units__gte=1), name="appt_booking_units_positive"),
            models.CheckConstraint(
                condition=~Q(channel="agent") | (Q(agent__isnull=False) & Q(agent_unit__isnull=False)),
                name="appt_agent_booking_names_agent",
            ),
        ]
        indexes = [
            models.Index(fields=["area", "starts_at"]),
            models.Index(fields=["status", "starts_at"]),
        ]

    def __str__(self) -> str:
        return self.code


class BookingSlot(models.Model):
    """The slots a booking holds (more than one for a matter that needs a longer slot)."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="held")
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="held_by")

    # The way to its county (core/tenancy.py, docs/tenancy.md).
    county_lookup = "booking__area__point__org_unit__county"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["booking", "slot"], name="appt_booking_slot_once")]

    def __str__(self) -> str:
        return f"{self.booking_id}:{self.slot_id}"


class WeeklyQuota(models.Model):
    """Bookings counted against one person in one ISO week (booked, checked in and no-shows).

    A counter row changed by a conditional UPDATE (count < limit), so two concurrent bookings by the
    same person cannot both pass the limit.
    """

    id_number = EncryptedCharField(max_length=18, index_field="id_number_hash")
    id_number_hash = BlindIndexField(source="id_number")
    week_start = models.DateField()
    count = models.PositiveSmallIntegerField(default=0)

    objects = EncryptedManager()

    class Meta:
        verbose_name = _("每周预约计数")
        verbose_name_plural = _("每周预约计数")
        constraints = [
            models.UniqueConstraint(fields=["id_number_hash", "week_start"], name="appt_quota_one_row"),
            models.CheckConstraint(condition=Q(count__gte=0), name="appt_quota_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"{self.week_start} {self.count}"


class CountyPolicy(TimeStampedModel):
    """A county's own booking policy (issue 17: a county owns its settings). A blank field keeps
    the deployment's value (settings.ONEWINDOW_APPOINTMENTS, else appointments.policy.Policy). The
    weekly limit per person is not here: it is the province's (a person books in every county).
    Written through appointments.county_policy (validated, audited); read through policy(county)."""

    county = models.OneToOneField(
        "accounts.County", on_delete=models.CASCADE, primary_key=True, related_name="+", verbose_name=_("区县")
    )
    min_notice_minutes = models.PositiveIntegerField(
        _("最少提前预约（分钟）"), null=True, blank=True, validators=[MaxValueValidator(7 * 24 * 60)]
    )
    # At most 62: the public API's range of days (api/public.py) starts from today.
    max_days_ahead = models.PositiveSmallIntegerField(
        _("最多提前预约（天）"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(62)]
    )
    change_cutoff_minutes = models.PositiveIntegerField(
        _("取消、改约截止（开始前分钟）"), null=True, blank=True, validators=[MaxValueValidator(2 * 24 * 60)]
    )
    reschedule_limit = models.PositiveSmallIntegerField(
        _("改约次数上限"), null=True, blank=True, validators=[MaxValueValidator(10)]
    )
    checkin_early_minutes = models.PositiveSmallIntegerField(
        _("最早签到（开始前分钟）"), null=True, blank=True, validators=[MaxValueValidator(240)]
    )
    checkin_late_minutes = models.PositiveSmallIntegerField(
        _("迟到容忍（开始后分钟）"), null=True, blank=True, validators=[MaxValueValidator(240)]
    )
    link_max_age_days = models.PositiveSmallIntegerField(
        _("管理链接有效期（天）"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )

    county_lookup = "county"

    class Meta:
        verbose_name = _("区县预约规则")
        verbose_name_plural = _("区县预约规则")

    def __str__(self) -> str:
        return str(self.county)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from .policy import deployment_policy

        base = deployment_policy()
        days = self.max_days_ahead if self.max_days_ahead is not None else base.max_days_ahead
        link = self.link_max_age_days if self.link_max_age_days is not None else base.link_max_age_days
        notice = self.min_notice_minutes if self.min_notice_minutes is not None else base.min_notice_minutes
        errors: dict[str, Any] = {}
        if not 1 <= days <= 62:
            return  # the field's own bound reports it; the comparisons below would only repeat it
        if link < days:  # a link sent at booking must still work on the day of the booking
            errors["link_max_age_days"] = _("管理链接有效期不能短于最多提前预约的天数。")
        if notice >= days * 24 * 60:
            errors["min_notice_minutes"] = _("最少提前预约时间必须短于最多提前预约的天数。")
        if errors:
            raise ValidationError(errors)
