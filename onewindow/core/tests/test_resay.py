"""A stored message read again in the reader's language (core.resay): the template it was made
from is found, data kept, UI values translated; anything else is left as stored."""

from __future__ import annotations

from django.utils import translation

from onewindow.core.resay import resay

CASE_SMS = "您的办件 QY2026040100001（城乡居民基本医疗保险参保登记）状态更新：一次性告知补正材料。查询码 UXSSYR。"


def test_a_case_message_is_said_again_in_english_with_its_data_kept() -> None:
    with translation.override("en"):
        text = resay(CASE_SMS)
    assert text.startswith("Your case QY2026040100001 (城乡居民基本医疗保险参保登记)"), text
    assert "UXSSYR" in text and "一次性告知" not in text  # the status label is a UI string: translated


def test_a_plain_ui_string_and_unknown_text() -> None:
    with translation.override("en"):
        assert resay("办件进度") == "Case progress"
        assert resay("村里通知：明天开会") == "村里通知：明天开会"  # no template: as stored
        assert resay("") == ""
    assert resay(CASE_SMS) == CASE_SMS  # read in Chinese: as stored
