"""Two more counties of 吉安市 beside 青原区 (docs/tenancy.md): 吉州区 (360802) and 吉安县 (360821),
each with a small org tree (four departments, two townships of three villages), a county
administrator, a clerk and an approver, a dozen published matters taken from the same
specifications as 青原区's (so the same matter has a code of each county), and a hall with one
area and two windows. Small on purpose: it makes the isolation visible (sign in as `admin_jz`
and see only 吉州区) without slowing the demo build. 吉安县 also gets a day of its own calendar: its
offices closed one Friday by the county government's notice (accounts.CalendarOverride), so its
cases filed around it (the dashboard step files a dozen) are due a working day later than
青原区's. Idempotent, like every step."""

from __future__ import annotations

import datetime
import os

from django.db import transaction

from onewindow.accounts.calendar import calendar_override_add
from onewindow.accounts.models import CalendarOverride, County, OrgUnit, Role, User
from onewindow.accounts.services import org_unit_create, role_grant
from onewindow.core.demo import DEMO_PASSWORD, DemoContext
from onewindow.hall.models import ServiceArea, ServicePoint, Window, WindowArea

from .demo.specs import _materials, matter_specs
from .models import Matter
from .services import MatterInput, matter_bulk_create

# code, name, case-number letters (also the prefix of its unit codes), address of its hall
COUNTIES = [
    ("360802", "吉州区", "JZ", "吉安市吉州区井冈山大道"),
    ("360821", "吉安县", "JA", "吉安县敦厚镇"),
]
DEPARTMENTS = [("XZSP", "行政审批局"), ("ZJJ", "住房和城乡建设局"), ("MZJ", "民政局"), ("SCJG", "市场监督管理局")]
TOWNSHIPS = {"JZ": ["白塘街道", "兴桥镇"], "JA": ["敦厚镇", "永和镇"]}
MATTERS_PER_DEPARTMENT = 3
# A county's own calendar (docs/tenancy.md): 吉安县 closes its offices on a working day.
CALENDAR_OVERRIDES = {
    "360821": (
        datetime.date(2026, 12, 18),
        "城区停电暂停办公",
        "吉安县人民政府办公室《关于12月18日县政务服务中心暂停对外办公的通知》（演示数据）：因城区变电站改造，"
        "敦厚镇城区全天停电，县政务服务中心及各进驻窗口暂停对外办公，办理期限顺延。",
    ),
}


def build(ctx: DemoContext) -> None:
    # On by default: the public pages show the county the visitor chose (accounts/visitor.py), so
    # 青原区's pages list only its own. DEMO_COUNTIES=0 builds the one-district demo.
    if os.environ.get("DEMO_COUNTIES", "1") == "0":
        return
    for code, name, letters, address in COUNTIES:
        with transaction.atomic():
            county, _ = County.objects.get_or_create(
                code=code, defaults={"name": name, "city_code": "360800", "case_prefix": letters}
            )
            root = _unit(letters, f"{name}人民政府", OrgUnit.Kind.GOVERNMENT, county=county)
            departments = {
                short: _unit(f"{letters}{short}", f"{name}{dname}", OrgUnit.Kind.DEPARTMENT, parent=root, order=i)
                for i, (short, dname) in enumerate(DEPARTMENTS)
            }
            for t, tname in enumerate(TOWNSHIPS[letters]):
                kind = OrgUnit.Kind.SUBDISTRICT if tname.endswith("街道") else OrgUnit.Kind.TOWNSHIP
                township = _unit(f"{letters}T{t + 1}", tname, kind, parent=root, order=100 + t)
                for v in range(3):
                    vkind = OrgUnit.Kind.COMMUNITY if kind == OrgUnit.Kind.SUBDISTRICT else OrgUnit.Kind.VILLAGE
                    suffix = "社区" if vkind == OrgUnit.Kind.COMMUNITY else "村"
                    _unit(f"{letters}T{t + 1}-V{v + 1:02d}", f"{tname[:2]}{'一二三'[v]}{suffix}", vkind, parent=township, order=v)
            area = _hall(letters, name, address, root)
            _staff(letters.lower(), name, root, departments)
            made = _matters(ctx, departments, area)
        _calendar_override(ctx, county)
        ctx.say(f"  county {code} {name}: {made} new matters")


def _calendar_override(ctx: DemoContext, county: County) -> None:
    if county.pk not in CALENDAR_OVERRIDES:
        return
    day, name, reason = CALENDAR_OVERRIDES[county.pk]
    if CalendarOverride.objects.filter(county=county, date=day).exists():
        return
    from onewindow.core.models import WorkCalendarDay

    if not WorkCalendarDay.objects.filter(date=day, is_workday=True).exists():
        return  # a partial demo without that year's calendar: nothing to close
    calendar_override_add(county=county, date=day, is_workday=False, name=name, reason=reason, actor=None)
    ctx.say(f"  county {county.pk}: offices closed on {day} ({name})")


def _unit(
    code: str, name: str, kind: str, *, parent: OrgUnit | None = None, county: County | None = None, order: int = 0
) -> OrgUnit:
    where = county.pk if county is not None else parent.county_id if parent is not None else County.default().pk
    existing = OrgUnit.objects.filter(county_id=where, code=code).first()  # codes are unique per county
    if existing is not None:
        return existing
    return org_unit_create(code=code, name=name, kind=kind, parent=parent, county=county, sort_order=order)


def _hall(letters: str, name: str, address: str, root: OrgUnit) -> ServiceArea:
    point, _ = ServicePoint.objects.get_or_create(
        code=f"{letters}-ZWFW", defaults={"org_unit": root, "name": f"{name}政务服务中心", "address": address}
    )
    area, _ = ServiceArea.objects.get_or_create(
        code=f"{letters}-ZH",
        defaults={"point": point, "name": "综合服务区", "theme": ServiceArea.Theme.COMPREHENSIVE, "ticket_prefix": "A"},
    )
    for number in (1, 2):
        window, _ = Window.objects.get_or_create(point=point, number=number, defaults={"name": f"综合窗口{number}"})
        WindowArea.objects.get_or_create(window=window, area=area, defaults={"priority": 1})
    return area


def _staff(prefix: str, name: str, root: OrgUnit, departments: dict[str, OrgUnit]) -> None:
    """The county's administrator (at its root: the whole county, nothing else), a clerk of its
    审批局 and an approver of its 住建局. The administrator works in the Django admin, which shows
    them their county only."""
    for username, display, role, unit in (
        (f"admin_{prefix}", f"{name}系统管理员", Role.ADMIN, root),
        (f"clerk_{prefix}", f"{name}窗口人员", Role.CLERK, departments["XZSP"]),
        (f"approver_{prefix}", f"{name}住建局审批人员", Role.APPROVER, departments["ZJJ"]),
    ):
        if User.objects.filter(username=username).exists():
            continue
        user = User.objects.create_user(username=username, password=DEMO_PASSWORD, display_name=display)
        # Through the service: the county's administrator gets the admin's door (its system duty's
        # group), which is scoped to the county (accounts/admin_scope.py): the catalog's drafts,
        # the province's revisions among them, are published there.
        role_grant(user=user, role=role, org_unit=unit, actor=None)


def _matters(ctx: DemoContext, departments: dict[str, OrgUnit], area: ServiceArea) -> int:
    rng = ctx.rng("catalog.counties")
    have = set(Matter.objects.filter(department__in=departments.values()).values_list("department__code", "search_name"))
    chosen: dict[str, int] = {}
    items: list[MatterInput] = []
    for spec in matter_specs(ctx.seed):
        materials = _materials(spec, rng)
        dept = departments.get(spec.dept)
        if dept is None or chosen.get(spec.dept, 0) >= MATTERS_PER_DEPARTMENT:
            continue
        chosen[spec.dept] = chosen.get(spec.dept, 0) + 1
        if (dept.code, spec.name) in have:
            continue
        # The county's own hall, not the specification's (青原区's) place.
        fields = {**spec.extra, "handling_place": f"{area.point.name}（{area.point.address}）"}
        items.append(MatterInput(department=dept, fields=fields, materials=materials, service_area=area))
    if items:
        matter_bulk_create(items=items, actor=None)
    return len(items)
