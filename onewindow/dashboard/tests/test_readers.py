"""The operators' page of province and city readers (docs/tenancy.md, "Province and city roles"):
`/dashboard/readers/` lists `RegionReader` rows, grants a province's or a city's roll-up to a user
and takes it back, each audited, for the province's operators only (a superuser or an
administrator whose role names no unit). A county's administrator and every other role get 403; a
county's code, a region without the deployment's counties, an unknown user and a county's staff
member are refused in words with nothing stored."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from conftest import login, make_user
from onewindow.accounts.models import County, OrgUnit, Role, User
from onewindow.accounts.services import org_unit_create
from onewindow.core.errors import NotFound, PermissionDenied, ValidationFailed
from onewindow.core.models import AuditEntry
from onewindow.dashboard.models import RegionReader
from onewindow.dashboard.services import region_reader_grant, region_reader_revoke

pytestmark = pytest.mark.django_db
URL = "/dashboard/readers/"


@pytest.fixture
def deployment(org: dict[str, OrgUnit]) -> dict[str, Any]:
    """青原区 (the shared tree, 吉安市) and 南昌县 (南昌市), both of 江西省."""
    nc = County.objects.create(code="360121", name="南昌县", city_code="360100", case_prefix="NC")
    org_unit_create(code="NC", name="南昌县人民政府", kind=OrgUnit.Kind.GOVERNMENT, county=nc)
    return {"operator": make_user("operator", Role.ADMIN, None), "someone": make_user("someone", display_name="省政务服务管理局")}


def test_the_operator_grants_and_revokes_with_audit(client: Client, deployment: dict[str, Any]) -> None:
    login(client, deployment["operator"])
    page = client.get(URL)
    assert page.status_code == 200
    assert [code for code, _name in page.context["regions"]] == ["360000", "360100", "360800"]
    assert "吉安市（360800）" in page.content.decode()
    r = client.post(URL, {"action": "grant", "username": "someone", "region_code": "360800"})
    assert r.status_code == 302
    reader = RegionReader.objects.get(user=deployment["someone"])
    assert reader.region_code == "360800"
    grant = AuditEntry.objects.get(action="dashboard.region_reader_grant")
    assert grant.actor == deployment["operator"] and grant.data == {"region_code": "360800", "valid_until": None}
    listed = client.get(URL).content.decode()
    assert "省政务服务管理局" in listed and "吉安市（360800）" in listed
    # The reader now reads the city's roll-up.
    reader_client = login(Client(), deployment["someone"])
    assert reader_client.get("/dashboard/counties/").status_code == 200
    r = client.post(URL, {"action": "revoke", "username": "someone", "region_code": "360800"})
    assert r.status_code == 302 and not RegionReader.objects.exists()
    revoke = AuditEntry.objects.get(action="dashboard.region_reader_revoke")
    assert revoke.actor == deployment["operator"] and revoke.data["user"] == "someone"
    assert login(Client(), User.objects.get(username="someone")).get("/dashboard/counties/").status_code == 403
    # Revoked twice (two operators at once): the second is told, nothing written.
    r = client.post(URL, {"action": "revoke", "username": "someone", "region_code": "360800"})
    assert r.status_code == 404 and AuditEntry.objects.filter(action="dashboard.region_reader_revoke").count() == 1


@pytest.mark.parametrize(
    ("username", "code", "status", "words"),
    [
        ("someone", "360803", 422, "是区县的代码"),  # 青原区: the database's check would refuse it too
        ("someone", "370000", 422, "本平台没有属于 370000 的区县"),
        ("someone", "36080", 422, "请填写省或市的6位行政区划代码"),
        ("nobody", "360800", 404, "没有这个用户名的用户"),
        ("clerk", "360000", 422, "是区县的工作人员"),
    ],
)
def test_bad_input_is_refused_in_words_and_nothing_stored(
    client: Client, deployment: dict[str, Any], clerk: User, username: str, code: str, status: int, words: str
) -> None:
    login(client, deployment["operator"])
    r = client.post(URL, {"action": "grant", "username": username, "region_code": code})
    assert r.status_code == status and words in r.content.decode()
    assert not RegionReader.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="dashboard.region_reader").exists()


def test_the_page_in_english(client: Client, deployment: dict[str, Any]) -> None:
    login(client, deployment["operator"])
    client.cookies["django_language"] = "en"
    page = html.unescape(client.get(URL).content.decode())
    assert "Province and city readers" in page and "Ji'an City (360800)" in page and "Jiangxi Province (360000)" in page
    r = client.post(URL, {"action": "grant", "username": "someone", "region_code": "360803"})
    assert "is a county's code" in html.unescape(r.content.decode())


def test_outsiders_are_refused(
    client: Client, deployment: dict[str, Any], org: dict[str, OrgUnit], clerk: User, leader: User, citizen: User
) -> None:
    county_admin = make_user("admin_qy", Role.ADMIN, org["gov"], is_staff=True)
    region_reader_grant(user=deployment["someone"], region_code="360000", actor=None)
    assert client.get(URL).status_code == 302  # to the sign-in page
    for user in (county_admin, clerk, leader, citizen, deployment["someone"]):
        login(client, user)
        assert client.get(URL).status_code == 403, user.username
        r = client.post(URL, {"action": "grant", "username": user.username, "region_code": "360000"})
        assert r.status_code == 403, user.username
        r = client.post(URL, {"action": "revoke", "username": "someone", "region_code": "360000"})
        assert r.status_code == 403, user.username
    assert list(RegionReader.objects.values_list("user__username", "region_code")) == [("someone", "360000")]
    # The services refuse them too (the page is not the only door).
    with pytest.raises(PermissionDenied) as exc:
        region_reader_grant(user=citizen, region_code="360000", actor=county_admin)
    assert exc.value.code == "not_province"
    with pytest.raises(PermissionDenied) as exc:
        region_reader_revoke(user=deployment["someone"], region_code="360000", actor=county_admin)
    assert exc.value.code == "not_province"
    assert RegionReader.objects.count() == 1


def test_the_services_refuse_what_the_page_refuses(deployment: dict[str, Any], clerk: User) -> None:
    operator = deployment["operator"]
    with pytest.raises(ValidationFailed) as exc:
        region_reader_grant(user=deployment["someone"], region_code="360121", actor=operator)
    assert exc.value.code == "validation_failed" and "region_code" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        region_reader_grant(user=clerk, region_code="360000", actor=operator)
    assert exc.value.code == "validation_failed" and "username" in exc.value.fields
    with pytest.raises(NotFound) as missing:
        region_reader_revoke(user=deployment["someone"], region_code="360000", actor=operator)
    assert missing.value.code == "not_found"
    superuser = User.objects.create_superuser(username="root", password="x" * 12)
    assert region_reader_grant(user=deployment["someone"], region_code="360100", actor=superuser).region_code == "360100"


def test_the_counties_page_links_to_it_for_operators_only(client: Client, deployment: dict[str, Any]) -> None:
    login(client, deployment["operator"])
    assert f'href="{URL}"' in client.get("/dashboard/counties/").content.decode()
    region_reader_grant(user=deployment["someone"], region_code="360000", actor=None)
    login(client, deployment["someone"])
    page = client.get("/dashboard/counties/")
    assert page.status_code == 200 and f'href="{URL}"' not in page.content.decode()


def test_the_operator_finds_a_person_by_name_and_the_choice_fills_the_grant_form(
    client: Client, deployment: dict[str, Any]
) -> None:
    login(client, deployment["operator"])
    found = client.get(URL, {"q": "政务服务管理"})
    assert [u.username for u in found.context["candidates"]] == ["someone"]
    assert "?username=someone#grant" in found.content.decode()
    assert [u.username for u in client.get(URL, {"q": "some"}).context["candidates"]] == ["someone"]
    # One character finds nobody (the list would be everybody); an unknown text says so.
    assert client.get(URL, {"q": "s"}).context["candidates"] == []
    assert "没有找到用户" in client.get(URL, {"q": "无此人"}).content.decode()
    chosen = client.get(URL, {"username": "someone"}).content.decode()
    assert 'name="username" maxlength="150" required autocomplete="off" value="someone"' in chosen
    # Searching stores nothing.
    assert not RegionReader.objects.exists()


def test_a_county_administrator_cannot_search_people_here(
    client: Client, deployment: dict[str, Any], org: dict[str, OrgUnit]
) -> None:
    login(client, make_user("county_admin", Role.ADMIN, org["gov"]))
    assert client.get(URL, {"q": "some"}).status_code == 403


def test_a_grant_for_a_term_ends_by_itself_and_a_new_term_is_audited(client: Client, deployment: dict[str, Any]) -> None:
    """有效期至: the reader reads the roll-up up to and including the day, nothing the next day; a
    new term on the same grant replaces the old one (audited with what it replaced); a term in the
    past or a date that is not one is refused in words, nothing stored."""
    import datetime
    from unittest import mock

    today = timezone.localdate()
    login(client, deployment["operator"])
    until = today + datetime.timedelta(days=30)
    r = client.post(URL, {"action": "grant", "username": "someone", "region_code": "360800", "valid_until": until.isoformat()})
    assert r.status_code == 302 and RegionReader.objects.get().valid_until == until
    grant = AuditEntry.objects.get(action="dashboard.region_reader_grant")
    assert grant.data == {"region_code": "360800", "valid_until": until.isoformat()}
    assert f"有效期至 {until.isoformat()}" in client.get(URL).content.decode()
    someone = deployment["someone"]
    assert login(Client(), someone).get("/dashboard/counties/").status_code == 200
    with mock.patch("django.utils.timezone.localdate", return_value=until):
        assert login(Client(), someone).get("/dashboard/counties/").status_code == 200
    with mock.patch("django.utils.timezone.localdate", return_value=until + datetime.timedelta(days=1)):
        assert login(Client(), someone).get("/dashboard/counties/").status_code == 403
        assert f"已于 {until.isoformat()} 到期" in client.get(URL).content.decode()
    # A new term (here: until revoked) on the same grant.
    r = client.post(URL, {"action": "grant", "username": "someone", "region_code": "360800", "valid_until": ""})
    assert r.status_code == 302 and RegionReader.objects.get().valid_until is None
    term = AuditEntry.objects.get(action="dashboard.region_reader_term")
    assert term.data == {"region_code": "360800", "valid_until": None, "before": until.isoformat()}
    assert "长期有效" in client.get(URL).content.decode()
    for bad, words in (
        ((today - datetime.timedelta(days=1)).isoformat(), "有效期不能早于今天"),
        ("2027-02-30", "有效期的日期格式不正确"),
    ):
        r = client.post(URL, {"action": "grant", "username": "someone", "region_code": "360000", "valid_until": bad})
        assert r.status_code == 422 and words in r.content.decode()
    assert (
        RegionReader.objects.count() == 1 and AuditEntry.objects.filter(action__startswith="dashboard.region_reader").count() == 2
    )
