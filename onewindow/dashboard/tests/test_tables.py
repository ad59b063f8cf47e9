"""The tables' rows built in Python (dashboard.tables) escape and localize every cell as the
template would, link the first cell, and say so when there is nothing."""

from __future__ import annotations

import datetime

from django.template import Context, Template

from onewindow.dashboard.tables import rows_html


def test_cells_are_escaped_localized_and_linked_like_the_template() -> None:
    cells = ['<b>"A&B"</b>', 12.5, 3, datetime.date(2026, 5, 1), None]
    html = str(rows_html([("?matter=M1&x=<y>", cells), ("", ["plain", 1])], columns=5))
    expected = Template("{% for v in cells %}{{ v }}|{% endfor %}").render(Context({"cells": cells[:4]})).split("|")
    assert html.startswith('<tr><td><a href="?matter=M1&amp;x=&lt;y&gt;">&lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt;</a></td>')
    for text in expected[1:4]:
        assert f"<td>{text}</td>" in html
    assert "<td>—</td>" in html  # None
    assert "<tr><td>plain</td><td>1</td></tr>" in html  # no href: no link
    assert "<script" not in html and "<b>" not in html


def test_no_rows_is_one_row_saying_so() -> None:
    assert str(rows_html([], columns=3)) == '<tr><td class="muted" colspan="3">暂无数据。</td></tr>'
