"""Real-name registration (issue 13): verified only when the identity backend confirms who holds
the number (a check warns in production under the local backend), registration throttled per
address, no answer that tells whether a number is registered, and the real owner reclaims a
number at a window (document checked, audited, the other account told)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings

from conftest import make_user, resident_id
from onewindow.accounts import services
from onewindow.accounts.checks import production_sign_in
from onewindow.accounts.models import Role, User
from onewindow.core.models import AuditEntry, Notification

pytestmark = pytest.mark.django_db
NUMBER = resident_id("19850101", 321)


def form(username: str, number: str = NUMBER, phone: str = "13912345678") -> dict[str, str]:
    pw = "Qingyuan#2021x"
    return {
        "display_name": "王小明",
        "id_number": number,
        "phone": phone,
        "username": username,
        "password": pw,
        "password2": pw,
        "privacy_consent": "on",
    }


class ConfirmingBackend:
    """Stands for the province's identity service: it says who holds a number."""

    confirms_identity = True

    def verify_person(self, *, name: str, id_number: str) -> str:
        return id_number

    def verify_enterprise(self, *, uscc: str, name: str, legal_representative: str) -> str:
        return uscc


def test_local_backend_verifies_nobody(client: Client) -> None:
    response = client.post("/accounts/register/", form("wangxm"), follow=True)
    user = User.objects.get(username="wangxm")
    assert user.verified_at is None and user.id_number == NUMBER
    assert "实名核验尚未完成" in response.content.decode()


@override_settings(ONEWINDOW_REALNAME_BACKEND="onewindow.accounts.tests.test_realname.ConfirmingBackend")
def test_a_confirming_backend_verifies() -> None:
    data: dict[str, Any] = {k: v for k, v in form("wangxm").items() if k != "password2"} | {"privacy_consent": True}
    user = services.account_register_citizen(**data)
    assert user.verified_at is not None


def test_registration_does_not_tell_whether_a_number_is_registered(client: Client, citizen: User) -> None:
    fresh = Client().post("/accounts/register/", form("first", resident_id("19900101", 111), "13911111111"), follow=True)
    taken = client.post("/accounts/register/", form("second", citizen.id_number or "", "13922222222"), follow=True)
    assert fresh.status_code == taken.status_code == 200
    # The same words and the same next page, whether or not the number was someone else's.
    for response in (fresh, taken):
        assert "实名核验尚未完成" in response.content.decode() and response.redirect_chain[0][0].startswith(
            "/accounts/phone/verify/"
        )
    second = User.objects.get(username="second")
    assert second.id_number is None and second.verified_at is None
    assert User.objects.get(pk=citizen.pk).id_number == citizen.id_number  # the holder keeps it
    assert AuditEntry.objects.filter(action="user.register", target_id=str(second.pk), data__id_withheld=True).exists()
    # /me/ shows no masked number before verification, for either account.
    assert "实名待核验" in client.get("/me/").content.decode()
    api = Client()
    api.force_login(second)
    assert api.get("/api/v1/accounts/me").json()["masked_id_number"] == ""


def test_api_registration_same_answer_for_a_taken_number(client: Client, citizen: User) -> None:
    data = {k: v for k, v in form("third", citizen.id_number or "", "13933333333").items() if k != "password2"} | {
        "privacy_consent": True
    }
    response = client.post("/api/v1/accounts/register", data, content_type="application/json")
    assert response.status_code == 201 and response.json()["verified"] is False and response.json()["masked_id_number"] == ""


def test_registration_is_throttled_per_address(client: Client, settings: Any) -> None:
    settings.ONEWINDOW_REGISTER_PER_HOUR = 3
    url = "/api/v1/accounts/register"
    for i in range(3):
        data = {
            k: v for k, v in form(f"user{i}", resident_id("19900101", 200 + i), f"1391234567{i}").items() if k != "password2"
        } | {"privacy_consent": True}
        assert client.post(url, data, content_type="application/json", REMOTE_ADDR="203.0.113.5").status_code == 201
    data = {k: v for k, v in form("user9", resident_id("19900101", 209), "13912345679").items() if k != "password2"} | {
        "privacy_consent": True
    }
    refused = client.post(url, data, content_type="application/json", REMOTE_ADDR="203.0.113.5")
    assert refused.status_code == 429 and not User.objects.filter(username="user9").exists()
    assert client.post(url, data, content_type="application/json", REMOTE_ADDR="203.0.113.6").status_code == 201
    page = client.post(
        "/accounts/register/", form("user10", resident_id("19900101", 210), "13912345670"), REMOTE_ADDR="203.0.113.5"
    )
    assert not User.objects.filter(username="user10").exists() and "频繁" in page.content.decode()


def test_production_check_warns_about_the_local_backend(settings: Any) -> None:
    settings.DEBUG = False
    settings.ONEWINDOW_REALNAME_BACKEND = "onewindow.accounts.realname.LocalBackend"
    assert "onewindow.W101" in [m.id for m in production_sign_in()]
    settings.ONEWINDOW_REALNAME_BACKEND = "onewindow.accounts.tests.test_realname.ConfirmingBackend"
    assert "onewindow.W101" not in [m.id for m in production_sign_in()]
    settings.DEBUG = True
    assert production_sign_in() == []


# --- reclaiming at a window --------------------------------------------------------------------


def test_the_owner_reclaims_a_number_at_a_window(client: Client, clerk: User, django_capture_on_commit_callbacks: Any) -> None:
    thief = make_user("thief", Role.CITIZEN, id_number=NUMBER, phone="13944444444")
    owner = make_user("owner", Role.CITIZEN)
    client.force_login(clerk)
    assert client.get("/accounts/window/identity/").status_code == 200
    data = {"username": "owner", "display_name": "王小明", "id_number": NUMBER}
    unchecked = client.post("/accounts/window/identity/", data)
    assert unchecked.status_code == 422 and User.objects.get(pk=thief.pk).id_number == NUMBER
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post("/accounts/window/identity/", {**data, "document_checked": "on"})
    assert done.status_code == 302
    owner.refresh_from_db()
    thief.refresh_from_db()
    assert owner.id_number == NUMBER and owner.verified_at is not None and owner.display_name == "王小明"
    assert thief.id_number is None and thief.verified_at is None
    assert AuditEntry.objects.filter(action="user.id_reclaimed", target_id=str(thief.pk), actor=clerk).exists()
    entry = AuditEntry.objects.get(action="user.verify_at_window", target_id=str(owner.pk))
    assert entry.data["reclaimed_from"] == "thief" and entry.data["document_checked"] is True and NUMBER not in str(entry.data)
    told = Notification.objects.get(user=thief, kind="id_reclaimed")
    assert told.recipient == "13944444444"


def test_only_window_staff_verify(client: Client, citizen: User, approver: User, outsider: User) -> None:
    for person in (citizen, approver, outsider):
        client.force_login(person)
        assert client.get("/accounts/window/identity/").status_code == 403
    anonymous = Client().get("/accounts/window/identity/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_staff_accounts_are_not_touched_at_the_window(client: Client, clerk: User, approver: User) -> None:
    client.force_login(clerk)
    response = client.post(
        "/accounts/window/identity/",
        {"username": "approver_zjj", "display_name": "x", "id_number": NUMBER, "document_checked": "on"},
    )
    assert response.status_code == 422 and User.objects.get(pk=approver.pk).id_number is None
