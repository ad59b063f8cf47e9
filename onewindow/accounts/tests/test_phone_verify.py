"""Registration verifies the phone by SMS (and /me/ offers it to accounts never verified): only
hashes stored, 5-minute single-use codes, the send limits of every code, the login guard on wrong
codes. Once verified, SMS sign-in and 找回密码 work for a web-registered account. Abuse: another
account's code, a number already verified by someone else, anonymous callers, floods."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from conftest import make_user, resident_id
from onewindow.accounts.models import PhoneCode, Role, User
from onewindow.core.notify import MemoryBackend

pytestmark = pytest.mark.django_db
PHONE = "13912345678"
REG = {
    "display_name": "王小明",
    "id_number": resident_id("19850101", 321),
    "phone": PHONE,
    "username": "wangxm",
    "password": "Qingyuan#2021x",
    "password2": "Qingyuan#2021x",
    "privacy_consent": "on",
}
VERIFY = "/accounts/phone/verify/"


@pytest.fixture(autouse=True)
def _memory_sms(settings: Any) -> None:
    settings.ONEWINDOW_SMS_BACKEND = "onewindow.core.notify.MemoryBackend"
    MemoryBackend.sent.clear()


def last_code(to: str = PHONE) -> str:
    body = next(m.body for m in reversed(MemoryBackend.sent) if m.recipient == to)
    return next(word for word in body.replace("，", " ").split() if word.isdigit() and len(word) == 6)


def register(client: Client, capture: Any, **extra: str) -> Any:
    with capture(execute=True):
        return client.post("/accounts/register/", {**REG, **extra}, REMOTE_ADDR="10.0.0.5")


def test_registration_texts_a_code_and_the_code_verifies_the_phone(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    response = register(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    user = User.objects.get(username="wangxm")
    assert user.phone == PHONE and user.phone_verified_at is None
    page = client.get(response["Location"]).content.decode()
    assert "139****5678" in page and "验证码已发到" in page
    assert "您正在验证手机号" in MemoryBackend.sent[-1].body and MemoryBackend.sent[-1].recipient == PHONE
    code = last_code()
    assert not PhoneCode.objects.filter(code_hash__contains=code).exists()  # only hashes kept
    assert not PhoneCode.objects.filter(phone_key__contains=PHONE).exists()
    # Before verifying, SMS sign-in sends nothing to the number.
    anon = Client()
    with django_capture_on_commit_callbacks(execute=True):
        anon.post("/accounts/login/", {"way": "sms", "phone": PHONE, "send": "1"}, REMOTE_ADDR="10.0.0.6")
    assert len(MemoryBackend.sent) == 1

    done = client.post(VERIFY, {"sms_code": code, "next": "/me/"})
    assert done.status_code == 302 and done["Location"] == "/me/"
    user.refresh_from_db()
    assert user.phone_verified_at is not None
    # The code was single use.
    User.objects.filter(pk=user.pk).update(phone_verified_at=None)
    assert client.post(VERIFY, {"sms_code": code}).status_code == 422
    User.objects.filter(pk=user.pk).update(phone_verified_at=timezone.now())


def test_after_verifying_sms_sign_in_and_password_reset_work(client: Client, django_capture_on_commit_callbacks: Any) -> None:
    register(client, django_capture_on_commit_callbacks)
    client.post(VERIFY, {"sms_code": last_code()})
    client.logout()
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2)):
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/accounts/login/", {"way": "sms", "phone": PHONE, "send": "1"}, REMOTE_ADDR="10.0.0.7")
        assert "登录验证码" in MemoryBackend.sent[-1].body
        signed = client.post("/accounts/login/", {"way": "sms", "phone": PHONE, "sms_code": last_code()})
        assert signed.status_code == 302 and int(client.session["_auth_user_id"]) == User.objects.get(username="wangxm").pk
        client.logout()
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=4)):
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/accounts/password/forgot/", {"phone": PHONE, "send": "1"}, REMOTE_ADDR="10.0.0.7")
        new = "Ganjiang#2026y"
        reset = client.post(
            "/accounts/password/forgot/", {"phone": PHONE, "sms_code": last_code(), "password": new, "password2": new}
        )
        assert reset.status_code == 302
        client.logout()
        assert client.post("/accounts/login/", {"username": "wangxm", "password": new}).status_code == 302


def test_codes_expire_after_five_minutes(client: Client, django_capture_on_commit_callbacks: Any) -> None:
    register(client, django_capture_on_commit_callbacks)
    code = last_code()
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=5, seconds=5)):
        assert client.post(VERIFY, {"sms_code": code}).status_code == 422
    assert User.objects.get(username="wangxm").phone_verified_at is None


def test_another_accounts_code_does_not_verify_mine(client: Client, django_capture_on_commit_callbacks: Any) -> None:
    """Two unverified accounts with the same number: the code sent for one is no use to the other."""
    register(client, django_capture_on_commit_callbacks)
    other = make_user("other", Role.CITIZEN, id_number=resident_id("19900101", 111), phone=PHONE)
    other_client = Client()
    other_client.force_login(other)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2)):
        with django_capture_on_commit_callbacks(execute=True):
            assert other_client.post(VERIFY, {"send": "1"}, REMOTE_ADDR="10.0.0.8").status_code == 200
        code = last_code()
        assert client.post(VERIFY, {"sms_code": code}).status_code == 422
    assert not User.objects.filter(phone=PHONE, phone_verified_at__isnull=False).exists()


def test_a_number_verified_by_another_account_is_refused(client: Client, django_capture_on_commit_callbacks: Any) -> None:
    make_user(
        "owner", Role.CITIZEN, id_number=resident_id("19900101", 111), phone="13800000009", phone_verified_at=timezone.now()
    )
    register(client, django_capture_on_commit_callbacks)
    sent = len(MemoryBackend.sent)
    later = timezone.now() + datetime.timedelta(minutes=2)
    with time_machine.travel(later), django_capture_on_commit_callbacks(execute=True):
        r = client.post(VERIFY, {"send": "1", "phone": "13800000009"}, REMOTE_ADDR="10.0.0.9")
    assert r.status_code == 409 and "另一个账号" in r.content.decode()
    assert len(MemoryBackend.sent) == sent and User.objects.get(username="wangxm").phone == PHONE  # nothing changed


def test_correcting_a_wrong_number_texts_the_new_one(client: Client, django_capture_on_commit_callbacks: Any) -> None:
    register(client, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(VERIFY, {"send": "1", "phone": "13711112222"}, REMOTE_ADDR="10.0.0.5").status_code == 200
    assert MemoryBackend.sent[-1].recipient == "13711112222"
    assert client.post(VERIFY, {"sms_code": last_code("13711112222")}).status_code == 302
    user = User.objects.get(username="wangxm")
    assert user.phone == "13711112222" and user.phone_verified_at is not None


def test_sending_is_rate_limited_and_wrong_codes_kill_the_code(client: Client, django_capture_on_commit_callbacks: Any) -> None:
    register(client, django_capture_on_commit_callbacks)
    code = last_code()
    again = client.post(VERIFY, {"send": "1"}, REMOTE_ADDR="10.0.0.5")  # within the minute
    assert again.status_code == 429 and len(MemoryBackend.sent) == 1
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        assert client.post(VERIFY, {"sms_code": wrong}).status_code == 422
    assert client.post(VERIFY, {"sms_code": code}).status_code in (422, 429)  # dead after five tries (or locked)
    assert User.objects.get(username="wangxm").phone_verified_at is None


def test_outsiders_are_refused(client: Client, citizen: User) -> None:
    for method in ("get", "post"):
        r = getattr(client, method)(VERIFY, {"send": "1"} if method == "post" else None)
        assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")
    assert not PhoneCode.objects.exists()


def test_me_offers_verification_to_an_unverified_account(client: Client, citizen: User) -> None:
    client.force_login(citizen)
    assert 'id="phone-unverified"' in client.get("/me/").content.decode()
    User.objects.filter(pk=citizen.pk).update(phone_verified_at=timezone.now())
    assert 'id="phone-unverified"' not in client.get("/me/").content.decode()
    assert "已验证" in client.get(VERIFY).content.decode()
    r = client.post(VERIFY, {"send": "1"})
    assert r.status_code == 422 and not PhoneCode.objects.exists()


def test_api_verifies_the_phone_and_refuses_outsiders(
    client: Client, citizen: User, django_capture_on_commit_callbacks: Any
) -> None:
    api = "/api/v1/accounts/me/phone/verify"
    assert client.post(f"{api}/send", {}, content_type="application/json").status_code == 401
    assert client.post(api, {"code": "123456"}, content_type="application/json").status_code == 401
    assert (
        client.post(
            "/api/v1/accounts/sms-code", {"phone": citizen.phone, "purpose": "verify"}, content_type="application/json"
        ).status_code
        == 422
    )
    client.force_login(citizen)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"{api}/send", {}, content_type="application/json").status_code == 202
    code = last_code(citizen.phone)
    assert (
        client.post(api, {"code": "999999" if code != "999999" else "888888"}, content_type="application/json").status_code == 422
    )
    ok = client.post(api, {"code": code}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["phone_verified"] is True
    assert client.post(f"{api}/send", {}, content_type="application/json").json()["code"] == "already_verified"
