"""Signing in by SMS code inside a walk: the texts go to the in-process MemoryBackend (the live
server runs in the test's process), so the walk reads the code the way a person reads their phone."""

from __future__ import annotations

import re
from typing import Any

MEMORY_BACKEND = "onewindow.core.notify.MemoryBackend"


def use_memory_sms(settings: Any) -> None:
    """Call with pytest-django's `settings` fixture before the walk starts."""
    from .notify import MemoryBackend

    settings.ONEWINDOW_SMS_BACKEND = MEMORY_BACKEND
    MemoryBackend.sent.clear()


def last_code(phone: str) -> str:
    from .notify import MemoryBackend

    for message in reversed(MemoryBackend.sent):
        if message.recipient == phone:
            found = re.search(r"(?<!\d)(\d{6})(?!\d)", message.body)
            if found:
                return found.group(1)
    raise AssertionError(f"no code was texted to {phone[:3]}****{phone[-4:]}")


def sms_login(w: Any, phone: str) -> Any:
    """From the current page: the header's sign-in link, the phone, 获取验证码, the code, 登录."""
    w.click("header a[href*='/accounts/login/']")
    w.fill("input[name=phone]", phone)
    w.click("button[name=send]")
    w.expect(".msg-success")
    w.fill("input[name=sms_code]", last_code(phone))
    w.click("button[name=login]")
    return w
