"""The multipart variants of the API operations that carry scans (`POST /upload/mandates`, `POST
/upload/cases`): files checked by content as on the pages; a refused request stores nothing and
leaves no file behind; outsiders refused."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from conftest import login
from onewindow.assistance.models import AgentApplication, Mandate
from onewindow.cases.models import Case

from .conftest import signature_png

pytestmark = pytest.mark.django_db
API = "/api/v1/assistance"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _pdf(name: str = "scan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _mandate_form(resident: Any, **kw: Any) -> dict[str, Any]:
    return {
        "id_number": resident.id_number,
        "method": "paper",
        "valid_from": "2026-04-01",
        "valid_until": "2027-03-31",
        "all_eligible": "true",
        "id_checked": "true",
        **kw,
    }


def test_mandate_with_a_scanned_paper_form(
    client: Client, agent: Any, points: Any, resident: Any, matters: Any, private_files_in_tmp: Path
) -> None:
    login(client, agent)
    # A text file calling itself a PDF: refused by content, nothing stored, no file left.
    fake = SimpleUploadedFile("scan.pdf", b"just text", content_type="application/pdf")
    r = client.post(f"{API}/upload/mandates", {**_mandate_form(resident), "signature": fake})
    assert r.status_code == 422, r.content
    assert not Mandate.objects.exists() and _files(private_files_in_tmp) == []
    # A matter that is not agent-eligible: refused after the scan was read, still no file left.
    r = client.post(
        f"{API}/upload/mandates",
        {**_mandate_form(resident, all_eligible="false", matters=str(matters["not_eligible"].uuid)), "signature": _pdf()},
    )
    assert r.status_code == 422 and r.json()["code"] == "not_agent_eligible"
    assert not Mandate.objects.exists() and _files(private_files_in_tmp) == []
    r = client.post(
        f"{API}/upload/mandates",
        {**_mandate_form(resident, all_eligible="false", matters=str(matters["disability"].uuid)), "signature": _pdf()},
    )
    assert r.status_code == 201, r.content
    m = Mandate.objects.get()
    assert r.json()["matters"] == ["CLH-001"] and m.method == "paper" and len(m.signature_sha256) == 64
    assert len(_files(private_files_in_tmp)) == 1


def test_mandate_signed_on_screen_as_a_png_file(client: Client, agent: Any, points: Any, resident: Any) -> None:
    login(client, agent)
    blank = signature_png(ink=False)
    r = client.post(f"{API}/upload/mandates", {**_mandate_form(resident, method="on_screen"), "signature": blank})
    assert r.status_code == 422 and r.json()["code"] == "signature_blank"
    r = client.post(f"{API}/upload/mandates", {**_mandate_form(resident, method="on_screen"), "signature": signature_png()})
    assert r.status_code == 201 and r.json()["status"] == "active"


def test_case_with_scans(
    client: Client, mandate: Mandate, agent: Any, resident: Any, matters: Any, private_files_in_tmp: Path
) -> None:
    login(client, agent)
    reqs = list(matters["disability"].current_version.materials.order_by("sort_order"))
    before = len(_files(private_files_in_tmp))
    base = {"mandate": str(mandate.uuid), "matter": str(matters["disability"].uuid)}
    # A scan of a material of another matter, then a forged PDF: refused, nothing stored, no file.
    other = matters["medical"].current_version.materials.first()
    r = client.post(f"{API}/upload/cases", {**base, f"material_{other.pk}": _pdf()})
    assert r.status_code == 422
    fake = SimpleUploadedFile("id.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    r = client.post(f"{API}/upload/cases", {**base, f"material_{reqs[0].pk}": _pdf(), f"material_{reqs[1].pk}": fake})
    assert r.status_code == 422, r.content
    assert not Case.objects.exists() and not AgentApplication.objects.exists()
    assert len(_files(private_files_in_tmp)) == before
    r = client.post(f"{API}/upload/cases", {**base, "matter": str(matters["not_eligible"].uuid)})
    assert r.status_code in (403, 422) and r.json()["code"] == "not_agent_eligible"
    # Scans of both, the paper original of the ID card collected too, the result at the point.
    r = client.post(
        f"{API}/upload/cases",
        {
            **base,
            "paper": str(reqs[0].pk),
            "deliver_at_point": "true",
            f"material_{reqs[0].pk}": _pdf("id.pdf"),
            f"material_{reqs[1].pk}": _pdf("form.pdf"),
        },
    )
    assert r.status_code == 201, r.content
    out = r.json()
    assert out["deliver_at_point"] and out["forwarding_due_on"] == datetime.date(2026, 4, 7).isoformat()
    case = Case.objects.get()
    assert case.materials.exclude(storage_name="").count() == 2
    assert len(_files(private_files_in_tmp)) == before + 2


@pytest.mark.parametrize("path", ["/upload/mandates", "/upload/cases"])
def test_outsiders_refused(
    client: Client, path: str, outsider: Any, mandate: Mandate, resident: Any, matters: Any, private_files_in_tmp: Path
) -> None:
    before = len(_files(private_files_in_tmp))
    data = {
        **_mandate_form(resident),
        "mandate": str(mandate.uuid),
        "matter": str(matters["disability"].uuid),
        "signature": _pdf(),
    }
    assert client.post(API + path, data).status_code == 401
    login(client, outsider)
    data["signature"] = _pdf()
    assert client.post(API + path, data).status_code in (403, 404)
    assert Mandate.objects.count() == 1 and not AgentApplication.objects.exists()
    assert len(_files(private_files_in_tmp)) == before


def test_openapi_lists_the_multipart_operations(client: Client) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    for path in ("/upload/mandates", "/upload/cases", "/filings"):
        assert f"{API}{path}" in spec["paths"], path
    body = spec["paths"][f"{API}/upload/cases"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in body or "application/x-www-form-urlencoded" in body
