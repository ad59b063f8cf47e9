from __future__ import annotations

from typing import Any

import pytest

from onewindow.portal.testing import calendar_2026, filing_matter, fixed_now, online_matter, private_storage

__all__ = ["calendar_2026", "filing_matter", "fixed_now", "online_matter", "private_storage"]


@pytest.fixture(autouse=True)
def _private_and_fixed(private_storage: Any, fixed_now: Any) -> None:
    """Uploads go to a temporary folder; the clock stands on a working day of the seeded calendar;
    persona passwords hash fast."""
