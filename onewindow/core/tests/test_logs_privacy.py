"""No personal data in logs: ID and mobile numbers masked by the log filter, notifications logged
with the recipient masked, and no query string in the web server's access log."""

from __future__ import annotations

import logging
import runpy
from pathlib import Path
from typing import Any

from django.conf import settings

from onewindow.core.identity import MaskIdentityFilter, mask_text
from onewindow.core.models import Notification
from onewindow.core.notify import LogBackend


def _filtered(message: str, *args: object) -> str:
    record = logging.LogRecord("t", logging.INFO, __file__, 1, message, args or None, None)
    MaskIdentityFilter().filter(record)
    return record.getMessage()


def test_filter_masks_mobile_numbers_and_ids() -> None:
    line = _filtered("code 482913 sent to %s for %s", "13912345678", "36082119900101001X")
    assert "13912345678" not in line and "139****5678" in line
    assert "36082119900101001X" not in line
    assert _filtered("+86 13800001111 rang") == "138****1111 rang"
    # Not a mobile number: longer digit runs (case numbers, amounts) are left alone.
    assert mask_text("QY20260101000123456") == "QY20260101000123456"
    assert mask_text("0796-8200000") == "0796-8200000"


def test_console_handler_has_the_filter() -> None:
    logging_config: dict[str, Any] = settings.LOGGING
    assert "mask_ids" in logging_config["handlers"]["console"]["filters"]


def test_log_backend_never_prints_a_whole_phone(caplog: object) -> None:
    n = Notification(channel="sms", recipient="13912345678", subject="", body="查询码 AB12CD，咨询电话 13700001234")
    logger = logging.getLogger("onewindow.notify")
    handler = logging.Handler()
    seen: list[str] = []
    handler.emit = lambda record: seen.append(record.getMessage())  # type: ignore[method-assign]
    handler.addFilter(MaskIdentityFilter())
    logger.addHandler(handler)
    try:
        LogBackend().send(n)
    finally:
        logger.removeHandler(handler)
    assert seen and "13912345678" not in seen[0] and "13700001234" not in seen[0]
    assert "139****5678" in seen[0] and "AB12CD" in seen[0]


def test_access_log_has_no_query_string() -> None:
    conf = runpy.run_path(str(Path(settings.BASE_DIR) / "gunicorn.conf.py"))
    fmt = conf["access_log_format"]
    # %(r)s is the request line with the query string, %(q)s the query, %(f)s the referrer.
    assert "%(U)s" in fmt and all(atom not in fmt for atom in ("%(r)s", "%(q)s", "%(f)s"))
