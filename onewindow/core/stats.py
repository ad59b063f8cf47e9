"""The contract between domain apps and the dashboard.

Each app that has figures provides `onewindow/<app>/stats.py` with

    def sections(*, user, params) -> list[Section]

returning its figures computed from the database (never constants). The dashboard app discovers
these modules and renders them; the same sections feed the dashboard's CSV export.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Figure:
    label: str
    value: Any
    unit: str = ""
    # What the figure is compared with in the seed, e.g. "F3"; shown as a footnote.
    fact: str = ""
    note: str = ""


@dataclass
class Table:
    columns: list[str]
    rows: list[list[Any]]
    title: str = ""


@dataclass
class Section:
    key: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    order: int = 100
