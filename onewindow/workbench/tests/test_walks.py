"""Staff journeys walked end to end in a real browser (onewindow.core.walk): at 1280 px and 375 px
in Chinese, and at 375 px in English (core.walk.RUNS). Each person moves only by what their page offers, starting from
their home page; the walk fails on a dead end, sideways scroll, a request to another host or an
untranslated string, and keeps a screenshot of each end state. After the walks nothing waits in
nobody's hands (core.ownership).

- front-desk clerk: hall ticket served at the window -> intake of the real-estate bundle -> accept
  -> the acceptance notice (print) -> back to the window, number finished;
- approver of a parallel department (住建局): claim -> approve, from the home page's list;
- approver of the lead department (不动产登记中心): approve its step -> the decision waits in its home
  page's list (待决定) -> decide -> conclude;
- clerk again: the result to deliver -> at the window -> the applicant collects it;
- hall manager: the hall's live page -> the supervisor's list (late cases, work nobody holds).
"""

from __future__ import annotations

from typing import Any

import pytest

from conftest import BROWSER_MARKS, PASSWORD
from onewindow.accounts.demo import resident_id
from onewindow.cases import services as svc
from onewindow.cases.models import Case, CaseVisit
from onewindow.core import ownership
from onewindow.core.walk import RUN_IDS as IDS
from onewindow.core.walk import RUNS
from onewindow.hall import services as hall_services
from onewindow.hall.models import Ticket
from onewindow.hall.tests.conftest import make_area, make_point, make_window

from .conftest import PDF_BYTES

pytestmark = BROWSER_MARKS


@pytest.fixture
def estate_hall(org: Any, estate_bundle: Any, parallel_route: Any) -> dict[str, Any]:
    """The district hall with a real-estate area and one window; the bundle is accepted there and
    led by 不动产登记中心."""
    point = make_point(org["gov"], "QY-HALL", "青原区行政服务中心")
    area = make_area(point, "QY-E", "E", name="不动产服务区")
    window = make_window(point, 5, (area, 1))
    estate_bundle.service_area = area
    estate_bundle.lead_department = org["BDC"]
    estate_bundle.save(update_fields=["service_area", "lead_department"])
    return {"point": point, "area": area, "window": window}


@pytest.fixture
def staff_names(clerk: Any, approver: Any, approver_sw: Any, approver_bdc: Any, hall_manager: Any) -> None:
    """Staff have real names (timelines and lists show them), not the fixtures' usernames."""
    for user, name in [
        (clerk, "周晓梅"),
        (approver, "黄建国"),
        (approver_sw, "李春华"),
        (approver_bdc, "罗志勇"),
        (hall_manager, "邹丽萍"),
    ]:
        user.display_name = name
        user.save(update_fields=["display_name"])


def _no_unowned_work() -> None:
    assert [(w.subject, w.problem) for w in ownership.problems()] == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("width", "language"), RUNS, ids=IDS)
def test_real_estate_bundle_from_ticket_to_collection(
    width: int,
    language: str,
    estate_hall: dict[str, Any],
    clerk: Any,
    approver: Any,
    approver_sw: Any,
    approver_bdc: Any,
    staff_names: None,
    walker: Any,
) -> None:
    ticket = hall_services.ticket_issue(area=estate_hall["area"], source="kiosk")
    zh = language == "zh-hans"

    # --- the front desk: serve the ticket, take in the bundle, accept, print the notice -----------
    w = walker("clerk", width, language)
    w.login(clerk.username, PASSWORD)
    w.click("a.tile[href*='/hall/windows/']")
    w.click(f"a[href='/hall/window/{estate_hall['window'].uuid}/']")
    w.click("form[action$='/sign-in/'] button")
    w.click("form[action$='/call-next/'] button")
    w.click("form[action$='/start/'] button")
    w.click(f"a[href*='bundle={estate_hall['area'].bundles.get().uuid}']")
    w.fill("input[name=id_number]", resident_id("19710203", 321))
    w.expect("input[name=display_name]")
    w.fill("input[name=display_name]", "赖春生").fill("input[name=phone]", "13907960001")
    w.fill("input[name=form_address]", "河东街道滨江路8号")
    boxes = w.page.locator("input[type=checkbox][name^=paper_]")
    for i in range(boxes.count()):
        boxes.nth(i).check()
    w.page.locator("input[type=file]").first.set_input_files(
        {"name": "合同.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
    )
    w.click("form:has(input[name=id_number]) button.btn[type=submit]")
    w.click("button[value=accept]")
    notice = w.find("a[href*='/notice/acceptance']").get_attribute("href")
    assert w.page.request.get(w.base_url + notice).headers["content-type"] == "application/pdf"  # what the clerk prints
    w.finish("accepted")
    case = Case.objects.get()
    assert case.status == Case.Status.IN_REVIEW and case.ticket_uuid == ticket.uuid and case.department.code == "BDC"
    w.click(f"a[href='/hall/window/{estate_hall['window'].uuid}/']")  # back to the window
    w.click("form[action$='/finish/'] button")
    w.finish("ticket-finished")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.FINISHED
    _no_unowned_work()

    # --- a parallel department (住建局): its step is on its home page --------------------------------
    w = walker("approver-parallel", width, language)
    w.sign_in(approver.username, PASSWORD)
    w.click("a.tile[data-action=review]")
    w.click(f"a:has-text('{case.number}')")
    w.click("button[value=claim]")
    w.click("li.step-open button[value=approve]")
    w.finish("approved")
    svc.step_approve(step=case.steps.get(department__code="SW"), actor=approver_sw)  # 税务局, the same way

    # --- the lead department (不动产登记中心): its step, then the decision and the conclusion --------
    w = walker("approver-lead", width, language)
    w.sign_in(approver_bdc.username, PASSWORD)
    w.click("a.tile[data-action=review]")
    w.click(f"a:has-text('{case.number}')")
    w.click("li.step-open button[value=approve]")
    # All three approved: the case waits at 待决定 in the lead department's own list (not on this
    # page by chance), found from its home page like any other work.
    w.click("a[href='/workbench/']")
    w.click("a.tile[data-action=decide]")
    w.click(f"a:has-text('{case.number}')")
    w.expect("text=牵头部门" if zh else "text=Lead department")
    w.click("button[name=approved][value='1']")
    w.click("button[value=conclude]")
    w.finish("concluded")
    case.refresh_from_db()
    assert case.status == Case.Status.CONCLUDED
    _no_unowned_work()

    # --- the front desk delivers: the result waits at the window; the applicant collects it -------
    w = walker("clerk-delivery", width, language)
    w.sign_in(clerk.username, PASSWORD)
    w.click("a.tile[data-action=deliver]")
    w.click(f"a:has-text('{case.number}')")
    w.page.select_option("select[name=method]", "window")
    w.click("form:has(input[value=deliver]) button[type=submit]")
    w.click("button[value=hand_over]")
    w.expect("a[href*='/notice/conclusion']")
    w.finish("delivered")
    case.refresh_from_db()
    assert case.status == Case.Status.DELIVERED
    assert CaseVisit.objects.filter(case=case).count() == 1  # handed in and collected on one trip
    _no_unowned_work()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("width", "language"), RUNS, ids=IDS)
def test_hall_manager_sees_the_hall_and_the_supervisors_list(
    width: int, language: str, estate_hall: dict[str, Any], hall_manager: Any, staff_names: None, walker: Any
) -> None:
    for _ in range(3):
        hall_services.ticket_issue(area=estate_hall["area"], source="kiosk")
    ownership.sweep_unowned()
    w = walker("hall-manager", width, language)
    w.login(hall_manager.username, PASSWORD)
    w.click(f"a.tile[href='/hall/manage/{estate_hall['point'].uuid}/']")
    w.expect("text=不动产服务区")
    w.finish("hall")
    w.click("a[href='/workbench/']")
    w.click("a.tile[href='/workbench/late/']")
    w.expect("#unowned")
    w.finish("supervision")
