"""Browser walks (issue 9, "Done means"): the citizen and the enterprise from the start of their
main journey to its end, at 1280 px and 375 px in Chinese and at 375 px in English
(core.walk.RUNS), clicking by selectors or by the label in the walk's language (`w.tr`), failing
on a dead end, a sideways scroll, a request to another host or an untranslated string
(core.walk). End states are kept under test-results/walks/.

Citizen: signs in by SMS code -> finds a matter by its common name -> applies -> follows it ->
answers a supplement notice -> downloads the result -> opens the progress page from a message.
Enterprise: signs in -> instant commitment filing -> downloads the certificate."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from conftest import BROWSER_MARKS, PASSWORD, make_user
from onewindow.accounts.models import Role, User
from onewindow.cases import services as case_services
from onewindow.cases.models import Case
from onewindow.catalog.models import SearchSynonym
from onewindow.core.walk import RUN_IDS, RUNS, walk
from onewindow.core.walk_sms import sms_login, use_memory_sms
from onewindow.materials import services as material_services
from onewindow.portal.testing import PDF_BYTES, conclude, png_file

pytestmark = BROWSER_MARKS


def _payload(name: str, data: bytes, mime: str) -> dict[str, Any]:
    return {"name": name, "mimeType": mime, "buffer": data}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("width", "language"), RUNS, ids=RUN_IDS)
def test_citizen_walk_sms_sign_in_to_result(
    browser: Any, live_server: Any, settings: Any, width: int, language: str, online_matter: Any, citizen: User, org: Any
) -> None:
    use_memory_sms(settings)
    # The migration's starting list; a transactional test's flush empties it after each test.
    SearchSynonym.objects.get_or_create(term="医保", defaults={"words": "医疗保障、医疗保险"})
    User.objects.filter(pk=citizen.pk).update(phone_verified_at=timezone.now(), verified_at=timezone.now())
    material_services.library_upload(actor=citizen, file=png_file(), name="居民身份证", shared_key="id_card")
    clerk = make_user("clerk_w", Role.CLERK, org["XZSP"])
    approver = make_user("approver_w", Role.APPROVER, org["XZSP"])

    with walk(browser, live_server.url, name="citizen", width=width, language=language) as w:
        w.goto("/")
        sms_login(w, citizen.phone)
        # Find the matter by what people call it (医保), on the home page's search.
        w.click("header a.brand")
        w.fill("form.searchbar input[name=q]", "医保")
        w.click("form.searchbar button[type=submit]")
        w.click(f"a[href='/apply/matter/{online_matter.uuid}/']")
        w.click("text=" + w.tr("开始申请"))
        w.page.check("input[name=confirmed]")
        w.click("text=" + w.tr("下一步：填写申请表"))
        w.fill("#f-address", "值夏镇值夏村15号")
        w.click("text=" + w.tr("下一步：材料"))
        w.click("text=" + w.tr("一键复用已有材料"))
        w.page.set_input_files(".mat.need input[type=file]", _payload("登记表.pdf", PDF_BYTES, "application/pdf"))
        w.click(".mat.need button[name=upload]")
        w.click("text=" + w.tr("下一步：确认提交"))
        w.click("text=" + w.tr("确认提交申请"))
        w.expect(".messages .msg-success")  # 申请已提交，办件编号 …
        case = Case.objects.get(applicant=citizen)

        # The clerk asks for a clearer ID card (一次性告知); the citizen follows the case from /me/.
        req = online_matter.current_version.materials.get(shared_key="id_card")
        case_services.case_request_supplement(
            case=case, actor=clerk, items=[{"name": "居民身份证", "reason": "照片不清晰", "requirement": req.pk}]
        )
        w.click("header a[href='/me/']")
        w.expect("#my-cases .tag-amber")
        w.click(f"#my-cases a[href='/me/cases/{case.uuid}/']")
        w.expect("text=照片不清晰")
        w.page.set_input_files(f"input[name=file-{req.pk}]", _payload("身份证清晰.png", png_file().read(), "image/png"))
        w.click("text=" + w.tr("提交补正材料"))
        w.expect(".messages .msg-success")  # 补正材料已提交…

        # Approved and concluded in the back office; the result is downloaded from the case page.
        case.refresh_from_db()
        conclude(case, clerk=clerk, approver=approver)
        w.click("header a[href='/me/']")
        w.click(f"#my-cases a[href='/me/cases/{case.uuid}/']")
        w.expect("#case-status.tag-green")
        with w.page.expect_download() as info:
            w.find("a[href$='/notice/conclusion.pdf']").click()
        assert Path(info.value.path()).read_bytes().startswith(b"%PDF-")
        w.finish("result")
        # Every notice leads to the public progress page (number + check code, no sign-in needed).
        w.click("header a[href='/me/']")
        w.click("#my-messages a[href^='/cases/progress/']")
        w.expect(f"main >> text={case.number}")
        w.finish("progress")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("width", "language"), RUNS, ids=RUN_IDS)
def test_enterprise_walk_sign_in_to_filing_certificate(
    browser: Any, live_server: Any, width: int, language: str, filing_matter: Any, enterprise_user: User
) -> None:
    with walk(browser, live_server.url, name="enterprise", width=width, language=language) as w:
        w.login(enterprise_user.username, PASSWORD, next_path="/me/")
        w.click("a[href='/filings/']")
        w.click(f"a[href='/filings/m/{filing_matter.uuid}/']")
        w.fill("#id_signer_name", enterprise_user.display_name)
        w.fill("#id_signer_id_number", enterprise_user.id_number or "")
        w.page.check("input[name=agree]")
        w.click("text=" + w.tr("签署并备案"))
        w.expect("text=" + w.tr("备案已完成"))
        with w.page.expect_download() as info:
            w.find("text=" + w.tr("下载备案回执（PDF）")).click()
        assert Path(info.value.path()).read_bytes().startswith(b"%PDF-")
        w.finish("certificate")
