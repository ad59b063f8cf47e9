"""Real-browser walks (Playwright driving Debian's chromium), in zh-hans, at desktop (1280 px)
and phone (375 px) widths: a citizen from registration to a submitted online application with a
reused material, answering a supplement notice and downloading the result; an enterprise
through an instant commitment filing. At 375 px every page visited must fit the screen (no
horizontal scrolling)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import BROWSER_MARKS, make_user
from onewindow.accounts.demo import enterprise_uscc, resident_id
from onewindow.accounts.models import Role
from onewindow.cases import services as case_services
from onewindow.cases.models import Case
from onewindow.core.walk import overflow_px, settled
from onewindow.filings.models import Filing
from onewindow.portal.testing import PDF_BYTES, PNG_BYTES, conclude

pytestmark = BROWSER_MARKS
WIDTHS = [1280, 375]


@pytest.fixture
def page_at(browser: Any, request: Any) -> Iterator[Any]:
    width = request.param
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN", accept_downloads=True)
    context.set_default_timeout(15000)
    page = context.new_page()
    page.width = width  # type: ignore[attr-defined]
    try:
        yield page
    finally:
        context.close()


def fits(page: Any) -> None:
    """The page is in Chinese and, on a phone, does not scroll sideways."""
    settled(page)
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    if page.width <= 400:
        overflow = overflow_px(page)
        assert overflow <= 1, f"{page.url} is {overflow}px wider than the phone"


def file_payload(name: str, data: bytes, mime: str) -> dict[str, Any]:
    return {"name": name, "mimeType": mime, "buffer": data}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("page_at", WIDTHS, indirect=True, ids=["desktop", "phone"])
def test_citizen_registers_applies_with_reuse_answers_supplement_downloads_result(
    page_at: Any, live_server: Any, online_matter: Any, org: Any
) -> None:
    page, url = page_at, live_server.url
    clerk = make_user("clerk_b", Role.CLERK, org["XZSP"])
    approver = make_user("approver_b", Role.APPROVER, org["XZSP"])

    page.goto(f"{url}/accounts/register/")
    fits(page)
    page.fill("#id_display_name", "黄丽华")
    page.fill("#id_id_number", resident_id("19670815", 246))
    page.fill("#id_phone", "13907961234")
    page.fill("#id_username", "huanglh")
    page.fill("#id_password", "Ji'an-2021-qy")
    page.fill("#id_password2", "Ji'an-2021-qy")
    page.check("#id_privacy_consent")
    page.click("button[type=submit].btn-block")
    # Registration texts a code to the phone and lands on its verification (walked to its end in
    # accounts/tests/test_walk_register.py); this journey goes on to /me/, which reminds of it.
    page.wait_for_url("**/accounts/phone/verify/**")
    page.goto(f"{url}/me/")
    fits(page)

    # The ID card goes into the library once ...
    page.goto(f"{url}/materials/")
    page.select_option("#id_shared_key", "id_card")
    page.set_input_files("#id_file", file_payload("身份证.png", PNG_BYTES, "image/png"))
    page.click("text=存入材料库")
    page.wait_for_selector("text=已存入材料库")
    fits(page)

    # ... and is reused with one tap by the application.
    page.goto(f"{url}/apply/?q=医疗")
    fits(page)
    page.click(f"a[href='/apply/matter/{online_matter.uuid}/']")
    page.wait_for_url(f"**/apply/matter/{online_matter.uuid}/")
    fits(page)
    page.click("text=开始申请")
    page.check("input[name=confirmed]")
    fits(page)
    page.click("text=下一步：填写申请表")
    page.fill("#f-address", "值夏镇值夏村15号")
    fits(page)
    page.click("text=下一步：材料")
    fits(page)
    page.click("text=一键复用已有材料")
    page.wait_for_selector("text=已从材料库复用 1 份材料")
    page.set_input_files(".mat.need input[type=file]", file_payload("登记表.pdf", PDF_BYTES, "application/pdf"))
    page.click(".mat.need button[name=upload]")
    page.wait_for_selector("text=材料已上传")
    fits(page)
    page.click("text=下一步：确认提交")
    fits(page)
    page.click("text=确认提交申请")
    page.wait_for_selector("text=申请已提交")
    fits(page)
    case = Case.objects.get()
    assert case.channel == "online" and case.materials.count() == 2
    assert page.inner_text("#case-status") == "等待受理"

    # The clerk asks for a clearer ID card; the citizen answers online.
    req = online_matter.current_version.materials.get(shared_key="id_card")
    case_services.case_request_supplement(
        case=case, actor=clerk, items=[{"name": "居民身份证", "reason": "照片不清晰", "requirement": req.pk}]
    )
    page.goto(f"{url}/me/")
    page.wait_for_selector("text=需要补材料")
    fits(page)
    page.goto(f"{url}/me/cases/{case.uuid}/")
    page.wait_for_selector("text=照片不清晰")
    fits(page)
    page.set_input_files(f"input[name=file-{req.pk}]", file_payload("身份证清晰.png", PNG_BYTES, "image/png"))
    page.click("text=提交补正材料")
    page.wait_for_selector("text=补正材料已提交")
    assert page.inner_text("#case-status") == "等待受理"

    # Approved and concluded in the back office; the result notice is downloaded.
    case.refresh_from_db()
    conclude(case, clerk=clerk, approver=approver)
    page.goto(f"{url}/me/cases/{case.uuid}/")
    assert page.inner_text("#case-status") == "已办结"
    fits(page)
    with page.expect_download() as info:
        page.click("a[href$='/notice/conclusion.pdf']")
    path = info.value.path()
    assert Path(path).read_bytes().startswith(b"%PDF-")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("page_at", WIDTHS, indirect=True, ids=["desktop", "phone"])
def test_enterprise_registers_and_files_on_commitment(page_at: Any, live_server: Any, filing_matter: Any) -> None:
    page, url = page_at, live_server.url
    page.goto(f"{url}/accounts/register/enterprise/")
    fits(page)
    page.fill("#id_enterprise_name", "吉安市青原区值夏米粉加工有限公司")
    page.fill("#id_uscc", enterprise_uscc(4242))
    page.fill("#id_display_name", "曾国栋")
    page.fill("#id_id_number", resident_id("19750302", 318))
    page.fill("#id_phone", "13907965678")
    page.fill("#id_username", "zenggd")
    page.fill("#id_password", "Fuguo-2021-qy")
    page.fill("#id_password2", "Fuguo-2021-qy")
    page.check("#id_privacy_consent")
    page.click("button[type=submit].btn-block")
    # Registration texts a code to the phone and lands on its verification (walked to its end in
    # accounts/tests/test_walk_register.py); this journey goes on to /me/, which reminds of it.
    page.wait_for_url("**/accounts/phone/verify/**")
    page.goto(f"{url}/me/")
    fits(page)

    page.goto(f"{url}/filings/")
    fits(page)
    page.click(f"a[href='/filings/m/{filing_matter.uuid}/']")
    page.wait_for_selector("#commitment-text")
    fits(page)
    page.fill("#id_signer_name", "曾国栋")
    page.fill("#id_signer_id_number", resident_id("19750302", 318))
    page.check("input[name=agree]")
    page.click("text=签署并备案")
    page.wait_for_selector("text=备案已完成")
    fits(page)
    filing = Filing.objects.get()
    assert page.inner_text("#filing-number") == filing.number
    assert page.inner_text("#filing-status") == "已备案"
    assert filing.enterprise is not None and filing.enterprise.name == "吉安市青原区值夏米粉加工有限公司"
    with page.expect_download() as info:
        page.click("text=下载备案回执（PDF）")
    assert Path(info.value.path()).read_bytes().startswith(b"%PDF-")
    page.goto(f"{url}/me/")
    page.wait_for_selector(f"text={filing.number}")
    fits(page)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("page_at", [375], indirect=True, ids=["phone"])
def test_every_citizen_page_fits_a_phone(
    page_at: Any, live_server: Any, online_matter: Any, filing_matter: Any, enterprise_user: Any
) -> None:
    """Sign in on the phone and visit every kind of citizen/enterprise page with real content."""
    import hashlib

    from conftest import PASSWORD
    from onewindow.accounts.sms import signed
    from onewindow.filings import services as filing_services
    from onewindow.materials import services as ms
    from onewindow.portal.testing import COMMITMENT, pdf_file, png_file

    page, url = page_at, live_server.url
    user = enterprise_user
    ent = user.enterprise_roles.get().enterprise
    ms.library_upload(actor=user, file=png_file(), name="居民身份证", shared_key="id_card")
    d = ms.draft_start(applicant=user, matter=online_matter)
    d = ms.draft_confirm_conditions(draft=d, actor=user, confirmed=True)
    d = ms.draft_save_form(draft=d, actor=user, data={"address": "河东街道吉州大道88号青原区行政服务中心三楼综合窗口"})
    d, _n = ms.draft_reuse_all(draft=d, actor=user)
    d = ms.draft_upload(
        draft=d, actor=user, key=f"req-{online_matter.current_version.materials.get(shared_key='').pk}", file=pdf_file()
    )
    d = ms.draft_to_review(draft=d, actor=user)
    case = ms.draft_submit(draft=d, actor=user)
    open_draft = ms.draft_start(applicant=user, matter=online_matter)
    filing = filing_services.filing_sign(
        applicant=user,
        matter=filing_matter,
        enterprise=ent,
        signer_name=user.display_name,
        signer_id_number=user.id_number,
        text_sha256=hashlib.sha256(COMMITMENT.encode()).hexdigest(),
    )
    from onewindow.core.models import Notification

    Notification.objects.create(  # a real message with a long link (appointment manage URL)
        channel="sms",
        recipient="13900000003",
        user=user,
        subject="",
        body=signed(  # signed by its county as a booking's SMS is (accounts/sms.py)
            "您已预约，取消或改约：http://127.0.0.1:8000/appointments/manage/" + "eyJhbGciOiJIUzI1NiJ9" * 6 + "/", None
        ),
    )
    page.goto(f"{url}/accounts/login/?way=password")
    fits(page)
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].btn-block")
    page.wait_for_url(f"{url}/me/")
    for path in [
        "/",
        "/me/",
        "/me/notifications/",
        "/me/cases/",
        f"/me/cases/{case.uuid}/",
        "/apply/",
        f"/apply/matter/{online_matter.uuid}/",
        f"/apply/d/{open_draft.uuid}/conditions/",
        "/materials/",
        "/filings/",
        f"/filings/m/{filing_matter.uuid}/",
        f"/filings/{filing.uuid}/",
        f"/filings/check/{filing.uuid}/",
        f"/accounts/enterprises/{ent.uuid}/",
        "/accounts/register/",
        "/accounts/register/enterprise/",
    ]:
        response = page.goto(url + path)
        assert response is not None and response.status == 200, path
        fits(page)
    # and in care mode (larger type) too
    page.goto(f"{url}/me/")
    page.click("text=关怀版（大字）")
    page.wait_for_selector("body.care")
    for path in ["/", "/me/", f"/me/cases/{case.uuid}/", f"/filings/m/{filing_matter.uuid}/"]:
        page.goto(url + path)
        fits(page)
