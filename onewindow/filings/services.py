"""Writes for commitment filing: sign, spot check, clear a breach."""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import Enterprise, Role, User
from onewindow.accounts.selectors import units_for
from onewindow.catalog import formschema
from onewindow.catalog.models import Matter, MatterVersion
from onewindow.core.audit import audit
from onewindow.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied, ValidationFailed
from onewindow.core.identity import mask
from onewindow.core.notify import notify

from . import selectors
from .models import CommitmentBreach, Filing, SpotCheck


class FilingBarred(ApplicationError):
    status = 403
    code = "filing_barred"


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def filing_number(pk: int, signed_at: datetime.datetime) -> str:
    """BA + year + the database-assigned id: unique by construction, no counter to race on."""
    return f"BA{timezone.localtime(signed_at):%Y}{pk:08d}"


def filing_sign(
    *,
    applicant: User,
    matter: Matter,
    signer_name: str,
    signer_id_number: str,
    text_sha256: str,
    enterprise: Enterprise | None = None,
    form_data: dict[str, Any] | None = None,
    signed_at: datetime.datetime | None = None,
) -> Filing:
    """Sign the commitment and complete the filing at once.

    The signer confirms their own name and ID number; `text_sha256` is the hash of the text they
    were shown, so a text changed in between is refused rather than signed unseen."""
    if not applicant.is_authenticated or not applicant.id_number:
        raise PermissionDenied(_("请先完成实名注册。"))
    version = matter.current_version
    if version is None or version.kind != MatterVersion.Kind.FILING or version.status != MatterVersion.Status.PUBLISHED:
        raise NotFound()
    text = version.commitment_text or ""
    if not text.strip():
        raise ValidationFailed(_("该事项没有承诺书，不能在线备案。"), code="no_commitment")
    errors: dict[str, list[Any]] = {}
    if (signer_name or "").strip() != applicant.display_name:
        errors["signer_name"] = [_("签署人姓名须与实名注册的姓名一致。")]
    if (signer_id_number or "").strip().upper() != applicant.id_number:
        errors["signer_id_number"] = [_("签署人身份证号码须与实名注册的号码一致。")]
    if errors:
        raise ValidationFailed(_("签署信息与实名信息不一致。"), code="signer_mismatch", fields=errors)
    if (text_sha256 or "").lower() != text_hash(text):
        raise Conflict(_("承诺书内容已更新，请重新阅读后签署。"), code="text_changed")
    if enterprise is not None and not enterprise.handlers.filter(user=applicant).exists():
        raise PermissionDenied(_("您不是该企业的经办人。"))
    if version.audience == "enterprise" and enterprise is None:
        raise ValidationFailed(
            _("该备案由企业（个体工商户）办理，请选择企业。"),
            code="enterprise_required",
            fields={"enterprise": [_("请选择企业。")]},
        )
    cleaned = formschema.validate(version.form_schema, form_data or {}) if version.form_schema else {}
    signed_at = signed_at or timezone.now()
    with transaction.atomic():
        barred = selectors.open_breach(enterprise=enterprise) if enterprise else selectors.open_breach(user=applicant)
        if barred is not None:
            raise FilingBarred(_("因存在虚假承诺记录，暂不能使用告知承诺方式办理，请到窗口办理或联系管理员。"))
        filing = Filing.objects.create(
            matter_version=version,
            department=matter.department,
            applicant=applicant,
            enterprise=enterprise,
            title=version.name,
            form_data=cleaned,
            signer_name=applicant.display_name,
            signer_id_masked=mask(applicant.id_number),
            commitment_text=text,
            text_sha256=text_hash(text),
            signed_at=signed_at,
        )
        filing.number = filing_number(filing.pk, signed_at)
        filing.save(update_fields=["number"])
        audit(actor=applicant, action="filing.sign", target=filing, data={"number": filing.number, "sha256": filing.text_sha256})
        notify(
            channel="site",
            recipient=applicant.username,
            user=applicant,
            kind="filing.done",
            subject=str(_("备案已完成")),
            body=str(_("%(title)s 已备案，备案编号 %(number)s。") % {"title": filing.title, "number": filing.number}),
        )
    return filing


def _may_inspect(user: User, filing: Filing) -> bool:
    return (
        selectors.admin_over(user, filing.department) or units_for(user, Role.APPROVER).filter(pk=filing.department_id).exists()
    )


def spot_check_record(*, filing: Filing, inspector: User, result: str, note: str = "") -> SpotCheck:
    """Record a spot check. A false commitment revokes the filing and records a breach against the
    applicant; the revocation is a conditional update, so two inspectors cannot both revoke."""
    if not inspector.is_authenticated or not _may_inspect(inspector, filing):
        raise PermissionDenied()
    if result not in SpotCheck.Result.values:
        raise ValidationFailed(_("请选择核查结果。"), fields={"result": [_("请选择核查结果。")]})
    if result == SpotCheck.Result.FALSE and not (note or "").strip():
        raise ValidationFailed(_("认定虚假承诺须写明核查情况。"), fields={"note": [_("请写明核查情况。")]})
    now = timezone.now()
    with transaction.atomic():
        check = SpotCheck.objects.create(
            filing=filing, inspector=inspector, result=result, note=(note or "").strip(), checked_at=now
        )
        if result == SpotCheck.Result.FALSE:
            revoked = Filing.objects.filter(pk=filing.pk, status=Filing.Status.ACTIVE).update(
                status=Filing.Status.REVOKED, revoked_at=now, revoke_reason=check.note
            )
            if not revoked:
                raise Conflict(_("该备案已被撤销。"), code="already_revoked")
            CommitmentBreach.objects.create(
                filing=filing,
                user=None if filing.enterprise_id else filing.applicant,
                enterprise=filing.enterprise,
                recorded_at=now,
            )
            notify(
                channel="site",
                recipient=filing.applicant.username,
                user=filing.applicant,
                kind="filing.revoked",
                subject=str(_("备案已撤销")),
                body=str(_("经事后核查，%(number)s 的承诺不实，备案已撤销。") % {"number": filing.number}),
            )
        audit(actor=inspector, action="filing.spot_check", target=filing, data={"result": result})
    filing.refresh_from_db()
    return check


def breach_clear(*, breach: CommitmentBreach, actor: User, reason: str) -> CommitmentBreach:
    """An administrator lifts the bar (e.g. after the applicant corrected the facts)."""
    if not selectors.admin_over(actor, breach.filing.department):
        raise PermissionDenied()
    if not (reason or "").strip():
        raise ValidationFailed(_("请写明解除理由。"), fields={"reason": [_("请写明解除理由。")]})
    with transaction.atomic():
        cleared = CommitmentBreach.objects.filter(pk=breach.pk, cleared_at__isnull=True).update(
            cleared_at=timezone.now(), cleared_by=actor, clear_reason=reason.strip()
        )
        if not cleared:
            raise Conflict(_("该记录已解除。"), code="already_cleared")
        audit(actor=actor, action="filing.breach_clear", target=breach, data={"reason": reason.strip()})
    breach.refresh_from_db()
    return breach
