"""Reads of the catalog: search, browse, service guides, merged bundle materials.

The catalog is public: every published matter is readable by anyone. Management reads (drafts)
are for catalog administrators only (`can_manage_catalog`).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import OrgUnit, Role
from onewindow.hall.models import ServiceArea

from .models import (
    ONLINE_CAPABLE_DEPTH,
    Bundle,
    BundleItem,
    Delegation,
    LifeEvent,
    MaterialRequirement,
    Matter,
    MatterVersion,
    SearchSynonym,
)

PAGE_SIZE = 20
SEARCH_RELATED = ("department", "current_version", "service_area", "service_area__point")
_ASCII_TERM = re.compile(r"^[A-Za-z0-9]+$")


def can_manage_catalog(user: Any) -> bool:
    """Catalog staff: the administrator role (or a Django superuser)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or user.has_role(Role.ADMIN))


def published_matters() -> QuerySet[Matter]:
    # is_listed mirrors "current version is published" (kept by matter_publish / matter_retire).
    return Matter.objects.filter(is_listed=True)


@dataclass
class MatterQuery:
    """What a catalog search asks for. Every field is optional; empty means "any"."""

    q: str = ""
    department: str = ""  # OrgUnit code
    area: str = ""  # ServiceArea code
    theme: str = ""  # ServiceArea.Theme value (district hall)
    event: str = ""  # LifeEvent code
    online: bool = False  # 网上可办 (depth >= ONLINE_CAPABLE_DEPTH)
    mobile: bool = False
    zero_trip: bool = False
    off_hours: bool = False
    agent: bool = False
    level: str = ""  # district / township / village
    audience: str = ""

    @classmethod
    def from_params(cls, params: Any) -> MatterQuery:
        def flag(name: str) -> bool:
            return str(params.get(name, "")).lower() in ("1", "true", "on", "yes")

        def text(name: str, limit: int = 64) -> str:
            return str(params.get(name, "") or "").strip()[:limit]

        return cls(
            q=text("q", 100),
            department=text("department"),
            area=text("area"),
            theme=text("theme"),
            event=text("event"),
            online=flag("online"),
            mobile=flag("mobile"),
            zero_trip=flag("zero_trip"),
            off_hours=flag("off_hours"),
            agent=flag("agent"),
            level=text("level"),
            audience=text("audience"),
        )

    def as_params(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for name in ("q", "department", "area", "theme", "event", "level", "audience"):
            if getattr(self, name):
                out[name] = getattr(self, name)
        for name in ("online", "mobile", "zero_trip", "off_hours", "agent"):
            if getattr(self, name):
                out[name] = "1"
        return out

    @property
    def is_empty(self) -> bool:
        return not self.as_params()


def _term_filter(term: str, synonyms: dict[str, list[str]] | None = None) -> Q:
    """One search term: Chinese text matches the name; letters match the name, the full pinyin
    or the pinyin initials ("bdc", "budongchan"); a term with a digit also matches the code. A term
    that is (or contains) a common name of the synonym list also matches the catalog's words for it
    (社保卡 -> 社会保障卡)."""
    q = Q()
    for alternative in term_alternatives(term, synonyms or {}):
        # search_text holds the lowercased name too, so every alternative is one LIKE over one
        # column (the column the SQLite covering index and the PostgreSQL trigram index are built on).
        q |= Q(search_text__contains=alternative)
    # Only a term with a digit looks like a code; otherwise "bdc" would match every code of the
    # department BDC instead of the names that sound like 不动产.
    return q | Q(code__icontains=term) if any(c.isdigit() for c in term) else q


def synonym_map() -> dict[str, list[str]]:
    """The administrator's synonym list: common name (lowercase) -> the catalog's words."""
    return {s.term.lower(): s.word_list() for s in SearchSynonym.objects.all()}


def term_alternatives(term: str, synonyms: dict[str, list[str]]) -> list[str]:
    """The term itself, then what the synonym list says it means: the whole term ("户口"), or a
    common name inside it ("办社保卡" -> "社会保障卡")."""
    key = term.lower()
    common = key if key in synonyms else max((c for c in synonyms if len(c) >= 2 and c in key), key=len, default="")
    # Only the longest common name counts: "社保卡" means 社会保障卡, not everything "社保" means.
    return [key] + [w for w in synonyms.get(common, []) if w != key]


def search_matters(query: MatterQuery) -> QuerySet[Matter]:
    """Published matters matching `query`, best matches first."""
    qs = published_matters()
    terms = [t for t in re.split(r"[\s,，、]+", query.q) if t][:5]
    synonyms = synonym_map() if terms else {}
    for term in terms:
        qs = qs.filter(_term_filter(term, synonyms))
    if query.department:
        qs = qs.filter(department__code=query.department)
    if query.area:
        qs = qs.filter(service_area__code=query.area)
    if query.theme:
        qs = qs.filter(service_area__theme=query.theme)
    if query.event:
        qs = qs.filter(life_events__code=query.event)
    if query.online:
        qs = qs.filter(current_version__online_depth__gte=ONLINE_CAPABLE_DEPTH)
    if query.mobile:
        qs = qs.filter(current_version__on_mobile=True)
    if query.zero_trip:
        qs = qs.filter(current_version__max_visits=0)
    if query.off_hours:
        qs = qs.filter(current_version__off_hours_bookable=True)
    if query.agent:
        qs = qs.filter(current_version__agent_eligible=True)
    if query.level:
        qs = qs.filter(current_version__handling_level=query.level)
    if query.audience:
        qs = qs.filter(current_version__audience__in=[query.audience, "both"])
    if terms:
        # Ranked from search_text alone ("name|pinyin|initials"), so the database can order the
        # matches from a narrow index: exact name, name prefix, pinyin or initials prefix, rest -
        # for the first term and, after it, for what the synonym list says it means.
        whens = []
        for key in term_alternatives(terms[0], synonyms):
            whens += [
                When(search_text__startswith=key + "|", then=Value(0)),
                When(search_text__startswith=key, then=Value(1)),
                When(search_text__contains="|" + key, then=Value(2)),
            ]
        rank = Case(*whens, default=Value(3), output_field=IntegerField())
        qs = qs.annotate(rank=rank).order_by("rank", "code")
    else:
        # Code order (grouped by department by construction) lets the database walk the unique
        # index on code and stop at the page instead of sorting every match.
        qs = qs.order_by("code")
    return qs.select_related(*SEARCH_RELATED)


class KeysetPaginator(Paginator):
    """Fetches a page in two steps: the page's primary keys in the search order (a narrow query
    the database can answer from an index), then those rows with their related objects."""

    # Only ever built from `search_matters` results (see `paginate`).
    object_list: QuerySet[Matter]

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        qs = self.object_list
        ids = list(qs.values_list("pk", flat=True)[bottom:top])
        rows = {m.pk: m for m in qs.model._default_manager.filter(pk__in=ids).select_related(*SEARCH_RELATED)}
        # Paginator._get_page is Django's documented hook for the Page class; the stubs omit it.
        return self._get_page([rows[i] for i in ids if i in rows], number, self)  # type: ignore[attr-defined]


def paginate(qs: QuerySet[Matter], page: Any, per_page: int = PAGE_SIZE) -> Page:
    """A page of `search_matters` results (junk page numbers give the first or last page)."""
    return KeysetPaginator(qs, per_page).get_page(page)


def matter_by_code(code: str) -> Matter | None:
    """A matter's public service guide: the current version (published or retired) with its
    materials. Drafts are never shown."""
    return (
        Matter.objects.filter(code=code, current_version__isnull=False)
        .select_related("department", "service_area", "service_area__point", "current_version")
        .prefetch_related("life_events", "current_version__materials")
        .first()
    )


def matter_townships(matter: Matter) -> QuerySet[OrgUnit]:
    """Townships that may handle the matter through an active delegation (赋权)."""
    return OrgUnit.objects.filter(delegations__matter=matter, delegations__revoked_on__isnull=True).distinct()


def drafts_for(user: Any) -> QuerySet[MatterVersion]:
    if not can_manage_catalog(user):
        return MatterVersion.objects.none()
    return MatterVersion.objects.filter(status=MatterVersion.Status.DRAFT).select_related("matter", "matter__department")


# --- browse ----------------------------------------------------------------------------------


def themes_with_counts() -> QuerySet[ServiceArea]:
    """The district hall's service areas with the number of published matters each accepts."""
    return (
        ServiceArea.objects.filter(point__org_unit__kind="government")
        .annotate(matter_count=Count("matters", filter=Q(matters__current_version__status=MatterVersion.Status.PUBLISHED)))
        .order_by("sort_order")
    )


def departments_with_counts() -> QuerySet[OrgUnit]:
    return (
        OrgUnit.objects.filter(kind=OrgUnit.Kind.DEPARTMENT)
        .annotate(matter_count=Count("matters", filter=Q(matters__current_version__status=MatterVersion.Status.PUBLISHED)))
        .order_by("sort_order", "code")
    )


def life_events() -> QuerySet[LifeEvent]:
    return LifeEvent.objects.all()


def life_events_with_counts() -> QuerySet[LifeEvent]:
    return LifeEvent.objects.annotate(
        matter_count=Count("matters", filter=Q(matters__current_version__status=MatterVersion.Status.PUBLISHED))
    ).order_by("audience", "sort_order")


# --- bundles ---------------------------------------------------------------------------------


def active_bundles() -> QuerySet[Bundle]:
    return Bundle.objects.filter(is_active=True).prefetch_related(
        Prefetch("items", queryset=BundleItem.objects.select_related("matter", "matter__department").order_by("sort_order"))
    )


def bundle_by_code(code: str) -> Bundle | None:
    return active_bundles().filter(code=code).first()


@dataclass
class MergedMaterial:
    """One line of a bundle's merged material list and the matters that need it."""

    key: str
    name: str
    form: str
    quantity: int
    required: bool
    matters: list[Matter] = field(default_factory=list)

    @property
    def shared(self) -> bool:
        return len(self.matters) > 1


def bundle_materials(bundle: Bundle) -> list[MergedMaterial]:
    """The bundle's materials de-duplicated on `shared_key`: a document several matters need is
    asked for once (F6). Materials without a key stay per matter. Order of first appearance."""
    items = list(bundle.items.select_related("matter").order_by("sort_order"))
    version_ids = [i.matter.current_version_id for i in items if i.matter.current_version_id]
    by_version: dict[int, list[MaterialRequirement]] = {}
    for m in MaterialRequirement.objects.filter(version_id__in=version_ids).order_by("sort_order", "id"):
        by_version.setdefault(m.version_id, []).append(m)
    merged: dict[str, MergedMaterial] = {}
    for item in items:
        for req in by_version.get(item.matter.current_version_id or 0, []):
            key = req.shared_key or f"{item.matter.code}:{req.pk}"
            line = merged.get(key)
            if line is None:
                line = merged[key] = MergedMaterial(
                    key=key,
                    name=req.name,
                    form=req.get_form_display(),
                    quantity=req.quantity,
                    required=req.need == MaterialRequirement.Need.REQUIRED,
                )
            else:
                # The merged line asks for the most any matter needs.
                line.quantity = max(line.quantity, req.quantity)
                line.required = line.required or req.need == MaterialRequirement.Need.REQUIRED
            if item.matter not in line.matters:
                line.matters.append(item.matter)
    return list(merged.values())


def bundle_material_count_before(bundle: Bundle) -> int:
    """How many materials the matters would ask for separately (to show what merging saved)."""
    version_ids = [i.matter.current_version_id for i in bundle.items.select_related("matter")]
    return MaterialRequirement.objects.filter(version_id__in=version_ids).count()


# --- delegation (赋权) ------------------------------------------------------------------------


def delegations_in_force(*, on: datetime.date) -> QuerySet[Delegation]:
    """Delegations that hold on `on`: effective on or before it, not revoked on or before it (a
    delegation revoked on day D no longer holds on D)."""
    return Delegation.objects.filter(effective_on__lte=on).filter(Q(revoked_on__isnull=True) | Q(revoked_on__gt=on))


def delegation_in_force(*, matter: Matter, township: OrgUnit, on: datetime.date) -> Delegation | None:
    """The delegation of `matter` to `township` in force on `on`, or None (then the district
    department handles the matter). The most recent one wins if batches overlap."""
    return delegations_in_force(on=on).filter(matter=matter, township=township).order_by("-effective_on", "-id").first()


# --- where to go (a matter that cannot be done entirely online) -------------------------------


@dataclass
class Place:
    """Somewhere a person can do a matter in person, nearest first."""

    kind: str  # "agent" (村级代办点), "township" (乡镇便民服务中心), "hall" (区行政服务中心)
    name: str
    address: str = ""
    phone: str = ""
    note: str = ""


def can_book(matter: Matter) -> bool:
    """The appointments app books a matter that has a hall area, or is handled at township level."""
    version = matter.current_version
    if matter.service_area_id:
        return True
    if version is not None and version.handling_level != MatterVersion.Level.DISTRICT:
        return True
    return matter.delegations.filter(revoked_on__isnull=True).exists()


def where_to_go(matter: Matter, user: Any) -> list[Place]:
    """The places to do `matter` in person, nearest first for a person whose registered village is
    known (their village's agent point if agents may handle it, their township's service centre if
    the matter is handled or delegated there), then the district hall's area for it."""
    from onewindow.hall.models import ServicePoint

    version = matter.current_version
    home = getattr(user, "home_unit", None) if getattr(user, "is_authenticated", False) else None
    places: list[Place] = []
    township_level = version is not None and version.handling_level != MatterVersion.Level.DISTRICT
    towns = matter_townships(matter)
    if home is not None:
        if version is not None and version.agent_eligible:
            from onewindow.assistance.models import AgentPoint

            agent_point = AgentPoint.objects.filter(village=home).first()
            if agent_point is not None:
                places.append(
                    Place("agent", agent_point.name, agent_point.address, agent_point.phone, str(_("代办员可以帮您免费代办")))
                )
        township = home.parent
        if township is not None and (township_level or towns.filter(pk=township.pk).exists()):
            point = ServicePoint.objects.filter(org_unit=township).first()
            if point is not None:
                places.append(Place("township", point.name, point.address, point.phone))
    else:
        if version is not None and version.agent_eligible:
            places.append(
                Place("agent", str(_("所在村（社区）代办点")), note=str(_("代办员可以帮您免费代办；登录后显示您村的代办点")))
            )
        if township_level or towns.exists():
            places.append(Place("township", str(_("各乡镇（街道）便民服务中心")), note=str(_("登录后显示离您最近的一个"))))
    if matter.service_area_id and matter.service_area is not None:
        point = matter.service_area.point
        places.append(Place("hall", f"{point.name} · {matter.service_area.name}", point.address, point.phone))
    return places
