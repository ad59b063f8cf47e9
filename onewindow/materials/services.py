"""Writes for the material library and application drafts."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import Enterprise, User
from onewindow.catalog import formschema
from onewindow.catalog.models import Bundle, Matter, MatterVersion
from onewindow.core.audit import audit
from onewindow.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from onewindow.core.parsing import parse_uuid
from onewindow.core.uploads import collect_stored, content_type_of, private_storage, store_private, validate_upload

from . import selectors
from .models import ApplicationDraft, LibraryItem

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def _require_handler(*, user: User, enterprise: Enterprise | None) -> None:
    if enterprise is not None and not enterprise.handlers.filter(user=user).exists():
        raise PermissionDenied(_("您不是该企业的经办人。"))


def _sha256(file: Any) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in iter(lambda: file.read(65536), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def library_upload(
    *,
    actor: User,
    file: Any,
    name: str,
    shared_key: str = "",
    enterprise: Enterprise | None = None,
    accepts: str = "pdf,image",
    max_bytes: int = MAX_UPLOAD_BYTES,
) -> LibraryItem:
    """Store a document in the library (the actor's own, or an enterprise's they act for).

    The file is checked by content before anything is written; if the transaction fails the stored
    file is deleted again (collect_stored), so a bad upload leaves nothing behind."""
    if not actor.is_authenticated:
        raise PermissionDenied()
    _require_handler(user=actor, enterprise=enterprise)
    name = (name or "").strip()[:200]
    if not name:
        raise ValidationFailed(_("请填写材料名称。"), fields={"name": [_("请填写材料名称。")]})
    try:
        validate_upload(file, accepts=accepts, max_bytes=max_bytes)
    except ValidationFailed as exc:
        raise ValidationFailed(exc.message, code=exc.code, fields={"file": [exc.message]}) from None
    with collect_stored(), transaction.atomic():
        storage_name = store_private(file, folder="library", accepts=accepts, max_bytes=max_bytes)
        item = LibraryItem.objects.create(
            owner=None if enterprise else actor,
            enterprise=enterprise,
            uploaded_by=actor,
            shared_key=slugify(shared_key or "")[:64],
            name=name,
            storage_name=storage_name,
            content_type=content_type_of(storage_name),
            size=int(getattr(file, "size", 0) or 0),
            sha256=_sha256(file),
        )
        audit(actor=actor, action="library.upload", target=item, data={"name": name, "shared_key": item.shared_key})
    return item


def library_remove(*, actor: User, item: LibraryItem) -> None:
    """Hide an item from the library. The file stays: cases it was submitted with still need it."""
    if item.owner_id != actor.pk and not (item.enterprise is not None and item.enterprise.handlers.filter(user=actor).exists()):
        raise NotFound()
    with transaction.atomic():
        LibraryItem.objects.filter(pk=item.pk, removed_at__isnull=True).update(removed_at=timezone.now())
        audit(actor=actor, action="library.remove", target=item)


def open_file(storage_name: str) -> Any:
    return private_storage().open(storage_name, "rb")


# --- drafts -------------------------------------------------------------------------------------


def draft_start(
    *, applicant: User, matter: Matter | None = None, bundle: Bundle | None = None, enterprise: Enterprise | None = None
) -> ApplicationDraft:
    """Open (or resume) the applicant's draft for a matter or bundle. One open draft per applicant
    and subject is a database constraint, so two devices starting at once end up on the same one."""
    if not applicant.is_authenticated:
        raise PermissionDenied()
    if (matter is None) == (bundle is None):
        raise ValidationFailed(_("请选择一个事项或一件事。"))
    _require_handler(user=applicant, enterprise=enterprise)
    version: MatterVersion | None = None
    if matter is not None:
        version = matter.current_version
        if version is None or not version.is_online_capable or version.status != MatterVersion.Status.PUBLISHED:
            raise ValidationFailed(_("该事项暂不支持网上申请，请到窗口办理。"), code="not_online")
        if version.kind == MatterVersion.Kind.FILING:
            raise ValidationFailed(_("该事项为告知承诺备案，请通过备案入口办理。"), code="is_filing")
        audience = version.audience
        title = version.name
        subject = f"matter:{matter.uuid}"
    else:
        assert bundle is not None
        if not selectors.bundle_is_online(bundle):
            raise ValidationFailed(_("该一件事暂不支持网上申请，请到窗口办理。"), code="not_online")
        audiences = {v.audience for v in selectors.bundle_versions(bundle)}
        audience = "enterprise" if audiences == {"enterprise"} else ("citizen" if "enterprise" not in audiences else "both")
        title = bundle.name
        subject = f"bundle:{bundle.uuid}"
    if audience == "enterprise" and enterprise is None:
        raise ValidationFailed(
            _("该事项由企业申请，请选择代办的企业。"), code="enterprise_required", fields={"enterprise": [_("请选择企业。")]}
        )
    if audience == "citizen" and enterprise is not None:
        raise ValidationFailed(_("该事项由个人申请。"), code="citizen_only")
    subject += f":{enterprise.uuid if enterprise else '-'}"
    existing = ApplicationDraft.objects.filter(
        applicant=applicant, subject_key=subject, status=ApplicationDraft.Status.OPEN
    ).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            draft = ApplicationDraft.objects.create(
                applicant=applicant,
                enterprise=enterprise,
                matter_version=version,
                bundle=bundle,
                subject_key=subject,
                title=title,
            )
            audit(actor=applicant, action="draft.start", target=draft, data={"subject": subject})
            return draft
    except IntegrityError:
        existing = ApplicationDraft.objects.filter(
            applicant=applicant, subject_key=subject, status=ApplicationDraft.Status.OPEN
        ).first()
        if existing is None:
            raise
        return existing


def _locked_draft(draft: ApplicationDraft, actor: User) -> ApplicationDraft:
    locked = ApplicationDraft.objects.select_for_update().filter(pk=draft.pk, applicant=actor).first()
    if locked is None:
        raise NotFound()
    if locked.status != ApplicationDraft.Status.OPEN:
        raise Conflict(_("该申请已提交或已放弃，不能再修改。"), code="draft_closed")
    return locked


def _touch(draft: ApplicationDraft, **changes: Any) -> ApplicationDraft:
    for k, v in changes.items():
        setattr(draft, k, v)
    draft.revision += 1
    draft.save(update_fields=[*changes.keys(), "revision", "updated_at"])
    return draft


def draft_confirm_conditions(*, draft: ApplicationDraft, actor: User, confirmed: bool) -> ApplicationDraft:
    if not confirmed:
        raise ValidationFailed(_("请确认您符合申请条件。"), fields={"confirmed": [_("请确认您符合申请条件。")]})
    with transaction.atomic():
        d = _locked_draft(draft, actor)
        step = d.step if d.step != ApplicationDraft.Step.CONDITIONS else ApplicationDraft.Step.FORM
        return _touch(d, conditions_confirmed=True, step=step)


def draft_save_form(*, draft: ApplicationDraft, actor: User, data: dict[str, Any]) -> ApplicationDraft:
    cleaned = formschema.validate(selectors.draft_schema(draft), data)
    with transaction.atomic():
        d = _locked_draft(draft, actor)
        if not d.conditions_confirmed:
            raise ValidationFailed(_("请先确认申请条件。"), code="conditions_first")
        step = (
            ApplicationDraft.Step.MATERIALS
            if d.step in (ApplicationDraft.Step.CONDITIONS, ApplicationDraft.Step.FORM)
            else d.step
        )
        return _touch(d, form_data=cleaned, step=step)


def _requirement(draft: ApplicationDraft, key: str) -> selectors.Requirement:
    for r in selectors.requirements_of(selectors.draft_versions(draft)):
        if r.key == key:
            return r
    raise ValidationFailed(_("没有这项材料。"), code="unknown_requirement")


def draft_attach(*, draft: ApplicationDraft, actor: User, key: str, source: str, ref: str) -> ApplicationDraft:
    """Attach a library item or an issued document the applicant may use to one material line."""
    req = _requirement(draft, key)
    if source == "library":
        item = selectors.library_for(actor).filter(uuid=_uuid_or_none(ref)).first()
        if item is None or not selectors._owner_fits(item, draft):
            raise NotFound(_("材料库中没有这份材料。"))
        if req.shared_key and item.shared_key and item.shared_key != req.shared_key:
            raise ValidationFailed(_("这份材料与所需材料不符。"), code="wrong_material")
    elif source == "issued":
        if not any(d.uuid == str(ref) for d in selectors.issued_documents(actor, enterprise=draft.enterprise)):
            raise NotFound(_("没有这份证照。"))
    else:
        raise ValidationFailed(_("材料来源不正确。"), code="bad_source")
    with transaction.atomic():
        d = _locked_draft(draft, actor)
        materials = dict(d.materials or {})
        materials[key] = {"source": source, "ref": str(ref)}
        return _touch(d, materials=materials)


def _uuid_or_none(value: Any) -> Any:
    """The one UUID parser (None for a malformed value: an ORM lookup on None finds nothing)."""
    return parse_uuid(value)


def draft_upload(*, draft: ApplicationDraft, actor: User, key: str, file: Any) -> ApplicationDraft:
    """Upload a missing material: it goes into the library (reusable next time) and is attached."""
    req = _requirement(draft, key)
    if draft.applicant_id != actor.pk:
        raise NotFound()
    item = library_upload(
        actor=actor,
        file=file,
        name=req.name,
        shared_key=req.shared_key,
        enterprise=draft.enterprise,
        accepts=req.accepts,
    )
    return draft_attach(draft=draft, actor=actor, key=key, source="library", ref=str(item.uuid))


def draft_reuse_all(*, draft: ApplicationDraft, actor: User) -> tuple[ApplicationDraft, int]:
    """One tap (一键复用): attach every missing line the library or the issued certificates can fill,
    preferring certificates the platform issued, then the newest upload."""
    chosen: dict[str, dict[str, str]] = {}
    for r in selectors.draft_requirements(draft, user=actor):
        if r.attached_label or r.provided or not r.offers:
            continue
        offer = r.offers[0]
        source = "issued" if isinstance(offer, selectors.IssuedDocument) else "library"
        chosen[r.key] = {"source": source, "ref": str(offer.uuid)}
    with transaction.atomic():
        d = _locked_draft(draft, actor)
        if chosen:
            d = _touch(d, materials={**(d.materials or {}), **chosen})
        audit(actor=actor, action="draft.reuse", target=d, data={"count": len(chosen)})
    return d, len(chosen)


def draft_detach(*, draft: ApplicationDraft, actor: User, key: str) -> ApplicationDraft:
    with transaction.atomic():
        d = _locked_draft(draft, actor)
        materials = dict(d.materials or {})
        materials.pop(key, None)
        return _touch(d, materials=materials)


def draft_to_review(*, draft: ApplicationDraft, actor: User) -> ApplicationDraft:
    missing = selectors.missing_materials(draft)
    if missing:
        raise ValidationFailed(
            _("还缺少材料：%(names)s") % {"names": "、".join(r.name for r in missing)},
            code="materials_missing",
            fields={r.key: [_("请上传或选择这份材料。")] for r in missing},
        )
    with transaction.atomic():
        d = _locked_draft(draft, actor)
        return _touch(d, step=ApplicationDraft.Step.REVIEW)


def draft_abandon(*, draft: ApplicationDraft, actor: User) -> None:
    with transaction.atomic():
        d = _locked_draft(draft, actor)
        _touch(d, status=ApplicationDraft.Status.ABANDONED)
        audit(actor=actor, action="draft.abandon", target=d)


def _material_inputs(draft: ApplicationDraft, actor: User) -> list[Any]:
    """The attached materials as the case engine's MaterialInput: a library file by its stored
    name, a platform-issued certificate by its own stored file (trusted, no re-upload)."""
    from onewindow.cases.services import MaterialInput
    from onewindow.catalog.models import MaterialRequirement

    items = {str(i.uuid): i for i in selectors.library_for(actor)}
    issued = {d.uuid: d for d in selectors.issued_documents(actor, enterprise=draft.enterprise)}
    reqs = selectors.draft_requirements(draft, user=actor)
    objs = MaterialRequirement.objects.in_bulk([r.requirement_ids[0] for r in reqs])
    result = []
    for r in reqs:
        att = (draft.materials or {}).get(r.key)
        if not att or r.provided:
            continue  # the form or the platform provides it: nothing is uploaded for it
        ref = str(att.get("ref"))
        storage_name = ""
        if att.get("source") == "library" and ref in items and selectors._owner_fits(items[ref], draft):
            storage_name = items[ref].storage_name
        elif att.get("source") == "issued" and ref in issued:
            # The platform's own document, generated from the concluded case: no upload needed.
            from django.core.files.base import ContentFile

            from onewindow.cases.documents import notice_pdf
            from onewindow.cases.models import Case

            source_case = Case.objects.get(uuid=ref)
            pdf = ContentFile(notice_pdf(source_case, "conclusion"), name=f"{source_case.number}.pdf")
            result.append(MaterialInput(requirement=objs[r.requirement_ids[0]], file=pdf, name=r.name))
        if storage_name:
            result.append(MaterialInput(requirement=objs[r.requirement_ids[0]], storage_name=storage_name, name=r.name))
    return result


def draft_submit(*, draft: ApplicationDraft, actor: User, channel: str = "online") -> Any:
    """Turn the draft into a case (cases.services.case_submit). The draft row is locked first, so
    a double tap or a second device submitting at the same moment files one case, not two."""
    from onewindow.cases.services import case_submit

    if channel not in ("online", "mobile"):
        raise ValidationFailed(_("未知的申请渠道。"), fields={"channel": [_("未知的申请渠道。")]})
    with transaction.atomic():
        d = _locked_draft(draft, actor)
        if not d.conditions_confirmed:
            raise ValidationFailed(_("请先确认申请条件。"), code="conditions_first")
        formschema.validate(selectors.draft_schema(d), d.form_data or {})
        missing = selectors.missing_materials(d)
        if missing:
            raise ValidationFailed(
                _("还缺少材料：%(names)s") % {"names": "、".join(r.name for r in missing)}, code="materials_missing"
            )
        case = case_submit(
            applicant=actor,
            matter_version=d.matter_version,
            bundle=d.bundle,
            channel=channel,
            form_data=d.form_data or {},
            materials=_material_inputs(d, actor),
            enterprise=d.enterprise,
            actor=actor,
        )
        _touch(d, status=ApplicationDraft.Status.SUBMITTED, case_uuid=case.uuid, submitted_at=timezone.now())
        audit(actor=actor, action="draft.submit", target=d, data={"case": case.number})
    return case


def supplement_answer(
    *,
    case: Any,
    actor: User,
    uploads: dict[int, Any] | None = None,
    reuse: dict[int, str] | None = None,
    named: dict[str, Any] | None = None,
    named_reuse: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
) -> Any:
    """Answer a supplement notice online: new files (stored in the library too, for next time) or
    items already in the library, per requirement id; `named` files answer notice items that name
    no requirement (e.g. "家庭收入证明"); `form` corrects the application form's fields the notice
    lists (validated with the whole form); then cases.services.case_resubmit."""
    from onewindow.cases.selectors import is_party
    from onewindow.cases.services import MaterialInput, case_resubmit
    from onewindow.catalog.models import MaterialRequirement

    if not is_party(actor, case):
        raise NotFound()
    uploads, reuse = uploads or {}, reuse or {}
    reqs = MaterialRequirement.objects.in_bulk(list({*uploads.keys(), *reuse.keys()}))
    inputs = []
    with collect_stored(), transaction.atomic():
        for req_id, file in uploads.items():
            req = reqs.get(req_id)
            if req is None:
                raise ValidationFailed(_("没有这项材料。"), code="unknown_requirement")
            item = library_upload(actor=actor, file=file, name=req.name, shared_key=req.shared_key, accepts=req.accepts)
            inputs.append(MaterialInput(requirement=req, storage_name=item.storage_name, name=req.name))
        for req_id, ref in reuse.items():
            req = reqs.get(req_id)
            held = selectors.library_for(actor).filter(uuid=_uuid_or_none(ref)).first()
            if req is None or held is None:
                raise NotFound(_("材料库中没有这份材料。"))
            inputs.append(MaterialInput(requirement=req, storage_name=held.storage_name, name=req.name))
        for name, file in (named or {}).items():
            try:
                validate_upload(file, accepts="pdf,image", max_bytes=MAX_UPLOAD_BYTES)
            except ValidationFailed as exc:
                raise ValidationFailed(exc.message, code=exc.code, fields={"file": [exc.message]}) from None
            inputs.append(MaterialInput(requirement=None, file=file, name=str(name)[:200]))
        if named_reuse:
            pause = case.pauses.filter(kind="supplement", ended_on__isnull=True).first()
            asked = {str(i.get("name", "")) for i in (pause.items if pause else [])}
            for name, ref in named_reuse.items():
                held = selectors.library_for(actor).filter(uuid=_uuid_or_none(ref)).first()
                if name not in asked or held is None:
                    raise NotFound(_("材料库中没有这份材料。"))
                inputs.append(MaterialInput(requirement=None, storage_name=held.storage_name, name=name[:200]))
        return case_resubmit(case=case, actor=actor, materials=inputs, form_data=form or None)
