"""Staff sessions end after ONEWINDOW_STAFF_IDLE_MINUTES without a request; citizens' do not."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.conf import settings as django_settings

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def idle_on(settings: Any) -> None:
    settings.ONEWINDOW_STAFF_IDLE_MINUTES = 15


def test_staff_signed_out_after_the_idle_limit(client: Any, clerk: Any) -> None:
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(clerk)
        assert client.get("/workbench/").status_code == 200
        clock.shift(datetime.timedelta(minutes=14))
        assert client.get("/workbench/").status_code == 200  # active: the clock starts again
        clock.shift(datetime.timedelta(minutes=14))
        assert client.get("/workbench/").status_code == 200
        clock.shift(datetime.timedelta(minutes=16))
        r = client.get("/workbench/")
        assert r.status_code == 302 and r["Location"].startswith("/accounts/login/?next=/workbench/")
        page = client.get(r["Location"]).content.decode()
        assert "未操作" in page  # told why, on the sign-in page
        assert client.get("/workbench/").status_code == 302  # really signed out


def test_api_answers_401_in_the_api_shape(client: Any, clerk: Any) -> None:
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(clerk)
        client.get("/workbench/")
        clock.shift(datetime.timedelta(minutes=20))
        r = client.get("/api/v1/accounts/me")
        assert r.status_code == 401 and r.json()["code"] == "session_expired"


def test_citizen_sessions_are_not_cut(client: Any, citizen: Any) -> None:
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(citizen)
        client.get("/me/")
        clock.shift(datetime.timedelta(hours=2))
        assert client.get("/me/").status_code == 200


def test_message_in_english(client: Any, clerk: Any) -> None:
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(clerk)
        client.get("/workbench/")
        clock.shift(datetime.timedelta(minutes=30))
        r = client.get("/workbench/", follow=True)
        assert "signed out" in r.content.decode()
