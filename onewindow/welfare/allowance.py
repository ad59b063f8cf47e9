"""The 低保 allowance (补差): what a household is paid a month.

2021 national rules (最低生活保障审核确认办法) art. 25 (unverified, see docs/welfare.md): the allowance is set by the difference
between the household's per-capita income and the local standard (补差发放). Here: (standard −
per-capita monthly income) × members, rounded down to the fen, never below zero. The standard is the
one in force for the year and the household's area kind in the household's county (`Standard`,
entered by the county's 民政局: each county has its own, docs/tenancy.md).
Used by the township's proposal, by dynamic changes (increase / decrease) and by the demo.

The article numbers of the 2021 审核确认办法 cited here are unverified (see docs/welfare.md).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Subquery
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import OrgUnit
from onewindow.core.errors import ApplicationError

from .models import Household, Standard


class NoStandard(ApplicationError):
    code = "welfare_no_standard"

    def __init__(self) -> None:
        super().__init__(_("该年度的低保标准尚未录入，请先由区民政局录入标准。"))


@dataclass(frozen=True)
class Allowance:
    standard_fen: int  # per person per month
    members: int
    income_fen: int  # household total per month
    per_capita_income_fen: int
    monthly_fen: int  # what the household is paid


def county_of(household: Household) -> Any:
    """The household's county (its township's): the code when the township was read with it, else
    a subquery on the small unit table (no statement of its own)."""
    if "township" in household._state.fields_cache:
        return household.township.county_id
    return Subquery(OrgUnit.objects.filter(pk=household.township_id).values("county_id")[:1])


def standard_for(*, county: Any, area_kind: str, on: datetime.date) -> Standard:
    """The standard in force on `on` in `county` (a code, or `county_of`'s subquery)."""
    standards = Standard.objects.filter(county_id=county, area_kind=area_kind)
    standard = standards.filter(year=on.year, effective_from__lte=on).first()
    if standard is None:
        # Before this year's standard takes effect, last year's is still in force.
        standard = standards.filter(year=on.year - 1).first()
    if standard is None:
        raise NoStandard()
    return standard


def compute(*, standard_fen: int, member_incomes_fen: Iterable[int]) -> Allowance:
    incomes = list(member_incomes_fen)
    members = len(incomes)
    total = sum(incomes)
    per_capita = total // members if members else 0
    monthly = max(0, standard_fen - per_capita) * members
    return Allowance(standard_fen, members, total, per_capita, monthly)


def for_household(household: Household, *, on: datetime.date) -> Allowance:
    """The allowance of a household's current members and income items, by the standard on `on`."""
    standard = standard_for(county=county_of(household), area_kind=household.area_kind, on=on)
    incomes = [sum(i.monthly_fen for i in m.incomes.all()) for m in household.members.prefetch_related("incomes")]
    return compute(standard_fen=standard.monthly_fen, member_incomes_fen=incomes)
