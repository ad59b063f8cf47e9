"""Browser walk (onewindow.core.walk), at 375 px and 1280 px: a citizen applies online for the
real-estate transfer with its real form; the department's 网上预审 asks for a fix in one notice;
the citizen corrects it online; the department passes it; the clerk accepts. Each step is reached
by clicking what the page shows, and every page is checked (no sideways scroll, no other host, no
untranslated string)."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import BROWSER_MARKS, PASSWORD
from onewindow.cases.models import Case

from .formdata import filled_form, make_form_matter

pytestmark = BROWSER_MARKS

PDF = {"name": "扫描件.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"}


def _fill_form(w: Any, data: dict[str, Any]) -> None:
    page = w.page
    for name, value in data.items():
        selector = f"[name='{name}']"
        kind = page.get_attribute(selector, "type") if page.locator(selector).count() else None
        tag = page.eval_on_selector(selector, "e => e.tagName") if kind is not None or page.locator(selector).count() else ""
        if kind == "radio":
            page.check(f"{selector}[value='{value}']")
        elif tag == "SELECT":
            page.select_option(selector, str(value))
        else:
            page.fill(selector, str(value))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [375, 1280])
def test_apply_prereview_fix_pass_accept(
    width: int, org: Any, calendar: Any, citizen: Any, approver_bdc: Any, clerk: Any, walker: Any
) -> None:
    matter = make_form_matter(org["BDC"])
    for person, name in ((approver_bdc, "郭文斌"), (clerk, "周敏")):  # shown on the timeline, as real staff are
        person.display_name = name
        person.save(update_fields=["display_name"])

    # 1. The citizen finds the matter, fills the real form (one mistake: the area) and submits.
    c = walker("citizen-apply", width)
    c.login("citizen", PASSWORD, next_path="/me/")
    c.goto("/apply/?q=不动产转移")
    c.click(f"a[href='/apply/matter/{matter.uuid}/']")
    c.click("button.btn-block[type=submit]")  # 开始申请
    c.page.check("input[name=confirmed]")
    c.click("text=下一步：填写申请表")
    assert c.page.input_value("#f-applicant_id") == citizen.id_number  # prefilled from the account
    _fill_form(c, {**filled_form(area="8.95"), "applicant_id": "360803195603122284"})
    c.click("text=下一步：材料")
    c.expect(".errorlist >> text=身份证号码校验位不正确")  # reported on the page, with the rest kept
    c.fill("#f-applicant_id", citizen.id_number)
    c.click("text=下一步：材料")
    c.expect("text=已在申请表中在线填写，无需上传")
    while c.page.locator(".mat.need input[type=file]").count():
        c.page.locator(".mat.need input[type=file]").first.set_input_files(PDF)
        c.click(".mat.need button[name=upload]")
    c.click("text=下一步：确认提交")
    c.expect("text=8.95 平方米")
    c.click("text=确认提交申请")
    c.expect("text=申请已提交")
    case = Case.objects.get()
    assert case.prereview == "pending" and case.channel == "online"
    c.finish("submitted")

    # 2. The department's pre-review asks, in one notice, for the area to be corrected.
    d = walker("approver-prereview", width)
    d.sign_in("approver_bdc", PASSWORD)
    d.click("nav.wb-nav a[href='/workbench/prereview/']")
    d.click(f"a[href='/workbench/prereview/{case.uuid}/']")
    d.screenshot("check")  # the check sheet, kept for review
    d.page.check("input[name=fix_field_area]")
    d.fill("input[name=reason_field_area]", "与不动产权证书不符，证书记载 89.5 平方米")
    d.click("button[name=action][value=fix]")
    d.expect("text=已一次性告知申请人需修改的全部内容")
    d.finish("fix-requested")

    # 3. The citizen sees it on their case page and corrects the field online.
    c.goto("/me/")
    c.click(f"a[href='/me/cases/{case.uuid}/']")
    c.expect("text=与不动产权证书不符")
    c.fill("input[name='fix-area']", "89.5")
    c.click("#supplement button[type=submit]")
    c.expect("text=补正材料已提交")
    case.refresh_from_db()
    assert case.form_data["area"] == 89.5 and case.prereview == "pending"
    c.finish("fixed")

    # 4. The department passes it; the clerk accepts it formally.
    d.click("nav.wb-nav a[href='/workbench/prereview/']")
    d.click(f"a[href='/workbench/prereview/{case.uuid}/']")
    d.expect("text=89.5 平方米")
    d.click("button[name=action][value=pass]")
    d.expect("text=预审通过，已转前台受理")
    d.finish("passed")

    k = walker("clerk-accept", width)
    k.sign_in("clerk", PASSWORD)
    k.click("nav.wb-nav a[href='/workbench/intake/queue/']")
    k.click(f"a[href='/workbench/cases/{case.uuid}/']")
    k.expect("text=预审通过，请前台正式受理")
    k.click("button[name=action][value=accept]")
    case.refresh_from_db()
    assert case.status == Case.Status.IN_REVIEW
    k.finish("accepted")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [375, 1280])
def test_in_english_the_form_and_the_prereview_sheet_are_translated(
    width: int, org: Any, calendar: Any, citizen: Any, approver_bdc: Any, walker: Any
) -> None:
    """The same pages in English: field labels, help, units and choices of the catalog's form in
    English, and no UI string of the form, the materials step or the pre-review pages left in
    Chinese (the harness checks every page)."""
    from .test_prereview import submit_online

    matter = make_form_matter(org["BDC"])
    c = walker("citizen-form-en", width, language="en")
    c.login("citizen", PASSWORD, next_path="/me/")
    c.goto(f"/apply/matter/{matter.uuid}/")
    c.click("button.btn-block[type=submit]")
    c.page.check("input[name=confirmed]")
    c.click("form button.btn-block[type=submit]")
    c.expect("label[for=f-property_no] >> text=Property certificate number")
    c.click("button[name=next]")  # empty: every error at once, in English
    c.expect("text=This field is required.")
    c.finish("form-errors")

    case = submit_online(matter, citizen)
    approver_bdc.display_name = "郭文斌"
    approver_bdc.save(update_fields=["display_name"])
    d = walker("approver-prereview-en", width, language="en")
    d.sign_in("approver_bdc", PASSWORD)
    d.click("nav.wb-nav a[href='/workbench/prereview/']")
    d.click(f"a[href='/workbench/prereview/{case.uuid}/']")
    d.expect("text=Floor area")
    d.finish("sheet")
