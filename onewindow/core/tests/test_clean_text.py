"""core.parsing.clean_text: the one cleaner of text that services take from callers other than a
request (commands, imports); requests are cleaned once by StripNulMiddleware."""

from __future__ import annotations

from onewindow.core.parsing import clean_text


def test_clean_text_removes_nul_strips_and_cuts() -> None:
    assert clean_text("  a\x00b \x00 ", 10) == "ab"
    assert clean_text(" a\x00b ", strip=False) == " ab "
    assert clean_text("x" * 50 + "\x00", 5) == "xxxxx"
    assert clean_text(None) == "" and clean_text("") == ""
    assert clean_text(42) == "42"


def test_services_called_outside_a_request_still_get_clean_text() -> None:
    """The service helpers that commands and imports reach go through clean_text, not copies."""
    from onewindow.assistance.services._common import clean
    from onewindow.catalog.search import MatterQuery

    assert clean("张\x00三 ", 10) == "张三"
    assert MatterQuery.from_params({"q": " 低保\x00 "}).q == "低保"
    assert MatterQuery(q="低\x00保 户口").terms == ["低保", "户口"]
