"""The leader's walk (issue 9) and the charts in a real browser, at 1280 px and on a phone in Chinese
and on a phone in English (core.walk.RUNS): sign in,
open the dashboard, see every chart drawn (by ECharts from our own static files: the walk fails on
any request to another host), drill from the district to a department, a matter and its cases."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import BROWSER_MARKS, PASSWORD
from onewindow.core.walk import RUN_IDS, RUNS

from .conftest import MAY

pytestmark = BROWSER_MARKS


def charts_drawn(w: Any) -> None:
    """Every chart with data is drawn as an SVG; each has its text and table view in the page."""
    page = w.page
    page.wait_for_function("() => document.querySelectorAll('[data-chart]').length > 0 && typeof echarts !== 'undefined'")
    page.wait_for_timeout(300)
    charts = page.locator("[data-chart]:not(.dash-chart-empty)")
    assert charts.count() >= 4
    for i in range(charts.count()):
        chart = charts.nth(i)
        assert chart.get_attribute("data-drawn") == "1", chart.get_attribute("data-chart")
        assert chart.locator("svg").count() == 1
        assert chart.get_attribute("aria-label")
        box = chart.bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 150


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("width", "language"), RUNS, ids=RUN_IDS)
def test_leader_walks_from_the_district_down_to_the_cases(
    width: int, language: str, leader: Any, cases: Any, walker: Any
) -> None:
    w = walker("leader", width, language)
    w.login(leader.username, PASSWORD, next_path="/dashboard/")
    w.goto(f"/dashboard/?{MAY}")  # the period is typed into the filter form in the next test
    charts_drawn(w)
    w.screenshot("district")  # the district's page, kept for review (test-results/walks/)
    # district -> department: through the department chart's table view
    w.click("figure:has([data-chart='cases-department']) details summary")
    w.click("figure:has([data-chart='cases-department']) a:has-text('住房和城乡建设局')")
    w.expect(".dash-trail >> text=住房和城乡建设局")
    charts_drawn(w)
    # department -> matter
    w.click("figure:has([data-chart='cases-matter']) details summary")
    w.click("figure:has([data-chart='cases-matter']) a:has-text('公共租赁住房保障')")
    # matter -> the list of cases behind "收件"
    w.click(".dash-figure a:has-text('2')")
    w.expect(f"text={cases['zjj_hall'].number}")
    w.expect(f"text={cases['zjj_town'].number}")
    w.finish("cases")


@pytest.mark.django_db(transaction=True)
def test_filters_exports_and_the_wall_on_a_phone(leader: Any, cases: Any, walker: Any) -> None:
    w = walker("leader-filters", 375)
    w.login(leader.username, PASSWORD, next_path="/dashboard/")
    charts_drawn(w)
    w.click("details.dash-filter summary")
    w.fill("input[name=date_from]", "2026-05-01").fill("input[name=date_to]", "2026-05-31")
    w.click("form.dash-form button[type=submit]")
    assert "date_from=2026-05-01" in w.page.url
    charts_drawn(w)
    with w.page.expect_download() as download:
        w.find("a:has-text('导出 XLSX')").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    w.click("a:has-text('大屏')")
    w.expect("text=正在等候")
    w.finish("wall")


@pytest.mark.django_db(transaction=True)
def test_the_dashboard_in_english(leader: Any, cases: Any, walker: Any) -> None:
    w = walker("leader-en", 1280, language="en")
    w.login(leader.username, PASSWORD, next_path="/dashboard/")
    charts_drawn(w)
    w.expect("text=On-time rate")
    w.finish("en")
