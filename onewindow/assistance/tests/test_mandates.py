"""Mandates: recorded at the point (screen signature or scanned paper), confirmed from the phone,
countersigned when the district asks, revoked by the resident; the signed text never changes."""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

import pytest

from onewindow.assistance import services
from onewindow.assistance.models import Mandate
from onewindow.core.errors import PermissionDenied, ValidationFailed
from onewindow.core.models import AuditEntry, Notification
from onewindow.core.uploads import private_storage

from .conftest import TODAY, record, signature_png

pytestmark = pytest.mark.django_db


def test_on_screen_mandate_is_active_with_hashes(mandate: Mandate, resident: Any) -> None:
    assert mandate.status == Mandate.Status.ACTIVE
    assert mandate.text_sha256 == hashlib.sha256(mandate.text.encode()).hexdigest()
    assert "张桂英" in mandate.text and "值夏社区代办点" in mandate.text
    assert resident.id_number not in mandate.text  # the masked number only
    with private_storage().open(mandate.signature_file, "rb") as f:
        assert hashlib.sha256(f.read()).hexdigest() == mandate.signature_sha256
    assert AuditEntry.objects.filter(action="mandate.record", target_id=str(mandate.uuid)).exists()
    assert Notification.objects.filter(user=resident, kind="assistance.mandate").exists()


def test_named_matters_must_be_agent_eligible(agent: Any, points: Any, resident: Any, matters: Any) -> None:
    with pytest.raises(ValidationFailed) as exc:
        record(agent, points["ZXSQ"], resident, matters=[matters["disability"], matters["not_eligible"]])
    assert exc.value.code == "not_agent_eligible"
    assert not Mandate.objects.exists()


def test_resident_of_another_village_refused(other_agent: Any, points: Any, resident: Any, matters: Any) -> None:
    with pytest.raises(PermissionDenied) as exc:
        record(other_agent, points["FTC"], resident)
    assert exc.value.code == "other_village"
    assert not Mandate.objects.exists()


def test_only_the_points_agents_record(other_agent: Any, points: Any, resident: Any, matters: Any) -> None:
    with pytest.raises(PermissionDenied) as exc:
        record(other_agent, points["ZXSQ"], resident)
    assert exc.value.code == "not_agent_of_point"


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"id_checked": False}, "id_not_checked"),
        ({"signature": None}, "signature_missing"),
        ({"signature": signature_png(ink=False)}, "signature_blank"),
        ({"valid_until": TODAY - datetime.timedelta(days=1)}, "validation_failed"),
        ({"valid_from": TODAY - datetime.timedelta(days=3)}, "validation_failed"),
        ({"valid_until": TODAY + datetime.timedelta(days=5000)}, "validation_failed"),
    ],
)
def test_bad_recordings_store_nothing(
    agent: Any, points: Any, resident: Any, matters: Any, kw: dict[str, Any], code: str, private_files_in_tmp: Any
) -> None:
    with pytest.raises(ValidationFailed) as exc:
        record(agent, points["ZXSQ"], resident, **kw)
    assert exc.value.code == code
    assert not Mandate.objects.exists()
    assert not [p for p in private_files_in_tmp.rglob("*") if p.is_file()]


def test_paper_scan_accepted(agent: Any, points: Any, resident: Any, matters: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    scan = SimpleUploadedFile("form.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    m = record(agent, points["ZXSQ"], resident, method=Mandate.Method.PAPER, signature=scan, matters=[matters["disability"]])
    assert m.status == Mandate.Status.ACTIVE and m.signature_file.endswith(".pdf")
    assert list(m.matters.all()) == [matters["disability"]]


def test_phone_confirmation_by_the_resident_only(agent: Any, points: Any, resident: Any, matters: Any, outsider: Any) -> None:
    m = record(agent, points["ZXSQ"], resident, method=Mandate.Method.PHONE, signature=None, id_checked=False)
    assert m.status == Mandate.Status.AWAITING_RESIDENT
    with pytest.raises(PermissionDenied) as denied:
        services.mandate_confirm(actor=outsider, mandate=m, text_sha256=m.text_sha256)
    assert denied.value.code == "permission_denied"
    with pytest.raises(ValidationFailed) as exc:
        services.mandate_confirm(actor=resident, mandate=m, text_sha256="0" * 64)
    assert exc.value.code == "text_changed"
    m = services.mandate_confirm(actor=resident, mandate=m, text_sha256=m.text_sha256)
    assert m.status == Mandate.Status.ACTIVE and m.resident_confirmed_at is not None
    from onewindow.core.errors import Conflict

    with pytest.raises(Conflict) as exc2:
        services.mandate_confirm(actor=resident, mandate=m, text_sha256=m.text_sha256)
    assert exc2.value.code == "mandate_not_pending"


def test_countersign_when_the_district_asks(settings: Any, agent: Any, points: Any, resident: Any, matters: Any) -> None:
    settings.ONEWINDOW_ASSISTANCE = {"countersign_required": True}
    m = record(agent, points["ZXSQ"], resident)
    assert m.status == Mandate.Status.AWAITING_COUNTERSIGN
    with pytest.raises(services.mandate_in_force.__globals__["NoMandate"]) as raised:
        services.mandate_in_force(point=points["ZXSQ"], resident=resident, matter=matters["disability"])
    assert raised.value.code == "no_mandate"
    with pytest.raises(ValidationFailed) as invalid:
        services.mandate_countersign(actor=agent, mandate=m, countersigner_name="", signature=signature_png())
    assert invalid.value.code == "validation_failed" and set(invalid.value.fields) == {"countersigner_name"}
    m = services.mandate_countersign(actor=agent, mandate=m, countersigner_name="王村长", signature=signature_png())
    assert m.status == Mandate.Status.ACTIVE and m.countersigner_name == "王村长"
    assert services.mandate_in_force(point=points["ZXSQ"], resident=resident, matter=matters["disability"]) == m


def test_countersigned_at_recording(settings: Any, agent: Any, points: Any, resident: Any, matters: Any) -> None:
    settings.ONEWINDOW_ASSISTANCE = {"countersign_required": True}
    m = record(agent, points["ZXSQ"], resident, countersigner_name="王村长", countersign=signature_png())
    assert m.status == Mandate.Status.ACTIVE


def test_revoke_by_resident_stops_at_once(mandate: Mandate, resident: Any, agent: Any, matters: Any, points: Any) -> None:
    with pytest.raises(PermissionDenied) as denied:
        services.mandate_revoke(actor=agent, mandate=mandate)
    assert denied.value.code == "permission_denied"
    text, sha = mandate.text, mandate.text_sha256
    m = services.mandate_revoke(actor=resident, mandate=mandate, reason="不再需要")
    assert m.status == Mandate.Status.REVOKED and m.revoked_at is not None
    assert (m.text, m.text_sha256) == (text, sha)  # the signed text is kept unchanged
    with pytest.raises(PermissionDenied) as exc:
        services.mandate_in_force(point=points["ZXSQ"], resident=resident, matter=matters["disability"])
    assert exc.value.code == "no_mandate"


def test_expired_and_scope(agent: Any, points: Any, resident: Any, matters: Any) -> None:
    m = record(agent, points["ZXSQ"], resident, matters=[matters["disability"]], valid_until=TODAY + datetime.timedelta(days=10))
    assert services.mandate_in_force(point=points["ZXSQ"], resident=resident, matter=matters["disability"]) == m
    with pytest.raises(PermissionDenied) as denied:
        services.mandate_in_force(point=points["ZXSQ"], resident=resident, matter=matters["medical"])
    assert denied.value.code == "no_mandate"
    with pytest.raises(PermissionDenied) as denied:
        services.mandate_in_force(
            point=points["ZXSQ"], resident=resident, matter=matters["disability"], day=TODAY + datetime.timedelta(days=11)
        )
    assert denied.value.code == "no_mandate"
