"""District settings of 好差评 (settings.ONEWINDOW_RATINGS overrides any of these)."""

from __future__ import annotations

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


def get(key: str) -> Any:
    overrides = getattr(settings, "ONEWINDOW_RATINGS", {}) or {}
    return overrides.get(key, DEFAULTS[key])
