"""Every write of delegation management and supervision.

Publishing a batch and revoking a delegation change who handles NEW applications (cases.routing
reads the delegations in force on the day an application is received); cases already filed keep the
routing they were filed with, so nothing here touches a case.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import County, OrgUnit, User
from onewindow.accounts.tenancy import staff_county
from onewindow.catalog.models import Delegation, Matter
from onewindow.core.audit import audit
from onewindow.core.errors import Conflict, PermissionDenied, ValidationFailed
from onewindow.core.parsing import clean_text
from onewindow.core.uploads import collect_stored, content_type_of, private_storage, store_private

from . import selectors
from .models import BatchDocument, DelegationBatch, DelegationRevocation, SupervisionReview

MAX_SAMPLE = 50


def _clean(value: Any, limit: int) -> str:
    return clean_text(value, limit)


def _require_officer(actor: User, batch: DelegationBatch | None = None) -> None:
    """A district officer; of the batch's county when a batch is named (docs/tenancy.md)."""
    if not selectors.is_district_officer(actor):
        raise PermissionDenied()
    if batch is not None and not selectors.batch_in_remit(actor, batch):
        raise PermissionDenied()


def _check_contents(*, actor: User, matters: Sequence[Matter], townships: Sequence[OrgUnit]) -> None:
    managed = set(selectors.managed_departments(actor).values_list("pk", flat=True))
    foreign = [m for m in matters if m.department_id not in managed]
    if foreign:
        raise PermissionDenied(_("只能赋权本部门的事项：%(names)s") % {"names": "、".join(m.code for m in foreign[:5])})
    unpublished = [m for m in matters if m.current_version_id is None or not m.is_listed]
    if unpublished:
        raise ValidationFailed(
            _("只能赋权已发布的事项。"),
            fields={"matters": [", ".join(m.code for m in unpublished[:5])]},
            code="matter_not_published",
        )
    if any(not t.is_township_level for t in townships):
        raise ValidationFailed(_("只能赋权给乡镇（街道）。"), fields={"townships": [_("只能赋权给乡镇（街道）。")]})
    county = staff_county(actor)
    if county is not None and any(t.county_id != county for t in townships):
        raise ValidationFailed(
            _("只能赋权给本区县的乡镇（街道）。"),
            fields={"townships": [_("只能赋权给本区县的乡镇（街道）。")]},
            code="other_county",
        )


def _fields(title: str, legal_basis: str) -> tuple[str, str]:
    title, legal_basis = _clean(title, 200), _clean(legal_basis, 2000)
    errors = {}
    if not title:
        errors["title"] = [_("必填项。")]
    if not legal_basis:
        errors["legal_basis"] = [_("必填项。")]
    if errors:
        raise ValidationFailed(_("请填写批次名称和赋权依据。"), fields=errors)
    return title, legal_basis


def batch_create(
    *,
    actor: User,
    title: str,
    legal_basis: str,
    effective_on: datetime.date,
    matters: Sequence[Matter] = (),
    townships: Sequence[OrgUnit] = (),
    note: str = "",
) -> DelegationBatch:
    """Draft a batch. Matters and townships may be completed later, before publishing."""
    _require_officer(actor)
    title, legal_basis = _fields(title, legal_basis)
    _check_contents(actor=actor, matters=matters, townships=townships)
    with transaction.atomic():
        # the drafting officer's county (a platform administrator drafts for the first county)
        county = staff_county(actor) or County.default().pk
        batch = DelegationBatch.objects.create(
            county_id=county,
            title=title,
            legal_basis=legal_basis,
            effective_on=effective_on,
            note=_clean(note, 2000),
            created_by=actor,
        )
        batch.matters.set(matters)
        batch.townships.set(townships)
        audit(actor=actor, action="delegation_batch.create", target=batch, data={"title": title})
    return batch


def _lock_draft(batch: DelegationBatch) -> DelegationBatch:
    batch = DelegationBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != DelegationBatch.Status.DRAFT:
        raise Conflict(_("该批次已发布，不能再修改。"), code="batch_published")
    return batch


def batch_update(
    *,
    batch: DelegationBatch,
    actor: User,
    title: str,
    legal_basis: str,
    effective_on: datetime.date,
    matters: Sequence[Matter],
    townships: Sequence[OrgUnit],
    note: str = "",
) -> DelegationBatch:
    _require_officer(actor, batch)
    title, legal_basis = _fields(title, legal_basis)
    _check_contents(actor=actor, matters=matters, townships=townships)
    with transaction.atomic():
        batch = _lock_draft(batch)
        # Another department's matters already in the draft stay; this officer edits their own.
        managed = selectors.managed_departments(actor)
        kept = list(batch.matters.exclude(department__in=managed))
        batch.title, batch.legal_basis, batch.effective_on, batch.note = title, legal_basis, effective_on, _clean(note, 2000)
        batch.save()
        batch.matters.set([*kept, *matters])
        batch.townships.set(townships)
        audit(
            actor=actor,
            action="delegation_batch.update",
            target=batch,
            data={"matters": len(kept) + len(matters), "townships": len(townships), "effective_on": effective_on.isoformat()},
        )
    return batch


def batch_document_add(*, batch: DelegationBatch, actor: User, kind: str, file: Any) -> BatchDocument:
    """Attach a document (PDF or image, private storage). Allowed while drafting and after
    publishing (training material often follows the decision)."""
    _require_officer(actor, batch)
    if kind not in BatchDocument.Kind.values:
        raise ValidationFailed(_("未知的文件类型。"), fields={"kind": [_("未知的文件类型。")]})
    if file is None:
        raise ValidationFailed(_("请选择文件。"), fields={"file": [_("必填项。")]})
    name = _clean(getattr(file, "name", ""), 200) or str(BatchDocument.Kind(kind).label)
    with collect_stored(), transaction.atomic():
        batch = DelegationBatch.objects.select_for_update().get(pk=batch.pk)
        storage_name = store_private(file, folder=f"townships/{batch.uuid}", accepts="pdf,image")
        doc = BatchDocument.objects.create(
            batch=batch,
            kind=kind,
            name=name,
            storage_name=storage_name,
            content_type=content_type_of(storage_name),
            size=private_storage().size(storage_name),
            uploaded_by=actor,
        )
        audit(actor=actor, action="delegation_batch.document_add", target=batch, data={"kind": kind, "name": name})
    return doc


def batch_document_remove(*, document: BatchDocument, actor: User) -> None:
    _require_officer(actor, document.batch)
    with transaction.atomic():
        _lock_draft(document.batch)
        storage_name, name = document.storage_name, document.name
        document.delete()
        audit(actor=actor, action="delegation_batch.document_remove", target=document.batch, data={"name": name})
    transaction.on_commit(lambda: private_storage().delete(storage_name))


def batch_publish(*, batch: DelegationBatch, actor: User) -> DelegationBatch:
    """Publish: one Delegation per matter and township, in force from the batch's date. A matter
    already delegated (not revoked) to one of the townships is refused, naming it; publishing
    twice at once publishes once (row lock, then the draft check)."""
    _require_officer(actor, batch)
    with transaction.atomic():
        batch = _lock_draft(batch)
        matters = list(batch.matters.select_related("department"))
        townships = list(batch.townships.all())
        if not matters or not townships:
            raise ValidationFailed(_("发布前请选择赋权事项和承接乡镇（街道）。"), code="batch_incomplete")
        _check_contents(actor=actor, matters=matters, townships=townships)
        held = (
            Delegation.objects.filter(matter__in=matters, township__in=townships)
            .filter(Q(revoked_on__isnull=True) | Q(revoked_on__gt=batch.effective_on))
            .select_related("matter", "township")
        )
        clash = [f"{d.township.name}·{d.matter.search_name or d.matter.code}" for d in held[:5]]
        if clash:
            raise Conflict(
                _("以下事项已赋权给该乡镇（街道），请勿重复赋权：%(items)s") % {"items": "、".join(clash)},
                code="already_delegated",
            )
        try:
            with transaction.atomic():
                created = Delegation.objects.bulk_create(
                    [
                        Delegation(matter=m, township=t, effective_on=batch.effective_on, document=batch.legal_basis[:200])
                        for m in matters
                        for t in townships
                    ]
                )
        except IntegrityError:
            raise Conflict(_("该日期已有相同的赋权记录。"), code="already_delegated") from None
        # bulk_create returns primary keys on PostgreSQL and SQLite 3.35+; re-read to be safe.
        batch.delegations.set(
            Delegation.objects.filter(matter__in=matters, township__in=townships, effective_on=batch.effective_on)
        )
        batch.status = DelegationBatch.Status.PUBLISHED
        batch.published_at = timezone.now()
        batch.published_by = actor
        batch.save(update_fields=["status", "published_at", "published_by", "updated_at"])
        audit(
            actor=actor,
            action="delegation_batch.publish",
            target=batch,
            data={
                "matters": [m.code for m in matters],
                "townships": [t.code for t in townships],
                "effective_on": batch.effective_on.isoformat(),
                "delegations": len(created),
            },
        )
    return batch


def delegation_revoke(
    *, delegation: Delegation, actor: User, reason: str, revoked_on: datetime.date | None = None
) -> DelegationRevocation:
    """Take one matter back from one township from `revoked_on` (today by default; never in the
    past). Open cases finish where they started; applications received from that day go to the
    district department."""
    reason = _clean(reason, 2000)
    if not selectors.managed_departments(actor).filter(pk=delegation.matter.department_id).exists():
        raise PermissionDenied()
    if not reason:
        raise ValidationFailed(_("收回赋权须写明理由。"), fields={"reason": [_("必填项。")]})
    today = timezone.localdate()
    day = revoked_on or today
    if day < today:
        raise ValidationFailed(_("收回日期不能早于今天。"), fields={"revoked_on": [_("收回日期不能早于今天。")]})
    with transaction.atomic():
        # Conditional update: of two officers revoking at once, one succeeds, the other is told.
        if not Delegation.objects.filter(pk=delegation.pk, revoked_on__isnull=True).update(revoked_on=day):
            raise Conflict(_("该赋权已收回。"), code="already_revoked")
        revocation = DelegationRevocation.objects.create(delegation=delegation, revoked_on=day, reason=reason, revoked_by=actor)
        audit(
            actor=actor,
            action="delegation.revoke",
            target=delegation,
            data={
                "matter": delegation.matter.code,
                "township": delegation.township.code,
                "revoked_on": day.isoformat(),
                "reason": reason,
            },
        )
    delegation.refresh_from_db()
    return revocation


# --- supervision -------------------------------------------------------------------------------


def reviews_draw(*, actor: User, department: OrgUnit, count: int, township: OrgUnit | None = None) -> list[SupervisionReview]:
    """Draw up to `count` concluded township cases of `department`'s delegated matters, at random
    among those not drawn before, for review (评查)."""
    if not selectors.managed_departments(actor).filter(pk=department.pk).exists():
        raise PermissionDenied()
    if not 1 <= int(count) <= MAX_SAMPLE:
        raise ValidationFailed(_("抽查数量为 1 至 %(max)s 件。") % {"max": MAX_SAMPLE}, fields={"count": [_("超出范围。")]})
    pool = selectors.supervised_cases(actor, department=department).filter(status__in=selectors.DONE_STATUSES)
    pool = pool.filter(department__kind__in=[OrgUnit.Kind.TOWNSHIP, OrgUnit.Kind.SUBDISTRICT])
    if township is not None:
        pool = pool.filter(department=township)
    pool = pool.exclude(supervision_reviews__department=department)
    candidates = list(pool.values_list("pk", "department_id"))
    # Inserted in case order: two officers drawing at once then wait on the same first row instead
    # of each holding a row the other needs (a deadlock on PostgreSQL with random orders).
    chosen = sorted(secrets.SystemRandom().sample(candidates, min(int(count), len(candidates))))
    drawn: list[SupervisionReview] = []
    with transaction.atomic():
        for case_id, township_id in chosen:
            try:
                with transaction.atomic():
                    drawn.append(
                        SupervisionReview.objects.create(
                            case_id=case_id, department=department, township_id=township_id, drawn_by=actor
                        )
                    )
            except IntegrityError:
                continue  # drawn by another officer at the same moment
        audit(
            actor=actor,
            action="supervision.draw",
            target=department,
            data={"count": len(drawn), "township": township.code if township else ""},
        )
    return drawn


def review_record(*, review: SupervisionReview, actor: User, result: str, finding: str = "") -> SupervisionReview:
    finding = _clean(finding, 4000)
    if not selectors.managed_departments(actor).filter(pk=review.department_id).exists():
        raise PermissionDenied()
    if result not in (SupervisionReview.Result.COMPLIANT, SupervisionReview.Result.ISSUES):
        raise ValidationFailed(_("请选择评查结果。"), fields={"result": [_("请选择评查结果。")]})
    if result == SupervisionReview.Result.ISSUES and not finding:
        raise ValidationFailed(_("存在问题须写明评查意见。"), fields={"finding": [_("必填项。")]})
    with transaction.atomic():
        n = SupervisionReview.objects.filter(pk=review.pk, result=SupervisionReview.Result.PENDING).update(
            result=result, finding=finding, reviewed_by=actor, reviewed_at=timezone.now()
        )
        if n != 1:
            raise Conflict(_("该抽查件已评查。"), code="already_reviewed")
        audit(actor=actor, action="supervision.review", target=review, data={"result": result, "case": review.case.number})
    review.refresh_from_db()
    return review
