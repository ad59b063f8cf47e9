"""The signature of a message (accounts/sms.py, issue 17): the county whose service sent it, in
the active language, from a per-process cache of the counties' names that a rename empties."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from onewindow.accounts import sms
from onewindow.accounts.models import County

pytestmark = pytest.mark.django_db


@pytest.fixture
def counties(db: Any) -> dict[str, County]:
    return {
        "qy": County.default(),  # 青原区 360803, the deployment's first
        "ja": County.objects.create(code="360821", name="吉安县", city_code="360800", case_prefix="JA"),
    }


def test_a_message_is_signed_by_its_own_county(counties: dict[str, County]) -> None:
    with translation.override("zh-hans"):
        assert sms.signed("您的预约已取消。", "360821") == "【吉安县政务服务】您的预约已取消。"
        assert sms.signed("您的预约已取消。", "360803") == "【青原区政务服务】您的预约已取消。"


def test_no_county_or_an_unknown_one_signs_as_the_deployments_first(counties: dict[str, County]) -> None:
    with translation.override("zh-hans"):
        assert sms.signature(None) == "【青原区政务服务】"
        assert sms.signature("999999") == "【青原区政务服务】"


def test_the_signature_is_in_the_active_language(counties: dict[str, County]) -> None:
    with translation.override("en"):
        assert sms.signed("Your booking was cancelled.", "360821") == (
            "[Ji'an County Government Services] Your booking was cancelled."
        )
        # A county without an English name (visitor.ENGLISH_NAMES) keeps its Chinese one.
        County.objects.create(code="360822", name="吉水县", city_code="360800", case_prefix="JS")
        assert sms.signature("360822") == "[吉水县 Government Services] "


def test_names_are_read_once_and_a_rename_is_seen_at_once(counties: dict[str, County], django_assert_num_queries: Any) -> None:
    with translation.override("zh-hans"):
        with django_assert_num_queries(1):  # every county's name in one statement
            sms.signature("360821")
            sms.signature("360803")
        with django_assert_num_queries(0):  # warm: no statement
            assert sms.signature("360821") == "【吉安县政务服务】"
        county = counties["ja"]
        county.name = "吉安县（新）"
        county.save()  # post_save empties this process's cache
        assert sms.signature("360821") == "【吉安县（新）政务服务】"
        county.delete()
        assert sms.signature("360821") == "【青原区政务服务】"


def test_a_county_added_elsewhere_is_read_on_its_first_message(counties: dict[str, County]) -> None:
    """Another process's new county (no signal here): its code is missing from the cache, which is
    read again once rather than signing with the first county's name."""
    with translation.override("zh-hans"):
        sms.signature("360803")
        County.objects.bulk_create([County(code="360802", name="吉州区", city_code="360800", case_prefix="JZ")])  # no signal
        assert sms.signature("360802") == "【吉州区政务服务】"


def test_an_old_cache_is_read_again(counties: dict[str, County], monkeypatch: pytest.MonkeyPatch) -> None:
    """A rename in another process (no signal here) shows once the cache is CACHE_SECONDS old."""
    clock = [1000.0]
    monkeypatch.setattr("onewindow.accounts.sms.time.monotonic", lambda: clock[0])
    with translation.override("zh-hans"):
        assert sms.signature("360821") == "【吉安县政务服务】"
        County.objects.filter(pk="360821").update(name="吉安县（改）")  # no signal
        assert sms.signature("360821") == "【吉安县政务服务】"
        clock[0] += sms.CACHE_SECONDS + 1
        assert sms.signature("360821") == "【吉安县（改）政务服务】"
