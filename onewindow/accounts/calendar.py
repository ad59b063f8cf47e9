"""A county's overrides of the national working calendar (accounts.models.CalendarOverride; issue
17: a county owns its calendar overrides; docs/tenancy.md and docs/cases.md, "Work calendar").

Entered by the county's system administrator (in the admin, which scopes the rows and the county
choice to their county) or by the province's operators for any county. Every write:

- locks the county's row first, so two writes for one county run one after the other (each counts
  the due dates on the calendar the other left, never on a stale one);
- counts the open due dates of the county's cases and steps on the calendar in force, writes the
  override, and re-adds them on the new calendar (`core.calendar_seed.prepare_recompute`, the flow
  that a replaced national year runs: each moved date audited, on the case's timeline, and the
  applicant or the step's holder told); other counties' cases are not read;
- tells the apps that plan on the county's calendar, in the same transaction, which days changed
  (the hook `accounts.county_calendar_changed`, core/hooks.py: appointments re-plans the county's
  booking slots of those days, displaces the bookings of a day that closes and tells the people
  after commit; accounts imports no app above it);
- is audited (`calendar.override_add` / `_change` / `_remove`) in the same transaction.

A day the national table does not cover is refused (`date_not_covered`), as is an override that
would change nothing (`no_change`: the day is already a working day or a rest day nationally); a
second override of the same county and day is refused by the unique constraint (`duplicate_day`).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import CharField, QuerySet, Value
from django.utils.translation import gettext_lazy as _

from onewindow.core import hooks, workdays
from onewindow.core.audit import audit
from onewindow.core.calendar_seed import prepare_recompute
from onewindow.core.errors import Conflict, PermissionDenied, ValidationFailed
from onewindow.core.parsing import clean_text

from .models import CalendarOverride, County, Role
from .tenancy import role_rows


def override_rows() -> QuerySet[Any]:
    """The hook `core.calendar_overrides` (core/workdays.py): every county's overrides, shaped as
    core reads its national table — (date, is_workday, name, source, county code) — so core reads
    both in one statement."""
    return CalendarOverride.objects.order_by().values_list(
        "date", "is_workday", "name", Value("county", output_field=CharField()), "county_id"
    )


def may_enter(actor: Any, county: County) -> bool:
    """The county's system administrators, the platform's (role at no unit) and superusers."""
    if actor is None:  # a command or the demo, acting as the platform
        return True
    if not getattr(actor, "is_authenticated", False):
        return False
    if actor.is_superuser:
        return True
    return any(
        role == Role.ADMIN and (unit_county is None or unit_county == county.pk)
        for role, _p, _pk, unit_county in role_rows(actor)
    )


def _clean(value: Any, field: str, limit: int) -> str:
    text = clean_text(value or "")
    if not text:
        raise ValidationFailed(_("必填项。"), code=f"{field}_required", fields={field: [_("必填项。")]})
    if len(text) > limit:
        raise ValidationFailed(_("内容过长。"), code="too_long", fields={field: [_("内容过长。")]})
    return text


def check_day(day: datetime.date, is_workday: bool) -> None:
    """Refuse a day the national table does not cover, and an override that changes nothing."""
    try:
        national = workdays.is_workday(day)  # national on purpose: an override differs from the nation's day
    except workdays.CalendarNotCovered:
        years = workdays.covered_years()
        raise ValidationFailed(
            _("%(day)s 不在工作日历覆盖的范围内（%(first)s–%(last)s 年），不能调整。")
            % {"day": day, "first": years[0], "last": years[-1]},
            code="date_not_covered",
            fields={"date": [_("不在工作日历覆盖的范围内。")]},
        ) from None
    if national == is_workday:
        msg = _("该日在全国工作日历中已是工作日。") if is_workday else _("该日在全国工作日历中已是休息日。")
        raise ValidationFailed(msg, code="no_change", fields={"is_workday": [msg]})


# Asked after a county's calendar changed on some days, inside the override's transaction (on the
# new calendar): `(county=<code>, dates=[date, ...], actor=...) -> int`, the number of bookings the
# change displaced. Provided by appointments (AppointmentsConfig.provides); None: nothing plans on
# the county's calendar but the due dates above.
CALENDAR_CHANGED_HOOK = "accounts.county_calendar_changed"


def _recomputed(*, county: County, day: datetime.date, change: Any, actor: Any) -> tuple[int, int]:
    """Run `change()` between counting the county's open due dates on the calendar in force and
    re-adding them on the new one, then let the apps planning on the calendar re-plan `day`.
    Returns how many due dates moved and how many bookings were displaced. Inside the caller's
    transaction, with the county's row locked."""
    workdays.invalidate()  # another process may have changed the overrides: count on the database's
    try:
        appliers = prepare_recompute(year=day.year, county=county.pk)
        change()
        workdays.invalidate()  # the dates below are counted on the new calendar
        moved: int = sum(apply(actor=actor) for apply in appliers)
        replan = hooks.provider(CALENDAR_CHANGED_HOOK)
        displaced: int = replan(county=county.pk, dates=[day], actor=actor) if replan is not None else 0
    finally:
        # The cache may hold this transaction's rows: forget them now, and again once committed
        # (or rolled back), so no process keeps a calendar the database does not hold.
        workdays.invalidate()
    transaction.on_commit(workdays.invalidate)
    return moved, displaced


def _lock_county(county: County) -> County:
    return County.objects.select_for_update().get(pk=county.pk)


def calendar_override_add(
    *, county: County, date: datetime.date, is_workday: bool, name: str, reason: str, actor: Any
) -> CalendarOverride:
    """Make `date` a working day (`is_workday`) or a rest day in `county`, with a name and the
    reason (the notice or order that decided it)."""
    if not may_enter(actor, county):
        raise PermissionDenied(code="other_county")
    name = _clean(name, "name", 64)
    reason = _clean(reason, "reason", 2000)
    check_day(date, is_workday)
    row = CalendarOverride(
        county=county,
        date=date,
        is_workday=is_workday,
        name=name,
        reason=reason,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )

    def write() -> None:
        try:
            with transaction.atomic():  # a savepoint: the refusal leaves the caller's transaction usable
                row.save(force_insert=True)
        except IntegrityError:
            raise Conflict(_("该区县在这一天已有工作日历调整，请修改原有记录。"), code="duplicate_day") from None

    with transaction.atomic():
        _lock_county(county)
        moved, displaced = _recomputed(county=county, day=date, change=write, actor=actor)
        audit(
            actor=actor,
            action="calendar.override_add",
            target=row,
            data={
                "county": county.pk,
                "date": str(date),
                "is_workday": is_workday,
                "name": name,
                "reason": reason,
                "dates_moved": moved,
                "bookings_displaced": displaced,
            },
        )
    return row


def calendar_override_change(
    *, override: CalendarOverride, is_workday: bool, name: str, reason: str, actor: Any
) -> CalendarOverride:
    """Change an override's kind, name or reason (its county and day stay: remove it and add
    another for a different day)."""
    county = override.county
    if not may_enter(actor, county):
        raise PermissionDenied(code="other_county")
    name = _clean(name, "name", 64)
    reason = _clean(reason, "reason", 2000)
    check_day(override.date, is_workday)
    with transaction.atomic():
        _lock_county(county)
        row = CalendarOverride.objects.select_for_update().get(pk=override.pk)
        before = {"is_workday": row.is_workday, "name": row.name, "reason": row.reason}

        def write() -> None:
            row.is_workday, row.name, row.reason = is_workday, name, reason
            row.save(update_fields=["is_workday", "name", "reason", "updated_at"])

        moved, displaced = _recomputed(county=county, day=row.date, change=write, actor=actor)
        after = {"is_workday": row.is_workday, "name": row.name, "reason": row.reason}
        audit(
            actor=actor,
            action="calendar.override_change",
            target=row,
            data={
                "county": county.pk,
                "date": str(row.date),
                **{k: [before[k], after[k]] for k in before if before[k] != after[k]},
                "dates_moved": moved,
                "bookings_displaced": displaced,
            },
        )
    return row


def calendar_override_remove(*, override: CalendarOverride, actor: Any) -> int:
    """Give the day back to the national calendar. Returns how many due dates moved."""
    county = override.county
    if not may_enter(actor, county):
        raise PermissionDenied(code="other_county")
    with transaction.atomic():
        _lock_county(county)
        row = CalendarOverride.objects.select_for_update().filter(pk=override.pk).first()
        if row is None:
            return 0  # removed by someone else meanwhile: nothing left to do
        data = {"override": row.pk, "county": county.pk, "date": str(row.date), "is_workday": row.is_workday, "name": row.name}
        moved, displaced = _recomputed(county=county, day=row.date, change=row.delete, actor=actor)
        # The county is the target: the override's row is gone (its id stays in the data).
        audit(
            actor=actor,
            action="calendar.override_remove",
            target=county,
            data={**data, "dates_moved": moved, "bookings_displaced": displaced},
        )
    return moved
