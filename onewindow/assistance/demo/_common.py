"""What the demo's parts share: its dates and amounts, the mandate record the cases and the
collections are made under, back-dated bulk inserts."""

from __future__ import annotations

import contextlib
import datetime
import random
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from onewindow.catalog.models import Matter

from ..models import AgentPoint, Mandate

OPENED_ON = datetime.date(2019, 3, 1)


TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


MONTHS = 6


SIGNATURE_FILE = "assistance/demo/signature.png"


# The matters village agents handle most (the seed names them, F15), with their weight.
FAVOURITES = [
    ("城乡居民基本医疗保险参保缴费", 6),
    ("社会保险费代缴", 5),
    ("残疾人证办理", 4),
    ("城乡居民养老保险费缴纳", 3),
    ("城乡居民医疗保险费缴纳", 3),
]


MEDICAL_FEE_FEN = 40_000  # 2027 individual contribution of the residents' medical insurance: 400 yuan


OTHER_MATTERS = 20


DELEGATED_MATTERS = 6


PENSION_TIERS_FEN = [20_000, 30_000, 50_000, 100_000, 200_000]  # residents' pension contribution tiers


@contextlib.contextmanager
def keep_timestamps(*models: Any) -> Iterator[None]:
    """Let bulk_create keep the past times set on the objects: `auto_now_add` would stamp them
    with now (demo data only; the running system never back-dates)."""
    fields = [f for m in models for f in m._meta.concrete_fields if getattr(f, "auto_now_add", False)]
    for f in fields:
        f.auto_now_add = False
    try:
        yield
    finally:
        for f in fields:
            f.auto_now_add = True


@dataclass
class Held:
    mandate: Mandate
    point: AgentPoint
    matters: list[Matter] = field(default_factory=list)


def _at(day: datetime.date, rng: random.Random, start_hour: int = 9) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(rng.randint(start_hour, 16), rng.randint(0, 59)), tzinfo=TZ)
