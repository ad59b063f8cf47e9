"""The public pages are county-aware (docs/tenancy.md, "Public pages and the county picker"): with
two counties holding matters, bundles, halls and township halls, every public listing shows the
visitor's chosen county's (青原区 until they choose) and never the other's; the picker and the
`?county=` link parameter choose, and refuse an unknown code without changing anything."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import pytest
from django.test import Client

from conftest import login
from onewindow.accounts import visitor
from onewindow.appointments import selectors as appointment_selectors
from onewindow.cases import services as case_services
from onewindow.catalog.stats import catalog_figures

from .county_fixtures import A, B, two_counties

__all__ = ["two_counties"]

pytestmark = pytest.mark.django_db


def _text(client: Client, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code)
    return response.content.decode()


def _only(text: str, shown: list[str], hidden: list[str], where: str) -> None:
    for name in shown:
        assert name in text, f"{where}: {name} missing"
    for name in hidden:
        assert name not in text, f"{where}: {name} shown"


PAGES = {
    # page: the names of county X's things it lists (X = A or B)
    "/": lambda x: [f"{x}甲证办理", f"{x}开店一件事", f"{x}综合服务区", f"{x}乔迁"],
    "/catalog/": lambda x: [f"{x}甲证办理", f"{x}乙证办理", f"{x}村务证明", f"{x}综合服务区", f"{x}开店一件事", f"{x}乔迁"],
    "/catalog/?q=证": lambda x: [f"{x}甲证办理", f"{x}乙证办理", f"{x}村务证明"],
    "/catalog/bundles/": lambda x: [f"{x}开店一件事"],
    "/apply/": lambda x: [f"{x}甲证办理", f"{x}乙证办理", f"{x}开店一件事"],
    "/apply/?q=甲证": lambda x: [f"{x}甲证办理"],
    "/appointments/": lambda x: [f"{x}甲证办理", f"{x}村务证明"],
    "/filings/": lambda x: [f"{x}经营备案"],
    "/hall/": lambda x: [f"{x}政务大厅", f"{x}镇便民服务中心"],
}


@pytest.mark.parametrize("path", list(PAGES))
def test_a_page_lists_the_default_county_then_only_the_chosen_one(client: Client, two_counties: Any, path: str) -> None:
    names = PAGES[path]
    _only(_text(client, path), names("青原"), names("吉州"), f"{path} (青原区 by default)")
    response = client.post("/county/", {"county": B, "next": path})
    assert response.status_code == 302 and unquote(response["Location"]) == path
    _only(_text(client, path), names("吉州"), names("青原"), f"{path} (吉州区 chosen)")


def test_the_header_names_the_chosen_county_in_both_languages(client: Client, two_counties: Any) -> None:
    assert "青原区政务服务" in _text(client, "/")
    client.post("/county/", {"county": B, "next": "/"})
    page = _text(client, "/")
    assert "吉州区政务服务" in page and "青原区政务服务" not in page
    assert 'href="/county/?next=/"' in page  # the picker, from the header of every page
    client.cookies["django_language"] = "en"
    assert "Jizhou District Government Services" in _text(client, "/catalog/")


def test_a_county_link_parameter_chooses_and_is_remembered(client: Client, two_counties: Any) -> None:
    names = PAGES["/catalog/"]
    _only(_text(client, f"/catalog/?county={B}"), names("吉州"), names("青原"), "the link")
    _only(_text(client, "/"), PAGES["/"]("吉州"), PAGES["/"]("青原"), "the home page after the link")
    assert client.session[visitor.SESSION_KEY] == B
    # The other county by its link: remembered the same way.
    _text(client, f"/apply/?county={A}")
    assert client.session[visitor.SESSION_KEY] == A


@pytest.mark.parametrize("code", ["999999", "abc", "3608021", ""])
def test_the_picker_refuses_an_unknown_code_and_changes_nothing(client: Client, two_counties: Any, code: str) -> None:
    client.post("/county/", {"county": B, "next": "/"})
    response = client.post("/county/", {"county": code, "next": "/"})
    assert response.status_code == 422
    assert "没有这个区县" in response.content.decode()
    assert client.session[visitor.SESSION_KEY] == B
    _only(_text(client, "/"), PAGES["/"]("吉州"), PAGES["/"]("青原"), "after the refusal")


def test_an_unknown_link_parameter_says_so_and_changes_nothing(client: Client, two_counties: Any) -> None:
    page = _text(client, "/catalog/?county=999999")
    assert "没有这个区县（代码 999999），仍为您显示青原区的服务。" in page
    _only(page, PAGES["/catalog/"]("青原"), PAGES["/catalog/"]("吉州"), "after an unknown code")
    assert visitor.SESSION_KEY not in client.session
    assert "没有这个区县" in _text(client, "/county/?county=999999", status=422)
    client.cookies["django_language"] = "en"
    assert "There is no county with the code 999999; still showing the services of Qingyuan District." in _text(
        client, "/?county=999999"
    )


def test_the_picker_lists_the_counties_and_returns_to_the_page_without_the_old_parameter(
    client: Client, two_counties: Any
) -> None:
    page = _text(client, "/county/?next=/catalog/")
    assert "青原区" in page and "吉州区" in page and 'aria-current="true"' in page
    assert "<h2>" not in page.split("county-picker")[1].split("</form>")[0]  # one city: no group headings
    response = client.post("/county/", {"county": B, "next": f"/catalog/?county={A}&q=甲证"})
    assert unquote(response["Location"]) == "/catalog/?q=甲证"  # the old county's parameter would choose it again
    assert client.post("/county/", {"county": A, "next": "https://elsewhere.example/"})["Location"] == "/"


def test_the_picker_groups_counties_by_city_when_there_are_several(client: Client, two_counties: Any) -> None:
    from onewindow.accounts.models import County

    County.objects.create(code="360102", name="东湖区", city_code="360100", case_prefix="DH")
    page = _text(client, "/county/")
    assert "<h2>南昌市</h2>" in page and "<h2>吉安市</h2>" in page


def test_a_guide_of_another_countys_matter_is_reachable_and_says_whose(client: Client, two_counties: Any) -> None:
    b_matter = two_counties["b"]["online"][0]
    page = _text(client, f"/catalog/m/{b_matter.code}/")
    assert "吉州甲证办理" in page and "这是吉州区的事项，在吉州区办理。" in page and "办理区县：吉州区" in page
    assert b_matter.code.startswith(B)
    own = _text(client, f"/catalog/m/{two_counties['a']['online'][0].code}/")
    assert "办理区县：青原区" in own and "这是" not in own.split("guide-head")[0]
    bundle = _text(client, f"/catalog/bundles/{two_counties['b']['bundle'].code}/")
    assert "这是吉州区的一件事" in bundle


def test_the_catalog_figures_are_the_chosen_countys(client: Client, two_counties: Any) -> None:
    from onewindow.accounts.models import OrgUnit
    from onewindow.catalog.tests.factories import make_matter

    make_matter(OrgUnit.objects.get(code="XZSP"), "青原丙证办理")  # 5 in 青原区, 4 in 吉州区
    assert (catalog_figures(A).matters, catalog_figures(B).matters) == (5, 4)
    assert client.get("/catalog/stats/").context["f"].matters == 5
    client.post("/county/", {"county": B, "next": "/"})
    assert client.get("/catalog/stats/").context["f"].matters == 4


def test_a_matter_is_booked_only_at_its_own_countys_township_halls(two_counties: Any) -> None:
    for x, other in (("a", "b"), ("b", "a")):
        places = list(appointment_selectors.matter_places(two_counties[x]["township"]))
        assert two_counties[x]["town_area"] in places
        assert two_counties[other]["town_area"] not in places


def test_a_citizens_own_cases_stay_across_counties_and_say_whose(client: Client, two_counties: Any, citizen: Any) -> None:
    b_matter = two_counties["b"]["online"][0]
    case = case_services.case_submit(
        applicant=citizen,
        matter_version=b_matter.current_version,
        channel="online",
        form_data={},
        materials=[case_services.MaterialInput(requirement=r, paper=True) for r in b_matter.current_version.materials.all()],
        actor=citizen,
    )
    login(client, citizen)
    for path in ("/me/", "/me/cases/"):
        page = _text(client, path)  # 青原区 chosen (the default), the 吉州区 case still listed
        assert case.number in page and "吉州区" in page, path


def test_the_catalog_api_takes_a_county_and_refuses_an_unknown_one(client: Client, two_counties: Any) -> None:
    names = {m["name"] for m in client.get(f"/api/v1/catalog/matters?county={B}").json()["items"]}
    assert names == {"吉州甲证办理", "吉州乙证办理", "吉州村务证明", "吉州经营备案"}
    bundles = client.get(f"/api/v1/catalog/bundles?county={B}").json()["items"]
    assert [b["name"] for b in bundles] == ["吉州开店一件事"]
    for path in ("/api/v1/catalog/matters?county=999999", "/api/v1/catalog/bundles?county=999999"):
        response = client.get(path)
        assert response.status_code == 422 and response.json()["fields"]["county"], path
    online = {m["name"] for m in client.get(f"/api/v1/portal/matters?county={B}").json()["items"]}
    assert online == {"吉州甲证办理", "吉州乙证办理"}
    assert client.get("/api/v1/portal/matters?county=000000").status_code == 422
    # The API is stateless: its parameter chooses nothing for the pages.
    assert visitor.SESSION_KEY not in client.session
    every = {b["name"] for b in client.get("/api/v1/catalog/bundles").json()["items"]}
    assert every == {"青原开店一件事", "吉州开店一件事"}


def test_a_county_staff_member_starts_in_their_own_county(client: Client, two_counties: Any) -> None:
    from conftest import make_user
    from onewindow.accounts.models import OrgUnit, Role

    clerk_b = make_user("clerk_jz", Role.CLERK, OrgUnit.objects.get(code="JZXZSP"))
    login(client, clerk_b)
    _only(_text(client, "/catalog/"), PAGES["/catalog/"]("吉州"), PAGES["/catalog/"]("青原"), "a 吉州区 clerk")


def test_the_picker_refuses_a_post_from_another_site(two_counties: Any) -> None:
    """The choice is a POST with the page's CSRF token: another site cannot choose for a visitor."""
    outsider = Client(enforce_csrf_checks=True)
    assert outsider.post("/county/", {"county": B, "next": "/"}).status_code == 403
    assert visitor.SESSION_KEY not in outsider.session
    _only(_text(outsider, "/"), PAGES["/"]("青原"), PAGES["/"]("吉州"), "after the refused post")
