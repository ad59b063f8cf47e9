"""Reads of the catalog: search, browse, service guides, merged bundle materials.

The catalog is public: every published matter is readable by anyone. Management reads (drafts)
are for catalog administrators only (`can_manage_catalog`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import OrgUnit, Role
from onewindow.accounts.tenancy import scoped
from onewindow.core import hooks
from onewindow.core.tenancy import for_county
from onewindow.hall.models import ServiceArea

from .models import (
    Bundle,
    BundleItem,
    Delegation,
    LifeEvent,
    MaterialRequirement,
    Matter,
    MatterVersion,
)

# Matter search lives in .search (one matching rule and ranking for every entry point).
from .search import (  # noqa: F401  (re-exported: the catalog's read API)
    COUNT_CAP,
    PAGE_SIZE,
    SEARCH_RELATED,
    MatterQuery,
    MatterSearch,
    SearchPage,
    matter_filter,
    published_matters,
    search_matters,
    search_page,
    synonym_map,
    term_alternatives,
)


def can_manage_catalog(user: Any) -> bool:
    """Catalog staff: the administrator role (or a Django superuser)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or user.has_role(Role.ADMIN))


def matter_by_code(code: str) -> Matter | None:
    """A matter's public service guide: the current version (published or retired) with its
    materials. Drafts are never shown."""
    return (
        Matter.objects.filter(code=code, current_version__isnull=False)
        .select_related("department", "department__county", "service_area", "service_area__point", "current_version", "standard")
        .prefetch_related("life_events", "current_version__materials")
        .first()
    )


def matter_townships(matter: Matter) -> QuerySet[OrgUnit]:
    """Townships that may handle the matter through an active delegation (赋权)."""
    return OrgUnit.objects.filter(delegations__matter=matter, delegations__revoked_on__isnull=True).distinct()


def drafts_for(user: Any) -> QuerySet[MatterVersion]:
    """Draft versions of the manager's county (every county's for the platform's administrator)."""
    if not can_manage_catalog(user):
        return MatterVersion.objects.none()
    drafts = MatterVersion.objects.filter(status=MatterVersion.Status.DRAFT).select_related("matter", "matter__department")
    return scoped(drafts, user)  # type: ignore[no-any-return]


def retirements_for(user: Any) -> QuerySet[Matter]:
    """The manager's county's matters whose province entry is retired (announced or in effect),
    soonest first: the county's list of 停止实施 notices (catalog/services/standards.py)."""
    if not can_manage_catalog(user):
        return Matter.objects.none()
    retiring = (
        Matter.objects.filter(standard__retired_on__isnull=False)
        .select_related("standard", "current_version", "department")
        .order_by("standard__retired_on", "code")
    )
    return scoped(retiring, user)  # type: ignore[no-any-return]


def matters_to_export(user: Any) -> QuerySet[Matter]:
    """The published matters a catalog manager exports: their county's."""
    if not can_manage_catalog(user):
        return Matter.objects.none()
    return scoped(Matter.objects.filter(current_version__status=MatterVersion.Status.PUBLISHED), user)  # type: ignore[no-any-return]


# --- browse ----------------------------------------------------------------------------------


# The public pages pass the visitor's county (accounts/visitor.py); `None` lists every county's
# (the catalog's API without a `county` parameter, the platform's own tools).


def _in_county(qs: Any, county: Any) -> Any:
    return qs if county is None else for_county(qs, county)


def _published_in(county: Any, prefix: str = "matters__") -> Q:
    """Count filter: a published matter (of `county` when given)."""
    published = Q(**{f"{prefix}current_version__status": MatterVersion.Status.PUBLISHED})
    if county is None:
        return published
    return published & Q(**{f"{prefix}pk__in": for_county(Matter.objects.all(), county).values("pk")})


def themes_with_counts(county: Any = None) -> QuerySet[ServiceArea]:
    """The county hall's service areas (the government's point: township halls have their own
    pages) with the number of published matters each accepts."""
    areas = ServiceArea.objects.filter(point__org_unit__kind="government")
    return (  # type: ignore[no-any-return]
        _in_county(areas, county)
        .annotate(matter_count=Count("matters", filter=Q(matters__current_version__status=MatterVersion.Status.PUBLISHED)))
        .order_by("sort_order")
    )


def departments_with_counts(county: Any = None) -> QuerySet[OrgUnit]:
    units = OrgUnit.objects.filter(kind=OrgUnit.Kind.DEPARTMENT)
    return (  # type: ignore[no-any-return]
        _in_county(units, county)
        .annotate(matter_count=Count("matters", filter=Q(matters__current_version__status=MatterVersion.Status.PUBLISHED)))
        .order_by("sort_order", "code")
    )


def life_events() -> QuerySet[LifeEvent]:
    return LifeEvent.objects.all()


def life_events_with_counts(county: Any = None) -> QuerySet[LifeEvent]:
    """The province's life events (shared by every county) with the number of `county`'s
    published matters each gathers; for a county, only those that gather any (a tile that opens
    an empty list helps nobody)."""
    events = LifeEvent.objects.annotate(matter_count=Count("matters", filter=_published_in(county)))
    if county is not None:
        events = events.filter(matter_count__gt=0)
    return events.order_by("audience", "sort_order")


# --- bundles ---------------------------------------------------------------------------------


def active_bundles(county: Any = None) -> QuerySet[Bundle]:
    return _in_county(Bundle.objects.filter(is_active=True), county).prefetch_related(  # type: ignore[no-any-return]
        Prefetch("items", queryset=BundleItem.objects.select_related("matter", "matter__department").order_by("sort_order"))
    )


def bundle_county(bundle: Bundle) -> Any:
    """The county a bundle belongs to: its lead department's, or its first matter's."""
    from onewindow.accounts.models import County

    if bundle.lead_department_id:
        return County.objects.filter(units__pk=bundle.lead_department_id).first()
    first = bundle.items.order_by("sort_order").values_list("matter__department__county", flat=True).first()
    return County.objects.filter(pk=first).first() if first else None


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
        # The village agent points belong to assistance, which builds on the catalog: it answers
        # through a hook (core/hooks.py); without it, no agent point is named.
        point_of_village = hooks.provider("catalog.agent_point_of_village")
        if version is not None and version.agent_eligible and point_of_village is not None:
            agent_point = point_of_village(home)
            if agent_point is not None:
                places.append(
                    Place("agent", agent_point.name, agent_point.address, agent_point.phone, str(_("代办员可以帮您免费代办")))
                )
        township = home.parent
        # A township of the person's own county handles the county's township-level matters, not
        # another county's (people apply in any county: that county's townships do).
        same_county = township is not None and township.county_id == matter.department.county_id
        if township is not None and same_county and (township_level or towns.filter(pk=township.pk).exists()):
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
