"""The cases' rollups: per day the application was received (and per month) × lead department ×
township × matter or bundle × channel, and per year (whole-history views read a few years' rows
instead of every month's). Every figure of a case is counted on the day it was
received (a cohort), so a case touches one row however long it runs. Kept by `cases.rollups`,
read by `cases.stats`. Plain integer ids, not foreign keys (see hall.rollup_models).

Coarser copies of the month and year rows drop dimensions a view does not need, so that a long
period reads a few thousand rows instead of a hundred thousand: per unit (department × township ×
channel, no matter: the district's totals, the unit and channel breakdowns, the monthly trend) and
per matter (department × matter or bundle, no township or channel: the matter breakdown). Each is
the same sums grouped by fewer columns, re-added from the day rows whenever a month is recounted;
`cases.figures.cube` picks the smallest that has every column a read filters or groups by."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.core.tenancy import Via

# A row's county: its deciding unit's (a department, or a township for a delegated matter), as a
# case's (core.tenancy.for_county; docs/tenancy.md).
BY_UNIT = Via("department_id", "accounts.OrgUnit", "county")


class Measures(models.Model):
    received = models.IntegerField(default=0)
    joint = models.IntegerField(default=0)  # received for a bundle (一件事): the unit rows have no bundle column
    accepted = models.IntegerField(default=0)
    refused = models.IntegerField(default=0)
    supplemented = models.IntegerField(default=0)
    concluded = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)
    timed = models.IntegerField(default=0)  # concluded cases whose working days are known
    workdays = models.IntegerField(default=0)  # working days taken, pauses left out
    committed = models.IntegerField(default=0)  # their committed limits (working days)
    statutory = models.IntegerField(default=0)  # their statutory limits
    joint_saved = models.IntegerField(default=0)  # working days saved by parallel steps
    approved = models.IntegerField(default=0)
    denied = models.IntegerField(default=0)
    # 一次不跑 (F2): of these applications, the finished ones (delivered, or refused at intake), those
    # finished with no trip in person, with at most one, and their trips (`CaseVisit`) in all.
    done = models.IntegerField(default=0)
    zero_trips = models.IntegerField(default=0)
    one_trip = models.IntegerField(default=0)
    trips = models.IntegerField(default=0)

    class Meta:
        abstract = True


class CaseCounts(Measures):
    county_lookup = BY_UNIT
    department_id = models.IntegerField()
    township_id = models.IntegerField()  # 0: handled at district level
    matter_id = models.IntegerField()  # 0 for a bundle (一件事)
    bundle_id = models.IntegerField()  # 0 for a single matter
    channel = models.CharField(max_length=12)

    class Meta:
        abstract = True


DIMENSIONS = ["department_id", "township_id", "matter_id", "bundle_id", "channel"]
MEASURE_FIELDS = [f.name for f in Measures._meta.fields if f.name != "id"]
UNIT_DIMENSIONS = ["department_id", "township_id", "channel"]
MATTER_DIMENSIONS = ["department_id", "matter_id", "bundle_id"]


class UnitCounts(Measures):
    county_lookup = BY_UNIT
    department_id = models.IntegerField()
    township_id = models.IntegerField()
    channel = models.CharField(max_length=12)

    class Meta:
        abstract = True


class MatterCounts(Measures):
    county_lookup = BY_UNIT
    department_id = models.IntegerField()
    matter_id = models.IntegerField()
    bundle_id = models.IntegerField()

    class Meta:
        abstract = True


class CaseDay(CaseCounts):
    day = models.DateField()

    class Meta:
        verbose_name = _("办件日汇总")
        verbose_name_plural = _("办件日汇总")
        constraints = [models.UniqueConstraint(fields=["day", *DIMENSIONS], name="uniq_case_day")]
        indexes = [
            # Covering (PostgreSQL; SQLite keeps only the key): the days at either end of a period
            # (core.rollups.summed) are read from the index alone. A day's rows lie all over the
            # table (a refresh rewrites a past day whenever one of its cases moves on), so reading
            # them from the table cost a page per row: odd dates at 1,000,000 cases, 8,400 pages
            # and 94 ms for the unit breakdown, 340 pages and 14 ms with the index.
            models.Index(fields=["day"], include=[*DIMENSIONS, *MEASURE_FIELDS], name="case_day_cover_idx"),
            models.Index(fields=["department_id", "day"], name="case_day_dept_idx"),
            models.Index(fields=["township_id", "day"], name="case_day_township_idx"),
            models.Index(fields=["matter_id", "day"], name="case_day_matter_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.department_id}"


class CaseMonth(CaseCounts):
    month = models.DateField()  # the first day of the month

    class Meta:
        verbose_name = _("办件月汇总")
        verbose_name_plural = _("办件月汇总")
        constraints = [models.UniqueConstraint(fields=["month", *DIMENSIONS], name="uniq_case_month")]
        indexes = [
            models.Index(fields=["department_id", "month"], name="case_month_dept_idx"),
            models.Index(fields=["township_id", "month"], name="case_month_township_idx"),
            models.Index(fields=["matter_id", "month"], name="case_month_matter_idx"),
            # The agents' cases per matter (assistance.stats): one channel's rows, from the index
            # alone (covering on PostgreSQL).
            models.Index(fields=["channel", "month"], include=["matter_id", "received"], name="case_month_channel_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.month} {self.department_id}"


class CaseYear(CaseCounts):
    year = models.DateField()  # 1 January of the year

    class Meta:
        verbose_name = _("办件年汇总")
        verbose_name_plural = _("办件年汇总")
        constraints = [models.UniqueConstraint(fields=["year", *DIMENSIONS], name="uniq_case_year")]
        indexes = [
            models.Index(fields=["department_id", "year"], name="case_year_dept_idx"),
            models.Index(fields=["township_id", "year"], name="case_year_township_idx"),
            models.Index(fields=["matter_id", "year"], name="case_year_matter_idx"),
            models.Index(fields=["channel", "year"], include=["matter_id", "received"], name="case_year_channel_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.year:%Y} {self.department_id}"


class CaseUnitMonth(UnitCounts):
    month = models.DateField()

    class Meta:
        verbose_name = _("办件月汇总（按单位）")
        verbose_name_plural = _("办件月汇总（按单位）")
        constraints = [models.UniqueConstraint(fields=["month", *UNIT_DIMENSIONS], name="uniq_case_unit_month")]

    def __str__(self) -> str:
        return f"{self.month} {self.department_id}"


class CaseUnitYear(UnitCounts):
    year = models.DateField()

    class Meta:
        verbose_name = _("办件年汇总（按单位）")
        verbose_name_plural = _("办件年汇总（按单位）")
        constraints = [models.UniqueConstraint(fields=["year", *UNIT_DIMENSIONS], name="uniq_case_unit_year")]

    def __str__(self) -> str:
        return f"{self.year:%Y} {self.department_id}"


class CaseMatterMonth(MatterCounts):
    month = models.DateField()

    class Meta:
        verbose_name = _("办件月汇总（按事项）")
        verbose_name_plural = _("办件月汇总（按事项）")
        constraints = [models.UniqueConstraint(fields=["month", *MATTER_DIMENSIONS], name="uniq_case_matter_month")]
        indexes = [models.Index(fields=["matter_id", "month"], name="case_matter_month_matter_idx")]

    def __str__(self) -> str:
        return f"{self.month} {self.matter_id}"


class CaseMatterYear(MatterCounts):
    year = models.DateField()

    class Meta:
        verbose_name = _("办件年汇总（按事项）")
        verbose_name_plural = _("办件年汇总（按事项）")
        constraints = [models.UniqueConstraint(fields=["year", *MATTER_DIMENSIONS], name="uniq_case_matter_year")]
        indexes = [models.Index(fields=["matter_id", "year"], name="case_matter_year_matter_idx")]

    def __str__(self) -> str:
        return f"{self.year:%Y} {self.matter_id}"
