from __future__ import annotations

from django import template

from ..services.ledger import yuan as _yuan

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    """Integer fen as yuan with two decimals (the ledger never stores floats)."""
    return _yuan(int(fen or 0))
