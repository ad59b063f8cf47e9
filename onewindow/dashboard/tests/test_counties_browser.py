"""The province's reader in a real browser, at 1280 px and on a phone (core.walk.RUNS): the counties
side by side with the ranking chart drawn (from our own static files: the walk fails on any request
to another host), a county's name leads to that county's figures, where no link goes down to a
list of cases."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import BROWSER_MARKS, PASSWORD
from onewindow.core.walk import RUN_IDS, RUNS

from .test_counties import MAY_Q, counties, province  # noqa: F401  (fixtures)

pytestmark = BROWSER_MARKS


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("width", "language"), RUNS, ids=RUN_IDS)
def test_province_reader_compares_counties_and_drills_into_one(
    width: int,
    language: str,
    province: Any,  # noqa: F811
    walker: Any,
) -> None:
    w = walker("province", width, language)
    w.login(province.username, PASSWORD, next_path="/dashboard/")
    w.click("a[href='/dashboard/counties/']")  # the way from their first county's page
    page = w.page
    page.wait_for_url("**/dashboard/counties/")
    w.goto(f"/dashboard/counties/?{MAY_Q}")
    page.wait_for_function("() => document.querySelector('[data-chart=counties-rank]')?.getAttribute('data-drawn') === '1'")
    chart = page.locator("[data-chart=counties-rank]")
    assert chart.locator("svg").count() == 1
    box = chart.bounding_box()
    assert box is not None and box["width"] > 200
    w.screenshot("counties")
    # The comparison table is open on this page (the other pages' tables start folded).
    w.click("details.dash-table a:has-text('吉州区')")
    page.wait_for_url("**/dashboard/?county=360802*")
    w.expect(".dash-figure >> text=2")
    assert page.locator("a[href*='view=cases']").count() == 0
    w.finish("county")
