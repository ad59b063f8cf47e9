"""The district hall of the demo (F4): the comprehensive area and five themed areas with their
departments and windows, and a 便民服务区 of two windows in every township's centre."""

from __future__ import annotations

from onewindow.accounts.demo import TOWNSHIPS
from onewindow.accounts.models import OrgUnit
from onewindow.core.demo import DemoContext
from onewindow.hall.models import ServiceArea, ServicePoint, Window, WindowArea

HALL_CODE = "QY-ZWFW"


# (area code, theme, name, ticket prefix, windows, departments); the comprehensive area takes every
# department not named in a themed area.
THEMED_AREAS: list[tuple[str, str, str, str, int, list[str]]] = [
    ("QY-YB", ServiceArea.Theme.MEDICAL_INSURANCE, "医保服务区", "B", 2, ["YBJ"]),
    ("QY-SB", ServiceArea.Theme.SOCIAL_INSURANCE, "社保服务区", "C", 3, ["RSJ", "GJJ"]),
    ("QY-QYKB", ServiceArea.Theme.BUSINESS, "企业注册开办服务区", "D", 4, ["SCJG", "XZSP"]),
    ("QY-BDC", ServiceArea.Theme.REAL_ESTATE, "不动产服务区", "E", 4, ["ZJJ", "SW", "BDC"]),
    ("QY-XMTZ", ServiceArea.Theme.INVESTMENT, "项目投资服务区", "F", 1, ["FGW", "ZRZY"]),
]


COMPREHENSIVE = ("QY-ZH", ServiceArea.Theme.COMPREHENSIVE, "综合服务区", "A", 4)


TOWNSHIP_WINDOWS = 2


def build_hall(ctx: DemoContext) -> dict[str, ServiceArea]:
    """The district hall and the township halls; returns department code -> accepting area."""
    gov = OrgUnit.objects.get(code="QY")
    point, _ = ServicePoint.objects.get_or_create(
        code=HALL_CODE,
        defaults={"org_unit": gov, "name": "青原区行政服务中心", "address": "吉安市青原区青原大道", "phone": "0796-8200000"},
    )
    departments = {u.code: u for u in OrgUnit.objects.filter(kind=OrgUnit.Kind.DEPARTMENT, county_id=gov.county_id)}
    themed_codes = {d for a in THEMED_AREAS for d in a[5]}
    layout = [(*COMPREHENSIVE, sorted(set(departments) - themed_codes)), *THEMED_AREAS]
    by_dept: dict[str, ServiceArea] = {}
    window_no = 0
    for order, (code, theme, name, prefix, windows, dept_codes) in enumerate(layout):
        area, _ = ServiceArea.objects.get_or_create(
            code=code, defaults={"point": point, "name": name, "theme": theme, "ticket_prefix": prefix, "sort_order": order}
        )
        area.departments.add(*[departments[c] for c in dept_codes])
        for c in dept_codes:
            by_dept[c] = area
        for _i in range(windows):
            window_no += 1
            window, _ = Window.objects.get_or_create(point=point, number=window_no, defaults={"name": f"{name}{window_no}号窗口"})
            WindowArea.objects.get_or_create(window=window, area=area, defaults={"priority": 1})
    for i, (tcode, tname, _kind, _villages) in enumerate(TOWNSHIPS):
        township = OrgUnit.objects.get(code=tcode)
        tpoint, _ = ServicePoint.objects.get_or_create(
            code=f"{tcode}-ZWFW", defaults={"org_unit": township, "name": f"{tname}便民服务中心", "phone": f"0796-82{i:02d}100"}
        )
        area, _ = ServiceArea.objects.get_or_create(
            code=f"{tcode}-BM",
            defaults={
                "point": tpoint,
                "name": f"{tname}便民服务区",
                "theme": ServiceArea.Theme.TOWNSHIP,
                "ticket_prefix": "A",
                "daily_cap": 200,
            },
        )
        for n in range(1, TOWNSHIP_WINDOWS + 1):
            window, _ = Window.objects.get_or_create(point=tpoint, number=n, defaults={"name": f"{n}号窗口"})
            WindowArea.objects.get_or_create(window=window, area=area, defaults={"priority": 1})
    return by_dept
