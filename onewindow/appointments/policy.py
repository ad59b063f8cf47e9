"""Booking policy. Every value can be overridden in settings (ONEWINDOW_APPOINTMENTS = {...})."""

from __future__ import annotations

from dataclasses import dataclass, fields

from django.conf import settings


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


def policy() -> Policy:
    overrides = getattr(settings, "ONEWINDOW_APPOINTMENTS", {}) or {}
    known = {f.name for f in fields(Policy)}
    return Policy(**{k: v for k, v in overrides.items() if k in known})
