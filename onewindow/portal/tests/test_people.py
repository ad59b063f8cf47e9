"""Issue 9: /me/ for people - cases first, then bookings, then messages; messages written for
people (no raw SMS text, no long links, each once); status words and colours a villager
understands (a refusal is never green; legal terms explained); an instant matter reads 即时办结;
the public progress page reachable from the home page and from every case message; 关怀版 header
without English or codes."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.template import Context, Template
from django.test import Client
from django.utils import timezone, translation

from conftest import login
from onewindow.accounts.sms import signed
from onewindow.cases import services as case_services
from onewindow.core.models import Notification
from onewindow.materials import services as material_services
from onewindow.portal.messages import for_people
from onewindow.portal.templatetags.people import case_state
from onewindow.portal.testing import png_file

from .test_portal_pages import apply_online

pytestmark = pytest.mark.django_db


def test_refusal_and_denial_are_never_green() -> None:
    for status, decision in [("refused", ""), ("concluded", "denied"), ("delivered", "denied"), ("decided", "denied")]:
        words, colour, meaning = case_state(SimpleNamespace(status=status, decision=decision))
        assert colour == "red" and meaning, (status, decision)
    assert case_state(SimpleNamespace(status="concluded", decision="approved"))[1] == "green"
    words, colour, meaning = case_state(SimpleNamespace(status="paused", decision=""))
    assert "中止" not in str(words) and "不算超期" in str(meaning)


def test_legal_terms_of_the_timeline_are_explained_in_either_language() -> None:
    from django.utils import translation

    from onewindow.portal.templatetags.people import plain

    assert "不算超期" in str(plain("中止计时"))
    with translation.override("en"):
        label = translation.gettext("中止计时")  # the timeline shows the label translated
        assert label != "中止计时"
        explained = str(plain(label))
        assert explained and not any("\u4e00" <= ch <= "\u9fff" for ch in explained), explained
    assert plain("已办结") == ""


def test_an_instant_matter_never_reads_zero_working_days() -> None:
    rendered = Template("{% load people %}{% time_limit 0 %}|{% time_limit 5 %}").render(Context())
    assert rendered == "即时办结|承诺 5 个工作日"


def test_me_shows_cases_then_bookings_then_messages(client: Client, online_matter: Any, citizen: Any, clerk: Any) -> None:
    material_services.library_upload(actor=citizen, file=png_file(), name="居民身份证", shared_key="id_card")
    login(client, citizen)
    case = apply_online(client, online_matter)
    case_services.case_refuse(case=case, actor=clerk, reasons="不属于本部门受理范围")
    page = client.get("/me/").content.decode()
    assert page.index('id="my-cases"') < page.index('id="my-bookings"') < page.index('id="my-messages"')
    cases_part = page[page.index('id="my-cases"') : page.index('id="my-bookings"')]
    assert "不予受理" in cases_part and "tag-red" in cases_part and "tag-green" not in cases_part
    # The case message leads to the public progress page (number + check code).
    assert f"/cases/progress/?n={case.number}&amp;c={case.check_code}" in page


def test_messages_are_written_for_people_and_shown_once(client: Client, citizen: Any) -> None:
    link = "http://127.0.0.1:8000/appointments/manage/" + "eyJhbGciOiJIUzI1NiJ9" * 6 + "/"
    with translation.override("zh-hans"):
        body = signed("您已预约，取消或改约：" + link, None)  # as a booking's SMS is stored: 【青原区政务服务】…
    assert body.startswith("【青原区政务服务】")
    for channel in ("sms", "site"):
        Notification.objects.create(channel=channel, recipient="x", user=citizen, body=body, kind="appt.booked")
    login(client, citizen)
    for url in ("/me/", "/me/notifications/"):
        page = client.get(url).content.decode()
        assert page.count("您已预约") == 1, url
        assert "【" not in page and "http://127.0.0.1:8000/appointments/manage/" not in page
        assert 'href="/appointments/manage/' in page  # a button where the link led
    message = for_people(Notification(body=body, kind="appt.booked", channel="sms"))
    assert message.text == "您已预约，取消或改约" and message.link.startswith("/appointments/manage/")


def test_a_county_signed_message_reads_without_its_signature_in_either_language() -> None:
    """Messages are signed by their county (accounts/sms.py), in the language they were sent in;
    /me/ drops the signature either way and says the rest in the reader's language."""
    sent_in_chinese = Notification(
        body="【吉州区政务服务】您 2026-12-03 14:00-14:30 的预约（ABCD2345）已取消。", kind="appointment.cancelled"
    )
    sent_in_english = Notification(
        body="[Jizhou District Government Services] Your booking for 2026-12-03 14:00-14:30 (ABCD2345) was cancelled.",
        kind="appointment.cancelled",
    )
    english = "Your booking for 2026-12-03 14:00-14:30 (ABCD2345) was cancelled."
    with translation.override("zh-hans"):
        assert for_people(sent_in_chinese).text == "您 2026-12-03 14:00-14:30 的预约（ABCD2345）已取消。"
        assert for_people(sent_in_english).text == english
    with translation.override("en"):
        assert for_people(sent_in_chinese).text == english
        assert for_people(sent_in_english).text == english


def test_progress_page_is_reachable_from_the_home_page(client: Client) -> None:
    home = client.get("/").content.decode()
    assert 'href="/cases/progress/"' in home
    page = client.get("/cases/progress/")
    assert page.status_code == 200 and 'name="n"' in page.content.decode() and 'name="c"' in page.content.decode()


def test_care_mode_header_has_no_english_and_no_codes(client: Client, citizen: Any) -> None:
    client.cookies["care_mode"] = "1"
    home = client.get("/").content.decode()
    header = home[home.index("<header") : home.index("</header>")]
    assert "English" not in header and "bdc" not in home
    # The masked ID number shows only for a verified account (accounts/realname.py).
    type(citizen).objects.filter(pk=citizen.pk).update(verified_at=timezone.now())
    login(client, citizen)
    client.post("/accounts/care-mode/", {"enabled": "1"})
    me = client.get("/me/").content.decode()
    assert 'class="hide-in-care"' in me  # the masked ID number is hidden in care mode
