"""Oversized and unreadable requests: refused before the body is read, in the error shape of the
API (`{code, message, fields}`) or on the translated error page (issue 13)."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

HUGE = str(300 * 1024 * 1024)


def test_api_body_over_the_cap_is_413_in_the_api_shape(client: Any) -> None:
    # The declared length is what counts: the 300 MB are never read (the body sent is tiny).
    r = client.post("/api/v1/accounts/token", data="{}", content_type="application/json", CONTENT_LENGTH=HUGE)
    assert r.status_code == 413
    assert r.json()["code"] == "too_large" and r.json()["fields"] == {} and r.json()["message"]


def test_json_over_the_memory_cap_is_413_not_a_bare_400(client: Any) -> None:
    body = '{"username": "' + "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10) + '"}'
    r = client.post("/api/v1/accounts/token", data=body, content_type="application/json")
    assert r.status_code == 413 and r.json()["code"] == "too_large"


def test_upload_page_over_the_cap_gets_a_translated_page(client: Any) -> None:
    ctype = "multipart/form-data; boundary=xyz"
    r = client.post("/accounts/login/", data="--xyz--", content_type=ctype, CONTENT_LENGTH=HUGE)
    assert r.status_code == 413
    assert "提交的内容太大" in r.content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    r = client.post("/accounts/login/", data="--xyz--", content_type=ctype, CONTENT_LENGTH=HUGE)
    assert r.status_code == 413 and "too large" in r.content.decode()


def test_upload_under_the_cap_is_read_as_usual(client: Any) -> None:
    r = client.post("/accounts/login/", data={"username": "nobody", "password": "wrong"})
    assert r.status_code == 422  # the login form again, with its own error


def test_unparseable_json_is_400_in_the_api_shape(client: Any) -> None:
    r = client.post("/api/v1/accounts/token", data="{bad json", content_type="application/json")
    assert r.status_code == 400
    assert r.json()["code"] == "bad_request" and "Expecting" not in r.json()["message"]


def test_a_length_that_is_not_a_number_is_400(client: Any) -> None:
    r = client.post("/api/v1/accounts/token", data="{}", content_type="application/json", CONTENT_LENGTH="lots")
    assert r.status_code == 400 and r.json()["code"] == "bad_request"


def test_unauthenticated_api_call_is_401_in_the_api_shape(client: Any) -> None:
    r = client.get("/api/v1/accounts/me")
    assert r.status_code == 401 and r.json()["code"] == "unauthenticated"
