"""Catalog API (/api/v1/catalog/): public reads of the published catalog for the web, phones and
kiosks. Matters are addressed by their public code; nothing here writes."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema

from onewindow.accounts.visitor import api_county
from onewindow.core.apikit import MAX_PAGE_SIZE, ErrorOut, PageOut, PageParams, page_of, paginate
from onewindow.core.errors import NotFound

from . import selectors
from .models import Matter
from .search import PAGE_SIZE

router = Router(tags=["catalog"])


class MatterOut(Schema):
    uuid: UUID
    code: str
    name: str
    department: str
    department_code: str
    county: str
    service_area: str | None
    kind: str
    matter_type: str
    statutory_days: int
    committed_days: int
    max_visits: int
    handling_level: str
    on_one_window: bool
    online_capable: bool
    online_depth: int
    on_mobile: bool
    off_hours_bookable: bool
    agent_eligible: bool
    retired: bool


class MaterialOut(Schema):
    name: str
    form: str
    quantity: int
    need: str
    condition_text: str
    shared_key: str


class MatterDetailOut(MatterOut):
    version: int
    published_at: datetime | None
    audience: str
    fee_required: bool
    fee_description: str
    fee_basis: str
    conditions: str
    legal_basis: str
    commitment_text: str
    consult_phone: str
    complaint_phone: str
    handling_place: str
    handling_hours: str
    form_schema: list[dict[str, Any]]
    life_events: list[str]
    delegated_to: list[str]
    materials: list[MaterialOut]


class MatterPage(PageOut):
    """The API's list shape (page, page_size, count, pages, items) with the search's cursors."""

    count: int = Field(description="匹配的事项数，最多数到 1000")
    count_more: bool = Field(description="匹配的事项超过 1000 个（显示为“1,000+”）")
    page: int = Field(description="页码；按游标取的页为 0")
    next: str = Field(description="下一页的游标（作 after 参数）；没有下一页时为空")
    previous: str = Field(description="上一页的游标（作 before 参数）；第一页时为空")
    items: list[MatterOut]


class SearchParams(PageParams):
    q: str = ""
    department: str = ""
    area: str = ""
    theme: str = ""
    event: str = ""
    online: bool = False
    mobile: bool = False
    zero_trip: bool = False
    off_hours: bool = False
    agent: bool = False
    level: str = ""
    audience: str = ""
    county: str = Field("", max_length=6, description="区县行政区划代码：只查这个区县的事项")
    page: int = Field(1, ge=1, le=1000, description="页码（从头数；翻页请用 after / before 游标）")
    page_size: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    after: str = Field("", max_length=64, description="从这个游标之后取一页（上一页答复的 next）")
    before: str = Field("", max_length=64, description="取这个游标之前的一页（答复的 previous）")


class BundleMatterOut(Schema):
    code: str
    name: str
    department: str


class MergedMaterialOut(Schema):
    key: str
    name: str
    form: str
    quantity: int
    required: bool
    matters: list[str]


class BundleOut(Schema):
    uuid: UUID
    code: str
    name: str
    description: str
    matters: list[BundleMatterOut]


class BundleDetailOut(BundleOut):
    materials: list[MergedMaterialOut]
    materials_if_separate: int


def _matter_out(m: Matter) -> dict[str, Any]:
    v = m.current_version
    assert v is not None
    return {
        "uuid": m.uuid,
        "code": m.code,
        "name": v.name,
        "department": m.department.name,
        "department_code": m.department.code,
        "county": m.department.county_id,
        "service_area": m.service_area.code if m.service_area else None,
        "kind": v.kind,
        "matter_type": v.matter_type,
        "statutory_days": v.statutory_days,
        "committed_days": v.committed_days,
        "max_visits": v.max_visits,
        "handling_level": v.handling_level,
        "on_one_window": v.on_one_window,
        "online_capable": v.is_online_capable,
        "online_depth": v.online_depth,
        "on_mobile": v.on_mobile,
        "off_hours_bookable": v.off_hours_bookable,
        "agent_eligible": v.agent_eligible,
        "retired": v.status == v.Status.RETIRED,
    }


@router.get("/matters", response={200: MatterPage, 422: ErrorOut}, summary="搜索事项（中文、拼音、首字母；分页）")
def list_matters(request: HttpRequest, params: Query[SearchParams]) -> dict[str, Any]:
    api_county(params.county)  # an unknown code: 422
    query = selectors.MatterQuery(**params.dict(exclude={"page", "page_size", "after", "before"}))
    page = selectors.search_page(query, after=params.after, before=params.before, number=params.page, per_page=params.page_size)
    pages = max(1, -(-page.count // page.per_page))
    return {
        "page_size": page.per_page,
        "count": page.count,
        "count_more": page.more,
        "page": min(params.page, pages) if not (params.after or params.before) else 0,
        "pages": pages,
        "next": page.next_cursor,
        "previous": page.previous_cursor,
        "items": [_matter_out(m) for m in page.items],
    }


@router.get("/matters/{code}", response={200: MatterDetailOut, 404: ErrorOut}, summary="事项办事指南（含材料）")
def matter_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    m = selectors.matter_by_code(code)
    if m is None or m.current_version is None:
        raise NotFound(_("未找到该事项。"))
    v = m.current_version
    out = _matter_out(m)
    out.update(
        version=v.number,
        published_at=v.published_at,
        audience=v.audience,
        fee_required=v.fee_required,
        fee_description=v.fee_description,
        fee_basis=v.fee_basis,
        conditions=v.conditions,
        legal_basis=v.legal_basis,
        commitment_text=v.commitment_text,
        consult_phone=v.consult_phone,
        complaint_phone=v.complaint_phone,
        handling_place=v.handling_place,
        handling_hours=v.handling_hours,
        form_schema=v.form_schema or [],
        life_events=[e.code for e in m.life_events.all()],
        delegated_to=[t.code for t in selectors.matter_townships(m)],
        materials=[
            {
                "name": r.name,
                "form": r.form,
                "quantity": r.quantity,
                "need": r.need,
                "condition_text": r.condition_text,
                "shared_key": r.shared_key,
            }
            for r in v.materials.all()
        ],
    )
    return out


def _bundle_out(b: Any) -> dict[str, Any]:
    return {
        "uuid": b.uuid,
        "code": b.code,
        "name": b.name,
        "description": b.description,
        "matters": [
            {"code": i.matter.code, "name": i.matter.search_name, "department": i.matter.department.name} for i in b.items.all()
        ],
    }


class BundleParams(PageParams):
    county: str = Field("", max_length=6, description="区县行政区划代码：只列这个区县的一件事")


@router.get("/bundles", response={200: page_of(BundleOut), 422: ErrorOut}, summary="一件事列表")
def list_bundles(request: HttpRequest, params: Query[BundleParams]) -> dict[str, Any]:
    return paginate(selectors.active_bundles(api_county(params.county)), params, _bundle_out)


@router.get("/bundles/{code}", response={200: BundleDetailOut, 404: ErrorOut}, summary="一件事及合并去重后的材料")
def bundle_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    b = selectors.bundle_by_code(code)
    if b is None:
        raise NotFound(_("未找到该一件事。"))
    out = _bundle_out(b)
    out["materials"] = [
        {
            "key": m.key,
            "name": m.name,
            "form": m.form,
            "quantity": m.quantity,
            "required": m.required,
            "matters": [x.code for x in m.matters],
        }
        for m in selectors.bundle_materials(b)
    ]
    out["materials_if_separate"] = selectors.bundle_material_count_before(b)
    return out
