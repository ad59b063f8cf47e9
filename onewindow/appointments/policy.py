"""Booking policy: the platform's defaults (Policy), the deployment's overrides (settings
ONEWINDOW_APPOINTMENTS = {...}) and a county's own values (appointments.models.CountyPolicy; issue 17:
a county owns its settings).

`policy(county)` takes the county of the thing asked about: a booking's or a slot's hall (area →
point → unit → county, `area_county`). The weekly limit per person (against ticket scalpers) is not
a county's: a person is province-wide and their bookings in every county's halls count against one
limit (appointments.WeeklyQuota), so only the deployment sets it."""

from __future__ import annotations

import time
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from onewindow.hall.models import ServiceArea


@dataclass(frozen=True)
class Policy:
    min_notice_minutes: int = 60  # book at least this long before the slot starts
    max_days_ahead: int = 30  # and at most this many days ahead
    per_week_limit: int = 3  # bookings per person (ID number) per ISO week, no-shows included
    change_cutoff_minutes: int = 120  # cancel / reschedule up to this long before the start
    reschedule_limit: int = 2
    checkin_early_minutes: int = 30  # check-in opens this long before the start
    checkin_late_minutes: int = 15  # after start + this, a late arrival joins the normal queue
    link_max_age_days: int = 60  # signed manage links expire (and never outlive the booking)


# The keys a county may set for itself (appointments.models.CountyPolicy has a field for each).
# Not per_week_limit: the anti-scalper quota is the province's, per person in every county.
COUNTY_KEYS = (
    "min_notice_minutes",
    "max_days_ahead",
    "change_cutoff_minutes",
    "reschedule_limit",
    "checkin_early_minutes",
    "checkin_late_minutes",
    "link_max_age_days",
)

# Every county's policy, read once per process (one statement) and again after CACHE_SECONDS
# (another process's edit) or at once after an edit in this one (signals in apps.py), as the
# 好差评 clocks are (ratings/conf.py): the booking path reads a dict, no statement.
CACHE_SECONDS = 60.0
_county_values: dict[str, dict[str, int]] | None = None
_loaded_at = 0.0


def forget_county_policies(**_: object) -> None:
    global _county_values
    _county_values = None


def _counties() -> dict[str, dict[str, int]]:
    global _county_values, _loaded_at
    if _county_values is None or time.monotonic() - _loaded_at > CACHE_SECONDS:
        from .models import CountyPolicy

        _county_values = {
            row["county_id"]: {k: row[k] for k in COUNTY_KEYS if row[k] is not None}
            for row in CountyPolicy.objects.values("county_id", *COUNTY_KEYS)
        }
        _loaded_at = time.monotonic()
    return _county_values


def deployment_policy() -> Policy:
    overrides = getattr(settings, "ONEWINDOW_APPOINTMENTS", {}) or {}
    known = {f.name for f in fields(Policy)}
    return Policy(**{k: v for k, v in overrides.items() if k in known})


def policy(county: str | None) -> Policy:
    """The policy of `county` (a county code): its own values where it set them, else the
    deployment's. None: the deployment's (the weekly limit's callers; nothing county-bound)."""
    base = deployment_policy()
    own = _counties().get(county, {}) if county is not None else {}
    return replace(base, **own) if own else base


def area_county(area: ServiceArea) -> str:
    """The county of a hall area (its point's unit's). Callers load the area with
    `point__org_unit` (select_related) so that this reads no row."""
    return area.point.org_unit.county_id


def longest(key: str) -> int:
    """The largest value of `key` over the deployment and every county: the bound of a read that
    spans counties (the month's overview, a manage link's signature before its booking is known)."""
    base = int(getattr(deployment_policy(), key))
    return max([base, *(own[key] for own in _counties().values() if key in own)])


def county_codes() -> list[str]:
    """The counties that set a policy of their own (from the cache)."""
    return list(_counties())
