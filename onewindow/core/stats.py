"""The contract between domain apps and the dashboard.

Each app that has figures provides `onewindow/<app>/stats.py` with

    def sections(*, user, params) -> list[Section]

returning its figures computed from the database (never constants). The dashboard app discovers
these modules and renders them; the same sections feed the dashboard's exports (CSV, xlsx).

`params` holds the dashboard's filters, already resolved: `date_from` / `date_to` (dates), and when
chosen `department`, `township` (OrgUnit), `matter` (Matter), `bundle` (Bundle), `channel` (str),
`point` (ServicePoint), `area` (ServiceArea). A provider uses the ones that make sense for it.

Every figure says in plain words what it counts (`note`). A chart carries its numbers (so the page
can show them as a table, and read them out) and, per category, an optional `links` entry: the
filter to add when someone drills into that category (e.g. "department=ZJJ").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Figure:
    label: str
    value: Any
    unit: str = ""
    # What the figure is compared with in the seed, e.g. "F3": for the tests and docs, never shown.
    fact: str = ""
    # What it counts, in plain words.
    note: str = ""
    # A filter to drill into (query string), e.g. "status=late"; "" when there is nothing under it.
    link: str = ""


@dataclass
class Table:
    columns: list[str]
    rows: list[list[Any]]
    title: str = ""
    # Per row, an optional filter to drill into (query string), as Chart.links.
    links: list[str] = field(default_factory=list)


@dataclass
class Chart:
    key: str
    title: str
    kind: str  # "bar" (vertical), "hbar" (horizontal, for long names), "line", "pie"
    categories: list[str]
    series: list[tuple[str, list[Any]]]
    # One or two sentences a screen reader says instead of the picture.
    text: str = ""
    unit: str = ""
    links: list[str] = field(default_factory=list)
    # What the chart counts, in plain words.
    note: str = ""


@dataclass
class Section:
    key: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    order: int = 100
    charts: list[Chart] = field(default_factory=list)
    # What the section counts and over which period, in plain words.
    note: str = ""


def describe_chart(title: str, cats: list[str], values: list[Any], unit: str) -> str:
    """A chart's sentence for screen readers: how many categories and the three largest."""
    from django.utils.translation import gettext as _

    if not any(values):  # nothing, or only zeros: "the largest is X 0" would say nothing true
        return _("%(t)s：所选范围内没有数据。") % {"t": title}
    pairs = sorted(zip(cats, values, strict=True), key=lambda p: -(p[1] or 0))[:3]
    gap = " " if unit[:1].isascii() and unit[:1].isalpha() else ""  # "2 cases", "2件"
    top = _("，").join(f"{c} {v}{gap}{unit}" for c, v in pairs)
    return _("%(t)s：共 %(n)d 项，最多的是 %(top)s。") % {"t": title, "n": len(cats), "top": top}


def unit_link(kind: str, code: str) -> str:
    """The dashboard filter that drills into an org unit: its department or its township."""
    if kind == "department":
        return f"department={code}"
    if kind in ("township", "subdistrict"):
        return f"township={code}"
    return ""


def counts(**querysets: Any) -> dict[str, int]:
    """The number of rows of each queryset, all in one statement (a section's dozen counts of
    different tables in one round trip instead of a dozen): SELECT (SELECT COUNT(*) FROM (…)), ….
    A queryset may be distinct, a union, or narrowed to nothing (counted 0 without asking)."""
    from django.core.exceptions import EmptyResultSet
    from django.db import connection

    parts, params, out = [], [], {}
    for name, qs in querysets.items():
        try:
            sql, p = qs.order_by().query.sql_with_params()
        except EmptyResultSet:
            out[name] = 0
            continue
        # Only the querysets' own SQL is formatted in; the values are parameters.
        parts.append((name, f"(SELECT COUNT(*) FROM ({sql}) AS c)"))  # noqa: S608
        params.extend(p)
    if parts:
        with connection.cursor() as cur:
            cur.execute("SELECT " + ", ".join(sql for _n, sql in parts), params)
            row = cur.fetchone()
        out.update({name: int(v or 0) for (name, _s), v in zip(parts, row, strict=True)})
    return {name: out[name] for name in querysets}
