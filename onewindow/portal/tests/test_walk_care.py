"""The citizen's whole journey in 关怀版 (care mode), at 375 px (issue 9): from the home page switched
to 关怀版 -> sign in by SMS code -> find the matter by its common name -> apply -> follow the case
on /me/ -> answer the supplement notice -> see the result and download it. On every page: nothing
clipped (no text cut by its box or pushed off the screen), and the header holds no English and no
codes (letters or digits), besides the walk's own checks (dead end, sideways scroll, other host,
untranslated string)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from conftest import BROWSER_MARKS, make_user
from onewindow.accounts.models import Role, User
from onewindow.cases import services as case_services
from onewindow.cases.models import Case
from onewindow.catalog.models import SearchSynonym
from onewindow.core.walk import PHONE, Walk, walk
from onewindow.core.walk_sms import sms_login, use_memory_sms
from onewindow.materials import services as material_services
from onewindow.portal.testing import PDF_BYTES, conclude, png_file

pytestmark = BROWSER_MARKS

# Elements whose content is cut: by their own box (overflow hidden/clip, an ellipsis, or a box that
# scrolls sideways with part of it out of sight), or pushed past either edge of the window. Visually-hidden helpers (1 px boxes, the skip link off-screen until
# focused) are how screen-reader text is meant to look and are left out.
_CLIPPED_JS = """
() => {
  const out = [];
  const name = (e) => e.tagName.toLowerCase() + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\\s+/).join('.') : '');
  for (const el of document.querySelectorAll('body *')) {
    if (!(el.offsetWidth || el.offsetHeight) || el.closest('.skip')) continue;
    const cs = getComputedStyle(el);
    if (cs.visibility === 'hidden' || el.clientWidth <= 1 || el.clientHeight <= 1) continue;
    const r = el.getBoundingClientRect();
    if (r.right > innerWidth + 1 || r.left < -1) { out.push(name(el) + ' off the screen'); continue; }
    // hidden or clipped, or a box that scrolls sideways (its end out of sight, as a nav that scrolls)
    const cutX = ['hidden', 'clip', 'auto', 'scroll'].includes(cs.overflowX) || cs.textOverflow === 'ellipsis';
    const cutY = ['hidden', 'clip'].includes(cs.overflowY);
    if (cutX && el.scrollWidth > el.clientWidth + 1) out.push(name(el) + ' cut at the side: ' + el.innerText.slice(0, 40));
    if (cutY && el.scrollHeight > el.clientHeight + 1) out.push(name(el) + ' cut below: ' + el.innerText.slice(0, 40));
  }
  return out.slice(0, 8);
}
"""


def care_page_ok(w: Walk) -> None:
    """The page is in 关怀版, nothing on it is clipped, and its header shows no English or codes."""
    w.expect("body.care")
    clipped = w.page.evaluate(_CLIPPED_JS)
    if clipped:
        w.fail(f"clipped in 关怀版: {clipped}")
    header = w.find("header").inner_text()
    if any(ch.isascii() and ch.isalnum() for ch in header):
        w.fail(f"English or a code in the 关怀版 header: {header!r}")


def _payload(name: str, data: bytes, mime: str) -> dict[str, Any]:
    return {"name": name, "mimeType": mime, "buffer": data}


@pytest.mark.django_db(transaction=True)
def test_care_mode_citizen_from_home_page_to_result(
    browser: Any, live_server: Any, settings: Any, online_matter: Any, citizen: User, org: Any
) -> None:
    use_memory_sms(settings)
    SearchSynonym.objects.get_or_create(term="医保", defaults={"words": "医疗保障、医疗保险"})
    User.objects.filter(pk=citizen.pk).update(phone_verified_at=timezone.now(), verified_at=timezone.now())
    material_services.library_upload(actor=citizen, file=png_file(), name="居民身份证", shared_key="id_card")
    clerk = make_user("clerk_c", Role.CLERK, org["XZSP"])
    approver = make_user("approver_c", Role.APPROVER, org["XZSP"])

    with walk(browser, live_server.url, name="care-citizen", width=PHONE) as w:

        def step(selector: str) -> None:
            w.click(selector)
            care_page_ok(w)

        # A visitor switches the home page to 关怀版; the choice holds through sign-in.
        w.goto("/")
        step(".care-toggle button[value='1']")
        sms_login(w, citizen.phone)
        care_page_ok(w)
        step("header a.brand")
        w.fill("form.searchbar input[name=q]", "医保")
        step("form.searchbar button[type=submit]")
        step(f"a[href='/apply/matter/{online_matter.uuid}/']")
        step("text=" + w.tr("开始申请"))
        w.page.check("input[name=confirmed]")
        step("text=" + w.tr("下一步：填写申请表"))
        w.fill("#f-address", "值夏镇值夏村15号")
        step("text=" + w.tr("下一步：材料"))
        step("text=" + w.tr("一键复用已有材料"))
        w.page.set_input_files(".mat.need input[type=file]", _payload("登记表.pdf", PDF_BYTES, "application/pdf"))
        step(".mat.need button[name=upload]")
        step("text=" + w.tr("下一步：确认提交"))
        step("text=" + w.tr("确认提交申请"))
        w.expect(".messages .msg-success")
        case = Case.objects.get(applicant=citizen)

        # A supplement notice: found on /me/ (cases first), answered on the case page.
        req = online_matter.current_version.materials.get(shared_key="id_card")
        case_services.case_request_supplement(
            case=case, actor=clerk, items=[{"name": "居民身份证", "reason": "照片不清晰", "requirement": req.pk}]
        )
        step("header a[href='/me/']")
        w.expect("#my-cases .tag-amber")
        step(f"#my-cases a[href='/me/cases/{case.uuid}/']")
        w.expect("text=照片不清晰")
        w.page.set_input_files(f"input[name=file-{req.pk}]", _payload("身份证清晰.png", png_file().read(), "image/png"))
        step("text=" + w.tr("提交补正材料"))
        w.expect(".messages .msg-success")

        # The result: green on /me/ and on the case page, with the document to download.
        case.refresh_from_db()
        conclude(case, clerk=clerk, approver=approver)
        step("header a[href='/me/']")
        w.expect(f"#my-cases li:has(a[href='/me/cases/{case.uuid}/']) .tag-green")
        step(f"#my-cases a[href='/me/cases/{case.uuid}/']")
        w.expect("#case-status.tag-green")
        with w.page.expect_download() as info:
            w.find("a[href$='/notice/conclusion.pdf']").click()
        assert Path(info.value.path()).read_bytes().startswith(b"%PDF-")
        care_page_ok(w)
        w.finish("care-result")
