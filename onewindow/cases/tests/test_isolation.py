"""Counties as tenants (docs/tenancy.md): county A's users never read or write county B's rows.

County A is the shared test tree (青原区, the default county); county B (吉州区) is built by
onewindow/core/tests/counties.py (shared with the other apps' matrices) with its own departments,
staff, a matter (and a draft), a case in review with a step, a hall with an area, a window and a
ticket. The matrix runs every county-A user over every scoped model
(their `scoped` queryset), the case and hall selectors, every case API operation, the hall's
window and manager operations, the workbench and hall pages, and the catalog's management; each
answer is 403/404 or leaves B's rows out, and nothing of B changes."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import Workbook

from onewindow.accounts.models import County, OrgUnit, Role, RoleAssignment, User
from onewindow.accounts.services import org_unit_create, role_grant
from onewindow.accounts.tenancy import scoped, staff_county
from onewindow.cases import owners, prereview
from onewindow.cases import selectors as case_selectors
from onewindow.cases import services as svc
from onewindow.cases.models import Case, CaseStep
from onewindow.catalog import selectors as catalog_selectors
from onewindow.catalog.models import MatterVersion
from onewindow.catalog.services import matter_create
from onewindow.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from onewindow.core.tenancy import county_lookup, for_county
from onewindow.core.tests.counties import A_ROLES, B, a_users, county_b
from onewindow.core.tests.counties import fresh as _fresh
from onewindow.hall import selectors as hall_selectors
from onewindow.hall.models import Ticket, Window

__all__ = ["a_users", "county_b"]  # the shared fixtures, used here by name


def _b_state(b: dict[str, Any]) -> list[Any]:
    case = Case.objects.get(pk=b["case"].pk)
    steps = list(CaseStep.objects.filter(case=case).values_list("status", "claimed_by_id", "updated_at"))
    ticket = Ticket.objects.get(pk=b["ticket"].pk)
    return [case.status, case.updated_at, case.decision, steps, ticket.status, ticket.window_id]


# --- the county and its codes --------------------------------------------------------------------


def test_codes_and_numbers_carry_the_county(county_b: dict[str, Any]) -> None:
    assert county_b["draft"].code.startswith(f"{B}-JZZJJ-XK-")
    assert county_b["case"].number.startswith("JZ")
    assert county_b["zjj"].county_id == B
    assert staff_county(_fresh(county_b["clerk"])) == B


def test_existing_tree_is_the_default_county(org: dict[str, OrgUnit]) -> None:
    assert {u.county_id for u in org.values()} == {"360803"}


def test_staff_are_bound_to_one_county(county_b: dict[str, Any], clerk: User) -> None:
    with pytest.raises(Conflict) as exc:
        role_grant(user=clerk, role=Role.APPROVER, org_unit=county_b["zjj"])
    assert exc.value.code == "other_county"
    assert not RoleAssignment.objects.filter(user=clerk, org_unit=county_b["zjj"]).exists()


def test_a_unit_is_in_its_parents_county(county_b: dict[str, Any]) -> None:
    other = County.objects.get(pk="360803")
    with pytest.raises(ValidationFailed) as exc:
        org_unit_create(code="JZX", name="x", kind=OrgUnit.Kind.DEPARTMENT, parent=county_b["root"], county=other)
    assert exc.value.code == "other_county"


def test_a_matter_code_of_another_county_is_refused(org: dict[str, OrgUnit], county_b: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed) as exc:
        matter_create(
            department=county_b["zjj"],
            actor=None,
            code="360803-JZZJJ-XK-0099",
            name="错区划",
            matter_type=MatterVersion.MatterType.LICENCE,
            kind=MatterVersion.Kind.COMMITTED,
            statutory_days=20,
            committed_days=10,
        )
    assert exc.value.code == "other_county"


# --- every scoped model --------------------------------------------------------------------------

SCOPED_MODELS = sorted(
    (m for m in __import__("django.apps", fromlist=["apps"]).apps.get_models() if county_lookup(m) is not None),
    key=lambda m: m._meta.label_lower,
)
# The models the fixture gives county B rows of: for these the check below is not vacuous.
POPULATED = {
    "accounts.county",
    "accounts.orgunit",
    "accounts.roleassignment",
    "catalog.matter",
    "catalog.matterversion",
    "catalog.materialrequirement",
    "catalog.mattercodesequence",
    "cases.case",
    "cases.casestep",
    "cases.submittedmaterial",
    "cases.caseevent",
    "cases.casevisit",
    "hall.servicepoint",
    "hall.servicearea",
    "hall.window",
    "hall.windowarea",
    "hall.areadaycounter",
    "hall.ticket",
    "hall.ticketevent",
}


@pytest.mark.parametrize("model", SCOPED_MODELS, ids=lambda m: m._meta.label_lower)
def test_no_a_user_reads_a_b_row_of_any_model(model: Any, county_b: dict[str, Any], a_users: dict[str, User]) -> None:
    b_rows = set(for_county(model._default_manager.all(), B).values_list("pk", flat=True))
    if model._meta.label_lower in POPULATED:
        assert b_rows, "the fixture gives county B rows of this model"
    for user in a_users.values():
        seen = set(scoped(model._default_manager.all(), _fresh(user)).values_list("pk", flat=True))
        assert not seen & b_rows
    # ...while B's own administrator reads them and nothing of A.
    seen_b = set(scoped(model._default_manager.all(), _fresh(county_b["admin"])).values_list("pk", flat=True))
    assert seen_b == b_rows


# --- selectors -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", A_ROLES)
def test_case_and_catalog_and_hall_selectors_leave_b_out(role: str, county_b: dict[str, Any], a_users: dict[str, User]) -> None:
    user = _fresh(a_users[role])
    b_case, b_draft = county_b["case"], county_b["draft"]
    assert b_case not in case_selectors.visible_cases(user)
    assert b_case not in case_selectors.late_cases(user)
    assert b_case not in case_selectors.intake_queue(user)
    assert b_case not in prereview.prereview_queue(user)
    assert not case_selectors.step_queue(user).filter(case=b_case).exists()
    for qs in owners.unit_lists(user).values():
        if qs.model is Case:
            assert b_case not in qs
        elif qs.model is CaseStep:
            assert not qs.filter(case=b_case).exists()
    assert not catalog_selectors.drafts_for(user).filter(matter=b_draft).exists()
    assert county_b["matter"] not in catalog_selectors.matters_to_export(user)
    assert county_b["point"] not in hall_selectors.points_for(user)
    assert county_b["point"] not in hall_selectors.points_for(user, hall_selectors.MANAGER_ROLES)
    with pytest.raises(NotFound) as exc:  # the one answer for "not yours"
        case_selectors.case_for(user, b_case.uuid)
    assert exc.value.code == "not_found"
    assert not case_selectors.can_decide(user, b_case)
    assert not case_selectors.can_intake(user, b_case)
    for step in b_case.steps.all():
        assert not case_selectors.can_act_on_step(user, step)
    assert not hall_selectors.can_work_at(user, county_b["point"])
    assert not hall_selectors.can_manage(user, county_b["point"])


def test_b_users_see_their_own(county_b: dict[str, Any]) -> None:
    """The positive control: the same selectors do find B's rows for B's users."""
    admin_b, clerk_b, approver_b = (_fresh(county_b[k]) for k in ("admin", "clerk", "approver"))
    assert county_b["case"] in case_selectors.visible_cases(admin_b)
    assert county_b["case"] in case_selectors.late_cases(admin_b)
    assert case_selectors.step_queue(approver_b).filter(case=county_b["case"]).exists()
    assert catalog_selectors.drafts_for(admin_b).filter(matter=county_b["draft"]).exists()
    assert county_b["point"] in hall_selectors.points_for(clerk_b)


def test_platform_admin_sees_every_county(county_b: dict[str, Any], admin_user: User) -> None:
    assert county_b["case"] in case_selectors.visible_cases(_fresh(admin_user))


def test_a_clerk_cannot_file_a_b_matter(county_b: dict[str, Any], clerk: User, citizen: User) -> None:
    mv = county_b["matter"].current_version
    with pytest.raises(PermissionDenied, match="其他区县"):
        svc.case_submit(
            applicant=citizen,
            matter_version=mv,
            channel="counter",
            form_data={"address": "x"},
            materials=[svc.MaterialInput(requirement=r, paper=True) for r in mv.materials.all()],
            actor=_fresh(clerk),
        )


def test_a_citizen_applies_in_any_county(county_b: dict[str, Any], citizen: User) -> None:
    """People are province-wide: the citizen's own B case is in their own list."""
    assert county_b["case"] in case_selectors.visible_cases(_fresh(citizen))


# --- API operations and pages --------------------------------------------------------------------


def _case_calls(b: dict[str, Any]) -> list[tuple[str, str, dict[str, Any] | None]]:
    c = f"/api/v1/cases/{b['case'].uuid}"
    step = b["case"].steps.first()
    s = f"{c}/steps/{step.uuid}"
    return [
        ("get", c, None),
        ("post", f"{c}/resubmit", {}),
        ("post", f"{c}/accept", {}),
        ("post", f"{c}/refuse", {"reasons": "x"}),
        ("post", f"{c}/supplement", {"items": [{"name": "x"}]}),
        ("post", f"{s}/claim", {}),
        ("post", f"{s}/assign", {"assignee": "approver_zjj"}),
        ("post", f"{s}/approve", {"comment": ""}),
        ("post", f"{s}/reject", {"reasons": "x"}),
        ("post", f"{s}/return", {"to_step": str(step.uuid), "fields_to_fix": []}),
        ("post", f"{c}/pause", {"kind": "hearing", "reason": "x"}),
        ("post", f"{c}/resume", {}),
        ("post", f"{c}/extend", {"days": 5, "reason": "x"}),
        ("post", f"{c}/extend/approve", {}),
        ("post", f"{c}/extend/decline", {"reason": "x"}),
        ("post", f"{c}/decide", {"approved": True}),
        ("post", f"{c}/conclude", {}),
        ("post", f"{c}/deliver", {"method": "window"}),
        ("post", f"{c}/hand-over", {}),
    ]


def _hall_calls(b: dict[str, Any]) -> list[tuple[str, str, dict[str, Any] | None]]:
    w = f"/api/v1/hall/windows/{b['window'].uuid}"
    return [
        ("get", w, None),
        *[
            ("post", f"{w}/{name}", {})
            for name in ("sign-in", "sign-out", "call-next", "recall", "no-show", "start", "finish", "hold")
        ],
        ("post", f"{w}/call", {"ticket": str(b["ticket"].uuid)}),
        ("post", f"{w}/resume", {"ticket": str(b["ticket"].uuid)}),
        ("post", f"{w}/transfer", {"area": str(b["area"].uuid)}),
        ("get", f"/api/v1/hall/points/{b['point'].uuid}/overview", None),
        ("patch", f"/api/v1/hall/areas/{b['area'].uuid}", {"daily_cap": 1}),
    ]


def _pages(b: dict[str, Any]) -> list[tuple[str, str, dict[str, Any] | None]]:
    return [
        ("get", f"/workbench/cases/{b['case'].uuid}/", None),
        ("post", f"/workbench/cases/{b['case'].uuid}/act/", {"action": "decide", "approved": "1"}),
        ("get", f"/workbench/prereview/{b['case'].uuid}/", None),
        ("get", f"/hall/window/{b['window'].uuid}/", None),
        ("post", f"/hall/window/{b['window'].uuid}/call-next/", {}),
        ("get", f"/hall/windows/{b['point'].uuid}/", None),
        ("get", f"/hall/manage/{b['point'].uuid}/", None),
        ("post", f"/hall/manage/{b['point'].uuid}/area/{b['area'].uuid}/", {"daily_cap": "1"}),
    ]


def _send(client: Client, method: str, url: str, body: dict[str, Any] | None, *, json: bool) -> Any:
    if method == "get":
        return client.get(url)
    if json:
        return getattr(client, method)(url, body or {}, content_type="application/json")
    return client.post(url, body or {})


@pytest.mark.parametrize("role", A_ROLES)
@pytest.mark.parametrize("kind", ["cases_api", "hall_api", "pages"])
def test_every_operation_on_b_is_refused_and_changes_nothing(
    role: str, kind: str, county_b: dict[str, Any], a_users: dict[str, User]
) -> None:
    calls = {"cases_api": _case_calls, "hall_api": _hall_calls, "pages": _pages}[kind](county_b)
    before = _b_state(county_b)
    client = Client()
    client.force_login(a_users[role])
    for method, url, body in calls:
        response = _send(client, method, url, body, json=kind != "pages")
        assert response.status_code in (403, 404), (role, method, url, response.status_code)
    assert _b_state(county_b) == before


@pytest.mark.parametrize("url", ["/workbench/late/", "/workbench/intake/queue/", "/workbench/queue/", "/workbench/"])
def test_work_lists_leave_b_out(url: str, county_b: dict[str, Any], a_users: dict[str, User]) -> None:
    for user in a_users.values():
        client = Client()
        client.force_login(user)
        response = client.get(url)
        assert response.status_code in (200, 403)
        assert county_b["case"].number not in response.content.decode()


def test_catalog_management_is_the_counties_own(county_b: dict[str, Any], a_users: dict[str, User]) -> None:
    client = Client()
    client.force_login(a_users["county_admin"])
    exported = client.get("/catalog/manage/export.xlsx")
    assert exported.status_code == 200
    assert county_b["matter"].code.encode() not in _xlsx_text(exported.content)
    page = client.get("/catalog/manage/")
    assert county_b["draft"].code not in page.content.decode()
    # A workbook naming B's department is refused: A's administrator knows only A's departments.
    from onewindow.catalog.importexport import MATTER_COLUMNS, MATTER_SHEET

    wb = Workbook()
    ws = wb.active
    ws.title = MATTER_SHEET
    ws.append([h for h, _n, _k in MATTER_COLUMNS])
    values = {"department": "JZZJJ", "name": "越区导入", "matter_type": "行政许可", "kind": "承诺件"}
    ws.append([values.get(n, "") for _h, n, _k in MATTER_COLUMNS])
    data = io.BytesIO()
    wb.save(data)
    upload = io.BytesIO(data.getvalue())
    upload.name = "x.xlsx"
    response = client.post("/catalog/manage/", {"file": upload})
    assert response.status_code == 422
    assert "JZZJJ" in response.content.decode()
    assert not county_b["zjj"].matters.exclude(pk__in=[county_b["matter"].pk, county_b["draft"].pk]).exists()


def _xlsx_text(content: bytes) -> bytes:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(content)) as z:
        return b"".join(z.read(n) for n in z.namelist())


def test_public_search_by_county(county_b: dict[str, Any], client: Client) -> None:
    codes_b = [m["code"] for m in client.get(f"/api/v1/catalog/matters?county={B}").json()["items"]]
    assert codes_b == [county_b["matter"].code]
    codes_a = [m["code"] for m in client.get("/api/v1/catalog/matters?county=360803").json()["items"]]
    assert county_b["matter"].code not in codes_a


def test_b_window_is_untouched_by_a(county_b: dict[str, Any]) -> None:
    assert not Window.objects.get(pk=county_b["window"].pk).sessions.exists()
