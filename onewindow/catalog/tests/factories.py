"""Test helpers: matters created through the real services."""

from __future__ import annotations

from typing import Any

from onewindow.accounts.models import OrgUnit

from ..models import Matter
from ..services import matter_create

ID_CARD = {"name": "申请人居民身份证", "shared_key": "id_card"}
CONTRACT = {"name": "房屋买卖合同", "shared_key": "sale_contract"}
PROPERTY = {"name": "不动产权证书", "shared_key": "property_cert"}


def make_matter(department: OrgUnit, name: str = "不动产转移登记", *, publish: bool = True, **fields: Any) -> Matter:
    data: dict[str, Any] = {
        "matter_type": "confirmation",
        "kind": "committed",
        "statutory_days": 20,
        "committed_days": 5,
        "on_one_window": True,
        "online_depth": 3,
    }
    data.update(fields)
    materials = data.pop("materials", [ID_CARD, {"name": f"《{name}》申请表"}])
    return matter_create(department=department, name=name, actor=None, materials=materials, publish=publish, **data)
