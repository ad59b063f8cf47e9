"""The rows of the dashboard's tables (each section's tables and every chart's table view) as HTML,
built here rather than by the template: a page holds a few thousand cells (the 100-row matter
table, a table view per chart), and the template engine's loop over them cost about a third of a
page's time. Every cell is localized and escaped exactly as `{{ value }}` would do it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

NONE = "—"


def _cell(value: Any) -> str:
    return NONE if value is None else str(conditional_escape(localize(value)))


def rows_html(rows: Iterable[tuple[str, Sequence[Any]]], *, columns: int) -> SafeString:
    """`<tr>`s of (drill-down href or "", cells): the first cell links to the href; a table without
    rows says so in one row spanning its `columns`."""
    out = []
    for href, cells in rows:
        tds = []
        for i, value in enumerate(cells):
            text = _cell(value)
            if i == 0 and href:
                text = f'<a href="{conditional_escape(href)}">{text}</a>'
            tds.append(f"<td>{text}</td>")
        out.append(f"<tr>{''.join(tds)}</tr>")
    if not out:
        out.append(f'<tr><td class="muted" colspan="{int(columns)}">{conditional_escape(_("暂无数据。"))}</td></tr>')
    return mark_safe("".join(out))  # noqa: S308  (every value above is escaped)
