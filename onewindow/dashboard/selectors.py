"""Who may see the dashboard, and which cases a dashboard reader may list when drilling down to
the cases themselves (the figures are counts; the list names people, so it is scoped)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from onewindow.accounts.models import County, OrgUnit, Role, User
from onewindow.accounts.selectors import subtree_ids, units_for
from onewindow.accounts.tenancy import role_rows, scoped, staff_county
from onewindow.cases.figures import COUNTED, OPEN_STATUSES, case_scope, counted
from onewindow.cases.models import Case

from .models import RegionReader

DASHBOARD_ROLES = {Role.LEADER, Role.HALL_MANAGER, Role.ADMIN}


def is_county_reader(user: Any) -> bool:
    """A leader, hall manager or administrator: reads a county's dashboard and its case lists.
    From the roles read once per user object (accounts.tenancy.role_rows)."""
    if not getattr(user, "is_authenticated", False):
        return False
    held = {role for role, _path, _pk, _county in role_rows(user)}
    return bool(user.is_superuser or (held & {r.value for r in DASHBOARD_ROLES}))


def region_counties(user: Any) -> list[County]:
    """The counties of the provinces and cities `user` reads the roll-up of (models.RegionReader),
    by code; [] for everybody else. Cached on the user object (one read per request)."""
    cached = getattr(user, "_ow_region_counties", None)
    if cached is not None:
        found: list[County] = cached
        return found
    found = []
    if getattr(user, "is_authenticated", False):
        current = Q(valid_until__isnull=True) | Q(valid_until__gte=timezone.localdate())
        codes = list(RegionReader.objects.filter(current, user=user).values_list("region_code", flat=True))
        if codes:
            q = Q(pk__in=[])
            for code in codes:
                q |= Q(code__startswith=code[:2]) if code.endswith("0000") else Q(city_code=code)
            found = list(County.objects.filter(q).order_by("code"))
    user._ow_region_counties = found
    return found


def is_platform_operator(user: Any) -> bool:
    """The province's operators, who run the platform above the counties: a superuser, or an
    administrator whose role names no unit (as catalog.services.standards decides `not_province`).
    A county's administrator (role at the county's root) is not one."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return any(role == Role.ADMIN and unit_pk is None for role, _path, unit_pk, _county in role_rows(user))


# The provinces' names by code (the deployment's are 江西's counties; a deployment elsewhere adds
# its own), and in English. A code not named here is shown as it is.
PROVINCE_NAMES = {"360000": "江西省"}
PROVINCE_ENGLISH = {"360000": "Jiangxi Province"}


def region_name(code: str) -> str:
    """A province's or a city's name in the page's language."""
    from django.utils.translation import get_language

    from onewindow.accounts.visitor import CITY_NAMES, display_name

    if code.endswith("0000"):
        return PROVINCE_ENGLISH.get(code, code) if get_language() == "en" else PROVINCE_NAMES.get(code, code)
    return display_name(code, CITY_NAMES.get(code, code))


def region_codes() -> list[str]:
    """The provinces and cities a reader may be granted: those holding the deployment's counties
    (each county's province, `code[:2] + "0000"`, and its city, `County.city_code`), in code order."""
    codes: set[str] = set()
    for code, city in County.objects.values_list("code", "city_code"):
        codes.add(code[:2] + "0000")
        if city:
            codes.add(city)
    return sorted(codes)


def region_readers() -> list[RegionReader]:
    """Every province's and city's reader, by region then user (a short list: the operators' page)."""
    return list(RegionReader.objects.select_related("user").order_by("region_code", "user__username"))


def reader_candidates(text: str) -> list[Any]:
    """The operators' search for a person to grant a roll-up to: active accounts whose user name
    starts with, or whose name contains, `text` (2 characters at least; 20 at most, by user name).
    Names and user names only: the page shows no other personal data."""
    text = text.strip()
    if len(text) < 2:
        return []
    matches = User.objects.filter(is_active=True).filter(Q(username__istartswith=text) | Q(display_name__icontains=text))
    return list(matches.order_by("username")[:20])


def is_region_reader(user: Any) -> bool:
    """A province's or city's reader who is not also a county's reader: figures only, no case."""
    return bool(region_counties(user)) and not is_county_reader(user)


def can_view_dashboard(user: Any) -> bool:
    return is_county_reader(user) or bool(region_counties(user))


def rollup_counties(user: Any) -> list[County]:
    """The counties of the roll-up page: a province's or city's reader's; every county for the
    platform's administrator (an administrator whose role names no unit, or a superuser); none
    for a county's staff (their county is their dashboard)."""
    if not getattr(user, "is_authenticated", False) or staff_county(user) is not None:
        return []  # a county's staff (no read: their roles are cached on the user object)
    region = region_counties(user)
    if region:
        return region
    held = {role for role, _path, _pk, _county in role_rows(user)}
    if user.is_superuser or Role.ADMIN in held:
        return list(County.objects.order_by("code"))
    return []


def can_list_cases(user: Any) -> bool:
    """The lists of cases name people: a county's readers only, never a province's or city's."""
    return is_county_reader(user)


def reader_county(user: Any, asked: str = "") -> str:
    """The county whose figures `user` sees on the dashboard: a county's staff, always their own
    (whatever the query asks); a province's or city's reader, the asked county if it is one of
    theirs, else their first; the platform's administrator (no county), the asked county, else
    the deployment's first (County.default())."""
    own = staff_county(user)
    if own is not None:
        return own
    region = region_counties(user) if not is_county_reader(user) else []
    if region:
        codes = [c.code for c in region]
        return asked if asked in codes else codes[0]
    if asked and County.objects.filter(pk=asked).exists():
        return asked
    return County.default().pk


def _township_or_department(unit: OrgUnit) -> OrgUnit | None:
    """The township at or above `unit`, else the department at or above it; None at district level."""
    found = None
    u: OrgUnit | None = unit
    while u is not None:
        if u.kind in (OrgUnit.Kind.TOWNSHIP, OrgUnit.Kind.SUBDISTRICT):
            return u
        if u.kind == OrgUnit.Kind.DEPARTMENT and found is None:
            found = u
        u = u.parent
    return found


def remit(user: Any) -> OrgUnit | None:
    """The unit whose figures a reader sees: None for the whole district (administrators, a leader
    of the district government, a hall manager of a district hall), else the department or
    township of their assignment: a department's head sees the department, a township's leader or
    a township hall's manager the township. Someone with assignments at several units sees the
    first of them (by unit code); one at district level outranks the rest."""
    if not getattr(user, "is_authenticated", False) or user.is_superuser:
        return None
    units: list[OrgUnit] = []
    # One read: an administrator's assignment (anywhere) makes it the district, as has_role(ADMIN) would.
    assignments = list(
        user.role_assignments.filter(role__in=[Role.ADMIN, Role.LEADER, Role.HALL_MANAGER]).select_related("org_unit")
    )
    if any(a.role == Role.ADMIN for a in assignments):
        return None
    for a in assignments:
        if a.org_unit is None:
            return None
        unit = _township_or_department(a.org_unit)
        if unit is not None and a.role == Role.HALL_MANAGER and unit.kind == OrgUnit.Kind.DEPARTMENT:
            unit = None  # a district hall's manager (行政审批局 runs it) answers for the whole hall
        if unit is None:
            return None
        units.append(unit)
    return min(units, key=lambda u: u.code) if units else None


def within_remit(params: dict[str, Any], unit: OrgUnit | None) -> dict[str, Any]:
    """The filters narrowed to the reader's remit: their department or township replaces whatever
    the query asked for (a link cannot widen the view), and `remit` tells providers whose it is."""
    params = dict(params)
    params["remit"] = unit
    if unit is None:
        return params
    key = "department" if unit.kind == OrgUnit.Kind.DEPARTMENT else "township"
    params[key] = unit
    return params


def listable_cases(user: User) -> QuerySet[Case]:
    """Administrators: every case. Leaders: cases whose lead department or intake unit is inside
    their units. Hall managers: cases taken in inside their units or at the halls they manage.
    Nobody else lists cases here."""
    if not user.is_authenticated:
        return Case.objects.none()
    if not is_county_reader(user):
        return Case.objects.none()
    if user.is_superuser or user.has_role(Role.ADMIN):
        # An administrator at a county's root: that county's (accounts.tenancy.scoped); the
        # platform's administrator (no county): every county's.
        qs: QuerySet[Case] = scoped(Case.objects.all(), user)
        return qs
    q = Q(pk__in=[])
    leader_paths = list(units_for(user, Role.LEADER).values_list("path", flat=True))
    for path in _roots(leader_paths):
        ids = subtree_ids(path)
        q |= Q(department_id__in=ids) | Q(intake_unit_id__in=ids)
    manager_paths = list(units_for(user, Role.HALL_MANAGER).values_list("path", flat=True))
    if manager_paths:
        from onewindow.hall.selectors import MANAGER_ROLES, points_for

        halls = [p.org_unit_id for p in points_for(user, MANAGER_ROLES)]
        q |= Q(intake_unit_id__in=halls)
        for path in _roots(manager_paths):
            q |= Q(intake_unit_id__in=subtree_ids(path))
    return Case.objects.filter(q)


def _roots(paths: list[str]) -> list[str]:
    """The outermost of a set of subtree paths (a subtree inside another adds nothing)."""
    out: list[str] = []
    for p in sorted(paths, key=len):
        if not any(p.startswith(r) for r in out):
            out.append(p)
    return out


def list_measure(params: dict[str, Any]) -> str:
    """Which figure's cases a list shows (`counts=`, see cases.figures.COUNTED; the older `joint=1`
    links mean counts=joint); "" for every case received in the period."""
    measure = params.get("counts") or ("joint" if params.get("joint") == "1" else "")
    return measure if measure in COUNTED else ""


def case_list(user: User, params: dict[str, Any]) -> QuerySet[Case]:
    """The cases behind a figure: the reader's cases narrowed by the dashboard's filters (the
    period by day received, unless the list is of cases late now, which ignores the period)."""
    qs = listable_cases(user).filter(case_scope(params))
    late = params.get("late")
    if late in ("red", "yellow"):
        qs = qs.filter(status__in=OPEN_STATUSES, warning_level=late)
    else:
        from onewindow.cases.figures import Period

        period = Period.of(params)
        tz = timezone.get_current_timezone()
        start = datetime.datetime.combine(period.date_from, datetime.time.min, tzinfo=tz)
        end = datetime.datetime.combine(period.date_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
        qs = qs.filter(received_at__gte=start, received_at__lt=end)
    measure = list_measure(params)
    if measure:
        qs = counted(qs, measure)
    return qs.select_related("department", "intake_unit").order_by("-received_at", "-id")
