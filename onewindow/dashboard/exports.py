"""Exports of a dashboard view as CSV or xlsx (openpyxl). Each file starts with what it is, when it
was made and the filters that made its numbers, so a printed or forwarded copy explains itself."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.core.stats import Section

MAX_CASE_ROWS = 10000
Sheet = tuple[str, list[list[Any]]]  # (name, rows)


def figure_sheets(sections: list[Section]) -> tuple[str, list[Sheet]]:
    """One sheet per section: its figures (with what each counts), then each chart's and table's numbers."""
    sheets: list[Sheet] = []
    for s in sections:
        rows: list[list[Any]] = []
        if s.note:
            rows.append([s.note])
        rows.append([_("指标"), _("数值"), _("单位"), _("说明")])
        rows.extend([f.label, f.value, f.unit, f.note] for f in s.figures)
        for c in s.charts:
            rows += [[], [c.title], [c.note or c.text], ["", *[name for name, _d in c.series]]]
            rows.extend([cat, *[data[i] if i < len(data) else "" for _n, data in c.series]] for i, cat in enumerate(c.categories))
        for t in s.tables:
            rows += [[], [t.title], list(t.columns)]
            rows.extend(list(r) for r in t.rows)
        sheets.append((s.title, rows))
    return _("统计分析"), sheets


def case_sheets(cases: Any) -> tuple[str, list[Sheet]]:
    rows: list[list[Any]] = [
        [_("办件编号"), _("事项"), _("主办部门"), _("受理单位"), _("渠道"), _("状态"), _("收件时间"), _("承诺期限"), _("预警")]
    ]
    for c in cases:
        rows.append(
            [
                c.number,
                c.title,
                c.department.name,
                c.intake_unit.name,
                c.get_channel_display(),
                c.get_status_display(),
                timezone.localtime(c.received_at).strftime("%Y-%m-%d %H:%M"),
                c.committed_due.isoformat() if c.committed_due else "",
                {"red": _("红牌"), "yellow": _("黄牌")}.get(c.warning_level, ""),
            ]
        )
    return _("办件清单"), [(_("办件清单"), rows)]


def _header(title: str, filters: list[tuple[str, str]]) -> list[list[Any]]:
    rows: list[list[Any]] = [[title], [_("导出时间"), timezone.localtime().strftime("%Y-%m-%d %H:%M")]]
    rows.append([_("筛选条件"), "；".join(f"{k}：{v}" for k, v in filters) if filters else _("无（全区，默认期间）")])
    for k, v in filters:
        rows.append([k, v])
    rows.append([])
    return rows


def respond(fmt: str, *, title: str, filters: list[tuple[str, str]], sheets: list[Sheet]) -> HttpResponse:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "xlsx":
        body = _xlsx(title, filters, sheets)
        response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="dashboard-{stamp}.xlsx"'
        return response
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="dashboard-{stamp}.csv"'
    response.write("\ufeff")  # BOM so spreadsheet programs read the Chinese correctly
    writer = csv.writer(response)
    writer.writerows(_header(title, filters))
    for name, rows in sheets:
        writer.writerow([f"== {name} =="])
        writer.writerows([_cell(v) for v in row] for row in rows)
        writer.writerow([])
    return response


def _xlsx(title: str, filters: list[tuple[str, str]], sheets: list[Sheet]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    first = wb.active
    assert first is not None
    first.title = _("说明")[:31]
    for row in _header(title, filters):
        first.append(row)
    first["A1"].font = Font(bold=True, size=14)
    first.column_dimensions["A"].width = 18
    first.column_dimensions["B"].width = 60
    used: set[str] = {first.title}
    for name, rows in sheets:
        sheet_name = _sheet_name(name, used)
        ws = wb.create_sheet(sheet_name)
        for row in _header(title, filters)[2:3]:  # the filters on every sheet, too
            ws.append(row)
        ws.append([])
        for row in rows:
            ws.append([_cell(v) for v in row])
        ws.column_dimensions["A"].width = 32
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _sheet_name(name: str, used: set[str]) -> str:
    clean = "".join(ch for ch in name if ch not in "[]:*?/\\")[:28] or "sheet"
    out, i = clean, 2
    while out in used:
        out, i = f"{clean[:26]}~{i}", i + 1
    used.add(out)
    return out


def _cell(v: Any) -> Any:
    if v is None or isinstance(v, int | float | str):
        # A leading "=" would be read as a formula by spreadsheet programs.
        return "'" + v if isinstance(v, str) and v[:1] in ("=", "+", "-", "@") else v
    return str(v)
