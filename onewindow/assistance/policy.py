"""District settings of the agent service. Every value can be overridden in settings
(ONEWINDOW_ASSISTANCE = {...}); the defaults are the district's current rules."""

from __future__ import annotations

from dataclasses import dataclass, fields

from django.conf import settings


@dataclass(frozen=True)
class Policy:
    forward_days: int = 3  # paper materials reach the accepting unit within this many working days
    forward_yellow_margin: int = 1  # yellow card this many working days before the limit
    countersign_required: bool = False  # the village (community) head countersigns every mandate
    mandate_max_days: int = 3 * 366  # the longest period a mandate may cover
    max_collection_fen: int = 2_000_000  # 20,000 yuan: anything larger is refused as a typing error
    payment_backend: str = "onewindow.assistance.payments.LocalBackend"


def policy() -> Policy:
    overrides = getattr(settings, "ONEWINDOW_ASSISTANCE", {}) or {}
    known = {f.name for f in fields(Policy)}
    return Policy(**{k: v for k, v in overrides.items() if k in known})
