from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def fen_yuan(fen: int | None) -> str:
    """Integer fen as yuan with two decimals (money is kept in fen)."""
    if fen is None:
        return "—"
    return f"{fen // 100}.{fen % 100:02d}"
