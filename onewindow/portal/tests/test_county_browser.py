"""Choosing a county in a real browser (docs/tenancy.md, "Public pages and the county picker"): a
visitor on 青原区's home page opens the picker from the header, chooses 吉州区, lands back on the
home page, which now lists only 吉州区's matters, and the catalog reached from the header's
navigation does too. At 375 px and 1280 px in Chinese, and at 375 px in English; the walk fails on
a sideways scroll, a request to another host, or an untranslated string (core/walk.py)."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import BROWSER_MARKS
from onewindow.core.walk import RUN_IDS, RUNS

from .county_fixtures import two_counties

__all__ = ["two_counties"]

pytestmark = BROWSER_MARKS


def _lists(w: Any, shown: str, hidden: str) -> None:
    w.expect(f"main >> text={shown}")
    main = w.page.inner_text("main")
    assert hidden not in main, f"{w.page.url} lists {hidden}"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("width", "language"), RUNS, ids=RUN_IDS)
def test_a_visitor_chooses_a_county_and_the_pages_list_its_services(
    two_counties: Any, walker: Any, width: int, language: str
) -> None:
    w = walker("county-picker", width, language)
    english = language == "en"
    qingyuan = w.tr("%(county)s政务服务") % {"county": "Qingyuan District" if english else "青原区"}
    jizhou = w.tr("%(county)s政务服务") % {"county": "Jizhou District" if english else "吉州区"}

    w.goto("/")
    w.expect(f"header >> text={qingyuan}")
    _lists(w, "青原甲证办理", "吉州甲证办理")

    # The picker, from the header; back to the page it was opened from.
    w.find("header a.county-pick").click()
    w.page.wait_for_url("**/county/**")
    w.check()
    w.find("button.county-choice[value='360802']").click()
    w.page.wait_for_url(w.base_url + "/")
    w.check()
    w.expect(f"header >> text={jizhou}")
    _lists(w, "吉州甲证办理", "青原甲证办理")

    # Remembered: the catalog from the header's navigation is 吉州区's too.
    w.find("header nav a[href='/catalog/']").click()
    w.page.wait_for_url("**/catalog/")
    w.check()
    w.expect(f"header >> text={jizhou}")
    _lists(w, "吉州乙证办理", "青原乙证办理")
    w.finish()
