"""The county's yearly 低保 standards (城市 / 农村), entered by the county's 民政局 for its own
county only (docs/tenancy.md). Entering or correcting one recomputes every affected household's
allowance of that county in the same transaction (`recompute.py`).

社会救助暂行办法 art. 10: the standard is set and published by the province or the city
government; the district 民政局 enters the figure in force for its area, per year and area kind.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from onewindow.core.audit import audit
from onewindow.core.errors import Conflict, PermissionDenied, ValidationFailed

from .. import scope
from ..models import Standard
from ..models.standard import AreaKind
from .recompute import Recomputed, recompute

MAX_STANDARD_FEN = 1_000_000  # 10,000 yuan a person a month: anything above is a typing error


def standard_save(
    *, actor: Any, year: int, area_kind: str, monthly_fen: int, effective_from: datetime.date, basis: str = ""
) -> Standard:
    """Enter or correct the standard of one year and area kind (and recompute the register)."""
    return standard_enter(
        actor=actor, year=year, area_kind=area_kind, monthly_fen=monthly_fen, effective_from=effective_from, basis=basis
    )[0]


def standard_enter(
    *, actor: Any, year: int, area_kind: str, monthly_fen: int, effective_from: datetime.date, basis: str = ""
) -> tuple[Standard, Recomputed]:
    """`standard_save`, also telling what the recompute did."""
    county = scope.district_county(actor)  # the 民政局's own county: never another's standard
    if county is None:
        raise PermissionDenied()
    errors: dict[str, Any] = {}
    if not 2000 <= year <= 2100:
        errors["year"] = [_("年度不正确。")]
    if area_kind not in AreaKind.values:
        errors["area_kind"] = [_("请选择城市或农村。")]
    if not isinstance(monthly_fen, int) or not 0 < monthly_fen <= MAX_STANDARD_FEN:
        errors["monthly_fen"] = [_("保障标准须为大于零的金额。")]
    if effective_from.year != year:
        errors["effective_from"] = [_("执行日期须在该年度内。")]
    if errors:
        raise ValidationFailed(_("低保标准填写不正确。"), fields=errors)
    with transaction.atomic():
        standards = Standard.objects.filter(county_id=county, area_kind=area_kind)
        standard = standards.select_for_update().filter(year=year).first()
        old = standard.monthly_fen if standard else None
        # What the register's amounts of this period were computed with: this standard as it was,
        # or, for a new year, last year's.
        before = standards.filter(year=year - 1).values_list("monthly_fen", flat=True).first()
        prev = old if old is not None else before
        if standard is None:
            standard = Standard(county_id=county, year=year, area_kind=area_kind)
        standard.monthly_fen = monthly_fen
        standard.effective_from = effective_from
        standard.basis = basis.strip()[:200]
        try:
            with transaction.atomic():
                standard.save()
        except IntegrityError:
            raise Conflict(_("该年度的标准刚刚被录入，请刷新后再改。"), code="welfare_standard_exists") from None
        kind_name = dict(AreaKind.choices)[area_kind]
        reason = _("低保标准调整：%(year)d年%(kind)s标准由 %(old)s 元调为 %(new)s 元（补差重新计算）") % {
            "year": year,
            "kind": kind_name,
            "old": _yuan(prev) if prev is not None else "—",
            "new": _yuan(monthly_fen),
        }
        done = recompute(standard=standard, prev_fen=prev, actor=actor, reason=str(reason))
        audit(
            actor=actor,
            action="welfare.standard_save",
            target=standard,
            data={
                "county": county,
                "year": year,
                "area_kind": area_kind,
                "old_fen": old,
                "new_fen": monthly_fen,
                "recomputed_households": done.households,
                "left_at_zero": done.skipped_to_zero,
                "from_months": done.from_months,
                "stale_rolls": done.stale_rolls,
            },
        )
    return standard, done


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"
