"""Settings of 好差评: the platform's defaults, the deployment's overrides
(settings.ONEWINDOW_RATINGS) and, for the follow-up clocks, a county's own (CountyRules)."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # A service can be rated within this many calendar days after it ended.
    "rate_within_days": 15,
    # 差评 follow-up clocks, working days counted from the day after the rating.
    "verify_workdays": 1,
    "fix_workdays": 15,
    # A yellow card this many working days before the fix-and-reply limit.
    "yellow_margin_workdays": 2,
    # The person has this many calendar days to confirm or dispute a reply; silence closes it.
    "confirm_days": 7,
    # Floods: at most this many ratings per hour from one account, and from one client address.
    "per_account_per_hour": 10,
    "per_address_per_hour": 30,
    # The window's pad offers a ticket finished at its window for this many minutes.
    "pad_minutes": 10,
    "comment_max_chars": 500,
}

# The keys a county may set for itself (ratings.models.CountyRules has a field for each).
COUNTY_KEYS = ("verify_workdays", "fix_workdays", "yellow_margin_workdays", "confirm_days")

# Every county's rules, read once per process and again after CACHE_SECONDS (another process's
# edit) or at once after an edit in this one (signals in apps.py), as the work calendar is.
CACHE_SECONDS = 60.0
_county_rules: dict[str, dict[str, int]] | None = None
_loaded_at = 0.0


def forget_county_rules(**_: object) -> None:
    global _county_rules
    _county_rules = None


def _rules() -> dict[str, dict[str, int]]:
    global _county_rules, _loaded_at
    if _county_rules is None or time.monotonic() - _loaded_at > CACHE_SECONDS:
        from .models import CountyRules

        _county_rules = {
            row["county_id"]: {k: row[k] for k in COUNTY_KEYS if row[k] is not None}
            for row in CountyRules.objects.values("county_id", *COUNTY_KEYS)
        }
        _loaded_at = time.monotonic()
    return _county_rules


def get(key: str, county: str | None = None) -> Any:
    """The value for `key`; with `county` (a county code), that county's own where it set one."""
    if county is not None and key in COUNTY_KEYS:
        own = _rules().get(county, {}).get(key)
        if own is not None:
            return own
    overrides = getattr(settings, "ONEWINDOW_RATINGS", {}) or {}
    return overrides.get(key, DEFAULTS[key])
