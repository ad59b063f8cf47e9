"""Money on the welfare pages: integer fen shown as yuan with two decimals."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def yuan(fen: Any) -> str:
    if fen in (None, ""):
        return "—"
    fen = int(fen)
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}¥{fen // 100:,}.{fen % 100:02d}"
