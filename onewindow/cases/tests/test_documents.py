"""Notices as PDF with Chinese text that really renders (no tofu), QR, public progress page."""

from __future__ import annotations

from typing import Any

import pypdfium2 as pdfium
import pytest

from onewindow.cases import documents
from onewindow.cases import services as svc
from onewindow.core.errors import ValidationFailed

from .conftest import all_materials


def _case(mv: Any, citizen: Any, clerk: Any) -> Any:
    return svc.case_submit(
        applicant=citizen,
        matter_version=mv,
        channel="counter",
        form_data={"address": "值夏镇1号"},
        materials=all_materials(list(mv.materials.all())),
        actor=clerk,
    )


def _ink(bitmap: Any) -> tuple[int, bytes]:
    img = bitmap.to_pil().convert("L")
    data = img.tobytes()
    return sum(1 for b in data if b < 128), data


def test_acceptance_notice_renders_chinese_glyphs(matter_zjj: Any, citizen: Any, clerk: Any) -> None:
    case = svc.case_accept(case=_case(matter_zjj, citizen, clerk), actor=clerk)
    data = documents.notice_pdf(case, "acceptance")
    assert data.startswith(b"%PDF") and b"/FontFile2" in data  # the CJK font is embedded
    pdf = pdfium.PdfDocument(data)
    page = pdf[0]
    text = page.get_textpage()
    content = text.get_text_range()
    assert "受理通知书" in content and case.number in content
    # Tofu would draw the same empty box for every character: render the title's first two
    # characters and check each has ink and that they differ.
    start = content.index("受理通知书")
    crops = []
    for i in (start, start + 1):
        left, bottom, right, top = text.get_charbox(i)
        bitmap = page.render(scale=4, crop=(left, bottom, page.get_width() - right, page.get_height() - top))
        crops.append(_ink(bitmap))
    assert crops[0][0] > 20 and crops[1][0] > 20
    assert crops[0][1] != crops[1][1]


def test_supplement_notice_lists_every_item(matter_zjj: Any, citizen: Any, clerk: Any) -> None:
    case = _case(matter_zjj, citizen, clerk)
    svc.case_request_supplement(
        case=case, actor=clerk, items=[{"name": "申请书", "reason": "缺签字"}, {"name": "身份证明", "reason": "已过期"}]
    )
    content = pdfium.PdfDocument(documents.notice_pdf(case, "supplement"))[0].get_textpage().get_text_range()
    assert "补正材料通知书" in content and "缺签字" in content and "已过期" in content


def test_refusal_notice_has_reasons_and_qr_url(matter_zjj: Any, citizen: Any, clerk: Any) -> None:
    case = svc.case_refuse(case=_case(matter_zjj, citizen, clerk), actor=clerk, reasons="不属于本机关职权范围")
    content = pdfium.PdfDocument(documents.notice_pdf(case, "refusal"))[0].get_textpage().get_text_range()
    assert "不属于本机关职权范围" in content and case.check_code in content
    assert f"n={case.number}" in documents.progress_url(case)
    with pytest.raises(ValidationFailed) as invalid:
        documents.notice_pdf(case, "acceptance")
    assert invalid.value.code == "no_such_notice"


def test_notice_pdf_endpoint_scoped(client: Any, matter_zjj: Any, citizen: Any, clerk: Any, outsider: Any) -> None:
    case = svc.case_accept(case=_case(matter_zjj, citizen, clerk), actor=clerk)
    url = f"/cases/{case.uuid}/notice/acceptance.pdf"
    assert client.get(url).status_code == 302  # anonymous: to login
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(citizen)
    resp = client.get(url)
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    mat = case.materials.first()
    assert mat is not None
    assert client.get(f"/cases/materials/{mat.uuid}/").status_code == 200
    client.force_login(outsider)
    assert client.get(f"/cases/materials/{mat.uuid}/").status_code == 404


def test_public_progress_page_without_personal_data(client: Any, matter_zjj: Any, citizen: Any, clerk: Any) -> None:
    case = svc.case_accept(case=_case(matter_zjj, citizen, clerk), actor=clerk)
    resp = client.get("/cases/progress/", {"n": case.number, "c": case.check_code.lower()})
    html = resp.content.decode()
    assert resp.status_code == 200 and "审查中" in html and "已受理" in html
    assert citizen.display_name not in html and citizen.id_number not in html and "值夏镇1号" not in html
    assert clerk.username not in html
    bad = client.get("/cases/progress/", {"n": case.number, "c": "WRONG1"})
    assert bad.status_code == 404 and "审查中" not in bad.content.decode()
    assert client.get("/cases/progress/").status_code == 200
