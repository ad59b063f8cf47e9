"""Who may work at a hall (hall.selectors.can_work_at / can_manage): the role's unit against the
point's unit, with a township in between refusing; and the check in one statement."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import make_user
from onewindow.accounts.models import Role
from onewindow.hall import selectors


@pytest.mark.parametrize(
    ("role", "unit", "district", "township"),
    [
        (Role.CLERK, "XZSP", True, False),  # a district department works in the district hall only
        (Role.CLERK, "gov", True, True),  # the point's own unit; an ancestor of the township's
        (Role.TOWNSHIP_OFFICER, "ZXZ", False, True),  # a township's officer: its own hall, not the district's
        (Role.CLERK, "ZXSQ", False, True),  # a community inside the township: below a township unit
        (Role.CLERK, "FTZ", False, False),  # another township
        (Role.CLERK, "FTC", False, False),  # a village of another township
        (Role.CITIZEN, "XZSP", False, False),  # not a window role
        (Role.AGENT, "ZXSQ", False, False),  # not a window role
        (Role.ADMIN, None, True, True),  # the platform administrator (no unit)
    ],
)
def test_who_works_where(
    hall: dict[str, Any], org: dict[str, Any], role: str, unit: str | None, district: bool, township: bool
) -> None:
    user = make_user("u", role, org[unit] if unit else None)
    assert selectors.can_work_at(user, hall["point"]) is district
    assert selectors.can_work_at(user, hall["tpoint"]) is township


def test_any_role_that_passes_is_enough(hall: dict[str, Any], org: dict[str, Any]) -> None:
    from onewindow.accounts.models import RoleAssignment

    user = make_user("u", Role.TOWNSHIP_OFFICER, org["ZXZ"])
    assert not selectors.can_work_at(user, hall["point"])
    RoleAssignment.objects.create(user=user, role=Role.CLERK, org_unit=org["XZSP"])
    assert selectors.can_work_at(user, hall["point"])


def test_manager_roles(hall: dict[str, Any], org: dict[str, Any]) -> None:
    assert selectors.can_manage(make_user("m", Role.HALL_MANAGER, org["gov"]), hall["point"])
    assert not selectors.can_manage(make_user("c", Role.CLERK, org["gov"]), hall["point"])
    assert not selectors.can_manage(make_user("t", Role.HALL_MANAGER, org["ZXZ"]), hall["point"])


def test_scope_is_one_statement(hall: dict[str, Any], org: dict[str, Any], django_assert_num_queries: Any) -> None:
    """A clerk of a department inside the point's unit (the desk's everyday case) is one read:
    the township check comes with the roles (it was a second read per role)."""
    clerk = make_user("c", Role.CLERK, org["XZSP"])
    officer = make_user("t", Role.TOWNSHIP_OFFICER, org["ZXZ"])
    with django_assert_num_queries(1):
        assert selectors.can_work_at(clerk, hall["point"])
    with django_assert_num_queries(1):
        assert not selectors.can_work_at(officer, hall["point"])
