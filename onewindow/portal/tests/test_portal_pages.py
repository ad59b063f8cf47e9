"""The portal pages: home, the apply flow over HTTP, my overview, tracking with an online answer
to a supplement notice; and every page refusing an outsider."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from conftest import login
from onewindow.cases import services as case_services
from onewindow.cases.models import Case
from onewindow.core.models import Notification
from onewindow.materials import services as material_services
from onewindow.materials.models import ApplicationDraft
from onewindow.portal.testing import pdf_file, png_file

pytestmark = pytest.mark.django_db


def apply_online(client: Client, matter: Any) -> Case:
    """Walk the web flow; the ID card is in the library already, the form is uploaded."""
    start = client.post(f"/apply/matter/{matter.uuid}/")
    assert start.status_code == 302
    draft = ApplicationDraft.objects.get(status="open")
    base = f"/apply/d/{draft.uuid}"
    assert start["Location"] == f"{base}/conditions/"
    assert client.post(f"{base}/conditions/", {"confirmed": "1"})["Location"] == f"{base}/form/"
    bad = client.post(f"{base}/form/", {"address": "", "members": "x"})
    assert bad.status_code == 422 and "此项必填" in bad.content.decode()
    assert client.post(f"{base}/form/", {"address": "值夏镇1号", "members": "2"})["Location"] == f"{base}/materials/"
    page = client.get(f"{base}/materials/").content.decode()
    assert "一键复用已有材料" in page
    client.post(f"{base}/materials/", {"reuse_all": "1"})
    draft.refresh_from_db()
    assert list(draft.materials) == ["id_card"]
    key = f"req-{matter.current_version.materials.get(shared_key='').pk}"
    wrong = client.post(f"{base}/materials/", {"upload": "1", "key": key, "file": png_file()})
    assert wrong.status_code == 422 and "PDF" in wrong.content.decode()
    up = client.post(f"{base}/materials/", {"upload": "1", "key": key, "file": pdf_file()})
    assert up.status_code == 302, up.content.decode()[-3000:]
    assert client.post(f"{base}/materials/", {"next": "1"})["Location"] == f"{base}/review/"
    done = client.post(f"{base}/review/")
    case = Case.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/me/cases/{case.uuid}/"
    return case


def test_home_and_apply_index_list_online_matters(client: Client, online_matter: Any, filing_matter: Any) -> None:
    home = client.get("/").content.decode()
    assert "城乡居民基本医疗保险参保登记" in home
    index = client.get("/apply/?q=医疗").content.decode()
    assert "城乡居民基本医疗保险参保登记" in index and "企业复工经营备案" not in index
    assert "城乡居民基本医疗保险参保登记" not in client.get("/apply/?q=nothing-like-this").content.decode()


def test_apply_requires_login(client: Client, online_matter: Any) -> None:
    response = client.get(f"/apply/matter/{online_matter.uuid}/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_citizen_applies_tracks_and_answers_a_supplement(client: Client, online_matter: Any, citizen: Any, clerk: Any) -> None:
    material_services.library_upload(actor=citizen, file=png_file(), name="居民身份证", shared_key="id_card")
    login(client, citizen)
    case = apply_online(client, online_matter)
    assert case.channel == "online" and case.materials.count() == 2
    page = client.get(f"/me/cases/{case.uuid}/").content.decode()
    assert case.number in page and "行政审批局" in page
    # The clerk asks for one item again (一次性告知); the citizen answers online.
    req = online_matter.current_version.materials.get(shared_key="id_card")
    case_services.case_request_supplement(
        case=case, actor=clerk, items=[{"name": "居民身份证", "reason": "照片不清晰", "requirement": req.pk}]
    )
    assert Notification.objects.filter(user=citizen, kind="case.supplement_requested").exists()
    overview = client.get("/me/").content.decode()
    assert "需要补材料" in overview and "办件进度" in overview
    page = client.get(f"/me/cases/{case.uuid}/").content.decode()
    assert "照片不清晰" in page and f'name="file-{req.pk}"' in page
    bad = client.post(f"/me/cases/{case.uuid}/", {f"file-{req.pk}": pdf_file().__class__("x.pdf", b"not a scan")})
    assert bad.status_code == 422
    case.refresh_from_db()
    assert case.status == Case.Status.SUPPLEMENT
    ok = client.post(f"/me/cases/{case.uuid}/", {f"file-{req.pk}": pdf_file()})
    assert ok.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.SUBMITTED
    # the submitted file can be read back by its applicant
    material = case.materials.exclude(status="replaced").exclude(storage_name="").first()
    assert material is not None
    assert client.get(f"/me/cases/{case.uuid}/materials/{material.uuid}/").status_code == 200


def test_draft_resumes_on_another_device(online_matter: Any, citizen: Any) -> None:
    phone, desktop = login(Client(), citizen), login(Client(), citizen)
    phone.post(f"/apply/matter/{online_matter.uuid}/")
    draft = ApplicationDraft.objects.get()
    phone.post(f"/apply/d/{draft.uuid}/conditions/", {"confirmed": "1"})
    phone.post(f"/apply/d/{draft.uuid}/form/", {"address": "值夏镇2号", "save": "1"})
    assert "值夏镇2号" in desktop.get(f"/apply/d/{draft.uuid}/form/").content.decode()
    assert desktop.get(f"/apply/d/{draft.uuid}/")["Location"] == f"/apply/d/{draft.uuid}/materials/"
    assert draft.title in desktop.get("/me/").content.decode()


def test_outsider_is_refused_everywhere(client: Client, online_matter: Any, citizen: Any, outsider: Any, clerk: Any) -> None:
    material_services.library_upload(actor=citizen, file=png_file(), name="居民身份证", shared_key="id_card")
    login(client, citizen)
    case = apply_online(client, online_matter)
    material = case.materials.first()
    assert material is not None
    item = citizen.library_items.first()
    req = online_matter.current_version.materials.first()
    case_services.case_request_supplement(
        case=case, actor=clerk, items=[{"name": req.name, "reason": "x", "requirement": req.pk}]
    )
    spy = login(Client(), outsider)
    for url in [
        f"/me/cases/{case.uuid}/",
        f"/me/cases/{case.uuid}/materials/{material.uuid}/",
        f"/materials/{item.uuid}/file/",
    ]:
        assert spy.get(url).status_code == 404, url
    assert spy.post(f"/me/cases/{case.uuid}/", {f"reuse-{req.pk}": str(item.uuid)}).status_code == 404
    case.refresh_from_db()
    assert case.status == Case.Status.SUPPLEMENT
    for url in ["/me/", "/me/cases/", "/me/notifications/"]:
        body = spy.get(url).content.decode()
        assert case.number not in body and "刘秀英" not in body, url
    anon = Client()
    for url in ["/me/", "/me/cases/", f"/me/cases/{case.uuid}/", "/me/notifications/", "/materials/"]:
        assert anon.get(url).status_code == 302, url


def test_staff_who_handle_the_case_may_read_its_library_file(
    client: Client, online_matter: Any, citizen: Any, clerk: Any, approver: Any
) -> None:
    item = material_services.library_upload(actor=citizen, file=png_file(), name="居民身份证", shared_key="id_card")
    login(client, citizen)
    apply_online(client, online_matter)
    assert login(Client(), clerk).get(f"/materials/{item.uuid}/file/").status_code == 200
    assert login(Client(), approver).get(f"/materials/{item.uuid}/file/").status_code == 404  # 住建局 has no part in it


def test_care_mode_shows_fewer_items(client: Client, org: Any) -> None:
    from onewindow.portal.testing import make_online_matter

    for i in range(10):
        make_online_matter(org["XZSP"], code=f"M-{i:02d}", name=f"事项{i:02d}")
    normal = client.get("/apply/").content.decode().count("/apply/matter/")
    client.cookies["care_mode"] = "1"
    care = client.get("/apply/").content.decode().count("/apply/matter/")
    assert normal == 10 and care == 6


def test_bundle_start_page(client: Client, org: Any, citizen: Any, calendar_2026: Any) -> None:
    from onewindow.catalog.models import Bundle, BundleItem
    from onewindow.portal.testing import make_online_matter

    bundle = Bundle.objects.create(code="estate", name="二手房转移登记一件事")
    for i, (code, dept) in enumerate([("B-A", "ZJJ"), ("B-B", "BDC")]):
        BundleItem.objects.create(
            bundle=bundle, matter=make_online_matter(org[dept], code=code, name=f"事项{code}"), sort_order=i
        )
    assert "二手房转移登记一件事" in client.get("/apply/").content.decode()
    login(client, citizen)
    page = client.get(f"/apply/bundle/{bundle.uuid}/").content.decode()
    assert "事项B-A" in page and "事项B-B" in page
    response = client.post(f"/apply/bundle/{bundle.uuid}/")
    draft = ApplicationDraft.objects.get()
    assert draft.bundle == bundle and response["Location"] == f"/apply/d/{draft.uuid}/conditions/"
    assert client.get("/apply/bundle/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_supplement_item_without_a_requirement_is_answered_online(
    client: Client, online_matter: Any, citizen: Any, clerk: Any
) -> None:
    material_services.library_upload(actor=citizen, file=png_file(), name="居民身份证", shared_key="id_card")
    login(client, citizen)
    case = apply_online(client, online_matter)
    case_services.case_request_supplement(case=case, actor=clerk, items=[{"name": "家庭收入证明", "reason": "缺近6个月收入"}])
    page = client.get(f"/me/cases/{case.uuid}/").content.decode()
    assert 'name="item-0"' in page
    bad = client.post(f"/me/cases/{case.uuid}/", {"item-0": pdf_file().__class__("x.pdf", b"plain text")})
    assert bad.status_code == 422
    ok = client.post(f"/me/cases/{case.uuid}/", {"item-0": pdf_file()})
    assert ok.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.SUBMITTED and case.materials.filter(name="家庭收入证明", requirement__isnull=True).exists()
