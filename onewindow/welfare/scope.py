"""Who sees the register and the money (personal data of the poorest households).

Only the civil-affairs roles: a township officer for the households and rolls of their own
township, and the district 民政局 (an approver at the unit coded `WELFARE_DEPARTMENT`, default
"MZJ") for every township of its county. Administrators and leaders see the public figures only.

Counties (docs/tenancy.md): a county's 民政局 is its department coded `WELFARE_DEPARTMENT` (unit
codes are unique per county: every county's is `MZJ`); it reads and approves its own county's
townships only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.lookups import StartsWith

from onewindow.accounts.models import OrgUnit, Role, RoleAssignment, User
from onewindow.core.errors import PermissionDenied

TOWNSHIP_KINDS = [OrgUnit.Kind.TOWNSHIP, OrgUnit.Kind.SUBDISTRICT]


def department_code() -> str:
    return str(getattr(settings, "WELFARE_DEPARTMENT", "MZJ"))


def _department() -> Q:
    """The units that are a county's 民政局: one per county, its unit of the department's code."""
    return Q(code=department_code())


def department_of(county: str | None) -> OrgUnit | None:
    """The 民政局 of `county` (the unit that owns the county's roll approvals): by county and code."""
    return OrgUnit.objects.filter(_department(), county_id=county).first() if county else None


def district_county(user: User | AnonymousUser | None) -> str | None:
    """The county whose 民政局 `user` approves at (or below), or None (one statement)."""
    if not isinstance(user, User):  # nobody signed in
        return None
    approver = RoleAssignment.objects.filter(user=user, role=Role.APPROVER, org_unit__path__startswith=OuterRef("path"))
    county: str | None = OrgUnit.objects.filter(_department(), Exists(approver)).values_list("county_id", flat=True).first()
    return county


def is_district(user: User | AnonymousUser | None) -> bool:
    """An approver of a county's 民政局 (or of a unit below it)."""
    return district_county(user) is not None


def district_over(user: Any, unit: OrgUnit) -> bool:
    """The 民政局 of `unit`'s county (another county's 民政局 is nobody here)."""
    county = district_county(user)
    return county is not None and unit.county_id == county


@dataclass(frozen=True)
class Reader:
    """What `user` may read, asked once: the district 民政局 (every township) or the townships
    where they are a township officer (their ids; none: not a reader)."""

    district: bool
    townships: tuple[int, ...] = ()
    county: str | None = None  # the 民政局's county (district readers)

    @property
    def reads(self) -> bool:
        return self.district or bool(self.townships)


def reader(user: Any) -> Reader:
    """`is_district` and `officer_townships` answered together, in one statement: the department
    unit when the user is an approver at it or below it, and every township at or below a unit
    where the user is a township officer. The register search's time at a million households is
    its round trips, not its rows (docs/welfare.md): asked separately, the two took four or five
    statements."""
    if not getattr(user, "is_authenticated", False):
        return Reader(False)
    approver = RoleAssignment.objects.filter(user=user, role=Role.APPROVER, org_unit__path__startswith=OuterRef("path"))
    # an officer's unit is the township or above it: its path is a prefix of the township's
    officer = RoleAssignment.objects.filter(user=user, role=Role.TOWNSHIP_OFFICER).filter(
        StartsWith(OuterRef("path"), F("org_unit__path"))
    )
    rows = list(
        OrgUnit.objects.filter((_department() & Exists(approver)) | (Q(kind__in=TOWNSHIP_KINDS) & Exists(officer)))
        .order_by("sort_order", "code")
        .values_list("pk", "kind", "county_id")
    )
    for _pk, kind, county in rows:
        if kind not in TOWNSHIP_KINDS:  # the 民政局 (a department)
            return Reader(True, county=county)
    return Reader(False, tuple(pk for pk, _kind, _county in rows))


def townships_read(who: Reader) -> QuerySet[OrgUnit]:
    """`townships_for` of a reader already asked (no role query)."""
    return all_townships().filter(county_id=who.county) if who.district else all_townships().filter(pk__in=who.townships)


def all_townships() -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(kind__in=TOWNSHIP_KINDS).order_by("sort_order", "code")


def township_by_code(user: Any, code: str) -> OrgUnit | None:
    """The township a form or an API call names by code: a code is unique in its county only, so
    the one of the asker's county (staff) when it has one; else another county's (the platform's
    operators; and a code only another county has, which the service then refuses: 403, as before)."""
    from onewindow.accounts.tenancy import staff_county

    units = all_townships().filter(code=code)
    county = staff_county(user)
    return (units.filter(county_id=county).first() if county is not None else None) or units.first()


def officer_townships(user: Any) -> QuerySet[OrgUnit]:
    """The townships where `user` is a township officer (a role held at the township or above it
    covers it; a role at a village does not make a township officer of it)."""
    if not getattr(user, "is_authenticated", False):
        return OrgUnit.objects.none()
    paths = [p for p in user.role_assignments.filter(role=Role.TOWNSHIP_OFFICER).values_list("org_unit__path", flat=True) if p]
    if not paths:
        return OrgUnit.objects.none()
    q = Q()
    for p in paths:
        q |= Q(path__startswith=p)
    return all_townships().filter(q)


def townships_for(user: Any) -> QuerySet[OrgUnit]:
    """Every township the user may read the register and rolls of (the 民政局: its county's)."""
    county = district_county(user)
    return all_townships().filter(county_id=county) if county is not None else officer_townships(user)


def can_read(user: Any) -> bool:
    return is_district(user) or officer_townships(user).exists()


def require_reader(user: Any) -> None:
    if not can_read(user):
        raise PermissionDenied()


def require_district(user: Any, unit: OrgUnit | None = None) -> None:
    """The 民政局; of `unit`'s county when one is named (a roll, a township)."""
    if not (is_district(user) if unit is None else district_over(user, unit)):
        raise PermissionDenied()


def require_township(user: Any, township: OrgUnit) -> None:
    """The township's own officer: generates, checks and approves its roll, changes its register."""
    if not officer_townships(user).filter(pk=township.pk).exists():
        raise PermissionDenied()


def require_township_or_district(user: Any, township: OrgUnit) -> None:
    if not (district_over(user, township) or officer_townships(user).filter(pk=township.pk).exists()):
        raise PermissionDenied()
