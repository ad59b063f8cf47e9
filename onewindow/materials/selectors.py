"""Reads of the material library and drafts, always scoped to the person asking."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from onewindow.accounts.models import Enterprise, User
from onewindow.catalog import formschema
from onewindow.catalog import versions as catalog_versions
from onewindow.catalog.models import Bundle, MaterialRequirement, Matter, MatterVersion
from onewindow.catalog.prefilled import provided_online
from onewindow.core.errors import ApplicationError, NotFound
from onewindow.core.tenancy import for_county

from .models import ApplicationDraft, LibraryItem


def enterprises_of(user: User) -> QuerySet[Enterprise]:
    if not user.is_authenticated:
        return Enterprise.objects.none()
    return Enterprise.objects.filter(handlers__user=user).distinct()


def library_for(user: User, *, enterprise: Enterprise | None = None) -> QuerySet[LibraryItem]:
    """The person's own items plus those of the enterprises they act for (or just one of them)."""
    if not user.is_authenticated:
        return LibraryItem.objects.none()
    q = Q(owner=user)
    q |= Q(enterprise__in=enterprises_of(user)) if enterprise is None else Q(enterprise=enterprise)
    return LibraryItem.objects.filter(q, removed_at__isnull=True).select_related("enterprise")


def library_item_for(user: User, item_uuid: Any) -> LibraryItem:
    item = library_for(user).filter(uuid=item_uuid).first()
    if item is None:
        raise NotFound()
    return item


def can_read_item_file(user: User, item: LibraryItem) -> bool:
    """The owner, a handler of the owning enterprise, or staff who can see a case the file was
    submitted with."""
    if not user.is_authenticated:
        return False
    if item.owner_id == user.pk or (item.enterprise is not None and item.enterprise.handlers.filter(user=user).exists()):
        return True
    if not user.is_staff_member:
        return False
    from onewindow.cases.models import SubmittedMaterial
    from onewindow.cases.selectors import visible_cases

    return SubmittedMaterial.objects.filter(storage_name=item.storage_name, case__in=visible_cases(user)).exists()


def item_for_file(user: User, item_uuid: Any) -> LibraryItem:
    item = LibraryItem.objects.select_related("enterprise").filter(uuid=item_uuid).first()
    if item is None or not can_read_item_file(user, item):
        raise NotFound()
    return item


@dataclass
class IssuedDocument:
    """A certificate or result the platform issued on a concluded case (trusted, never re-uploaded)."""

    uuid: str
    name: str
    shared_key: str
    case_number: str
    issued_at: Any
    download_url: str
    storage_name: str = ""


# What a concluded, approved case of a matter gives its holder, as a library key. The catalog
# does not (yet) say which certificate a matter issues; until it does, this table names the few
# certificates the catalog's materials ask for again later.
ISSUED_KEYS: list[tuple[str, str]] = [
    ("设立登记", "business_licence"),
    ("结婚登记", "marriage_cert"),
    ("首次登记", "property_cert"),
    ("转移登记", "property_cert"),
]


def issued_key(title: str) -> str:
    return next((key for needle, key in ISSUED_KEYS if needle in title), "")


def issued_documents(user: User, *, enterprise: Enterprise | None = None) -> list[IssuedDocument]:
    """Results the platform issued on the person's (or their enterprise's) concluded, approved
    cases: the conclusion notice (办结通知书) of each, trusted without re-upload."""
    if not user.is_authenticated:
        return []
    from onewindow.cases.models import Case

    qs = Case.objects.filter(
        status__in=[Case.Status.CONCLUDED, Case.Status.READY, Case.Status.DELIVERED],
        decision=Case.Decision.APPROVED,
        concluded_at__isnull=False,
    )
    if enterprise is not None:
        qs = qs.filter(Q(applicant=user, enterprise__isnull=True) | Q(enterprise=enterprise))
    else:
        qs = qs.filter(Q(applicant=user) | Q(enterprise__handlers__user=user))
    return [
        IssuedDocument(
            uuid=str(c.uuid),
            name=f"{c.title}（{c.number}）",
            shared_key=issued_key(c.title),
            case_number=c.number,
            issued_at=c.concluded_at,
            download_url=f"/cases/{c.uuid}/notice/conclusion.pdf",
        )
        for c in qs.distinct().order_by("-concluded_at")[:50]
    ]


def drafts_for(user: User) -> QuerySet[ApplicationDraft]:
    if not user.is_authenticated:
        return ApplicationDraft.objects.none()
    return ApplicationDraft.objects.filter(applicant=user, status=ApplicationDraft.Status.OPEN).select_related(
        "matter_version", "bundle", "enterprise"
    )


def draft_for(user: User, draft_uuid: Any, *, open_only: bool = True) -> ApplicationDraft:
    qs = ApplicationDraft.objects.filter(applicant=user) if user.is_authenticated else ApplicationDraft.objects.none()
    if open_only:
        qs = qs.filter(status=ApplicationDraft.Status.OPEN)
    draft = qs.select_related("matter_version__matter", "bundle", "enterprise").filter(uuid=draft_uuid).first()
    if draft is None:
        raise NotFound()
    return draft


# --- what an application asks for ---------------------------------------------------------------


def online_matters(county: Any = None) -> QuerySet[Matter]:
    """Matters that can be applied for online (depth >= 3), excluding commitment filings, which
    have their own instant flow; `county`'s only when given (the public lists pass the visitor's
    county, accounts/visitor.py; a draft started from a link may be of any county)."""
    matters = Matter.objects.all() if county is None else for_county(Matter.objects.all(), county)
    return (
        matters.filter(
            current_version__status=MatterVersion.Status.PUBLISHED,
            current_version__online_depth__gte=3,
        )
        .exclude(current_version__kind=MatterVersion.Kind.FILING)
        .select_related("current_version", "department")
    )


def bundle_versions(bundle: Bundle) -> list[MatterVersion]:
    """The bundle's published versions (catalog.versions.bundle_versions, the one resolution the
    intake service uses too); refuses a bundle with a matter that is not published."""
    return catalog_versions.bundle_versions(bundle)


def bundle_is_online(bundle: Bundle) -> bool:
    if not bundle.is_active:
        return False
    try:
        versions = bundle_versions(bundle)
    except ApplicationError:
        return False
    return all(v.is_online_capable for v in versions)


def online_bundles(county: Any = None) -> list[Bundle]:
    bundles = Bundle.objects.filter(is_active=True)
    if county is not None:
        bundles = for_county(bundles, county)
    return [b for b in bundles.prefetch_related("items__matter__current_version") if bundle_is_online(b)]


def draft_versions(draft: ApplicationDraft) -> list[MatterVersion]:
    if draft.matter_version is not None:
        return [draft.matter_version]
    assert draft.bundle is not None  # a draft is for one matter version or one bundle (draft_matter_xor_bundle)
    return bundle_versions(draft.bundle)


def draft_schema(draft: ApplicationDraft) -> list[dict[str, Any]]:
    return formschema.merged_schema([v.form_schema or [] for v in draft_versions(draft)])


def draft_conditions(draft: ApplicationDraft) -> list[tuple[str, str]]:
    return [(v.name, v.conditions) for v in draft_versions(draft) if v.conditions]


@dataclass
class Requirement:
    """One line of an application's material list (a bundle's list merged on shared_key)."""

    key: str
    name: str
    shared_key: str
    accepts: str
    required: bool
    condition_text: str = ""
    requirement_ids: list[int] = field(default_factory=list)
    source: MaterialRequirement | None = None  # the first catalog line (what the platform may provide)
    # why no upload is needed for this application (the form or the platform has it), or ""
    provided: str = ""
    # filled for display: what is attached, and what the library could offer
    attached: dict[str, Any] | None = None
    attached_label: str = ""
    offers: list[Any] = field(default_factory=list)


def requirements_of(versions: list[MatterVersion]) -> list[Requirement]:
    result: dict[str, Requirement] = {}
    by_version: dict[int, list[MaterialRequirement]] = {}
    for req in MaterialRequirement.objects.filter(version__in=versions).order_by("sort_order", "id"):
        by_version.setdefault(req.version_id, []).append(req)
    # The versions' own order (a bundle's item order), as the case engine merges them.
    for req in (r for v in versions for r in by_version.get(v.pk, [])):
        key = req.shared_key or f"req-{req.pk}"
        if key in result:
            merged = result[key]
            merged.requirement_ids.append(req.pk)
            merged.required = merged.required or req.need == MaterialRequirement.Need.REQUIRED
            continue
        result[key] = Requirement(
            key=key,
            name=req.name,
            shared_key=req.shared_key,
            accepts=req.accepts or "pdf,image",
            required=req.need == MaterialRequirement.Need.REQUIRED,
            condition_text=req.condition_text,
            requirement_ids=[req.pk],
            source=req,
        )
    return list(result.values())


def draft_requirements(draft: ApplicationDraft, *, user: User | None = None) -> list[Requirement]:
    """The material list with what is attached and what the library offers for each line."""
    reqs = requirements_of(draft_versions(draft))
    user = user or draft.applicant
    items = list(library_for(user)) if user else []
    issued = issued_documents(user, enterprise=draft.enterprise) if user else []
    by_uuid = {str(i.uuid): i for i in items}
    issued_by_uuid = {d.uuid: d for d in issued}
    for r in reqs:
        if r.source is not None:
            r.provided = provided_online(
                r.source, form_data=draft.form_data, applicant=draft.applicant, enterprise=draft.enterprise
            )
        r.attached = (draft.materials or {}).get(r.key)
        if r.attached:
            ref = str(r.attached.get("ref"))
            label = by_uuid[ref].name if ref in by_uuid else (issued_by_uuid[ref].name if ref in issued_by_uuid else "")
            r.attached_label = label
        if r.shared_key:
            r.offers = [d for d in issued if d.shared_key == r.shared_key] + [
                i for i in items if i.shared_key == r.shared_key and _owner_fits(i, draft)
            ]
    return reqs


def _owner_fits(item: LibraryItem, draft: ApplicationDraft) -> bool:
    """A personal application uses personal items; an enterprise's may also use the enterprise's."""
    return item.owner_id == draft.applicant_id or (draft.enterprise_id is not None and item.enterprise_id == draft.enterprise_id)


def missing_materials(draft: ApplicationDraft) -> list[Requirement]:
    return [r for r in draft_requirements(draft) if r.required and not r.attached_label and not r.provided]
