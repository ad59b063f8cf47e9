"""The real-estate transfer bundle (不动产转移登记一件事) the joint-case benchmarks drive: three matters of
three departments approved in parallel (住建局 网签备案, 税务局 纳税申报, 不动产登记中心 转移登记), a
clerk of 行政审批局 at the front desk, one approver per department and a citizen. Used by
cases_e2e.py and mixed_load.py, after django.setup(), in a fresh database."""

from __future__ import annotations

import datetime
from typing import Any


def build_joint_case() -> dict[str, Any]:
    from onewindow.accounts.models import OrgUnit, Role, RoleAssignment, User
    from onewindow.accounts.services import org_unit_create
    from onewindow.cases.models import RouteStage, RouteStep, RouteVersion
    from onewindow.catalog.models import Bundle, BundleItem, MaterialRequirement, Matter, MatterVersion
    from onewindow.core.calendar_seed import PROVISIONAL, import_year, seed_from_chinesecalendar
    from onewindow.core.demo.calendar import PROVISIONAL_2027

    seed_from_chinesecalendar(first_year=2025)
    import_year(
        year=2027, exceptions=[(datetime.date.fromisoformat(d), False, n) for d, n in PROVISIONAL_2027], source=PROVISIONAL
    )
    gov = org_unit_create(code="QY", name="青原区人民政府", kind=OrgUnit.Kind.GOVERNMENT)
    units = {
        c: org_unit_create(code=c, name=n, kind=OrgUnit.Kind.DEPARTMENT, parent=gov)
        for c, n in [("XZSP", "行政审批局"), ("ZJJ", "住建局"), ("SW", "税务局"), ("BDC", "不动产登记中心")]
    }

    def user(name: str, role: str, unit: Any) -> User:
        u = User.objects.create_user(username=name, password=None, display_name=name)
        RoleAssignment.objects.create(user=u, role=role, org_unit=unit)
        return u

    people = {
        "clerk": user("clerk", Role.CLERK, units["XZSP"]),
        "ZJJ": user("a_zjj", Role.APPROVER, units["ZJJ"]),
        "SW": user("a_sw", Role.APPROVER, units["SW"]),
        "BDC": user("a_bdc", Role.APPROVER, units["BDC"]),
        "citizen": user("citizen", Role.CITIZEN, None),
    }
    bundle = Bundle.objects.create(code="YJS-BDCZY", name="不动产转移登记一件事")
    for i, (code, name, days) in enumerate([("ZJJ", "网签备案", 0), ("SW", "纳税申报", 0), ("BDC", "转移登记", 8)]):
        m = Matter.objects.create(code=f"{code}-1", department=units[code], search_name=name)
        mv = MatterVersion.objects.create(
            matter=m,
            number=1,
            status="published",
            name=name,
            matter_type="licence",
            kind="committed",
            statutory_days=15,
            committed_days=days,
        )
        MaterialRequirement.objects.create(version=mv, name="身份证", shared_key="id_card")
        MaterialRequirement.objects.create(version=mv, name=f"{name}材料")
        m.current_version = mv
        m.save(update_fields=["current_version"])
        BundleItem.objects.create(bundle=bundle, matter=m, sort_order=i)
    route = RouteVersion.objects.create(bundle=bundle, number=1, name="并联", status="published")
    stage = RouteStage.objects.create(route=route, order=1, name="并联审批")
    for code, days in [("ZJJ", 2), ("SW", 2), ("BDC", 5)]:
        RouteStep.objects.create(stage=stage, department=units[code], name=f"{code}审查", limit_days=days)
    return {"people": people, "bundle": bundle, "units": units, "gov": gov}
