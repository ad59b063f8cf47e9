"""Citizen and enterprise accounts: registration with real-name checks, password rules, lockout
stored in the database, care mode that sticks to the account, enterprise handlers, API tokens."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.test import Client, override_settings
from django.utils import timezone

from conftest import PASSWORD, login, make_user
from onewindow.accounts import guard, services
from onewindow.accounts.demo import enterprise_uscc, resident_id
from onewindow.accounts.models import ApiToken, Enterprise, EnterpriseHandler, LoginFailure, Role, User
from onewindow.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed

pytestmark = pytest.mark.django_db


GOOD = {
    "display_name": "王小明",
    "id_number": resident_id("19850101", 321),
    "phone": "13912345678",
    "username": "wangxm",
    "password": "Qingyuan#2021x",
    "password2": "Qingyuan#2021x",
    "privacy_consent": "on",
}


def test_register_citizen_page_logs_in(client: Client) -> None:
    response = client.post("/accounts/register/", GOOD)
    # Signed in, then on to verify the phone (a code is texted at once; tests/test_phone_verify.py).
    assert response.status_code == 302 and response["Location"].startswith("/accounts/phone/verify/?next=%2Fme%2F")
    user = User.objects.get(username="wangxm")
    # The offline backend checks the number but verifies nobody (a clerk does, at a window).
    assert user.verified_at is None and user.has_role(Role.CITIZEN) and user.id_number == GOOD["id_number"]
    assert client.get("/me/").status_code == 200


@pytest.mark.parametrize(
    ("field", "value", "text"),
    [
        ("id_number", "360803198501013219", "校验位"),
        ("phone", "12345", "11位手机号码"),
        ("password", "12345678", "密码"),
        ("username", "a", "用户名"),
    ],
)
def test_register_refuses_bad_input_and_creates_nothing(client: Client, field: str, value: str, text: str) -> None:
    data = {**GOOD, field: value}
    if field == "password":
        data["password2"] = value
    response = client.post("/accounts/register/", data)
    assert response.status_code == 200 and text in response.content.decode()
    assert not User.objects.filter(username=data["username"]).exists()


def test_same_id_number_is_never_held_twice(citizen: User) -> None:
    # Registration does not say the number is taken (test_realname.py): the new account goes without it.
    another = services.account_register_citizen(
        username="another",
        password="Qingyuan#2021x",
        display_name="刘秀英",
        id_number=citizen.id_number or "",
        phone="13900000009",
        privacy_consent=True,
    )
    assert another.id_number is None and User.objects.filter(id_number=citizen.id_number).count() == 1
    with pytest.raises(Conflict) as conflict:
        services.citizen_register(
            username="counter", password="Qingyuan#2021x", display_name="刘秀英", id_number=citizen.id_number or "", phone=""
        )
    assert conflict.value.code == "id_taken"


@override_settings(ONEWINDOW_REALNAME_BACKEND="onewindow.accounts.tests.test_portal_accounts.RefusingBackend")
def test_realname_backend_is_pluggable() -> None:
    with pytest.raises(ValidationFailed) as err:
        services.account_register_citizen(
            username="someone",
            password="Qingyuan#2021x",
            display_name="王小明",
            id_number=GOOD["id_number"],
            phone="13912345678",
            privacy_consent=True,
        )
    assert err.value.code == "realname_refused" and not User.objects.filter(username="someone").exists()


class RefusingBackend:
    """Stands for a province identity service that does not know the person."""

    def verify_person(self, *, name: str, id_number: str) -> str:
        raise ValidationFailed("身份信息核验未通过。", code="realname_refused")

    def verify_enterprise(self, *, uscc: str, name: str, legal_representative: str) -> str:
        raise ValidationFailed("企业信息核验未通过。", code="realname_refused")


def test_register_enterprise_and_manage_handlers(client: Client, citizen: User, outsider: User) -> None:
    data = {**GOOD, "enterprise_name": "吉安市青原区测试有限公司", "uscc": enterprise_uscc(77), "is_sole_trader": ""}
    assert client.post("/accounts/register/enterprise/", data).status_code == 302
    ent = Enterprise.objects.get(uscc=enterprise_uscc(77))
    legal = ent.handlers.get().user
    assert ent.legal_representative == "王小明" and legal.has_role(Role.ENTERPRISE)
    page = f"/accounts/enterprises/{ent.uuid}/"
    assert client.post(page, {"username": "citizen", "id_number": "wrong"}).status_code == 200
    assert not ent.handlers.filter(user=citizen).exists()
    assert client.post(page, {"username": "citizen", "id_number": citizen.id_number}).status_code == 302
    assert ent.handlers.filter(user=citizen, kind=EnterpriseHandler.Kind.HANDLER).exists()
    # a handler may see the enterprise but not manage handlers
    with pytest.raises(PermissionDenied) as denied:
        services.enterprise_handler_add(enterprise=ent, actor=citizen, username="outsider", id_number=outsider.id_number or "")
    assert denied.value.code == "permission_denied"
    # an outsider cannot even see it
    login(client, outsider)
    assert client.get(page).status_code == 404
    assert client.post(page, {"remove": "citizen"}).status_code == 404
    assert ent.handlers.filter(user=citizen).exists()


def test_bad_uscc_is_refused(client: Client) -> None:
    data = {**GOOD, "enterprise_name": "某公司", "uscc": "91360803MA00000000"}
    response = client.post("/accounts/register/enterprise/", data)
    assert response.status_code == 200 and not Enterprise.objects.exists() and not User.objects.filter(username="wangxm").exists()


def test_lockout_per_username_and_address_even_with_the_right_password(client: Client, citizen: User) -> None:
    for _ in range(guard.free_tries()):
        assert client.post("/accounts/login/", {"username": "citizen", "password": "wrong-one"}).status_code == 422
    assert LoginFailure.objects.filter(username="citizen").count() == guard.free_tries()
    locked = client.post("/accounts/login/", {"username": "citizen", "password": PASSWORD})
    assert locked.status_code == 429 and "_auth_user_id" not in client.session
    # time-boxed: after the window the right password works and clears the failures
    with time_machine.travel(timezone.now() + guard.window() + datetime.timedelta(seconds=5)):
        ok = client.post("/accounts/login/", {"username": "citizen", "password": PASSWORD})
        assert ok.status_code == 302 and client.session["_auth_user_id"] == str(citizen.pk)
    assert not LoginFailure.objects.filter(username="citizen").exists()


def test_lockout_per_ip_across_usernames(client: Client, citizen: User) -> None:
    now = timezone.now()
    LoginFailure.objects.bulk_create(
        [LoginFailure(username=f"guess{i}", ip="127.0.0.1", at=now) for i in range(guard.per_address())]
    )
    assert client.post("/accounts/login/", {"username": "citizen", "password": PASSWORD}).status_code == 429
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.post("/accounts/login/", {"username": "citizen", "password": PASSWORD}).status_code == 302
    assert services.login_failures_purge() == 0
    with time_machine.travel(now + guard.window() * 5):
        assert services.login_failures_purge() == guard.per_address()


def test_session_expires(settings: Any) -> None:
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600 and settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_care_mode_sticks_to_the_account(client: Client, citizen: User) -> None:
    login(client, citizen)
    response = client.post("/accounts/care-mode/", {"enabled": "1", "next": "/me/"})
    assert response.status_code == 302 and response["Location"] == "/me/"
    citizen.refresh_from_db()
    assert citizen.care_mode
    other_device = login(Client(), citizen)
    assert 'class="care' in other_device.get("/").content.decode()
    client.post("/accounts/care-mode/", {"enabled": "0"})
    citizen.refresh_from_db()
    assert not citizen.care_mode


def test_care_mode_for_visitors_is_a_cookie(client: Client) -> None:
    client.post("/accounts/care-mode/", {"enabled": "1", "next": "https://evil.example/"})
    assert 'class="care' in client.get("/").content.decode()
    assert client.get("/accounts/care-mode/").status_code == 405


def test_api_tokens(citizen: User) -> None:
    token, secret = services.api_token_create(user=citizen, name="phone")
    assert services.api_token_user(secret) == citizen
    assert ApiToken.objects.get().key_hash != secret and secret not in str(ApiToken.objects.values_list())
    assert services.api_token_user(secret + "x") is None
    with pytest.raises(NotFound) as missing:  # another's token is not found for them
        services.api_token_revoke(token=token, actor=make_user("someone"))
    assert missing.value.code == "not_found"
    services.api_token_revoke(token=token, actor=citizen)
    assert services.api_token_user(secret) is None
    _t2, s2 = services.api_token_create(user=citizen, days=1)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=2)):
        assert services.api_token_user(s2) is None
