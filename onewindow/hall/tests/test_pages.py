"""Hall pages: public ones show numbers only; staff pages refuse anonymous, outsider and wrong role."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from conftest import login
from onewindow.accounts.demo import resident_id
from onewindow.hall import services
from onewindow.hall.kiosk import KIOSK_COOKIE
from onewindow.hall.models import Ticket

from .conftest import KIOSK_TOKEN

pytestmark = pytest.mark.django_db


def test_index_lists_points_and_staff_links(client: Client, hall: dict[str, Any], clerk: Any, hall_manager: Any) -> None:
    r = client.get("/hall/")
    assert r.status_code == 200 and "青原区行政服务中心" in r.content.decode()
    assert f"/hall/manage/{hall['point'].uuid}/" not in r.content.decode()
    login(client, hall_manager)
    assert f"/hall/manage/{hall['point'].uuid}/" in client.get("/hall/").content.decode()


@pytest.fixture
def kiosk_client(client: Client, hall: dict[str, Any]) -> Client:
    """A browser registered as a kiosk of the district hall."""
    client.cookies[KIOSK_COOKIE] = KIOSK_TOKEN
    return client


def test_kiosk_issues_a_ticket_and_prints_a_receipt_with_a_qr_code(kiosk_client: Client, hall: dict[str, Any]) -> None:
    client = kiosk_client
    p = hall["point"].uuid
    r = client.get(f"/hall/kiosk/{p}/")
    assert r.status_code == 200 and "综合服务区" in r.content.decode()
    r = client.post(f"/hall/kiosk/{p}/take/", {"area": str(hall["A"].uuid)})
    assert r.status_code == 302
    t = Ticket.objects.get()
    assert (t.source, t.priority, t.number) == ("kiosk", "normal", "A001")
    r = client.get(r["Location"])
    body = r.content.decode()
    assert r.status_code == 200 and "A001" in body and "<svg" in body and "58mm" not in body
    assert f"/hall/ticket/{t.uuid}/" in body  # the QR code's target, also printed as text


def test_kiosk_refusal_is_shown_not_a_500(kiosk_client: Client, hall: dict[str, Any]) -> None:
    client = kiosk_client
    hall["A"].require_id_number = True
    hall["A"].save()
    r = client.post(f"/hall/kiosk/{hall['point'].uuid}/take/", {"area": str(hall["A"].uuid)})
    assert r.status_code == 422 and "身份证" in r.content.decode()
    r = client.post(f"/hall/kiosk/{hall['point'].uuid}/take/", {"area": str(hall["T"].uuid)})  # another point's area
    assert r.status_code == 404
    assert not Ticket.objects.exists()


def test_kiosk_matter_search(kiosk_client: Client, hall: dict[str, Any], org: Any) -> None:
    client = kiosk_client
    from onewindow.catalog.tests.factories import make_matter

    # Published through the catalog's services: the kiosk finds it with the catalog search.
    make_matter(org["BDC"], "不动产转移登记", code="M-BDC-1", service_area=hall["F"])
    r = client.get(f"/catalog/kiosk/{hall['point'].uuid}/search/?q=bdc")
    assert r.status_code == 200 and "不动产转移登记" in r.content.decode() and str(hall["F"].uuid) in r.content.decode()
    client.cookies[KIOSK_COOKIE] = "zxz-token"
    r = client.get(f"/catalog/kiosk/{hall['tpoint'].uuid}/search/?q=bdc")
    assert r.status_code == 200 and "不动产转移登记" not in r.content.decode()


def test_ticket_follow_page_shows_position_without_personal_data(client: Client, hall: dict[str, Any]) -> None:
    me = resident_id("19560312", 228)
    services.ticket_issue(area=hall["A"], source="kiosk")
    t = services.ticket_issue(area=hall["A"], source="kiosk", id_number=me, phone="13900000001")
    r = client.get(f"/hall/ticket/{t.uuid}/")
    body = r.content.decode()
    assert r.status_code == 200 and "A002" in body and "<strong>1</strong>" in body
    assert me not in body and "13900000001" not in body
    assert client.get(f"/hall/ticket/{t.uuid}/", HTTP_HX_REQUEST="true").status_code == 200
    assert client.get("/hall/ticket/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_phone_queueing(client: Client, hall: dict[str, Any], citizen: Any, clerk: Any) -> None:
    p = hall["point"].uuid
    r = client.get(f"/hall/phone/{p}/")
    assert r.status_code == 200 and "登录后取号" in r.content.decode()
    r = client.post(f"/hall/phone/{p}/take/", {"area": str(hall["A"].uuid)})
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    login(client, clerk)  # staff are not remote queuers
    r = client.post(f"/hall/phone/{p}/take/", {"area": str(hall["A"].uuid)})
    assert r.status_code == 403
    login(client, citizen)
    r = client.post(f"/hall/phone/{p}/take/", {"area": str(hall["A"].uuid)})
    t = Ticket.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/hall/ticket/{t.uuid}/"
    assert (t.source, t.id_number) == ("phone", citizen.id_number)


def test_board_page_is_public_and_polls_the_database_endpoint(client: Client, hall: dict[str, Any]) -> None:
    r = client.get(f"/hall/board/{hall['point'].uuid}/")
    body = r.content.decode()
    assert r.status_code == 200
    assert f"/api/v1/hall/points/{hall['point'].uuid}/calls" in body and "board.js" in body


@pytest.mark.parametrize("page", ["windows", "manage"])
def test_point_staff_pages_refuse_anonymous_and_outsider(client: Client, hall: dict[str, Any], outsider: Any, page: str) -> None:
    path = f"/hall/{page}/{hall['point'].uuid}/"
    r = client.get(path)
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    login(client, outsider)
    assert client.get(path).status_code == 403


def test_window_page_refuses_outsider_and_other_townships(
    client: Client, hall: dict[str, Any], outsider: Any, township_officer: Any
) -> None:
    path = f"/hall/window/{hall['w1'].uuid}/"
    assert client.get(path).status_code == 302
    for who in (outsider, township_officer):
        login(client, who)
        assert client.get(path).status_code == 403
        r = client.post(f"/hall/window/{hall['w1'].uuid}/sign-in/")
        assert r.status_code == 403


def test_clerk_works_a_window_through_the_page(client: Client, hall: dict[str, Any], clerk: Any) -> None:
    a = services.ticket_issue(area=hall["A"], source="kiosk")
    w = hall["w1"].uuid
    login(client, clerk)
    assert client.get(f"/hall/windows/{hall['point'].uuid}/").status_code == 200
    assert "签到本窗口" in client.get(f"/hall/window/{w}/").content.decode()
    client.post(f"/hall/window/{w}/sign-in/")
    r = client.post(f"/hall/window/{w}/call-next/")
    assert r.status_code == 302
    page = client.get(f"/hall/window/{w}/").content.decode()
    assert "A001" in page and "重呼" in page
    r = client.post(f"/hall/window/{w}/start/", {"intake": "1"})
    assert r["Location"] == f"/workbench/intake/?ticket={a.uuid}"
    assert Ticket.objects.get(pk=a.pk).status == "serving"
    r = client.post(f"/hall/window/{w}/no-show/", follow=True)  # refused: serving, shown as a message
    assert r.status_code == 200
    assert Ticket.objects.get(pk=a.pk).status == "serving"
    client.post(f"/hall/window/{w}/transfer/", {"area": str(hall["F"].uuid), "position": "last"})
    assert Ticket.objects.get(pk=a.pk).area_id == hall["F"].pk
    assert client.post(f"/hall/window/{w}/bogus/").status_code == 404
    assert client.get(f"/hall/window/{w}/", HTTP_HX_REQUEST="true").status_code == 200


def test_manager_page_and_settings(client: Client, hall: dict[str, Any], clerk: Any, hall_manager: Any) -> None:
    services.ticket_issue(area=hall["A"], source="kiosk")
    path = f"/hall/manage/{hall['point'].uuid}/"
    login(client, clerk)
    assert client.get(path).status_code == 403
    r = client.post(f"{path}area/{hall['A'].uuid}/", {"daily_cap": "9"})
    assert r.status_code == 403
    login(client, hall_manager)
    r = client.get(path)
    assert r.status_code == 200 and "综合服务区" in r.content.decode()
    assert client.get(path, HTTP_HX_REQUEST="true").status_code == 200
    r = client.post(f"{path}area/{hall['A'].uuid}/", {"daily_cap": "9", "warn_level": "4", "service_level_minutes": "20"})
    assert r.status_code == 302
    hall["A"].refresh_from_db()
    assert (hall["A"].daily_cap, hall["A"].warn_level, hall["A"].service_level_minutes) == (9, 4, 20)
    r = client.post(f"{path}area/{hall['A'].uuid}/", {"daily_cap": "abc"}, follow=True)
    assert r.status_code == 200
    hall["A"].refresh_from_db()
    assert hall["A"].daily_cap == 9
    assert client.get(f"/hall/manage/{hall['tpoint'].uuid}/").status_code == 403


@pytest.mark.parametrize("model", ["servicepoint", "servicearea", "window", "ticket", "ticketevent", "windowsession"])
def test_admin_lists_the_hall(client: Client, hall: dict[str, Any], admin_user: Any, outsider: Any, model: str) -> None:
    services.ticket_issue(area=hall["A"], source="kiosk", id_number=resident_id("19560312", 228))
    login(client, outsider)
    assert client.get(f"/admin/hall/{model}/").status_code == 302
    login(client, admin_user)
    r = client.get(f"/admin/hall/{model}/")
    assert r.status_code == 200 and resident_id("19560312", 228) not in r.content.decode()
