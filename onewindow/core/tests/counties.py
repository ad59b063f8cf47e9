"""County B (吉州区 360802) beside the shared test tree (county A, 青原区), and county A's staff:
the fixtures of every isolation matrix (docs/tenancy.md). Import them into a test module
(`from onewindow.core.tests.counties import a_users, county_b`); a module that needs more of B's
rows builds them on top of `county_b` in its own fixture.

County B: its government, two departments and their staff (clerk, approver, administrator at the
root), a published matter and a draft, a case in review (accepted, red warning), a hall with an
area, a window and a ticket. County A's users: clerk, approver, hall manager, leader, township
officer and an administrator at the county's root."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import make_user
from onewindow.accounts.models import County, OrgUnit, Role, User
from onewindow.accounts.services import org_unit_create
from onewindow.cases import services as svc
from onewindow.cases.models import Case
from onewindow.cases.tests.conftest import make_matter
from onewindow.catalog.models import MatterVersion
from onewindow.catalog.services import matter_create
from onewindow.hall.models import Ticket
from onewindow.hall.services import ticket_issue
from onewindow.hall.tests.conftest import make_area, make_point, make_window

B = "360802"
A_ROLES = ["clerk", "approver", "hall_manager", "leader", "county_admin", "township_officer"]


@pytest.fixture
def county_b(calendar: Any, org: dict[str, OrgUnit], citizen: User) -> dict[str, Any]:
    jz = County.objects.create(code=B, name="吉州区", city_code="360800", case_prefix="JZ")
    root = org_unit_create(code="JZ", name="吉州区人民政府", kind=OrgUnit.Kind.GOVERNMENT, county=jz)
    xzsp = org_unit_create(code="JZXZSP", name="吉州区行政审批局", kind=OrgUnit.Kind.DEPARTMENT, parent=root)
    zjj = org_unit_create(code="JZZJJ", name="吉州区住建局", kind=OrgUnit.Kind.DEPARTMENT, parent=root)
    clerk_b = make_user("clerk_b", Role.CLERK, xzsp)
    approver_b = make_user("approver_b", Role.APPROVER, zjj)
    admin_b = make_user("admin_b", Role.ADMIN, root)
    mv = make_matter(f"{B}-JZZJJ-XK-0101", "吉州区房屋测绘成果审核", zjj)
    type(mv.matter).objects.filter(pk=mv.matter_id).update(is_listed=True)  # published: in the search
    draft = matter_create(
        department=zjj,
        actor=admin_b,
        name="吉州区临时建筑审批",
        matter_type=MatterVersion.MatterType.LICENCE,
        kind=MatterVersion.Kind.COMMITTED,
        statutory_days=20,
        committed_days=10,
    )
    case = svc.case_submit(
        applicant=citizen,
        matter_version=mv,
        channel="counter",
        form_data={"address": "吉州区1号"},
        materials=[svc.MaterialInput(requirement=r, paper=True) for r in mv.materials.all()],
        actor=clerk_b,
    )
    case = svc.case_accept(case=case, actor=clerk_b)
    Case.objects.filter(pk=case.pk).update(warning_level="red")
    point = make_point(root, "JZ-HALL", "吉州区政务服务中心", token="jz-token")
    area = make_area(point, "JZ-A", "A", name="综合服务区")
    window = make_window(point, 1, (area, 1))
    ticket = ticket_issue(area=area, source=Ticket.Source.KIOSK)
    return {
        "county": jz,
        "root": root,
        "zjj": zjj,
        "clerk": clerk_b,
        "approver": approver_b,
        "admin": admin_b,
        "matter": mv.matter,
        "draft": draft,
        "case": Case.objects.get(pk=case.pk),
        "point": point,
        "area": area,
        "window": window,
        "ticket": ticket,
    }


@pytest.fixture
def a_users(
    org: dict[str, OrgUnit],
    clerk: User,
    approver: User,
    hall_manager: User,
    leader: User,
    township_officer: User,
) -> dict[str, User]:
    county_admin = make_user("admin_qy", Role.ADMIN, org["gov"], is_staff=True)
    return {
        "clerk": clerk,
        "approver": approver,
        "hall_manager": hall_manager,
        "leader": leader,
        "county_admin": county_admin,
        "township_officer": township_officer,
    }


@pytest.fixture
def admins(org: dict[str, OrgUnit], county_b: dict[str, Any]) -> dict[str, User]:
    """The system administrators of county A (at its root), county B (at B's root) and the
    platform (a role at no unit), each read afresh (no role list cached from the grants)."""
    from onewindow.accounts.services import role_grant

    a = make_user("sys_qy")
    role_grant(user=a, role=Role.ADMIN, org_unit=org["gov"], actor=None)
    b = make_user("sys_jz")
    role_grant(user=b, role=Role.ADMIN, org_unit=county_b["root"], actor=None)
    platform = make_user("sys_province")
    role_grant(user=platform, role=Role.ADMIN, actor=None)
    return {"a": fresh(a), "b": fresh(b), "platform": fresh(platform)}


def fresh(user: User) -> User:
    """The user as a request sees it: no cached roles or county."""
    return User.objects.get(pk=user.pk)


def assert_rows_stay_in_county(model: Any, a_users: dict[str, User], b_admin: User, *, a_rows: bool = True) -> None:
    """The per-model check of every isolation matrix: no county-A user's `scoped` rows of `model`
    hold a county-B row, and B's administrator's are exactly B's. The fixture must give B rows of
    the model (and A rows, unless `a_rows=False`), or the check would pass on an empty table."""
    from onewindow.accounts.tenancy import scoped
    from onewindow.core.tenancy import for_county

    rows = model._default_manager.all()
    b_ids = set(for_county(rows, B).values_list("pk", flat=True))
    assert b_ids, f"the fixture gives county B rows of {model._meta.label}"
    if a_rows:
        assert for_county(rows, "360803").exists(), f"the fixture gives county A rows of {model._meta.label}"
    for user in a_users.values():
        assert not set(scoped(rows, fresh(user)).values_list("pk", flat=True)) & b_ids, user.username
    assert set(scoped(rows, fresh(b_admin)).values_list("pk", flat=True)) == b_ids


def assert_calls_refused(user: User, calls: Any, *, api: bool) -> Any:
    """Every `(method, url, body)` of `calls`, made by `user`, answers 403 or 404. API calls send
    their body as JSON (a "form" method: a form POST in an API list); pages post forms; GET and
    DELETE send none. Returns the signed-in test client for the module's own further checks."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    for method, url, body in calls:
        if method in ("get", "delete"):
            response = getattr(client, method)(url)
        elif api and method != "form":
            response = getattr(client, method)(url, body or {}, content_type="application/json")
        else:
            response = client.post(url, body or {})
        assert response.status_code in (403, 404), (user.username, method, url, response.status_code)
    return client
