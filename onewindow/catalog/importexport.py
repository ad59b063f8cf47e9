"""The catalog as an .xlsx workbook (the format departments keep their implementation lists in).

Export: sheet "事项" (one row per matter, its current version) and sheet "材料" (one row per
material). Import reads the same layout, validates EVERY row of both sheets first and reports every
bad row with its sheet, row number and reason; nothing is written unless the whole file is valid,
and then everything is written in one transaction (rows with a known code become a new published
version when they differ; rows without a code, or with a new code, create matters).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import models, transaction
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from onewindow.accounts.models import OrgUnit
from onewindow.accounts.tenancy import staff_county
from onewindow.core.errors import ApplicationError, ValidationFailed
from onewindow.core.tenancy import for_county
from onewindow.hall.models import ServiceArea

from .models import LifeEvent, MaterialRequirement, Matter, MatterVersion, StandardMatter
from .services import (
    VERSION_FIELDS,
    matter_create,
    matter_draft_create,
    matter_draft_update,
    matter_implement,
    matter_link_standard,
    matter_placement_update,
    matter_publish,
)

MATTER_SHEET = "事项"
MATERIAL_SHEET = "材料"
MAX_ROWS = 200_000

# (header, field, kind). Headers are fixed Chinese so files stay exchangeable across languages.
MATTER_COLUMNS: list[tuple[str, str, str]] = [
    ("事项编码", "code", "text"),
    ("事项名称", "name", "text"),
    ("实施部门编码", "department", "text"),
    ("事项类型", "matter_type", "choice"),
    ("办件类型", "kind", "choice"),
    ("法定办结时限（工作日）", "statutory_days", "int"),
    ("承诺办结时限（工作日）", "committed_days", "int"),
    ("到现场次数", "max_visits", "int"),
    ("是否收费", "fee_required", "bool"),
    ("收费标准", "fee_description", "text"),
    ("收费依据", "fee_basis", "text"),
    ("受理条件", "conditions", "text"),
    ("设定依据", "legal_basis", "text"),
    ("行使层级", "handling_level", "choice"),
    ("部署至一窗平台", "on_one_window", "bool"),
    ("网上办理深度", "online_depth", "choice"),
    ("赣服通可办", "on_mobile", "bool"),
    ("可预约延时错时服务", "off_hours_bookable", "bool"),
    ("可代办", "agent_eligible", "bool"),
    ("服务对象", "audience", "choice"),
    ("受理服务区编码", "service_area", "text"),
    ("主题事件编码", "life_events", "text"),
    ("告知承诺书", "commitment_text", "text"),
    ("咨询电话", "consult_phone", "text"),
    ("监督投诉电话", "complaint_phone", "text"),
    ("办理地点", "handling_place", "text"),
    ("办理时间", "handling_hours", "text"),
    # Optional: the province entry the matter implements (its basic fields must then be the entry's).
    ("基本编码", "standard", "text"),
]
OPTIONAL_MATTER_COLUMNS = {"code", "standard"}
MATERIAL_COLUMNS: list[tuple[str, str, str]] = [
    ("事项编码", "code", "text"),
    ("材料名称", "name", "text"),
    ("材料形式", "form", "choice"),
    ("份数", "quantity", "int"),
    ("必要性", "need", "choice"),
    ("适用情形", "condition_text", "text"),
    ("共享材料标识", "shared_key", "text"),
]

SHEET_MATERIAL_FIELDS = [name for _h, name, _k in MATERIAL_COLUMNS if name != "code"]
TRUE_WORDS = {"是", "y", "yes", "true", "1", "√"}
FALSE_WORDS = {"否", "n", "no", "false", "0", ""}


def _choices(field_name: str) -> Sequence[tuple[Any, Any]]:
    model: type[models.Model] = MaterialRequirement if field_name in ("form", "need") else MatterVersion
    model_field = model._meta.get_field(field_name)
    if not isinstance(model_field, models.Field):  # the choice columns are all concrete fields
        raise TypeError(f"{model.__name__}.{field_name} is not a concrete field")
    return model_field.choices or []


def _choice_label(field_name: str, value: Any) -> str:
    with translation.override("zh-hans"):
        return str(dict(_choices(field_name)).get(value, value))


def _choice_value(field_name: str, raw: str) -> Any:
    """Accept the stored value ("instant"), the Chinese label ("即办件") or the English one."""
    for value, label in _choices(field_name):
        candidates = {str(value)}
        for lang in ("zh-hans", "en"):
            with translation.override(lang):
                candidates.add(str(label))
        if raw in candidates:
            return value
    raise ValueError


# --- export ----------------------------------------------------------------------------------


def export_catalog(matters: Any = None) -> bytes:
    """Every published matter's current version and materials as an .xlsx workbook."""
    qs = matters if matters is not None else Matter.objects.filter(current_version__status=MatterVersion.Status.PUBLISHED)
    qs = qs.select_related("department", "service_area", "current_version", "standard").prefetch_related(
        "life_events", "current_version__materials"
    )
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(MATTER_SHEET)
    ws.append([h for h, _f, _k in MATTER_COLUMNS])
    wm = wb.create_sheet(MATERIAL_SHEET)
    wm.append([h for h, _f, _k in MATERIAL_COLUMNS])
    for matter in qs.order_by("code").iterator(chunk_size=500):
        v = matter.current_version
        if v is None:  # callers export only matters that have a current version
            raise ValueError(f"matter {matter.code} has no current version")
        row: list[Any] = []
        for _h, name, kind in MATTER_COLUMNS:
            if name == "code":
                row.append(matter.code)
            elif name == "department":
                row.append(matter.department.code)
            elif name == "service_area":
                row.append(matter.service_area.code if matter.service_area else "")
            elif name == "life_events":
                row.append(",".join(sorted(e.code for e in matter.life_events.all())))
            elif name == "standard":
                row.append(matter.standard.basic_code if matter.standard else "")
            elif kind == "bool":
                row.append("是" if getattr(v, name) else "否")
            elif kind == "choice":
                row.append(_choice_label(name, getattr(v, name)))
            else:
                row.append(getattr(v, name))
        ws.append(row)
        for m in v.materials.all():
            wm.append(
                [
                    matter.code,
                    m.name,
                    _choice_label("form", m.form),
                    m.quantity,
                    _choice_label("need", m.need),
                    m.condition_text,
                    m.shared_key,
                ]
            )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def template_workbook() -> bytes:
    """An empty workbook with the headers (for departments starting a list)."""
    wb = Workbook()
    ws = wb.active
    ws.title = MATTER_SHEET
    ws.append([h for h, _f, _k in MATTER_COLUMNS])
    wm = wb.create_sheet(MATERIAL_SHEET)
    wm.append([h for h, _f, _k in MATERIAL_COLUMNS])
    for sheet in (ws, wm):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --- import ----------------------------------------------------------------------------------


@dataclass
class RowError:
    sheet: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return gettext("%(sheet)s 第%(row)d行 %(column)s：%(message)s") % {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


class ImportInvalid(ValidationFailed):
    """The workbook has bad rows; nothing was written. `errors` lists every one."""

    code = "import_invalid"

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__(_("导入文件有 %(n)d 处错误，未写入任何数据。") % {"n": len(errors)})


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


@dataclass
class _Row:
    number: int
    code: str
    department: OrgUnit | None = None
    service_area: ServiceArea | None = None
    life_events: list[LifeEvent] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)
    materials: list[dict[str, Any]] = field(default_factory=list)
    standard: StandardMatter | None = None


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _read_sheet(
    wb: Any, title: str, columns: list[tuple[str, str, str]], errors: list[RowError]
) -> list[tuple[int, dict[str, str]]]:
    if title not in wb.sheetnames:
        errors.append(RowError(title, 1, "", str(_("缺少工作表「%(s)s」。") % {"s": title})))
        return []
    rows = wb[title].iter_rows(values_only=True)
    header = [_cell_text(h) for h in next(rows, ())]
    index: dict[str, int] = {}
    for h, name, _k in columns:
        if h in header:
            index[name] = header.index(h)
        elif name not in OPTIONAL_MATTER_COLUMNS or title == MATERIAL_SHEET:
            errors.append(RowError(title, 1, h, str(_("缺少列。"))))
    if any(e.sheet == title and e.row == 1 for e in errors):
        return []
    out = []
    for number, values in enumerate(rows, start=2):
        if number > MAX_ROWS:
            errors.append(RowError(title, number, "", str(_("行数超过上限。"))))
            break
        cells = {name: _cell_text(values[i]) if i < len(values) else "" for name, i in index.items()}
        if any(cells.values()):
            out.append((number, cells))
    return out


def _parse_value(name: str, kind: str, raw: str) -> Any:
    if kind == "int":
        if not raw:
            raise ValueError(_("必填。"))
        try:
            value = int(raw)
        except ValueError:
            raise ValueError(_("应为整数。")) from None
        if value < 0:
            raise ValueError(_("不能为负数。"))
        return value
    if kind == "bool":
        if raw.lower() in TRUE_WORDS:
            return True
        if raw.lower() in FALSE_WORDS:
            return False
        raise ValueError(_("应为“是”或“否”。"))
    if kind == "choice":
        try:
            return _choice_value(name, raw)
        except ValueError:
            raise ValueError(_("取值“%(v)s”无效。") % {"v": raw}) from None
    return raw


def parse_workbook(data: IO[bytes] | bytes, *, county: str | None = None) -> tuple[list[_Row], list[RowError]]:
    """Validate every row of both sheets; returns the parsed rows and every error found. With a
    `county`, only its departments and service areas are known (a county imports its own list)."""
    errors: list[RowError] = []
    try:
        wb = load_workbook(io.BytesIO(data) if isinstance(data, bytes) else data, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a non-xlsx upload
        return [], [RowError("", 0, "", str(_("文件不是有效的 .xlsx 工作簿。")))]
    matter_rows = _read_sheet(wb, MATTER_SHEET, MATTER_COLUMNS, errors)
    material_rows = _read_sheet(wb, MATERIAL_SHEET, MATERIAL_COLUMNS, errors)
    headers = {name: h for h, name, _k in MATTER_COLUMNS}
    mheaders = {name: h for h, name, _k in MATERIAL_COLUMNS}

    units = OrgUnit.objects.filter(kind=OrgUnit.Kind.DEPARTMENT)
    area_qs = ServiceArea.objects.all()
    if county is not None:
        units, area_qs = for_county(units, county), for_county(area_qs, county)
    # A unit code is unique in its county only: a county's import resolves its own departments;
    # the platform's (no county) only a code that no two counties share.
    departments: dict[str, OrgUnit] = {}
    ambiguous: set[str] = set()
    for u in units:
        if u.code in departments:
            ambiguous.add(u.code)
        departments[u.code] = u
    areas = {a.code: a for a in area_qs}
    events = {e.code: e for e in LifeEvent.objects.all()}
    standards = {
        st.basic_code: st
        for st in StandardMatter.objects.filter(basic_code__in={c["standard"] for _n, c in matter_rows if c.get("standard")})
    }
    parsed: list[_Row] = []
    seen_codes: dict[str, int] = {}

    for number, cells in matter_rows:
        row = _Row(number=number, code=cells.get("code", ""))

        def err(name: str, message: Any, number: int = number) -> None:
            errors.append(RowError(MATTER_SHEET, number, headers.get(name, name), str(message)))

        if row.code:
            if row.code in seen_codes:
                err("code", _("事项编码与第%(r)d行重复。") % {"r": seen_codes[row.code]})
            else:
                seen_codes[row.code] = number
            if len(row.code) > 40:
                err("code", _("事项编码过长。"))
        dept_code = cells.get("department", "")
        row.department = departments.get(dept_code) if dept_code not in ambiguous else None
        if dept_code in ambiguous:
            err("department", _("多个区县都有部门编码 %(c)s，请由该区县的管理员导入。") % {"c": dept_code})
        elif row.department is None:
            err("department", _("未知的实施部门：%(c)s") % {"c": dept_code} if dept_code else _("必填。"))
        area_code = cells.get("service_area", "")
        if area_code:
            row.service_area = areas.get(area_code)
            if row.service_area is None:
                err("service_area", _("未知的服务区：%(c)s") % {"c": area_code})
        for code in [c.strip() for c in cells.get("life_events", "").replace("，", ",").split(",") if c.strip()]:
            if code in events:
                row.life_events.append(events[code])
            else:
                err("life_events", _("未知的主题事件：%(c)s") % {"c": code})
        for _h, name, kind in MATTER_COLUMNS:
            if name in ("code", "department", "service_area", "life_events", "standard"):
                continue
            raw = cells.get(name, "")
            if name == "name" and not raw:
                err(name, _("事项名称必填。"))
                continue
            if name == "name" and len(raw) > 200:
                err(name, _("事项名称过长。"))
                continue
            if kind == "choice" and not raw:
                err(name, _("必填。"))
                continue
            try:
                row.fields[name] = _parse_value(name, kind, raw)
            except ValueError as exc:
                err(name, exc.args[0] if exc.args else _("格式不正确。"))
        for name, limit in (("consult_phone", 32), ("complaint_phone", 32), ("handling_place", 200), ("handling_hours", 200)):
            if len(str(row.fields.get(name) or "")) > limit:
                err(name, _("内容过长。"))
        sd, cd = row.fields.get("statutory_days"), row.fields.get("committed_days")
        if isinstance(sd, int) and isinstance(cd, int) and cd > sd:
            err("committed_days", _("承诺办结时限（%(c)d）超过法定办结时限（%(s)d）。") % {"c": cd, "s": sd})
        standard_code = cells.get("standard", "")
        if standard_code:
            row.standard = standards.get(standard_code)
            if row.standard is None:
                err("standard", _("省级基本目录中没有该基本编码：%(c)s") % {"c": standard_code})
            else:
                for name in StandardMatter.BASIC_FIELDS:
                    if name in row.fields and row.fields[name] != getattr(row.standard, name):
                        err(name, _("与省级基本目录不一致（应为“%(v)s”）。") % {"v": getattr(row.standard, name)})
        parsed.append(row)

    by_code = {r.code: r for r in parsed if r.code}
    for number, cells in material_rows:

        def merr(name: str, message: Any, number: int = number) -> None:
            errors.append(RowError(MATERIAL_SHEET, number, mheaders.get(name, name), str(message)))

        code = cells.get("code", "")
        owner = by_code.get(code)
        if owner is None:
            merr("code", _("事项编码不在“事项”表中：%(c)s") % {"c": code} if code else _("必填。"))
        material: dict[str, Any] = {}
        for _h, name, kind in MATERIAL_COLUMNS:
            if name == "code":
                continue
            raw = cells.get(name, "")
            if name == "name" and not raw:
                merr(name, _("材料名称必填。"))
                continue
            if kind == "choice" and not raw:
                material[name] = MaterialRequirement.Form.ORIGINAL if name == "form" else MaterialRequirement.Need.REQUIRED
                continue
            try:
                material[name] = _parse_value(name, kind, raw) if raw or kind != "int" else 1
            except ValueError as exc:
                merr(name, exc.args[0] if exc.args else _("格式不正确。"))
        for name, limit in (("name", 200), ("condition_text", 200), ("shared_key", 64)):
            if len(str(material.get(name) or "")) > limit:
                merr(name, _("内容过长。"))
        if material.get("quantity") == 0:
            merr("quantity", _("份数至少为1。"))
        if owner is not None:
            owner.materials.append(material)

    # Matters in the database: which codes exist, and is a "new" code taken by another row.
    existing = {
        code: (dept, standard)
        for code, dept, standard in Matter.objects.filter(code__in=list(by_code)).values_list(
            "code", "department_id", "standard__basic_code"
        )
    }
    for row in parsed:
        if row.code not in existing:
            continue
        dept, standard = existing[row.code]
        if row.department is not None and dept != row.department.pk:
            errors.append(RowError(MATTER_SHEET, row.number, headers["department"], str(_("与已有事项的实施部门不一致。"))))
        if standard and (row.standard is None or row.standard.basic_code != standard):
            errors.append(
                RowError(
                    MATTER_SHEET, row.number, headers["standard"], str(_("该事项实施的基本目录事项是 %(c)s。") % {"c": standard})
                )
            )
    errors.sort(key=lambda e: (e.sheet != MATTER_SHEET, e.row))
    return parsed, errors


def _differs(matter: Matter, row: _Row) -> bool:
    v = matter.current_version
    if v is None or v.status != MatterVersion.Status.PUBLISHED:
        return True
    if any(getattr(v, k) != row.fields[k] for k in row.fields):
        return True
    current = [{k: getattr(m, k) for k in SHEET_MATERIAL_FIELDS} for m in v.materials.all()]
    wanted = [{k: m.get(k, "") for k in SHEET_MATERIAL_FIELDS} for m in row.materials]
    for m in wanted:
        m["quantity"] = m["quantity"] or 1
    return current != wanted


def _with_links(matter: Matter, materials: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The sheet does not carry what the online form provides (provided_by, form_fields): a
    material keeps its current link by name, so a re-import never makes people upload it again."""
    v = matter.current_version
    links = {m.name: {"provided_by": m.provided_by, "form_fields": m.form_fields} for m in v.materials.all()} if v else {}
    return [{**links.get(m.get("name", ""), {}), **m} for m in materials]


def import_catalog(*, data: IO[bytes] | bytes, actor: Any, progress: Callable[[int, int], None] | None = None) -> ImportReport:
    """Validate the whole workbook, then write it in one transaction or not at all."""
    rows, errors = parse_workbook(data, county=staff_county(actor))
    if errors:
        raise ImportInvalid(errors)
    if not rows:
        raise ImportInvalid([RowError(MATTER_SHEET, 2, "", str(_("没有可导入的事项。")))])
    report = ImportReport()
    with transaction.atomic():
        existing = {
            m.code: m
            for m in Matter.objects.filter(code__in=[r.code for r in rows if r.code])
            .select_related("current_version")
            .prefetch_related("current_version__materials", "life_events")
        }
        for i, row in enumerate(rows, 1):
            try:
                matter = existing.get(row.code)
                if matter is None:
                    assert row.department is not None
                    fields = {k: v for k, v in row.fields.items() if k in VERSION_FIELDS}
                    common: dict[str, Any] = {
                        "department": row.department,
                        "actor": actor,
                        "materials": row.materials,
                        "service_area": row.service_area,
                        "life_events": row.life_events,
                        "code": row.code or None,
                        "publish": True,
                    }
                    if row.standard is not None:  # the basic fields come from the province's entry
                        basic = set(StandardMatter.BASIC_FIELDS)
                        local = {k: v for k, v in fields.items() if k not in basic}
                        created = matter_implement(standard=row.standard, **common, **local)
                    else:
                        created = matter_create(**common, **fields)
                    report.created.append(created.code)
                else:
                    changed = False
                    if _differs(matter, row):
                        draft = matter_draft_create(matter=matter, actor=actor)
                        matter_draft_update(
                            version=draft, actor=actor, materials=_with_links(matter, row.materials), **row.fields
                        )
                        matter_publish(version=draft, actor=actor)
                        changed = True
                    if matter.service_area_id != (row.service_area.pk if row.service_area else None) or {
                        e.pk for e in matter.life_events.all()
                    } != {e.pk for e in row.life_events}:
                        matter_placement_update(
                            matter=matter, service_area=row.service_area, life_events=row.life_events, actor=actor
                        )
                        changed = True
                    if row.standard is not None and matter.standard_id is None:
                        matter_link_standard(matter=matter, standard=row.standard, actor=actor)
                        changed = True
                    (report.updated if changed else report.unchanged).append(matter.code)
            except ApplicationError as exc:
                # A row that became invalid under us (e.g. a code taken concurrently): roll back all.
                raise ImportInvalid([RowError(MATTER_SHEET, row.number, "", str(exc.message))]) from None
            if progress:
                progress(i, len(rows))
    return report
