"""The one matter builder of the tests: every app's tests make their matters here, through the
catalog's services (`matter_create`, `matter_publish`), so codes, the department's code counter,
the version number, the search keys and the audit row are what the platform itself writes. The
apps' helpers (cases, assistance, appointments) only choose their defaults and call it."""

from __future__ import annotations

from typing import Any

from onewindow.accounts.models import OrgUnit

from ..models import Matter
from ..services import matter_create

ID_CARD = {"name": "申请人居民身份证", "shared_key": "id_card"}
CONTRACT = {"name": "房屋买卖合同", "shared_key": "sale_contract"}
PROPERTY = {"name": "不动产权证书", "shared_key": "property_cert"}


def make_matter(department: OrgUnit, name: str = "不动产转移登记", *, publish: bool = True, **fields: Any) -> Matter:
    """A matter of `department` (published unless publish=False). `fields` are any version field
    (`matter_type`, `kind`, days, `agent_eligible`, `off_hours_bookable`, `handling_level`,
    `form_schema`...), `materials` (dicts as `matter_create` takes them), an explicit `code` (kept
    as given) and a `service_area`."""
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
