"""The asker's county, resolved once per user object, and the scoping every selector of county
data goes through (docs/tenancy.md).

Staff are bound to one county (`services.role_grant`): the county of the units where they hold
roles. People without a unit-bound role (citizens, enterprises) have none: their own things are
found by person, in any county. Administrators whose role names no unit are the platform's
(province) operators and are not narrowed.
"""

from __future__ import annotations

from typing import Any

from onewindow.core.tenancy import for_county

from .models import OrgUnit, Role


def role_rows(user: Any) -> list[tuple[str, str | None, int | None, str | None]]:
    """(role, unit path, unit pk, unit's county) of every role the user holds: one read per user
    object (a request's user, a service caller's), shared by every permission check and the
    county (cases.selectors._assignments is this without the county)."""
    cached = getattr(user, "_ow_role_rows", None)
    if cached is None:
        cached = list(user.role_assignments.values_list("role", "org_unit__path", "org_unit_id", "org_unit__county_id"))
        user._ow_role_rows = cached
    rows: list[tuple[str, str | None, int | None, str | None]] = cached
    return rows


def staff_county(user: Any) -> str | None:
    """The code of the county `user` works for, or None (not county staff, or a platform
    administrator). Cached on the user object: a request resolves it once."""
    if user is None:  # a command or a demo builder acting as the platform
        return None
    if hasattr(user, "_ow_county"):
        known: str | None = user._ow_county
        return known
    county: str | None = None
    if getattr(user, "is_authenticated", False):
        rows = role_rows(user)
        platform = any(county_id is None and role == Role.ADMIN for role, _path, _pk, county_id in rows)
        counties = {county_id for _role, _path, _pk, county_id in rows if county_id is not None}
        if not platform and counties:
            # role_grant keeps it to one; rows written around it (a bulk load) take the lowest,
            # never "all of them".
            county = min(counties)
    user._ow_county = county
    return county


def scoped(qs: Any, user: Any) -> Any:
    """`qs` narrowed to the county `user` works for; unchanged for the platform's administrators
    and for people without a county (the selectors serving them filter by person)."""
    county = staff_county(user)
    return qs if county is None else for_county(qs, county)


def in_remit(user: Any, unit: OrgUnit) -> bool:
    """May `user`'s county-wide powers (administrator, supervisor) reach a thing of `unit`? True
    for everyone without a county: callers ask it only after the role check (`admin_over`)."""
    county = staff_county(user)
    return county is None or unit.county_id == county
