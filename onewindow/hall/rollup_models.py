"""The hall's rollups: ticket figures per business day (and month), service area and hour of
issue, and finished tickets per day (and month), window and clerk. Kept by `hall.rollups`; read by
`hall.stats`. Plain integer ids, not foreign keys: a rollup row is a number about a thing, and
must neither block deleting nor cost a constraint check on every insert."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.core.tenancy import Via

# A row's county: its service point's unit's (core.tenancy.for_county; docs/tenancy.md).
BY_POINT = Via("point_id", "hall.ServicePoint", "org_unit__county")


class HallCounts(models.Model):
    point_id = models.IntegerField()
    area_id = models.IntegerField()
    hour = models.SmallIntegerField()  # local hour the ticket was issued
    issued = models.IntegerField(default=0)
    called = models.IntegerField(default=0)
    finished = models.IntegerField(default=0)
    no_show = models.IntegerField(default=0)
    abandoned = models.IntegerField(default=0)
    # Milliseconds, so sums are exact integers and a recount gives the very same rows.
    wait_ms = models.BigIntegerField(default=0)
    wait_n = models.IntegerField(default=0)
    service_ms = models.BigIntegerField(default=0)
    service_n = models.IntegerField(default=0)
    judged = models.IntegerField(default=0)  # called, or abandoned while waiting
    within = models.IntegerField(default=0)  # first called within the area's service level

    county_lookup = BY_POINT

    class Meta:
        abstract = True


COUNT_FIELDS = [f.name for f in HallCounts._meta.fields if f.name not in ("id", "point_id", "area_id", "hour")]


class HallDay(HallCounts):
    business_date = models.DateField()

    class Meta:
        verbose_name = _("大厅日汇总")
        verbose_name_plural = _("大厅日汇总")
        constraints = [models.UniqueConstraint(fields=["business_date", "area_id", "hour"], name="uniq_hall_day")]
        indexes = [
            models.Index(fields=["point_id", "business_date"], name="hall_day_point_idx"),
            # Covering (PostgreSQL; SQLite keeps only the key): the days at either end of a long
            # period, and a short period whole, are read from the index alone (a day's rows are
            # rewritten wherever there is room, so reading them from the table costs a page per row).
            models.Index(
                fields=["business_date"], include=["point_id", "area_id", "hour", *COUNT_FIELDS], name="hall_day_cover_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.business_date} {self.area_id}"


class HallMonth(HallCounts):
    month = models.DateField()  # the first day of the month

    class Meta:
        verbose_name = _("大厅月汇总")
        verbose_name_plural = _("大厅月汇总")
        constraints = [models.UniqueConstraint(fields=["month", "area_id", "hour"], name="uniq_hall_month")]

    def __str__(self) -> str:
        return f"{self.month} {self.area_id}"


class HallWindowDay(models.Model):
    business_date = models.DateField()
    point_id = models.IntegerField()
    window_id = models.IntegerField()
    clerk_id = models.IntegerField()  # 0: finished without a signed-in clerk
    finished = models.IntegerField(default=0)

    county_lookup = BY_POINT

    class Meta:
        verbose_name = _("窗口日汇总")
        verbose_name_plural = _("窗口日汇总")
        constraints = [models.UniqueConstraint(fields=["business_date", "window_id", "clerk_id"], name="uniq_hall_window_day")]
        indexes = [models.Index(fields=["point_id", "business_date"], name="hall_window_day_point_idx")]

    def __str__(self) -> str:
        return f"{self.business_date} {self.window_id}"


class HallWindowMonth(models.Model):
    """HallWindowDay's rows of a month added up: a long period reads a month's row per window and
    clerk instead of one per working day."""

    month = models.DateField()  # the first day of the month
    point_id = models.IntegerField()
    window_id = models.IntegerField()
    clerk_id = models.IntegerField()
    finished = models.IntegerField(default=0)

    county_lookup = BY_POINT

    class Meta:
        verbose_name = _("窗口月汇总")
        verbose_name_plural = _("窗口月汇总")
        constraints = [models.UniqueConstraint(fields=["month", "window_id", "clerk_id"], name="uniq_hall_window_month")]
        indexes = [models.Index(fields=["point_id", "month"], name="hall_window_month_point_idx")]

    def __str__(self) -> str:
        return f"{self.month} {self.window_id}"
