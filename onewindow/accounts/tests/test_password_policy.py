"""Staff password policy per 等保 (issue 13): minimum length, three of four character classes,
no reuse of the last N, expiry - all settings; an expired password leads to the change page at
sign-in before anything else."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from conftest import PASSWORD
from onewindow.accounts import passwords
from onewindow.accounts.models import PasswordHistory, User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _policy(settings: Any) -> None:
    settings.ONEWINDOW_STAFF_PASSWORD_MIN_LENGTH = 10
    settings.ONEWINDOW_STAFF_PASSWORD_CLASSES = 3
    settings.ONEWINDOW_STAFF_PASSWORD_HISTORY = 3
    settings.ONEWINDOW_STAFF_PASSWORD_MAX_AGE_DAYS = 90


def codes(password: str, user: User) -> set[str]:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return {e.code for e in exc.error_list if e.code}
    return set()


def test_staff_passwords_need_length_and_three_classes(clerk: User, citizen: User) -> None:
    assert "staff_password_too_short" in codes("Ab1!xyz", clerk)
    assert "staff_password_classes" in codes("qingyuanwindow", clerk)
    assert "staff_password_classes" in codes("qingyuan2026x", clerk)  # lower + digit: two classes
    assert codes("Qingyuan-window", clerk) == set()
    assert codes("Qingyuan2026", clerk) == set()
    # Citizens keep the ordinary rules.
    assert codes("qingyuan2026x", citizen) == set()


def test_the_last_passwords_cannot_be_reused(clerk: User) -> None:
    used = ["Ganjiang#2026a", "Ganjiang#2026b", "Ganjiang#2026c", "Ganjiang#2026d"]
    for pw in used:
        assert codes(pw, clerk) == set()
        clerk.set_password(pw)
        clerk.save()
    assert PasswordHistory.objects.filter(user=clerk).count() == 3  # trimmed to the history size
    assert "staff_password_reused" in codes("Ganjiang#2026d", clerk)  # the current one
    assert "staff_password_reused" in codes("Ganjiang#2026b", clerk)
    assert codes("Ganjiang#2026a", clerk) == set()  # four back: allowed again


def test_an_expired_password_leads_to_the_change_page_first(client: Client, clerk: User) -> None:
    User.objects.filter(pk=clerk.pk).update(date_joined=timezone.now() - datetime.timedelta(days=91))
    clerk.refresh_from_db()
    assert passwords.is_expired(clerk)
    client.post("/accounts/login/", {"username": "clerk", "password": PASSWORD})
    held = client.get("/workbench/")
    assert held.status_code == 302 and held["Location"].startswith("/accounts/password/change/")
    api = client.get("/api/v1/accounts/me")
    assert api.status_code == 401 and api.json()["code"] == "password_expired"
    page = client.get("/accounts/password/change/")
    assert page.status_code == 200 and "已过期" in page.content.decode()
    weak = client.post(
        "/accounts/password/change/", {"old_password": PASSWORD, "new_password": PASSWORD, "new_password2": PASSWORD}
    )
    assert weak.status_code == 422
    new = "Ganjiang#2027q"
    wrong_old = client.post("/accounts/password/change/", {"old_password": "nope", "new_password": new, "new_password2": new})
    assert wrong_old.status_code == 422
    done = client.post(
        "/accounts/password/change/", {"old_password": PASSWORD, "new_password": new, "new_password2": new, "next": "/workbench/"}
    )
    assert done.status_code == 302 and done["Location"] == "/workbench/"
    assert client.get("/workbench/").status_code == 200  # still signed in, not expired any more
    clerk.refresh_from_db()
    assert not passwords.is_expired(clerk) and clerk.check_password(new)


def test_citizens_do_not_expire(client: Client, citizen: User) -> None:
    User.objects.filter(pk=citizen.pk).update(date_joined=timezone.now() - datetime.timedelta(days=900))
    client.post("/accounts/login/", {"username": "citizen", "password": PASSWORD})
    assert client.get("/me/").status_code == 200


def test_policy_settings_exist() -> None:
    from onewindow.config import settings as conf

    assert conf.ONEWINDOW_STAFF_PASSWORD_MIN_LENGTH >= 8
    assert conf.ONEWINDOW_STAFF_PASSWORD_CLASSES == 3
    assert conf.ONEWINDOW_STAFF_PASSWORD_HISTORY >= 3
    assert conf.ONEWINDOW_STAFF_PASSWORD_MAX_AGE_DAYS > 0
