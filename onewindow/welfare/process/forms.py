"""Parsing the application form (pages) into the service's input. Amounts are typed in yuan and
become integer fen here; a value that is not a number is kept as text so the service refuses it
with the field named."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import ValidationFailed

from . import application as apply_svc

MEMBER_ROWS = 6


def yuan_to_fen(value: Any, where: str) -> int:
    text = str(value or "").strip()
    if not text:
        return 0
    try:
        return int((Decimal(text) * 100).to_integral_value())
    except (InvalidOperation, ValueError):
        raise ValidationFailed(
            _("金额须为数字（元）。"), code="amount_invalid", fields={where: [_("金额须为数字（元）。")]}
        ) from None


def household_from_post(post: Any) -> apply_svc.HouseholdInput:
    members = []
    for i in range(MEMBER_ROWS):
        name = post.get(f"m{i}_name", "").strip()
        number = post.get(f"m{i}_id", "").strip()
        if not name and not number:
            continue
        incomes, assets = [], []
        income = yuan_to_fen(post.get(f"m{i}_income"), f"members.{i}.income")
        if income:
            incomes.append(apply_svc.IncomeInput(post.get(f"m{i}_income_kind", "wage"), income))
        asset = yuan_to_fen(post.get(f"m{i}_asset"), f"members.{i}.asset")
        if asset:
            assets.append(apply_svc.AssetInput(post.get(f"m{i}_asset_kind", "deposit"), asset))
        members.append(
            apply_svc.MemberInput(
                name=name,
                id_number=number,
                relationship=post.get(f"m{i}_rel", "head" if i == 0 else "other"),
                labour=post.get(f"m{i}_labour", "full"),
                disabled=bool(post.get(f"m{i}_disabled")),
                seriously_ill=bool(post.get(f"m{i}_ill")),
                student=bool(post.get(f"m{i}_student")),
                incomes=incomes,
                assets=assets,
            )
        )
    return apply_svc.HouseholdInput(
        address=post.get("address", ""),
        area_kind=post.get("area_kind", ""),
        phone=post.get("phone", ""),
        hardship=post.get("hardship", ""),
        bank_account=post.get("bank_account", ""),
        members=members,
    )
