"""The display board in a real browser (Playwright driving Debian's chromium): a call made through
the services (another connection, as another server process would) shows within 2 s, and the
announcements go through the queue in order, repeated, never overlapping. speechSynthesis is
replaced by a recorder that takes 300 ms per utterance, so overlap would be visible."""

from __future__ import annotations

import time
from typing import Any

import pytest

from conftest import BROWSER_MARKS
from onewindow.hall import services

from .conftest import make_area, make_point, make_window

pytestmark = BROWSER_MARKS

FAKE_SPEECH = """
window.__spoken = []; window.__overlap = false; let busy = false;
class FakeUtterance { constructor(text) { this.text = text; this.lang = ''; } }
window.SpeechSynthesisUtterance = FakeUtterance;
Object.defineProperty(window, 'speechSynthesis', { value: {
  getVoices() { return [{ lang: 'zh-CN', name: 'fake' }]; },
  speak(u) {
    if (busy) window.__overlap = true;
    busy = true;
    window.__spoken.push({ text: u.text, lang: u.lang, at: Date.now() });
    setTimeout(() => { busy = false; u.onend && u.onend(); }, 300);
  },
  onvoiceschanged: null,
}});
"""


@pytest.mark.django_db(transaction=True)
def test_board_shows_calls_within_two_seconds_and_announces_in_order(
    live_server: Any, org: Any, clerk: Any, browser: Any
) -> None:
    # (the browser fixture comes last: Playwright's loop must start after the database set-up)
    point = make_point(org["gov"], "QY-HALL", "青原区行政服务中心")
    area = make_area(point, "QY-A", "A")
    w3 = make_window(point, 3, (area, 1))
    for _ in range(3):
        services.ticket_issue(area=area, source="kiosk")
    services.window_sign_in(window=w3, actor=clerk)
    page = browser.new_page()
    page.add_init_script(FAKE_SPEECH)
    page.goto(f"{live_server.url}/hall/board/{point.uuid}/?repeat=2")
    page.click("#sound")
    page.wait_for_timeout(1200)  # the board has polled at least once

    t0 = time.monotonic()
    services.call_next(window=w3, actor=clerk)
    page.wait_for_function("() => document.getElementById('latest-number').textContent === 'A001'", timeout=2000)
    assert time.monotonic() - t0 < 2.0
    services.call_next(window=w3, actor=clerk)
    services.recall(window=w3, actor=clerk)
    page.wait_for_function("() => document.getElementById('w-3').textContent === 'A002'", timeout=2000)
    page.wait_for_function("() => window.__spoken.length >= 6", timeout=10000)
    spoken = page.evaluate("window.__spoken")
    assert [s["text"] for s in spoken[:6]] == ["请A零零一号到3号窗口办理"] * 2 + ["请A零零二号到3号窗口办理"] * 4
    assert all(s["lang"] == "zh-CN" for s in spoken)
    assert page.evaluate("window.__overlap") is False
    # a restarted board does not announce again what it already announced
    page.reload()
    page.click("#sound")
    page.wait_for_timeout(1800)
    assert page.evaluate("window.__spoken.length") == 0
    assert page.text_content("#latest-number") == "A002"
    page.close()  # stop polling before the live server and its database go away
    time.sleep(1.0)  # let a poll in flight finish and close its connection
