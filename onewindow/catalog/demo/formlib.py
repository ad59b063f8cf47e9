"""Real application forms for the demo catalog, written the way 实施清单 application forms are:
an applicant block (a person or an enterprise, with an optional agent), then what this matter
asks about (the property, the household, the licence, the tax period...).

`form_for(name, dept, audience)` builds a matter's `form_schema` from families chosen by the
matter's department and name; `material_links(...)` says which of its materials the form (or the
platform's verified identity / enterprise data) already provides. Labels and help are Chinese
with English beside them (catalog data; the pages show the reader's language).

The fields and blocks are in `formblocks.py`, the families in `families_people.py` and
`families_business.py`; the choice of a matter's families and the links to its materials here.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from onewindow.catalog import formschema

from .families_business import (
    construction_fields,
    employer_insurance_fields,
    enterprise_registration_fields,
    filing_fields,
    housing_contract_fields,
    licence_fields,
    new_taxpayer_fields,
    organisation_fields,
    permit_fields,
    place_name_fields,
    property_fields,
    property_tax_fields,
    seal_fields,
    tax_fields,
)
from .families_people import (
    assistance_fields,
    fund_fields,
    general_fields,
    household_fields,
    id_card_fields,
    medical_fields,
    social_fields,
)
from .formblocks import (
    S,
    delivery_block,
    enterprise_block,
    person_block,
)

# (department codes or "*", name keywords or (), builder); the first that fits is used.
FAMILIES: list[tuple[tuple[str, ...], tuple[str, ...], Any]] = [
    (("SW",), ("存量房", "契税"), property_tax_fields),
    (("SW",), ("新办纳税人",), new_taxpayer_fields),
    (("GA",), ("印章",), seal_fields),
    (("YBJ", "RSJ"), ("用人单位",), employer_insurance_fields),
    (("BDC",), (), property_fields),
    (("ZJJ",), ("网签", "买卖合同", "物业"), housing_contract_fields),
    (("ZJJ", "ZRZY", "FGW", "RFB", "XFJY"), ("工程", "竣工", "施工", "建设", "项目", "验收"), construction_fields),
    (("GA",), ("户口", "户籍", "迁移", "出生登记"), household_fields),
    (("GA",), ("身份证",), id_card_fields),
    (("*",), ("许可", "核准", "审批", "资格认定", "审核"), licence_fields),
    (("GA", "WGLJ", "TYJR", "JTJ", "YJJ", "CGJ"), (), permit_fields),
    (("SW",), (), tax_fields),
    (("RSJ",), (), social_fields),
    (("YBJ",), (), medical_fields),
    (("GJJ",), (), fund_fields),
    (("MZJ",), ("救助", "低保", "供养", "补贴", "临时"), assistance_fields),
    (("MZJ",), ("地名",), place_name_fields),
    (("MZJ",), ("登记", "备案", "机构"), organisation_fields),
    (("SCJG", "XZSP"), ("设立", "开办"), enterprise_registration_fields),
    (("*",), ("备案", "年度报告", "查询", "登记"), filing_fields),
]


def family_of(name: str, dept: str) -> Any:
    for depts, words, builder in FAMILIES:
        if ("*" in depts or dept in depts) and (not words or any(w in name for w in words)):
            return builder
    return general_fields


def form_for(*, name: str, dept: str, audience: str) -> list[S]:
    """The matter's application form: applicant block, then the matter's own sections."""
    new = any(w in name for w in ("设立", "开办", "新办", "印章刻制", "用人单位"))
    applicant = enterprise_block(new=new) if audience == "enterprise" else person_block()
    # The 低保 application's form is the household's situation, whatever words its name holds.
    own = assistance_fields(name) if name == "最低生活保障（低保）审批" else family_of(name, dept)(name)
    schema = applicant + own
    if any(w in name for w in ("许可", "登记", "认定", "证")) and "注销" not in name:
        schema += delivery_block()
    return schema


# Materials whose content the form captures entirely, by name: the fields standing in for them.
FORM_CAPTURES: dict[str, tuple[str, ...]] = {
    "家庭收入及财产情况说明": ("household_size", "household_income", "property_desc"),
    "最低生活保障申请书": ("applicant_name", "applicant_id", "household_size", "household_income", "hardship"),
}


def required_names(schema: list[S]) -> list[str]:
    return [x["name"] for x in schema if x.get("required") and not x.get("when")]


def material_links(material: dict[str, Any], schema: list[S], audience: str) -> dict[str, Any]:
    """provided_by / form_fields for one material of a matter with this form."""
    names = {x["name"] for x in schema}
    name = str(material.get("name", ""))
    captured = FORM_CAPTURES.get(name)
    if captured and set(captured) <= names:
        return {"provided_by": "form", "form_fields": list(captured)}
    if not material.get("shared_key") and ("申请表" in name or "申请书" in name):
        return {"provided_by": "form", "form_fields": required_names(schema)}
    if material.get("shared_key") == "id_card" and audience != "enterprise" and "双方" not in name:
        return {"provided_by": "identity", "form_fields": []}
    if material.get("shared_key") == "business_licence":
        return {"provided_by": "enterprise", "form_fields": []}
    return {"provided_by": "", "form_fields": []}


def example_values(schema: list[dict[str, Any]] | None, *, known: dict[str, Any] | None = None) -> dict[str, Any]:
    """Plausible values that pass `validate` for any schema (demo data and tests): `known` values
    first (a person's name, ID number, phone), then one value per type."""
    from stdnum.cn import ric, uscc

    today = timezone.localdate()
    person_id = "36080319800101123" + ric.calc_check_digit("360803198001011230")
    ent_body = "91360803MA0000001"
    samples: dict[str, Any] = {
        "text": "演示数据",
        "textarea": "演示数据",
        "address": "青原区河东街道青原大道88号",
        "phone": "13907960000",
        "id_number": person_id,
        "uscc": ent_body + uscc.calc_check_digit(ent_body),
        "yesno": formschema.NO,
    }
    out: dict[str, Any] = {}
    for f in formschema.fields_of(schema, fill_default=False):
        if known and f.name in known:
            out[f.name] = known[f.name]
        elif f.type == "number":
            low = f.min if f.min is not None else Decimal(1)
            out[f.name] = int(max(low, min(Decimal(1), f.max if f.max is not None else Decimal(1))))
        elif f.type == "date":
            out[f.name] = (today if f.not_past else today - datetime.timedelta(days=30)).isoformat()
        elif f.type == "choice":
            out[f.name] = f.choices[0]
        else:
            value = samples.get(f.type, "演示数据")
            out[f.name] = value[: f.max_length] if f.max_length and isinstance(value, str) else value
    return out
