"""The dashboard: who may see it, discovery of app stats modules, the case figures and their
drill-down (scoped by role), exports with their filters, the wall screen."""

from __future__ import annotations

import csv
import datetime
import io
import json
import zoneinfo
from typing import Any

import pytest
import time_machine
from openpyxl import load_workbook

from conftest import login, make_user
from onewindow.accounts.models import Role
from onewindow.core.stats import Figure, Section, Table

from .. import discovery
from ..filters import parse_params
from .conftest import MAY

pytestmark = pytest.mark.django_db
TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
PATHS = ["/dashboard/", "/dashboard/?view=cases", "/dashboard/export.csv", "/dashboard/export.xlsx", "/dashboard/wall/"]


@pytest.mark.parametrize("path", PATHS)
def test_anonymous_is_sent_to_login(client: Any, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


@pytest.mark.parametrize("path", PATHS)
def test_other_roles_are_refused(
    client: Any,
    path: str,
    citizen: Any,
    outsider: Any,
    clerk: Any,
    approver: Any,
    township_officer: Any,
    agent: Any,
    enterprise_user: Any,
) -> None:
    for user in (citizen, outsider, clerk, approver, township_officer, agent, enterprise_user):
        login(client, user)
        assert client.get(path).status_code == 403, user.username


def section(r: Any, key: str) -> Section:
    return next(s for s in r.context["sections"] if s.key == key)


def test_leader_manager_and_admin_see_the_figures_with_charts(
    client: Any, leader: Any, hall_manager: Any, admin_user: Any, cases: Any
) -> None:
    for user in (leader, hall_manager, admin_user):
        login(client, user)
        r = client.get(f"/dashboard/?{MAY}")
        assert r.status_code == 200
        body = r.content.decode()
        assert "依申请类政务服务事项" in body and "对应事实" not in body  # plain words, no fact codes
        s = section(r, "cases")
        assert s.figures[0].value == 3  # received in May 2026
        charts = json.loads(body.split('id="dash-charts" type="application/json">')[1].split("</script>")[0])
        assert charts["cases-channel"]["series"][0]["data"] == [1, 1, 1]
        assert 'data-chart="cases-department"' in body and "表格查看" in body
        trend = charts["cases-trend"]
        may = trend["categories"].index("2026-05")
        assert trend["series"][0]["data"][may] == 3 and trend["series"][1]["data"][may] == 1  # a year earlier


def test_drill_down_district_department_matter_cases(client: Any, leader: Any, cases: Any, org: Any) -> None:
    login(client, leader)
    r = client.get(f"/dashboard/?{MAY}")
    dept = next(c for c in section(r, "cases").charts if c.key == "cases-department")
    i = dept.categories.index("住房和城乡建设局")
    assert dept.links[i] == "department=ZJJ" and dept.series[0][1][i] == 2
    r = client.get(f"/dashboard/?{MAY}&department=ZJJ")
    assert section(r, "cases").figures[0].value == 2
    assert [label for label, _q in r.context["trail"]] == ["全区", "住房和城乡建设局"]
    matters = next(c for c in section(r, "cases").charts if c.key == "cases-matter")
    assert matters.links == ["matter=ZJJ-201"]
    r = client.get(f"/dashboard/?{MAY}&department=ZJJ&matter=ZJJ-201")
    figure = section(r, "cases").figures[0]
    href = getattr(figure, "href", "")  # set by the view for the page
    assert figure.value == 2 and "view=cases" in href
    r = client.get(f"/dashboard/{href}")
    assert [c.number for c in r.context["page"]] == [cases["zjj_town"].number, cases["zjj_hall"].number]
    # by township: only the application taken in at 值夏镇
    r = client.get(f"/dashboard/?{MAY}&township=ZXZ")
    assert section(r, "cases").figures[0].value == 1


def test_the_list_of_cases_is_scoped_by_role(client: Any, org: Any, cases: Any, hall_manager: Any, admin_user: Any) -> None:
    everything = {cases[k].number for k in ("zjj_hall", "zjj_town", "mzj")}
    district_leader = make_user("leader_qy", Role.LEADER, org["gov"])
    zjj_leader = make_user("leader_zjj", Role.LEADER, org["ZJJ"])
    town_leader = make_user("leader_zxz", Role.LEADER, org["ZXZ"])
    expected = {
        district_leader: everything,
        admin_user: everything,
        zjj_leader: {cases["zjj_hall"].number, cases["zjj_town"].number},
        town_leader: {cases["zjj_town"].number},  # taken in at the township
        hall_manager: {cases["zjj_hall"].number, cases["mzj"].number},  # taken in at the district hall
    }
    for user, numbers in expected.items():
        login(client, user)
        r = client.get(f"/dashboard/?view=cases&{MAY}")
        assert {c.number for c in r.context["page"]} == numbers, user.username
        rows = list(csv.reader(io.StringIO(client.get(f"/dashboard/export.csv?view=cases&{MAY}").content.decode("utf-8-sig"))))
        assert {row[0] for row in rows if row and row[0].startswith("QY")} == numbers, user.username


def test_late_now_lists_open_red_cases_whatever_the_period(client: Any, leader: Any, cases: Any) -> None:
    type(cases["mzj"]).objects.filter(pk=cases["mzj"].pk).update(warning_level="red")
    login(client, leader)
    r = client.get(f"/dashboard/?{MAY}")
    late = next(f for f in section(r, "cases").figures if f.link == "view=cases&late=red")
    assert late.value == 1
    r = client.get("/dashboard/?view=cases&late=red&date_from=2020-01-01&date_to=2020-01-31")
    assert [c.number for c in r.context["page"]] == [cases["mzj"].number]


def test_csv_export_names_its_filters(client: Any, leader: Any, cases: Any) -> None:
    login(client, leader)
    r = client.get(f"/dashboard/export.csv?{MAY}&department=ZJJ")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0] == ["统计分析"]
    assert rows[2][0] == "筛选条件" and "部门：住房和城乡建设局" in rows[2][1] and "开始日期：2026-05-01" in rows[2][1]
    assert ["收件", "2", "件", "所选期间收到的申请，各渠道合计"] in rows
    assert any(row[:2] == ["依申请类政务服务事项", "1"] or row[:1] == ["依申请类政务服务事项"] for row in rows)


def test_xlsx_export_has_a_sheet_per_section_and_the_filters(client: Any, leader: Any, cases: Any) -> None:
    login(client, leader)
    r = client.get(f"/dashboard/export.xlsx?{MAY}&channel=mobile")
    assert r.status_code == 200 and "spreadsheetml" in r["Content-Type"]
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames[0] == "说明" and "办件" in wb.sheetnames
    info = [[c.value for c in row] for row in wb["说明"].iter_rows()]
    assert ["筛选条件", "开始日期：2026-05-01；结束日期：2026-05-31；渠道：掌上（赣服通）"] in [row[:2] for row in info]
    sheet = [[c.value for c in row] for row in wb["办件"].iter_rows()]
    assert sheet[0][0] == "筛选条件"
    assert ["收件", 1] in [row[:2] for row in sheet]


def test_export_cells_are_never_formulas(client: Any, leader: Any, cases: Any, monkeypatch: Any) -> None:
    def evil(*, user: Any, params: Any) -> list[Section]:
        return [Section(key="x", title="x", figures=[Figure("=HYPERLINK(1)", "=1+1")])]

    monkeypatch.setattr(discovery, "providers", lambda: [("evil", evil)])
    login(client, leader)
    wb = load_workbook(io.BytesIO(client.get("/dashboard/export.xlsx").content))
    values = [c.value for row in wb["x"].iter_rows() for c in row if c.value]
    assert "'=HYPERLINK(1)" in values and not any(str(v).startswith("=") for v in values)


def test_wall_screen_refreshes_itself(client: Any, leader: Any, hall_manager: Any) -> None:
    from onewindow.hall.tests.conftest import make_area, make_point

    point = make_point(leader.role_assignments.first().org_unit, "QY-HALL", "青原区行政服务中心")
    make_area(point, "QY-A", "A", name="综合服务区")
    login(client, hall_manager)
    r = client.get("/dashboard/wall/")
    body = r.content.decode()
    assert r.status_code == 200 and 'hx-trigger="every 60s"' in body and "综合服务区" in body and "vendor/echarts.min.js" in body
    partial = client.get("/dashboard/wall/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and "正在等候" in partial


def test_discovery_finds_the_apps_and_skips_apps_without_stats() -> None:
    labels = [label for label, _fn in discovery.providers()]
    assert {"catalog", "cases", "hall"} <= set(labels)
    assert "portal" not in labels and "core" not in labels


def test_a_failing_provider_does_not_take_the_page_down(monkeypatch: Any, client: Any, leader: Any) -> None:
    def broken(*, user: Any, params: Any) -> list[Section]:
        raise RuntimeError("boom")

    def fine(*, user: Any, params: Any) -> list[Section]:
        return [Section(key="x", title="测试板块", figures=[Figure("指标", 7)], tables=[Table(["a"], [[1]])], order=1)]

    monkeypatch.setattr(discovery, "providers", lambda: [("broken", broken), ("fine", fine)])
    login(client, leader)
    body = client.get("/dashboard/").content.decode()
    assert "测试板块" in body and "该模块统计暂不可用" in body


def test_params_are_parsed(org: Any) -> None:
    params = parse_params(
        {"date_from": "2021-05-01", "date_to": "2021-05-31", "x": "1", "department": "ZJJ", "channel": "online"}
    )
    assert params == {
        "date_from": datetime.date(2021, 5, 1),
        "date_to": datetime.date(2021, 5, 31),
        "x": "1",
        "department": org["ZJJ"],
        "channel": "online",
    }
    assert parse_params({"date_from": "junk", "department": "NOPE", "township": "ZJJ", "channel": "x"}) == {}
    assert parse_params({"date_from": "2021-06-01", "date_to": "2021-05-01"}) == {}


def test_every_case_figure_drills_to_the_cases_it_counts_scoped_by_role(
    client: Any, org: Any, cases: Any, clerk: Any, township_officer: Any, hall_manager: Any
) -> None:
    from onewindow.cases import figures as case_figures
    from onewindow.cases import services as svc

    with time_machine.travel(datetime.datetime(2026, 5, 8, 15, tzinfo=TZ), tick=False):
        svc.case_refuse(case=cases["mzj"], actor=clerk, reasons="不属于本机关管辖")
        svc.case_request_supplement(
            case=cases["zjj_town"], actor=township_officer, items=[{"name": "身份证明", "reason": "不清晰"}]
        )
    district = make_user("leader_qy", Role.LEADER, org["gov"])
    login(client, district)
    r = client.get(f"/dashboard/?{MAY}")
    figures = {f.label: f for s in r.context["sections"] if s.key in ("cases", "visits") for f in s.figures}
    counts = {
        "按时办结率": "concluded",
        "平均办理用时": "timed",
        "一次告知补正": "supplemented",
        "不予受理": "refused",
        "办结的办件": "done",
        "一次不跑（到现场 0 次）": "zero_trips",
        "最多跑一次（到现场不超过 1 次）": "one_trip",
    }
    totals = case_figures.totals(r.context["params"], case_figures.Period.of(r.context["params"]))
    assert totals["refused"] == 1 and totals["supplemented"] == 1 and totals["done"] == 1
    for label, measure in counts.items():
        href = figures[label].href
        assert f"counts={measure}" in href and "date_from=2026-05-01" in href, label
        page = client.get(f"/dashboard/{href}").context["page"]
        assert page.paginator.count == totals[measure], label
    refused = f"/dashboard/?view=cases&counts=refused&{MAY}"
    assert [c.number for c in client.get(refused).context["page"]] == [cases["mzj"].number]
    supplemented = f"/dashboard/?view=cases&counts=supplemented&{MAY}"
    assert [c.number for c in client.get(supplemented).context["page"]] == [cases["zjj_town"].number]
    # The same lists for readers who see less: a department's, a township's, the district hall's.
    zjj_leader = make_user("leader_zjj", Role.LEADER, org["ZJJ"])
    town_leader = make_user("leader_zxz", Role.LEADER, org["ZXZ"])
    for user, refused_seen, supplemented_seen in (
        (zjj_leader, [], [cases["zjj_town"].number]),
        (town_leader, [], [cases["zjj_town"].number]),
        (hall_manager, [cases["mzj"].number], []),
    ):
        login(client, user)
        assert [c.number for c in client.get(refused).context["page"]] == refused_seen, user.username
        assert [c.number for c in client.get(supplemented).context["page"]] == supplemented_seen, user.username
        rows = list(
            csv.reader(
                io.StringIO(client.get(f"/dashboard/export.csv?view=cases&counts=refused&{MAY}").content.decode("utf-8-sig"))
            )
        )
        assert rows[0][0] == "不予受理的申请"
        assert [row[0] for row in rows if row and row[0].startswith("QY")] == refused_seen, user.username


def test_trend_months_and_time_chart_drill_down(client: Any, leader: Any, cases: Any) -> None:
    login(client, leader)
    charts = {c.key: c for c in section(client.get(f"/dashboard/?{MAY}"), "cases").charts}
    trend = charts["cases-trend"]
    may = trend.categories.index("2026-05")
    assert trend.links[may] == "date_from=2026-05-01&date_to=2026-05-31"
    assert getattr(trend, "hrefs", [])[may] == "?date_from=2026-05-01&date_to=2026-05-31"  # set by the view
    assert charts["cases-time"].links == ["view=cases&counts=timed"] * 3


def test_a_long_list_counts_up_to_the_cap(client: Any, leader: Any, cases: Any, monkeypatch: Any) -> None:
    from .. import views

    login(client, leader)
    r = client.get(f"/dashboard/?view=cases&{MAY}")
    assert r.context["page"].paginator.count == 3 and "共 3 件" in r.content.decode()
    monkeypatch.setattr(views.CappedPaginator, "CAP", 2)
    monkeypatch.setattr(views, "CASES_PER_PAGE", 1)
    r = client.get(f"/dashboard/?view=cases&{MAY}")
    paginator = r.context["page"].paginator
    assert paginator.capped and paginator.count == 2 and paginator.num_pages == 2
    assert "超过 2 件" in r.content.decode()
    # newest first: the second page is the second newest; the oldest is past the cap
    page2 = client.get(f"/dashboard/?view=cases&{MAY}&page=2").context["page"]
    assert [c.number for c in page2] == [cases["zjj_town"].number] and not page2.has_next()
