"""The .xlsx catalog: export, and an import that checks every row and writes all or nothing."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from openpyxl import Workbook, load_workbook

from ..importexport import (
    MATERIAL_COLUMNS,
    MATERIAL_SHEET,
    MATTER_COLUMNS,
    MATTER_SHEET,
    ImportInvalid,
    export_catalog,
    import_catalog,
)
from ..models import Matter, MatterVersion
from .factories import CONTRACT, ID_CARD, make_matter

pytestmark = pytest.mark.django_db

HEADERS = [h for h, _f, _k in MATTER_COLUMNS]


def matter_row(**values: Any) -> list[Any]:
    base = {
        "code": "",
        "name": "新事项",
        "department": "ZJJ",
        "matter_type": "行政许可",
        "kind": "承诺件",
        "statutory_days": 20,
        "committed_days": 5,
        "max_visits": 1,
        "fee_required": "否",
        "handling_level": "区级",
        "on_one_window": "是",
        "online_depth": "网上受理",
        "on_mobile": "否",
        "off_hours_bookable": "否",
        "agent_eligible": "否",
        "audience": "自然人",
    }
    base.update(values)
    return [base.get(name, "") for _h, name, _k in MATTER_COLUMNS]


def workbook(matters: list[list[Any]], materials: list[list[Any]] | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = MATTER_SHEET
    ws.append(HEADERS)
    for r in matters:
        ws.append(r)
    wm = wb.create_sheet(MATERIAL_SHEET)
    wm.append([h for h, _f, _k in MATERIAL_COLUMNS])
    for r in materials or []:
        wm.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_export_has_two_sheets_with_every_matter_and_material(org):
    a = make_matter(org["BDC"], "不动产转移登记", materials=[ID_CARD, CONTRACT])
    make_matter(org["ZJJ"], "草稿", publish=False)
    wb = load_workbook(io.BytesIO(export_catalog()))
    rows = list(wb[MATTER_SHEET].iter_rows(values_only=True))
    assert rows[0][:2] == ("事项编码", "事项名称")
    assert [r[0] for r in rows[1:]] == [a.code]
    assert rows[1][HEADERS.index("办件类型")] == "承诺件"
    materials = list(wb[MATERIAL_SHEET].iter_rows(values_only=True))[1:]
    assert [(r[0], r[1]) for r in materials] == [(a.code, "申请人居民身份证"), (a.code, "房屋买卖合同")]


def test_round_trip_changes_nothing(org):
    make_matter(org["BDC"], "不动产转移登记", materials=[ID_CARD, CONTRACT])
    make_matter(org["SW"], "存量房交易纳税申报", matter_type="other_power")
    report = import_catalog(data=export_catalog(), actor=None)
    assert len(report.unchanged) == 2 and not report.created and not report.updated
    assert MatterVersion.objects.count() == 2


def test_import_creates_and_versions(org, admin_user):
    old = make_matter(org["BDC"], "不动产转移登记")
    old_version = old.current_version
    data = workbook(
        [
            matter_row(name="房屋交易登记"),
            matter_row(code=old.code, department="BDC", name="不动产转移登记", matter_type="行政确认", committed_days=3),
        ],
        [[old.code, "不动产权证书", "原件", 1, "必须", "", "property_cert"]],
    )
    report = import_catalog(data=data, actor=admin_user)
    assert len(report.created) == 1 and report.updated == [old.code]
    new = Matter.objects.get(code=report.created[0])
    assert new.code == "360803-ZJJ-XK-0001" and new.current_version.name == "房屋交易登记"
    old.refresh_from_db()
    assert old.current_version.number == 2 and old.current_version.committed_days == 3
    assert [m.shared_key for m in old.current_version.materials.all()] == ["property_cert"]
    old_version.refresh_from_db()
    assert old_version.committed_days == 5  # the earlier version is untouched


def test_import_reports_every_bad_row_and_writes_nothing(org):
    existing = make_matter(org["BDC"], "不动产转移登记")
    before = (Matter.objects.count(), MatterVersion.objects.count())
    data = workbook(
        [
            matter_row(name="好的一行"),  # row 2: valid
            matter_row(department="NOPE"),  # row 3: unknown department
            matter_row(kind="快办件"),  # row 4: bad kind
            matter_row(statutory_days=5, committed_days=10),  # row 5: committed > statutory
            matter_row(code="360803-ZJJ-XK-0100", name="甲"),  # row 6
            matter_row(code="360803-ZJJ-XK-0100", name="乙"),  # row 7: duplicate code in the file
            matter_row(name=""),  # row 8: missing name
            matter_row(statutory_days="二十"),  # row 9: not a number
            matter_row(code=existing.code, department="ZJJ"),  # row 10: code owned by another department
        ],
        [
            ["360803-ZJJ-XK-0100", "", "原件", 1, "必须", "", ""],  # row 2: missing material name
            ["NOT-IN-FILE", "身份证", "原件", 1, "必须", "", ""],  # row 3: unknown matter code
            ["360803-ZJJ-XK-0100", "身份证", "拓印件", 1, "必须", "", ""],  # row 4: bad form
        ],
    )
    with pytest.raises(ImportInvalid) as exc:
        import_catalog(data=data, actor=None)
    assert exc.value.code == "import_invalid"
    found = {(e.sheet, e.row) for e in exc.value.errors}
    assert found == {
        (MATTER_SHEET, 3),
        (MATTER_SHEET, 4),
        (MATTER_SHEET, 5),
        (MATTER_SHEET, 7),
        (MATTER_SHEET, 8),
        (MATTER_SHEET, 9),
        (MATTER_SHEET, 10),
        (MATERIAL_SHEET, 2),
        (MATERIAL_SHEET, 3),
        (MATERIAL_SHEET, 4),
    }
    messages = {(e.sheet, e.row): e.message for e in exc.value.errors}
    assert "NOPE" in messages[(MATTER_SHEET, 3)]
    assert "快办件" in messages[(MATTER_SHEET, 4)]
    assert "超过法定" in messages[(MATTER_SHEET, 5)]
    assert "重复" in messages[(MATTER_SHEET, 7)]
    assert "第7行" in str(next(e for e in exc.value.errors if e.row == 7 and e.sheet == MATTER_SHEET))
    assert (Matter.objects.count(), MatterVersion.objects.count()) == before


def test_not_a_workbook(org):
    with pytest.raises(ImportInvalid) as exc:
        import_catalog(data=b"this is not a spreadsheet", actor=None)
    assert exc.value.code == "import_invalid"
    assert len(exc.value.errors) == 1


def test_missing_sheet_and_column(org):
    wb = Workbook()
    wb.active.title = MATTER_SHEET
    wb.active.append(["事项名称"])
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(ImportInvalid) as exc:
        import_catalog(data=buf.getvalue(), actor=None)
    assert exc.value.code == "import_invalid"
    assert any(e.sheet == MATERIAL_SHEET for e in exc.value.errors)
    assert any(e.column == "实施部门编码" for e in exc.value.errors)


def test_management_commands(org, tmp_path):
    make_matter(org["BDC"], "不动产转移登记")
    path = tmp_path / "catalog.xlsx"
    out = io.StringIO()
    call_command("catalog_export", str(path), stdout=out)
    assert path.exists()
    call_command("catalog_import", str(path), stdout=out)
    assert "1" in out.getvalue()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook([matter_row(department="NOPE")]))
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("catalog_import", str(bad), stdout=out, stderr=io.StringIO())
