"""Second factor for staff and administrators (issue 13): TOTP (django-otp), SMS as fallback,
enrolment with a QR code drawn here, recovery by the security administrator; enforced on every
sign-in path - the sign-in page, /admin/, the API's session and its bearer tokens."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import PASSWORD, make_user
from onewindow.accounts import mfa
from onewindow.accounts.models import LoginFailure, Role, User
from onewindow.accounts.services import role_grant
from onewindow.core.models import AuditEntry, Notification
from onewindow.core.notify import MemoryBackend

pytestmark = pytest.mark.django_db
KEY = b"0123456789abcdefghij".hex()
PHONE = "13900000077"


@pytest.fixture(autouse=True)
def _on(settings: Any) -> None:
    settings.ONEWINDOW_STAFF_OTP_REQUIRED = True
    settings.ONEWINDOW_SMS_BACKEND = "onewindow.core.notify.MemoryBackend"
    MemoryBackend.sent.clear()


def with_device(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", key=KEY, confirmed=True)


def code(at_step: int = 0) -> str:
    import time

    return mfa.demo_code(KEY, time.time() + 30 * at_step)


def sign_in(client: Client, username: str = "clerk") -> Any:
    return client.post("/accounts/login/", {"username": username, "password": PASSWORD, "next": "/workbench/"})


def last_sms() -> str:
    body = MemoryBackend.sent[-1].body
    return next(word for word in body.replace("，", " ").split() if word.isdigit() and len(word) == 6)


def test_production_default_is_on() -> None:
    from onewindow.config import settings as conf

    assert conf.ONEWINDOW_STAFF_OTP_REQUIRED is True


def test_staff_password_sign_in_stops_at_the_second_factor(client: Client, clerk: User) -> None:
    with_device(clerk)
    response = sign_in(client)
    assert response.status_code == 302
    # Signed in, but every page leads to the second factor, and the API answers 401.
    page = client.get("/workbench/")
    assert page.status_code == 302 and page["Location"].startswith("/accounts/second-factor/")
    api = client.get("/api/v1/accounts/me")
    assert api.status_code == 401 and api.json()["code"] == "second_factor_required"
    form = client.get(page["Location"])
    assert form.status_code == 200 and 'id="otp-totp"' in form.content.decode()
    wrong = client.post("/accounts/second-factor/", {"by": "totp", "otp": "000000" if code() != "000000" else "111111"})
    assert wrong.status_code == 422 and LoginFailure.objects.filter(username="clerk").count() == 1
    # django-otp throttles the device after a wrong code (1 s, doubling): the right one a moment later.
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=2)):
        right = client.post("/accounts/second-factor/", {"by": "totp", "otp": code(), "next": "/workbench/"})
    assert right.status_code == 302 and right["Location"] == "/workbench/"
    assert client.get("/workbench/").status_code == 200
    assert client.get("/api/v1/accounts/me").status_code == 200
    assert AuditEntry.objects.filter(action="user.second_factor", data__how="totp").exists()
    # The same code cannot be used twice (a replay).
    client.logout()
    sign_in(client)
    assert client.post("/accounts/second-factor/", {"by": "totp", "otp": code()}).status_code == 422


def test_citizens_are_not_asked(client: Client, citizen: User) -> None:
    client.post("/accounts/login/", {"username": "citizen", "password": PASSWORD})
    assert client.get("/me/").status_code == 200


def test_admin_login_is_held_at_the_second_factor(client: Client, admin_user: User) -> None:
    with_device(admin_user)
    response = client.post("/admin/login/", {"username": "admin", "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 302
    held = client.get("/admin/")
    assert held.status_code == 302 and held["Location"].startswith("/accounts/second-factor/")
    assert client.get("/admin/accounts/user/").status_code == 302
    client.post("/accounts/second-factor/", {"by": "totp", "otp": code()})
    assert client.get("/admin/").status_code == 200


def test_api_token_for_staff_needs_the_code(client: Client, clerk: User, citizen: User) -> None:
    url = "/api/v1/accounts/token"
    none = client.post(url, {"username": "clerk", "password": PASSWORD}, content_type="application/json")
    assert none.status_code == 401 and none.json()["code"] == "second_factor_required"
    assert not clerk.api_tokens.exists()
    with_device(clerk)
    wrong = client.post(url, {"username": "clerk", "password": PASSWORD, "otp": "12345x"}, content_type="application/json")
    assert wrong.status_code == 422 and wrong.json()["code"] == "bad_otp"
    ok = client.post(url, {"username": "clerk", "password": PASSWORD, "otp": code()}, content_type="application/json")
    assert ok.status_code == 201
    plain = client.post(url, {"username": "citizen", "password": PASSWORD}, content_type="application/json")
    assert plain.status_code == 201


def test_sms_fallback_but_not_after_an_sms_sign_in(client: Client, clerk: User, django_capture_on_commit_callbacks: Any) -> None:
    with_device(clerk)
    User.objects.filter(pk=clerk.pk).update(phone=PHONE, phone_verified_at=timezone.now())
    sign_in(client)
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post("/accounts/second-factor/", {"send": "1"})
    assert sent.status_code == 200 and 'id="otp-sms"' in sent.content.decode()
    ok = client.post("/accounts/second-factor/", {"by": "sms", "otp": last_sms(), "next": "/workbench/"})
    assert ok.status_code == 302 and client.get("/workbench/").status_code == 200
    # Signed in by an SMS code: the phone cannot be the second factor too.
    for first in ("sms", "password_reset"):  # a code texted to the phone was the first factor
        request = type("R", (), {"session": {mfa.FIRST_FACTOR_KEY: first}})()
        assert not mfa.sms_allowed(request, User.objects.get(pk=clerk.pk))


def test_sms_sign_in_sets_the_first_factor(client: Client, clerk: User, django_capture_on_commit_callbacks: Any) -> None:
    with_device(clerk)
    User.objects.filter(pk=clerk.pk).update(phone=PHONE, phone_verified_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/login/", {"way": "sms", "phone": PHONE, "send": "1"})
    client.post("/accounts/login/", {"way": "sms", "phone": PHONE, "sms_code": last_sms()})
    assert client.session[mfa.FIRST_FACTOR_KEY] == "sms"
    page = client.get("/accounts/second-factor/").content.decode()
    assert 'id="otp-totp"' in page and 'id="sms-form"' not in page
    assert client.post("/accounts/second-factor/", {"send": "1"}).status_code == 422


def test_enrolment_after_the_sms_code(client: Client, clerk: User, django_capture_on_commit_callbacks: Any) -> None:
    User.objects.filter(pk=clerk.pk).update(phone=PHONE, phone_verified_at=timezone.now())
    sign_in(client)
    # No authenticator yet: enrolment is reached only through the SMS code.
    assert client.get("/accounts/second-factor/enrol/").status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/second-factor/", {"send": "1"})
    to_enrol = client.post("/accounts/second-factor/", {"by": "sms", "otp": last_sms()})
    assert to_enrol["Location"].startswith("/accounts/second-factor/enrol/")
    # Still held until an authenticator is bound.
    assert client.get("/workbench/")["Location"].startswith("/accounts/second-factor/enrol/")
    page = client.get("/accounts/second-factor/enrol/").content.decode()
    assert "<svg" in page and "http" not in page.split("<svg", 1)[1].split("</svg>", 1)[0].replace("http://www.w3.org", "")
    device = TOTPDevice.objects.get(user=clerk, confirmed=False)
    assert mfa.enrol_secret(device) in page
    assert client.post("/accounts/second-factor/enrol/", {"otp": "000000"}).status_code == 422
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=2)):
        ok = client.post("/accounts/second-factor/enrol/", {"otp": mfa.demo_code(device.key), "next": "/workbench/"})
    assert ok.status_code == 302 and client.get("/workbench/").status_code == 200
    assert TOTPDevice.objects.filter(user=clerk, confirmed=True).count() == 1
    assert AuditEntry.objects.filter(action="user.otp_enrol").exists()


def test_enrolment_on_first_use_without_a_phone(client: Client, clerk: User) -> None:
    sign_in(client)
    assert client.get("/workbench/")["Location"].startswith("/accounts/second-factor/enrol/")
    client.get("/accounts/second-factor/enrol/")
    device = TOTPDevice.objects.get(user=clerk)
    client.post("/accounts/second-factor/enrol/", {"otp": mfa.demo_code(device.key)})
    assert client.get("/workbench/").status_code == 200


def test_outsider_cannot_open_the_second_factor_pages(client: Client) -> None:
    for url in ("/accounts/second-factor/", "/accounts/second-factor/enrol/", "/accounts/password/change/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


# --- recovery by the security administrator ----------------------------------------------------


@pytest.fixture
def secadmin(db: Any) -> User:
    user = make_user("secadmin")
    role_grant(user=user, role=Role.SECURITY_ADMIN, actor=None)
    with_device(user)
    return user


def _verified(client: Client, user: User) -> Client:
    client.force_login(user)
    session = client.session
    session[mfa.VERIFIED_KEY] = user.pk
    session.save()
    return client


def test_security_admin_resets_a_lost_authenticator(
    client: Client, clerk: User, secadmin: User, django_capture_on_commit_callbacks: Any
) -> None:
    with_device(clerk)
    User.objects.filter(pk=clerk.pk).update(phone=PHONE)
    _verified(client, secadmin)
    page = client.get("/accounts/security/clerk/")
    assert page.status_code == 200
    assert client.post("/accounts/security/clerk/", {"reset": "1", "reason": ""}).status_code == 422
    assert TOTPDevice.objects.filter(user=clerk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post("/accounts/security/clerk/", {"reset": "1", "reason": "手机丢失，已核对工作证"})
    assert done.status_code == 302 and not TOTPDevice.objects.filter(user=clerk).exists()
    assert AuditEntry.objects.filter(action="user.otp_reset", actor=secadmin).exists()
    assert Notification.objects.filter(user=clerk, kind="otp_reset").exists()


def test_only_the_security_admin_resets(client: Client, clerk: User, admin_user: User, citizen: User) -> None:
    with_device(clerk)
    for person in (admin_user, clerk, citizen):
        _verified(client, person)
        assert client.get("/accounts/security/").status_code == 403
        assert client.post("/accounts/security/clerk/", {"reset": "1", "reason": "x"}).status_code == 403
    assert TOTPDevice.objects.filter(user=clerk).exists()
    anonymous = Client().get("/accounts/security/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_security_admin_unlocks(client: Client, clerk: User, secadmin: User) -> None:
    LoginFailure.objects.create(username="clerk", ip="203.0.113.9", at=timezone.now())
    _verified(client, secadmin)
    assert "203.0.113.9" in client.get("/accounts/security/").content.decode()
    client.post("/accounts/security/clerk/", {"unlock": "1"})
    assert not LoginFailure.objects.filter(username="clerk").exists()
    assert AuditEntry.objects.filter(action="user.unlock").exists()
