"""Messages written for people: what the platform told a person, as /me/ shows it.

The outbox keeps what was sent (an SMS is a short text signed with its county's name in brackets,
accounts/sms.py, and sometimes a long signed link). A page shows it for reading: no signature
(【...】, or "[... Government Services]" when it was sent in English), no raw address (a
button to where it leads instead), a case message leads to the case's progress page, and a text
sent both by SMS and as a site message appears once. It is read in the page's language
(core.resay), whatever language it was sent in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from onewindow.core.resay import resay

_PREFIX = re.compile(r"^\s*(?:【[^】]{1,30}】|\[[^\]]{1,60} Government Services\])\s*")
_URL = re.compile(r"https?://\S+")
_CASE_NUMBER = re.compile(r"办件\s*([A-Za-z0-9-]{6,40})")
_CHECK_CODE = re.compile(r"查询码\s*([A-Z0-9]{4,16})")

_TITLES = {
    "case": _("办件进度"),
    "appt": _("预约"),
    "appointment": _("预约"),
    "filing": _("备案"),
}


@dataclass
class Message:
    title: str
    text: str
    at: Any
    link: str = ""
    link_label: str = ""


def _own_path(url: str) -> str:
    """The path of a link to this site (so the page links there), or "" for another site's."""
    parts = urlsplit(url.rstrip("。，.,)）"))
    ours = urlsplit(settings.ONEWINDOW_PUBLIC_BASE_URL)
    if parts.netloc and parts.netloc != ours.netloc:
        return ""
    return parts.path + (f"?{parts.query}" if parts.query else "")


def for_people(notification: Any) -> Message:
    stored = _PREFIX.sub("", notification.body or "")
    # Said again in the reader's language (the text was stored as sent: an SMS in Chinese).
    body = resay(stored)
    link, label = "", ""
    urls = _URL.findall(body)
    if urls:
        link = _own_path(urls[0])
        label = str(_("打开"))
        body = _URL.sub("", body)
        body = re.sub(r"[：:]\s*(?=[。，,.]|$)", "", body).strip()
    kind = (notification.kind or "").split(".")[0]
    if kind == "case" and not link:
        number, code = _CASE_NUMBER.search(stored), _CHECK_CODE.search(stored)
        if number and code:
            link = reverse("cases:progress") + "?" + urlencode({"n": number.group(1), "c": code.group(1)})
            label = str(_("查看办件进度"))
    title = resay(notification.subject) if notification.subject else str(_TITLES.get(kind, _("消息")))
    return Message(title=title, text=body, at=notification.created_at, link=link, link_label=label)
