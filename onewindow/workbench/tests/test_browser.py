"""Real-browser walk (Playwright driving Debian's chromium) at desktop and phone widths: a clerk
takes in a joint real-estate application at the counter (applicant by ID number, merged checklist,
a scan), accepts it and gets the acceptance notice; the three departments approve on the case
page; the case is decided and concluded; the front desk delivers it at the window. At 375 px no page scrolls sideways."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import BROWSER_MARKS, PASSWORD
from onewindow.accounts.demo import resident_id
from onewindow.cases.models import Case
from onewindow.core.walk import overflow_px

from .conftest import PDF_BYTES

pytestmark = BROWSER_MARKS


def _page(browser: Any, width: int) -> Any:
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
    context.set_default_timeout(15000)
    page = context.new_page()
    page.width = width
    return page


def _fits(page: Any) -> None:
    if page.width <= 400:
        overflow = overflow_px(page)  # of the page a click lands on, once it has settled
        wide = page.evaluate(
            "() => [...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > innerWidth + 1)"
            ".slice(0, 5).map(e => e.tagName + '.' + e.className + ':' + (e.name || ''))"
        )
        assert overflow <= 1, f"{page.url} is {overflow}px wider than the phone: {wide}"


def _login(page: Any, url: str, username: str) -> None:
    page.goto(f"{url}/accounts/login/?next=/workbench/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].btn-block")
    page.wait_for_url(f"{url}/workbench/")
    _fits(page)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1280, 375], ids=["desktop", "phone"])
def test_counter_intake_to_delivery(
    browser: Any,
    width: int,
    live_server: Any,
    estate_bundle: Any,
    parallel_route: Any,
    clerk: Any,
    approver: Any,
    approver_sw: Any,
    approver_bdc: Any,
) -> None:
    url = live_server.url
    page = _page(browser, width)
    _login(page, url, clerk.username)
    page.goto(f"{url}/workbench/intake/?q=二手房")
    _fits(page)
    page.click(f"a[href*='bundle={estate_bundle.uuid}']")
    _fits(page)
    page.fill("input[name=id_number]", resident_id("19710203", 321))
    page.wait_for_selector("text=新申请人")
    page.fill("input[name=display_name]", "赖春生")
    page.fill("input[name=phone]", "13907960001")
    page.fill("input[name=form_address]", "河东街道滨江路8号")
    boxes = page.locator("input[type=checkbox][name^=paper_]")
    for i in range(boxes.count()):
        boxes.nth(i).check()
    page.locator("input[type=file]").first.set_input_files(
        {"name": "合同.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
    )
    page.click("button:has-text('收件')")
    try:
        page.wait_for_selector("text=已收件")
    except Exception:
        raise AssertionError(page.inner_text("main")[:2000]) from None
    _fits(page)
    case = Case.objects.get()
    assert case.is_joint and case.channel == "counter" and case.applicant.display_name == "赖春生"
    page.click("button[value=accept]")
    page.wait_for_selector("text=受理通知书（PDF）")
    _fits(page)
    notice = page.get_attribute("a:has-text('受理通知书')", "href")
    assert notice and page.request.get(f"{url}{notice}").headers["content-type"] == "application/pdf"
    page.context.close()

    for who in (approver, approver_sw, approver_bdc):
        page = _page(browser, width)
        _login(page, url, who.username)
        page.goto(f"{url}/workbench/queue/")
        _fits(page)
        page.click(f"a:has-text('{case.number}')")
        page.click("button[value=approve]")
        page.wait_for_selector("text=操作成功")
        _fits(page)
        page.context.close()
    case.refresh_from_db()
    assert case.status == Case.Status.REVIEWED

    page = _page(browser, width)
    _login(page, url, approver.username)
    page.goto(f"{url}/workbench/cases/{case.uuid}/")
    page.click("button[name=approved][value='1']")
    page.wait_for_selector("button[value=conclude]")
    page.click("button[value=conclude]")
    page.wait_for_selector("text=办结通知书（PDF）")
    _fits(page)
    page.context.close()

    # Delivery is the front desk's: the result waits at the window until the applicant collects it.
    page = _page(browser, width)
    _login(page, url, clerk.username)
    page.goto(f"{url}/workbench/cases/{case.uuid}/")
    page.select_option("select[name=method]", "window")
    page.click("button:has-text('送达')")
    page.click("button[value=hand_over]")
    page.wait_for_selector("text=办结通知书（PDF）")
    _fits(page)
    case.refresh_from_db()
    assert case.status == Case.Status.DELIVERED
    page.context.close()
