"""A county's own booking policy (appointments.models.CountyPolicy; issue 17: a county owns its settings).

Written by the county's system administrator (in the admin, which scopes the row to their county)
or the platform's; every change is audited. The values apply from the next read (a booking made
before keeps its slot; its change cutoff, reschedule limit and check-in windows are its county's
values of the moment it is changed or checked in)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from onewindow.accounts.county_settings import county_row_set
from onewindow.accounts.models import County

from .models import CountyPolicy
from .policy import COUNTY_KEYS


def county_policy_set(*, county: County, actor: Any, **values: int | None) -> CountyPolicy:
    """Set (or, with None, clear back to the deployment's value) some of a county's booking rules."""
    return county_row_set(
        model=CountyPolicy,
        county=county,
        actor=actor,
        keys=COUNTY_KEYS,
        values=values,
        invalid=_("预约规则设置不正确。"),
        action="appointments.county_policy",
    )
