"""A county's own 差评整改 clocks (ratings.models.CountyRules; issue 17: a county owns its settings).

Written by the county's system administrator (in the admin, which scopes the row to their county)
or the platform's; every change is audited. The clocks apply to follow-ups opened after the change
(a follow-up keeps the due dates it was opened with, as a case keeps its time limit)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from onewindow.accounts.county_settings import county_row_set
from onewindow.accounts.models import County

from .conf import COUNTY_KEYS
from .models import CountyRules


def county_rules_set(*, county: County, actor: Any, **values: int | None) -> CountyRules:
    """Set (or, with None, clear back to the deployment's value) some of a county's clocks."""
    return county_row_set(
        model=CountyRules,
        county=county,
        actor=actor,
        keys=COUNTY_KEYS,
        values=values,
        invalid=_("好差评时限设置不正确。"),
        action="ratings.county_rules",
    )
