"""Test data for structured forms and 网上预审: the real-estate transfer matter with the demo's real
form (catalog.demo.formlib), the materials it provides online, and a valid filled form. Used by the
cases, workbench, portal and browser tests (built directly, without loading the demo)."""

from __future__ import annotations

from typing import Any

from onewindow.accounts.demo import resident_id
from onewindow.accounts.models import OrgUnit
from onewindow.catalog.demo.formlib import form_for, material_links
from onewindow.catalog.models import Matter, MatterVersion
from onewindow.catalog.tests.factories import make_matter

APPLICANT_ID = resident_id("19560312", 228)  # the root conftest's citizen
SELLER_ID = resident_id("19700101", 333)

MATERIALS = [
    {"name": "不动产登记申请书", "shared_key": ""},
    {"name": "申请人居民身份证", "shared_key": "id_card"},
    {"name": "不动产权证书（房屋所有权证）", "shared_key": "property_cert"},
    {"name": "房屋买卖合同", "shared_key": "sale_contract"},
]


def make_form_matter(
    dept: OrgUnit, *, code: str = "BDC-FORM-1", name: str = "不动产转移登记", prereview: bool = True, online_depth: int = 4
) -> Matter:
    """A published, online-capable matter whose version has the real transfer form."""
    schema = form_for(name=name, dept="BDC", audience="citizen")
    return make_matter(
        dept,
        name,
        code=code,
        matter_type=MatterVersion.MatterType.CONFIRMATION,
        kind=MatterVersion.Kind.COMMITTED,
        statutory_days=30,
        committed_days=5,
        max_visits=0,
        on_one_window=False,
        online_depth=online_depth,
        audience="citizen",
        conditions="转让双方已签订买卖合同并完税。",
        form_schema=schema,
        online_prereview=prereview,
        materials=[{**m, **material_links(m, schema, "citizen")} for m in MATERIALS],
    )


def filled_form(**changes: Any) -> dict[str, Any]:
    data = {
        "applicant_name": "刘秀英",
        "applicant_id": APPLICANT_ID,
        "applicant_phone": "13900000001",
        "applicant_address": "青原区值夏镇值夏村15号",
        "has_agent": "no",
        "property_no": "赣（2021）青原区不动产权第0001234号",
        "location": "青原区河东街道青原大道88号3栋201室",
        "area": "89.5",
        "usage": "住宅",
        "seller_name": "王建国",
        "seller_id": SELLER_ID,
        "transfer_reason": "买卖",
        "price": "560000",
        "contract_no": "QY2026-000123",
        "ownership": "单独所有",
        "delivery": "窗口领取",
    }
    data.update(changes)
    return data
