"""The dashboard per county and the roll-up above the counties (docs/tenancy.md, "Province and city
roles"; docs/dashboard.md). Three counties with generated cases and tickets: 青原区 (the shared test
tree), 吉州区 (same city, 吉安市 360800) and 南昌县 (another city, 360100). A county's staff see
their county's figures only; the province's reader's roll-up is the sum of the counties' own
figures; the city's reader sees the city's counties; neither lists a case nor opens one."""

from __future__ import annotations

import csv
import datetime
import io
import zoneinfo
from typing import Any

import pytest
import time_machine

from conftest import login, make_user
from onewindow.accounts.models import County, OrgUnit, Role, User
from onewindow.accounts.services import org_unit_create
from onewindow.cases import services as svc
from onewindow.cases.figures import Period, totals
from onewindow.cases.tests.conftest import all_materials, make_matter
from onewindow.dashboard import rollup
from onewindow.dashboard.services import region_reader_grant
from onewindow.hall import stats as hall_stats
from onewindow.hall.models import Ticket
from onewindow.hall.services import ticket_issue
from onewindow.hall.tests.conftest import make_area, make_point

pytestmark = pytest.mark.django_db
TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
MAY = {"date_from": datetime.date(2026, 5, 1), "date_to": datetime.date(2026, 5, 31)}
MAY_Q = "date_from=2026-05-01&date_to=2026-05-31"


def _county(code: str, name: str, city: str, prefix: str, letters: str) -> dict[str, Any]:
    county = County.objects.create(code=code, name=name, city_code=city, case_prefix=prefix)
    root = org_unit_create(code=letters, name=f"{name}人民政府", kind=OrgUnit.Kind.GOVERNMENT, county=county)
    xzsp = org_unit_create(code=f"{letters}XZSP", name=f"{name}行政审批局", kind=OrgUnit.Kind.DEPARTMENT, parent=root)
    zjj = org_unit_create(code=f"{letters}ZJJ", name=f"{name}住建局", kind=OrgUnit.Kind.DEPARTMENT, parent=root)
    return {"county": county, "root": root, "intake": xzsp, "dept": zjj, "letters": letters}


def _activity(c: dict[str, Any], citizen: User, n_cases: int, n_tickets: int, *, decided: int) -> None:
    """`n_cases` applications in May 2026 at the county's hall (the first `decided` taken to 办结),
    and `n_tickets` tickets issued and called at its hall."""
    clerk = make_user(f"clerk_{c['letters'].lower()}", Role.CLERK, c["intake"])
    approver = make_user(f"approver_{c['letters'].lower()}", Role.APPROVER, c["dept"])
    mv = make_matter(
        f"{c['county'].code}-{c['letters']}ZJJ-XK-0001", f"{c['county'].name}房屋测绘成果审核", c["dept"], committed=5
    )
    for i in range(n_cases):
        with time_machine.travel(datetime.datetime(2026, 5, 4 + i, 10, tzinfo=TZ), tick=False):
            case = svc.case_submit(
                applicant=citizen,
                matter_version=mv,
                channel="counter",
                form_data={"address": "x"},
                materials=all_materials(list(mv.materials.all())),
                actor=clerk,
            )
            if i < decided:
                case = svc.case_accept(case=case, actor=clerk)
                for step in case.steps.all():
                    svc.step_approve(step=step, actor=approver)
                case = svc.case_decide(case=case, actor=approver, approved=True)
                svc.case_conclude(case=case, actor=clerk)
    point = make_point(c["root"], f"{c['letters']}-HALL", f"{c['county'].name}政务服务中心", token=f"{c['letters']}-token")
    area = make_area(point, f"{c['letters']}-A", "A", name="综合服务区")
    for i in range(n_tickets):
        with time_machine.travel(datetime.datetime(2026, 5, 12, 9, 10 * i, tzinfo=TZ), tick=False):
            ticket_issue(area=area, source=Ticket.Source.KIOSK)
    c["point"], c["matter"] = point, mv


@pytest.fixture
def counties(org: dict[str, OrgUnit], calendar: Any, citizen: User) -> dict[str, Any]:
    qy = {
        "county": County.default(),
        "root": org["gov"],
        "intake": org["XZSP"],
        "dept": org["ZJJ"],
        "letters": "QY",
    }
    jz = _county("360802", "吉州区", "360800", "JZ", "JZ")
    nc = _county("360121", "南昌县", "360100", "NC", "NC")
    _activity(qy, citizen, 3, 4, decided=2)
    _activity(jz, citizen, 2, 3, decided=1)
    _activity(nc, citizen, 4, 1, decided=4)
    return {"qy": qy, "jz": jz, "nc": nc}


@pytest.fixture
def province(counties: dict[str, Any]) -> User:
    user = make_user("province", display_name="省政务服务管理局")
    region_reader_grant(user=user, region_code="360000", actor=None)
    return user


@pytest.fixture
def city(counties: dict[str, Any]) -> User:
    user = make_user("city", display_name="吉安市行政审批局")
    region_reader_grant(user=user, region_code="360800", actor=None)
    return user


def _figure(section: Any, label: str) -> Any:
    return next(f.value for f in section.figures if f.label == label)


def _page_section(client: Any, url: str, key: str) -> Any:
    r = client.get(url)
    assert r.status_code == 200, url
    return next(s for s in r.context["sections"] if s.key == key)


def test_the_province_roll_up_is_the_sum_of_the_counties_figures(client: Any, counties: dict[str, Any], province: User) -> None:
    codes = ["360121", "360802", "360803"]
    rows = rollup.county_rows(list(County.objects.filter(code__in=codes).order_by("code")), MAY)
    by_code = {r.code: r for r in rows}
    # Each county's row is that county's own figures (as its dashboard reads them) ...
    period = Period(MAY["date_from"], MAY["date_to"])
    for code in codes:
        own = totals({"county": code}, period)
        assert {m: by_code[code].counts[m] for m in ("received", "concluded", "on_time")} == {
            m: own[m] for m in ("received", "concluded", "on_time")
        }
        hall = hall_stats.figures(date_from=MAY["date_from"], date_to=MAY["date_to"], county=code)
        assert by_code[code].counts["issued"] == hall.issued
    assert [by_code[c].counts["received"] for c in codes] == [4, 2, 3]
    assert [by_code[c].counts["issued"] for c in codes] == [1, 3, 4]
    # ... and the total is their sum, every count; its rates come from the summed counts.
    whole = rollup.total(rows, "合计")
    for m in rollup.COUNTS:
        assert whole.counts[m] == sum(r.counts[m] for r in rows), m
    assert whole.counts["received"] == 9 and whole.counts["concluded"] == 7
    assert whole.metrics["on_time"] == whole.counts["on_time"] / 7

    # The page: the province's reader sees the three counties and the total, ranked by received.
    login(client, province)
    r = client.get(f"/dashboard/counties/?{MAY_Q}")
    assert r.status_code == 200
    table = r.context["s"].tables[0]
    assert [row[0] for row in table.rows] == ["南昌县", "青原区", "吉州区", "合计"]
    assert [row[1] for row in table.rows[:3]] == [1, 2, 3] and table.rows[3][2] == 9
    # Each county's received on the roll-up equals its own dashboard's 收件, drilled from the roll-up.
    for code, name in (("360121", "南昌县"), ("360802", "吉州区"), ("360803", "青原区")):
        row = next(row for row in table.rows if row[0] == name)
        assert _figure(_page_section(client, f"/dashboard/?county={code}&{MAY_Q}", "cases"), "收件") == row[2]
    # Ranked by waiting time: the shortest first.
    r = client.get(f"/dashboard/counties/?{MAY_Q}&sort=wait")
    assert r.context["s"].tables[0].columns[:2] == ["区县", "排名"]
    # The export carries the same table with its period and ranking.
    r = client.get(f"/dashboard/counties/export.csv?{MAY_Q}&sort=received")
    assert r.status_code == 200
    text = r.content.decode("utf-8-sig")
    assert "排名依据：收件" in text and "开始日期：2026-05-01" in text
    rows_csv = list(csv.reader(io.StringIO(text)))
    assert rows_csv[[row[:1] for row in rows_csv].index(["合计"])][:3] == ["合计", "", "9"]
    r = client.get(f"/dashboard/counties/export.xlsx?{MAY_Q}")
    assert r.status_code == 200 and "spreadsheetml" in r["Content-Type"]


def test_the_city_reader_sees_the_city_s_counties(client: Any, counties: dict[str, Any], city: User) -> None:
    login(client, city)
    r = client.get(f"/dashboard/counties/?{MAY_Q}")
    assert r.status_code == 200
    assert [row[0] for row in r.context["s"].tables[0].rows] == ["青原区", "吉州区", "合计"]
    # The filter form offers the city's counties to choose from.
    r = client.get(f"/dashboard/?{MAY_Q}")
    assert [c.code for c in r.context["county_choices"]] == ["360802", "360803"]
    # A county of another city is not theirs: asking for it shows their first county instead.
    r = client.get(f"/dashboard/?county=360121&{MAY_Q}")
    assert r.status_code == 200 and r.context["params"]["county"].code == "360802"


@pytest.mark.parametrize("reader", ["province", "city"])
def test_province_and_city_readers_never_reach_a_case(
    client: Any, counties: dict[str, Any], province: User, city: User, reader: str
) -> None:
    login(client, province if reader == "province" else city)
    from onewindow.cases.models import Case

    case = Case.objects.filter(department=counties["jz"]["dept"]).first()
    assert case is not None
    # The county's figures: yes, with no link down to a list of cases.
    r = client.get(f"/dashboard/?county=360802&{MAY_Q}")
    assert r.status_code == 200
    body = r.content.decode()
    assert "view=cases" not in body and "view%3Dcases" not in body
    assert _figure(next(s for s in r.context["sections"] if s.key == "cases"), "收件") == 2
    # The lists of cases, their exports, the wall screen, a case's page and the case API: refused.
    for url in (
        f"/dashboard/?county=360802&view=cases&{MAY_Q}",
        "/dashboard/?county=360802&view=cases&late=red",
        f"/dashboard/export.csv?county=360802&view=cases&{MAY_Q}",
        f"/dashboard/export.xlsx?county=360802&view=cases&{MAY_Q}",
        "/dashboard/wall/?county=360802",
        f"/workbench/cases/{case.uuid}/",
    ):
        assert client.get(url).status_code == 403, url
    r = client.get(f"/api/v1/cases/{case.uuid}")
    assert r.status_code in (403, 404)
    r = client.get("/api/v1/cases")
    assert r.status_code == 403 or case.number not in r.content.decode()


def test_a_county_s_staff_see_their_county_only(client: Any, counties: dict[str, Any], leader: User) -> None:
    """青原区's leader: 青原区's figures whatever ?county= says; no roll-up page; 吉州区's units
    are unknown to their filters."""
    login(client, leader)
    cases = _page_section(client, f"/dashboard/?county=360802&{MAY_Q}", "cases")
    assert _figure(cases, "收件") == 3
    hall = _page_section(client, f"/dashboard/?{MAY_Q}", "hall")
    assert _figure(hall, "取号") == 4
    r = client.get(f"/dashboard/?department=JZZJJ&{MAY_Q}")
    assert r.context["params"].get("department") is None  # another county's unit: dropped
    assert client.get("/dashboard/counties/").status_code == 403
    assert client.get("/dashboard/counties/export.csv").status_code == 403
    # 吉州区's administrator at its root: 吉州区's figures and cases.
    admin_jz = make_user("admin_jz", Role.ADMIN, counties["jz"]["root"])
    login(client, admin_jz)
    assert _figure(_page_section(client, f"/dashboard/?{MAY_Q}", "cases"), "收件") == 2
    r = client.get(f"/dashboard/?view=cases&{MAY_Q}")
    assert r.status_code == 200 and r.context["page"].paginator.count == 2


def test_outsiders_are_refused_the_roll_up(client: Any, counties: dict[str, Any], citizen: User, clerk: User) -> None:
    assert client.get("/dashboard/counties/").status_code == 302  # to the login page
    for user in (citizen, clerk):
        login(client, user)
        assert client.get("/dashboard/counties/").status_code == 403
        assert client.get("/dashboard/counties/export.xlsx").status_code == 403


def test_the_platform_administrator_rolls_up_every_county(client: Any, counties: dict[str, Any]) -> None:
    platform = make_user("platform", Role.ADMIN, None)
    login(client, platform)
    r = client.get(f"/dashboard/counties/?{MAY_Q}")
    assert r.status_code == 200 and len(r.context["s"].tables[0].rows) == 4
    # Their dashboard shows the county they choose, and links carry it.
    r = client.get(f"/dashboard/?county=360121&{MAY_Q}")
    assert _figure(next(s for s in r.context["sections"] if s.key == "cases"), "收件") == 4
    assert "county=360121" in r.content.decode()


def test_a_region_code_must_be_a_province_or_a_city(counties: dict[str, Any]) -> None:
    from onewindow.core.errors import ValidationFailed

    user = make_user("someone")
    for bad in ("360803", "36", "abcdef", ""):
        with pytest.raises(ValidationFailed) as exc:
            region_reader_grant(user=user, region_code=bad, actor=None)
        assert exc.value.code == "validation_failed"
    a = region_reader_grant(user=user, region_code="360800", actor=None)
    assert region_reader_grant(user=user, region_code="360800", actor=None).pk == a.pk


def test_an_empty_county_s_page_shows_no_other_county_s_figure(client: Any, counties: dict[str, Any]) -> None:
    """吉安县 has a government and nothing else: every figure of every section on its page is nothing
    (0, —, or an empty range), though the other counties have cases, tickets and matters."""
    _county("360821", "吉安县", "360800", "JA", "JA")
    platform = make_user("platform", Role.ADMIN, None)
    login(client, platform)
    r = client.get(f"/dashboard/?county=360821&{MAY_Q}")
    assert r.status_code == 200
    leaks = [
        (s.key, f.label, f.value)
        for s in r.context["sections"]
        for f in s.figures
        if f.value not in (0, "0", "—", "-", None, "0.0%", "0–0", "0 元", "0.00")
    ]
    assert leaks == []
    for s in r.context["sections"]:
        for t in s.tables:
            assert all(not any(isinstance(v, int) and v for v in row) for row in t.rows), (s.key, t.title, t.rows)


def test_the_roll_up_s_statements_do_not_grow_with_the_counties(
    client: Any, counties: dict[str, Any], province: User, city: User
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counted = []
    for reader in (city, province):  # two counties, then three
        login(client, reader)
        client.get(f"/dashboard/counties/?{MAY_Q}")  # the first view brings the rollups up to date
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/dashboard/counties/?{MAY_Q}").status_code == 200
        counted.append(len(ctx.captured_queries))
    assert counted[0] == counted[1] and counted[1] <= 20, counted
