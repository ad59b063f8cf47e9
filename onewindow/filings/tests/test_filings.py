"""Commitment filing: signing completes it at once (hash of the exact text, name and ID checked),
numbers from the database, spot checks revoke and bar, an administrator clears."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from conftest import login, make_user
from onewindow.accounts.models import Role
from onewindow.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied, ValidationFailed
from onewindow.core.models import AuditEntry, Notification
from onewindow.core.testing import run_concurrently
from onewindow.filings import selectors, services
from onewindow.filings.certificate import certificate_pdf
from onewindow.filings.models import CommitmentBreach, Filing
from onewindow.portal.testing import COMMITMENT

pytestmark = pytest.mark.django_db
HASH = hashlib.sha256(COMMITMENT.encode()).hexdigest()


def sign(matter: Any, user: Any, **kw: Any) -> Filing:
    ent = kw.pop("enterprise", None) or user.enterprise_roles.get().enterprise
    return services.filing_sign(
        applicant=user,
        matter=matter,
        enterprise=ent,
        signer_name=kw.pop("signer_name", user.display_name),
        signer_id_number=kw.pop("signer_id_number", user.id_number),
        text_sha256=kw.pop("text_sha256", HASH),
        **kw,
    )


def test_sign_completes_at_once(filing_matter: Any, enterprise_user: Any) -> None:
    f = sign(filing_matter, enterprise_user)
    assert f.status == Filing.Status.ACTIVE and f.number == f"BA2026{f.pk:08d}"
    assert f.commitment_text == COMMITMENT and f.text_sha256 == HASH
    assert f.signer_name == "陈志强" and "*" in f.signer_id_masked and f.signed_at is not None
    assert AuditEntry.objects.filter(action="filing.sign", target_id=str(f.uuid)).exists()
    assert Notification.objects.filter(user=enterprise_user, kind="filing.done").exists()


@pytest.mark.parametrize(
    ("field", "value", "error", "code"),
    [
        ("signer_name", "张三", ValidationFailed, "signer_mismatch"),
        ("signer_id_number", "360803199001011119", ValidationFailed, "signer_mismatch"),
        ("text_sha256", "0" * 64, Conflict, "text_changed"),
    ],
)
def test_signature_must_match_identity_and_text(
    filing_matter: Any, enterprise_user: Any, field: str, value: str, error: type[ApplicationError], code: str
) -> None:
    with pytest.raises(error) as refused:
        sign(filing_matter, enterprise_user, **{field: value})
    assert refused.value.code == code
    assert Filing.objects.count() == 0


def test_enterprise_filing_needs_a_handled_enterprise(filing_matter: Any, citizen: Any, enterprise_user: Any) -> None:
    with pytest.raises(ValidationFailed) as invalid:
        services.filing_sign(
            applicant=citizen,
            matter=filing_matter,
            signer_name=citizen.display_name,
            signer_id_number=citizen.id_number,
            text_sha256=HASH,
        )
    assert invalid.value.code == "enterprise_required"
    with pytest.raises(PermissionDenied) as denied:
        sign(filing_matter, citizen, enterprise=enterprise_user.enterprise_roles.get().enterprise)
    assert denied.value.code == "permission_denied"


def test_certificate_is_a_pdf_with_the_number(filing_matter: Any, enterprise_user: Any) -> None:
    f = sign(filing_matter, enterprise_user)
    pdf = certificate_pdf(f)
    assert pdf.startswith(b"%PDF-") and len(pdf) > 2000
    import pypdfium2

    doc = pypdfium2.PdfDocument(pdf)
    text = doc[0].get_textpage().get_text_range()
    assert f.number in text and "告知承诺备案回执" in text


def test_false_commitment_revokes_and_bars_until_cleared(
    filing_matter: Any, enterprise_user: Any, clerk: Any, admin_user: Any, org: Any
) -> None:
    inspector = make_user("inspector", Role.APPROVER, org["XZSP"])
    f = sign(filing_matter, enterprise_user)
    with pytest.raises(PermissionDenied) as denied:  # a clerk is not an approver of the department
        services.spot_check_record(filing=f, inspector=clerk, result="false", note="x")
    assert denied.value.code == "permission_denied"
    with pytest.raises(ValidationFailed) as invalid:
        services.spot_check_record(filing=f, inspector=inspector, result="false", note="")
    assert invalid.value.code == "validation_failed" and set(invalid.value.fields) == {"note"}
    services.spot_check_record(filing=f, inspector=inspector, result="false", note="现场核查：未配备防护物资")
    f.refresh_from_db()
    assert f.status == Filing.Status.REVOKED and f.revoke_reason
    breach = CommitmentBreach.objects.get()
    assert breach.enterprise == f.enterprise and breach.user is None
    with pytest.raises(services.FilingBarred) as filing_barred:
        sign(filing_matter, enterprise_user)
    assert filing_barred.value.code == "filing_barred"
    with pytest.raises(Conflict) as conflict:
        services.spot_check_record(filing=f, inspector=inspector, result="false", note="again")
    assert conflict.value.code == "already_revoked"
    with pytest.raises(PermissionDenied) as denied:
        services.breach_clear(breach=breach, actor=inspector, reason="整改完毕")
    assert denied.value.code == "permission_denied"
    services.breach_clear(breach=breach, actor=admin_user, reason="已整改并复查合格")
    assert AuditEntry.objects.filter(action="filing.breach_clear").exists()
    assert sign(filing_matter, enterprise_user).status == Filing.Status.ACTIVE


def test_outsider_cannot_see_a_filing(client: Any, filing_matter: Any, enterprise_user: Any, outsider: Any) -> None:
    f = sign(filing_matter, enterprise_user)
    with pytest.raises(NotFound) as missing:
        selectors.filing_for(outsider, f.uuid)
    assert missing.value.code == "not_found"
    login(client, outsider)
    assert client.get(f"/filings/{f.uuid}/").status_code == 404
    assert client.get(f"/filings/{f.uuid}/certificate.pdf").status_code == 404
    assert client.get(f"/filings/staff/{f.uuid}/").status_code == 404
    assert client.post(f"/filings/staff/{f.uuid}/", {"result": "false", "note": "x"}).status_code == 404
    assert client.get("/filings/staff/").status_code == 403
    assert client.get("/filings/breaches/").status_code == 403
    f.refresh_from_db()
    assert f.status == Filing.Status.ACTIVE
    # the public check page shows status only, no identity number
    page = client.get(f"/filings/check/{f.uuid}/").content.decode()
    assert f.number in page and enterprise_user.id_number not in page


def test_sign_page_and_certificate_download(client: Any, filing_matter: Any, enterprise_user: Any) -> None:
    login(client, enterprise_user)
    page = client.get(f"/filings/m/{filing_matter.uuid}/")
    assert page.status_code == 200 and COMMITMENT in page.content.decode()
    ent = enterprise_user.enterprise_roles.get().enterprise
    bad = client.post(
        f"/filings/m/{filing_matter.uuid}/",
        {"enterprise": str(ent.uuid), "signer_name": "陈志强", "signer_id_number": "x", "text_sha256": HASH, "agree": "1"},
    )
    assert bad.status_code == 422 and Filing.objects.count() == 0
    ok = client.post(
        f"/filings/m/{filing_matter.uuid}/",
        {
            "enterprise": str(ent.uuid),
            "signer_name": "陈志强",
            "signer_id_number": enterprise_user.id_number,
            "text_sha256": HASH,
        },
    )
    f = Filing.objects.get()
    assert ok.status_code == 302 and ok["Location"] == f"/filings/{f.uuid}/"
    pdf = client.get(f"/filings/{f.uuid}/certificate.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")


@pytest.mark.django_db(transaction=True)
def test_concurrent_signing_gets_distinct_numbers(filing_matter: Any, enterprise_user: Any) -> None:
    results = run_concurrently(lambda _i: sign(filing_matter, enterprise_user).number, 5)
    assert all(isinstance(r, str) for r in results), results
    assert len(set(results)) == 5


def test_personal_filing_breach_bars_the_person_only(org: Any, citizen: Any, outsider: Any, admin_user: Any) -> None:
    from onewindow.portal.testing import make_online_matter

    matter = make_online_matter(
        org["XZSP"], code="BA-P", name="个人备案", kind="filing", form_schema=[], commitment_text=COMMITMENT
    )
    f = services.filing_sign(
        applicant=citizen, matter=matter, signer_name=citizen.display_name, signer_id_number=citizen.id_number, text_sha256=HASH
    )
    assert f.enterprise is None
    services.spot_check_record(filing=f, inspector=admin_user, result="false", note="材料不实")
    breach = CommitmentBreach.objects.get()
    assert breach.user == citizen and breach.enterprise is None
    with pytest.raises(services.FilingBarred) as filing_barred:
        services.filing_sign(
            applicant=citizen,
            matter=matter,
            signer_name=citizen.display_name,
            signer_id_number=citizen.id_number,
            text_sha256=HASH,
        )
    assert filing_barred.value.code == "filing_barred"
    other = services.filing_sign(
        applicant=outsider,
        matter=matter,
        signer_name=outsider.display_name,
        signer_id_number=outsider.id_number,
        text_sha256=HASH,
    )
    assert other.status == Filing.Status.ACTIVE
