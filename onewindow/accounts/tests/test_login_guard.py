"""One login guard for every sign-in path (issue 13): the sign-in page (password and SMS code),
/admin/login/ and the API token endpoints all count failures in one place and all refuse a locked
account, whichever path the failures came from. Plus SMS-code sign-in, 找回密码 by the verified
phone, their rate limits, and no phone number next to a code in the logs."""

from __future__ import annotations

import datetime
import logging
from typing import Any

import pytest
import time_machine
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone

from conftest import PASSWORD, make_user
from onewindow.accounts import guard, phone
from onewindow.accounts.models import LoginFailure, PhoneCode, Role, User
from onewindow.core import ratelimit
from onewindow.core.errors import ValidationFailed
from onewindow.core.notify import MemoryBackend
from onewindow.core.testing import run_concurrently

pytestmark = pytest.mark.django_db
PHONE = "13900000001"


@pytest.fixture(autouse=True)
def _memory_sms(settings: Any) -> None:
    settings.ONEWINDOW_SMS_BACKEND = "onewindow.core.notify.MemoryBackend"
    MemoryBackend.sent.clear()


@pytest.fixture
def verified(citizen: User) -> User:
    User.objects.filter(pk=citizen.pk).update(phone_verified_at=timezone.now())
    citizen.refresh_from_db()
    return citizen


@pytest.fixture
def staff_admin(db: Any) -> User:
    return make_user("boss", Role.ADMIN, is_staff=True, is_superuser=True)


def last_code() -> str:
    body = MemoryBackend.sent[-1].body
    return next(word for word in body.replace("，", " ").split() if word.isdigit() and len(word) == 6)


def send_code(client: Client, purpose: str = "login", ip: str = "127.0.0.1") -> Any:
    url = "/accounts/login/" if purpose == "login" else "/accounts/password/forgot/"
    return client.post(url, {"way": "sms", "phone": PHONE, "send": "1"}, REMOTE_ADDR=ip)


def fail_at_admin(client: Client, username: str, times: int) -> None:
    for _ in range(times):
        client.post("/admin/login/", {"username": username, "password": "wrong-one", "next": "/admin/"})


# --- one guard ---------------------------------------------------------------------------------


def test_only_guarded_backends_sign_anyone_in() -> None:
    assert django_settings.AUTHENTICATION_BACKENDS == [
        "onewindow.accounts.backends.GuardedPasswordBackend",
        "onewindow.accounts.backends.PhoneCodeBackend",
    ]


def test_admin_login_is_locked_after_wrong_passwords(client: Client, staff_admin: User) -> None:
    fail_at_admin(client, "boss", 25)
    # Refused while locked: only the failures before the lock are recorded.
    assert LoginFailure.objects.filter(username="boss").count() == guard.free_tries()
    response = client.post("/admin/login/", {"username": "boss", "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_admin_failures_lock_the_sign_in_page(client: Client, staff_admin: User) -> None:
    fail_at_admin(client, "boss", guard.free_tries())
    response = client.post("/accounts/login/", {"username": "boss", "password": PASSWORD})
    assert response.status_code == 429 and "_auth_user_id" not in client.session


def test_admin_failures_lock_the_api_token(client: Client, staff_admin: User) -> None:
    fail_at_admin(client, "boss", guard.free_tries())
    response = client.post("/api/v1/accounts/token", {"username": "boss", "password": PASSWORD}, content_type="application/json")
    assert response.status_code == 429 and response.json()["code"] == "locked_out"
    assert not staff_admin.api_tokens.exists()


def test_api_token_failures_lock_the_admin(client: Client, staff_admin: User) -> None:
    for _ in range(guard.free_tries()):
        bad = client.post("/api/v1/accounts/token", {"username": "boss", "password": "x"}, content_type="application/json")
        assert bad.status_code == 422 and bad.json()["code"] == "bad_credentials"
    client.post("/admin/login/", {"username": "boss", "password": PASSWORD, "next": "/admin/"})
    assert "_auth_user_id" not in client.session


def test_password_failures_lock_the_sms_code(client: Client, verified: User, django_capture_on_commit_callbacks: Any) -> None:
    for _ in range(guard.free_tries()):
        client.post("/accounts/login/", {"username": "citizen", "password": "wrong-one"})
    with django_capture_on_commit_callbacks(execute=True):
        send_code(client)
    response = client.post("/accounts/login/", {"way": "sms", "phone": PHONE, "sms_code": last_code()})
    assert response.status_code == 429 and "_auth_user_id" not in client.session


def test_wrong_sms_codes_lock_the_password(client: Client, verified: User) -> None:
    send_code(client)
    for _ in range(guard.free_tries()):
        assert client.post("/accounts/login/", {"way": "sms", "phone": PHONE, "sms_code": "000000"}).status_code == 422
    response = client.post("/accounts/login/", {"username": "citizen", "password": PASSWORD})
    assert response.status_code == 429 and "_auth_user_id" not in client.session


# --- SMS code sign-in --------------------------------------------------------------------------


def test_sign_in_by_sms_code(client: Client, verified: User, django_capture_on_commit_callbacks: Any) -> None:
    page = client.get("/accounts/login/").content.decode()
    assert "手机验证码登录" in page and 'name="phone"' in page and "忘记密码" not in page  # SMS first
    with django_capture_on_commit_callbacks(execute=True):
        assert send_code(client).status_code == 200
    assert MemoryBackend.sent[-1].recipient == PHONE
    code = last_code()
    assert not PhoneCode.objects.filter(code_hash__contains=code).exists()
    response = client.post("/accounts/login/", {"way": "sms", "phone": PHONE, "sms_code": code})
    assert response.status_code == 302 and response["Location"] == "/me/"
    assert int(client.session["_auth_user_id"]) == verified.pk
    client.logout()
    # A code is used once.
    assert client.post("/accounts/login/", {"way": "sms", "phone": PHONE, "sms_code": code}).status_code == 422


def test_sms_code_expires_and_dies_after_wrong_tries(verified: User, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        phone.phone_code_send(phone=PHONE, purpose="login", ip=None)
    code = last_code()
    with time_machine.travel(timezone.now() + phone.CODE_LIFETIME + datetime.timedelta(seconds=1)):
        assert phone.phone_code_use(phone=PHONE, purpose="login", code=code) is None
    for _ in range(phone.CODE_MAX_TRIES):
        assert phone.phone_code_use(phone=PHONE, purpose="login", code="999999" if code != "999999" else "111111") is None
    assert phone.phone_code_use(phone=PHONE, purpose="login", code=code) is None


def test_unknown_or_unverified_phone_gets_the_same_answer_and_no_text(client: Client, citizen: User) -> None:
    # citizen's phone is not verified: no code, but the same page as for a registered number.
    response = send_code(client)
    assert response.status_code == 200 and "5分钟内有效" in response.content.decode()
    assert MemoryBackend.sent == [] and not PhoneCode.objects.exists()


def test_sms_sending_is_rate_limited(client: Client, verified: User) -> None:
    assert send_code(client).status_code == 200
    again = send_code(client)
    assert again.status_code == 429 and "1分钟" in again.content.decode()
    assert PhoneCode.objects.count() == 1
    # Per address, across numbers.
    for i in range(phone.SEND_PER_HOUR_PER_IP):
        client.post("/accounts/login/", {"way": "sms", "phone": f"1380000{i:04d}", "send": "1"}, REMOTE_ADDR="10.0.0.9")
    refused = client.post("/accounts/login/", {"way": "sms", "phone": "13700000000", "send": "1"}, REMOTE_ADDR="10.0.0.9")
    assert refused.status_code == 429


def test_sms_sending_per_hour_per_phone(verified: User) -> None:
    # The windows are fixed clock hours: start on the hour, so the 11 minutes never cross into the next.
    start = timezone.now().replace(minute=0, second=0, microsecond=0)
    for i in range(phone.SEND_PER_HOUR_PER_PHONE):
        with time_machine.travel(start + datetime.timedelta(minutes=2 * i), tick=False):
            phone.phone_code_send(phone=PHONE, purpose="login", ip=None)
    with (
        time_machine.travel(start + datetime.timedelta(minutes=11), tick=False),
        pytest.raises(ratelimit.RateLimited) as rate_limited,
    ):
        phone.phone_code_send(phone=PHONE, purpose="login", ip=None)
    assert rate_limited.value.code == "rate_limited"


def test_bad_phone_is_refused_and_changes_nothing(client: Client) -> None:
    response = client.post("/accounts/login/", {"way": "sms", "phone": "12345", "send": "1"})
    assert response.status_code == 422 and not PhoneCode.objects.exists()
    with pytest.raises(ValidationFailed) as exc:
        phone.phone_code_send(phone="abc", purpose="login", ip=None)
    assert exc.value.code == "bad_phone"


# --- 找回密码 ------------------------------------------------------------------------------------


def test_forgot_password_through_the_verified_phone(
    client: Client, verified: User, django_capture_on_commit_callbacks: Any
) -> None:
    assert "找回" in client.get("/accounts/login/?way=password").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        send_code(client, "reset")
    code = last_code()
    new = "Ganjiang#2026y"
    # A weak password is refused without spending the code.
    weak = client.post("/accounts/password/forgot/", {"phone": PHONE, "sms_code": code, "password": "123", "password2": "123"})
    assert weak.status_code == 422
    response = client.post("/accounts/password/forgot/", {"phone": PHONE, "sms_code": code, "password": new, "password2": new})
    assert response.status_code == 302 and int(client.session["_auth_user_id"]) == verified.pk
    client.logout()
    assert client.post("/accounts/login/", {"username": "citizen", "password": PASSWORD}).status_code == 422
    assert client.post("/accounts/login/", {"username": "citizen", "password": new}).status_code == 302


def test_forgot_password_wrong_codes_count_in_the_guard(client: Client, verified: User) -> None:
    send_code(client, "reset")
    for _ in range(guard.free_tries()):
        client.post(
            "/accounts/password/forgot/",
            {"phone": PHONE, "sms_code": "000000", "password": "Ganjiang#2026y", "password2": "Ganjiang#2026y"},
        )
    assert LoginFailure.objects.filter(username="citizen").count() == guard.free_tries()
    locked = client.post(
        "/accounts/password/forgot/",
        {"phone": PHONE, "sms_code": "000000", "password": "Ganjiang#2026y", "password2": "Ganjiang#2026y"},
    )
    assert locked.status_code == 429


# --- API ---------------------------------------------------------------------------------------


def test_api_sms_sign_in_and_reset(client: Client, verified: User, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post("/api/v1/accounts/sms-code", {"phone": PHONE}, content_type="application/json")
    assert sent.status_code == 202
    token = client.post("/api/v1/accounts/token/sms", {"phone": PHONE, "code": last_code()}, content_type="application/json")
    assert token.status_code == 201 and token.json()["user"]["username"] == "citizen"
    wrong = client.post("/api/v1/accounts/token/sms", {"phone": PHONE, "code": "000000"}, content_type="application/json")
    assert wrong.status_code == 422 and wrong.json()["code"] == "bad_code"
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2)):
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/api/v1/accounts/sms-code", {"phone": PHONE, "purpose": "reset"}, content_type="application/json")
        reset = client.post(
            "/api/v1/accounts/password/reset",
            {"phone": PHONE, "code": last_code(), "password": "Ganjiang#2026y"},
            content_type="application/json",
        )
    assert reset.status_code == 204
    verified.refresh_from_db()
    assert verified.check_password("Ganjiang#2026y")
    too_fast = client.post("/api/v1/accounts/sms-code", {"phone": PHONE}, content_type="application/json")
    assert too_fast.status_code == 429 and too_fast.json()["code"] == "rate_limited"


# --- logs --------------------------------------------------------------------------------------


def test_log_backend_never_prints_a_phone_with_its_code(
    verified: User, settings: Any, caplog: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.ONEWINDOW_SMS_BACKEND = "onewindow.core.notify.LogBackend"
    with caplog.at_level(logging.INFO), django_capture_on_commit_callbacks(execute=True):
        phone.phone_code_send(phone=PHONE, purpose="login", ip=None)
    text = caplog.text
    assert "验证码" in text and PHONE not in text and "139****0001" in text


# --- concurrency (real connections) ------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_rate_limit_holds_under_concurrent_requests() -> None:
    per = datetime.timedelta(hours=1)

    def one(i: int) -> bool:
        try:
            ratelimit.hit("test:burst", limit=3, per=per)
        except ratelimit.RateLimited:
            return False
        return True

    results = run_concurrently(one, 8)
    assert results.count(True) == 3 and results.count(False) == 5


@pytest.mark.django_db(transaction=True)
def test_a_code_signs_in_once_under_concurrent_use(verified: User) -> None:
    phone.phone_code_send(phone=PHONE, purpose="login", ip=None)
    code = last_code()
    results = run_concurrently(lambda i: phone.phone_code_use(phone=PHONE, purpose="login", code=code), 4)
    assert sum(1 for r in results if isinstance(r, User)) == 1
