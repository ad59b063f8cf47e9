"""Consent to the privacy notice at registration (PIPL): refused without it (page and API, citizen
and enterprise, nothing stored, a translated reason); recorded with the notice's version, the time
and the channel; the notice page in both languages, its version a setting."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from onewindow.accounts.demo import enterprise_uscc, resident_id
from onewindow.accounts.models import PrivacyConsent, User
from onewindow.core.models import AuditEntry

pytestmark = pytest.mark.django_db

API = "/api/v1/accounts"
PAGE = {
    "display_name": "王小明",
    "id_number": resident_id("19850101", 321),
    "phone": "13912345678",
    "username": "wangxm",
    "password": "Qingyuan#2021x",
    "password2": "Qingyuan#2021x",
}


@pytest.fixture(autouse=True)
def _notice_version(settings: Any) -> None:
    settings.PRIVACY_NOTICE_VERSION = "2026-12-test"


def api_data(**extra: Any) -> dict[str, Any]:
    return {k: v for k, v in PAGE.items() if k != "password2"} | extra


def test_the_page_refuses_a_registration_without_the_ticked_box(client: Client) -> None:
    r = client.post("/accounts/register/", PAGE)
    assert r.status_code == 200 and "请阅读并同意《个人信息保护告知》后再注册。" in r.content.decode()
    assert not User.objects.exists() and not PrivacyConsent.objects.exists()
    r = client.post("/accounts/register/", {**PAGE, "privacy_consent": "on"})
    assert r.status_code == 302
    consent = PrivacyConsent.objects.get()
    assert (consent.user.username, consent.notice_version, consent.channel) == ("wangxm", "2026-12-test", "web")
    assert AuditEntry.objects.filter(action="privacy.consent", data__version="2026-12-test").count() == 1


def test_the_register_page_links_the_notice(client: Client) -> None:
    body = client.get("/accounts/register/").content.decode()
    assert 'name="privacy_consent"' in body and 'href="/accounts/privacy/"' in body


def test_the_api_refuses_without_consent_in_english_and_records_it_with_it() -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    for body in (api_data(), api_data(privacy_consent=False), api_data(privacy_consent="yes")):
        r = client.post(f"{API}/register", body, content_type="application/json")
        assert r.status_code == 422, r.content
        assert not User.objects.exists()
    r = client.post(f"{API}/register", api_data(), content_type="application/json")
    assert r.json()["fields"]["privacy_consent"] == ["Please read and agree to the privacy notice before you register."]
    r = client.post(f"{API}/register", api_data(privacy_consent=True), content_type="application/json")
    assert r.status_code == 201
    consent = PrivacyConsent.objects.get()
    assert (consent.notice_version, consent.channel, consent.user.username) == ("2026-12-test", "api", "wangxm")
    assert consent.given_at is not None
    notice = client.get(f"{API}/privacy-notice").json()
    assert notice["version"] == "2026-12-test" and notice["url"].endswith("/accounts/privacy/")


def test_enterprise_registration_needs_it_too(client: Client) -> None:
    data = {**PAGE, "enterprise_name": "吉安市青原区测试有限公司", "uscc": enterprise_uscc(77)}
    assert client.post("/accounts/register/enterprise/", data).status_code == 200
    assert not User.objects.exists()
    r = Client().post(
        f"{API}/register/enterprise",
        api_data(enterprise_name="吉安市青原区测试有限公司", uscc=enterprise_uscc(77)),
        content_type="application/json",
    )
    assert r.status_code == 422 and "privacy_consent" in r.json()["fields"]
    assert client.post("/accounts/register/enterprise/", {**data, "privacy_consent": "on"}).status_code == 302
    assert PrivacyConsent.objects.get().user.username == "wangxm"


@pytest.mark.parametrize(
    ("language", "title", "days"), [("zh-hans", "个人信息保护告知", "保存 180 天"), ("en", "Privacy notice", "180 days")]
)
def test_the_notice_page_in_both_languages(client: Client, language: str, title: str, days: str) -> None:
    client.cookies["django_language"] = language
    r = client.get("/accounts/privacy/", HTTP_ACCEPT_LANGUAGE=language)
    body = r.content.decode()
    assert r.status_code == 200 and title in body and "2026-12-test" in body and days in body
