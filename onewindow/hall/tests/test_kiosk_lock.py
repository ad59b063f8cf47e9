"""Issue 13: kiosk pages are bound to a registered device (the same token as the kiosk API) and
rate limited; the green channel needs staff confirmation. Each test fails on the code before."""

from __future__ import annotations

import json
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from conftest import login
from onewindow.hall import kiosk
from onewindow.hall.kiosk import KIOSK_COOKIE
from onewindow.hall.models import ServicePoint, Ticket

from .conftest import KIOSK_TOKEN

pytestmark = pytest.mark.django_db


def kiosk_urls(point: ServicePoint, area: Any) -> list[tuple[str, str, dict[str, str]]]:
    p = point.uuid
    return [
        ("get", f"/hall/kiosk/{p}/", {}),
        ("get", f"/catalog/kiosk/{p}/search/?q=bdc", {}),
        ("post", f"/hall/kiosk/{p}/take/", {"area": str(area.uuid), "green": "1"}),
        ("get", f"/appointments/kiosk/{p}/check-in/", {}),
        ("post", f"/appointments/kiosk/{p}/check-in/", {"code": "NOPE"}),
    ]


@pytest.mark.parametrize("cookie", [None, "wrong-token", "zxz-token"])  # none, forged, another hall's kiosk
def test_kiosk_pages_refuse_a_browser_that_is_not_a_registered_kiosk(
    client: Client, hall: dict[str, Any], cookie: str | None
) -> None:
    if cookie:
        client.cookies[KIOSK_COOKIE] = cookie
    for method, url, data in kiosk_urls(hall["point"], hall["A"]):
        response = getattr(client, method)(url, data)
        assert response.status_code == 403, url
    assert not Ticket.objects.exists()


def test_a_signed_in_citizen_is_no_kiosk_either(client: Client, hall: dict[str, Any], citizen: Any) -> None:
    login(client, citizen)
    assert client.post(f"/hall/kiosk/{hall['point'].uuid}/take/", {"area": str(hall["A"].uuid)}).status_code == 403
    assert not Ticket.objects.exists()


def test_a_manager_registers_the_device_and_can_rotate_the_token(
    client: Client, hall: dict[str, Any], hall_manager: Any, clerk: Any
) -> None:
    url = f"/hall/kiosk/{hall['point'].uuid}/register/"
    assert client.get(url).status_code == 302  # anonymous: to the sign-in page
    login(client, clerk)
    assert client.post(url).status_code == 403 and KIOSK_COOKIE not in client.cookies
    login(client, hall_manager)
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.status_code == 302 and client.cookies[KIOSK_COOKIE].value == KIOSK_TOKEN
    assert client.cookies[KIOSK_COOKIE]["httponly"]
    client.logout()  # the test client's logout drops every cookie: put the device's back
    client.cookies[KIOSK_COOKIE] = KIOSK_TOKEN
    assert client.get(f"/hall/kiosk/{hall['point'].uuid}/").status_code == 200  # the device, not the person
    login(client, hall_manager)
    client.post(url, {"rotate": "1"})
    client.logout()
    client.cookies[KIOSK_COOKIE] = KIOSK_TOKEN
    assert client.get(f"/hall/kiosk/{hall['point'].uuid}/").status_code == 403
    hall["point"].refresh_from_db()
    assert hall["point"].kiosk_token != KIOSK_TOKEN


def test_kiosk_take_is_rate_limited(client: Client, hall: dict[str, Any]) -> None:
    client.cookies[KIOSK_COOKIE] = KIOSK_TOKEN
    url = f"/hall/kiosk/{hall['point'].uuid}/take/"
    with time_machine.travel(timezone.now().replace(second=1), tick=False):  # inside one window
        for _ in range(kiosk.KIOSK_ACTIONS_PER_MINUTE):
            assert client.post(url, {"area": str(hall["A"].uuid)}).status_code == 302
        refused = client.post(url, {"area": str(hall["A"].uuid)})
    assert refused.status_code == 429
    assert Ticket.objects.count() == kiosk.KIOSK_ACTIONS_PER_MINUTE


def test_green_channel_waits_for_staff_confirmation(client: Client, hall: dict[str, Any], clerk: Any, outsider: Any) -> None:
    client.cookies[KIOSK_COOKIE] = KIOSK_TOKEN
    client.post(f"/hall/kiosk/{hall['point'].uuid}/take/", {"area": str(hall["A"].uuid), "green": "1"})
    t = Ticket.objects.get()
    assert (t.priority, t.green_requested) == ("normal", True)
    assert "出示证件" in client.get(f"/hall/ticket/{t.uuid}/receipt/").content.decode()
    url = f"/hall/green/{hall['point'].uuid}/"
    assert client.get(url).status_code == 302  # anonymous
    login(client, outsider)
    assert client.get(url).status_code == 403
    assert client.post(url, {"ticket": str(t.uuid), "approve": "1"}).status_code == 403
    t.refresh_from_db()
    assert t.priority == "normal"
    login(client, clerk)
    assert t.number in client.get(url).content.decode()
    client.post(url, {"ticket": str(t.uuid), "approve": "1"})
    t.refresh_from_db()
    assert (t.priority, t.priority_rank, t.green_requested) == ("green", 2, False)
    # Confirmed once: a second confirmation changes nothing and says so.
    again = client.post(url, {"ticket": str(t.uuid), "approve": "1"}, follow=True)
    assert "已被叫号或已处理" in again.content.decode()


def test_green_channel_declined_keeps_the_normal_place(hall: dict[str, Any], clerk: Any) -> None:
    t = kiosk.kiosk_take(area=hall["A"], id_number=None, green=True)
    kiosk.green_confirm(point=hall["point"], ticket_uuid=t.uuid, actor=clerk, approve=False)
    t.refresh_from_db()
    assert (t.priority, t.green_requested) == ("normal", False)


def test_api_kiosk_green_is_a_request_too(client: Client, hall: dict[str, Any]) -> None:
    r = client.post(
        "/api/v1/hall/kiosk/tickets",
        data=json.dumps({"area": str(hall["A"].uuid), "priority": "green"}),
        content_type="application/json",
        HTTP_X_KIOSK_TOKEN=KIOSK_TOKEN,
    )
    assert r.status_code == 201
    t = Ticket.objects.get()
    assert (t.priority, t.green_requested) == ("normal", True)
