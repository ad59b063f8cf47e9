"""The public progress check (办件进度查询: /cases/progress/, the API's /cases/progress, the ratings
kiosk): a case number and its check code, no sign-in.

Case numbers are not secret (QY + date + a daily counter), so the check code is the only key. It
is guarded twice, in the database (core.ratelimit, shared by every worker):
- per address: at most `ONEWINDOW_PROGRESS_LOOKUPS_PER_ADDRESS` look-ups in 10 minutes (30);
- per case number: after `ONEWINDOW_PROGRESS_FAILURES_PER_CASE` wrong codes in an hour (10) the
  number answers nothing, right code or not, until the hour is over: guessing one case's code from
  many addresses gets 10 tries an hour. New codes have 8 characters of a 32-letter alphabet (40
  bits; 6 before, which keep working).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils.translation import gettext as _

from onewindow.core import ratelimit

from . import selectors
from .models import Case

ADDRESS_WINDOW = datetime.timedelta(minutes=10)
CASE_WINDOW = datetime.timedelta(hours=1)


def _limits() -> tuple[int, int]:
    return (
        int(getattr(settings, "ONEWINDOW_PROGRESS_LOOKUPS_PER_ADDRESS", 30)),
        int(getattr(settings, "ONEWINDOW_PROGRESS_FAILURES_PER_CASE", 10)),
    )


def lookup(*, number: str, code: str, address: str | None) -> Case | None:
    """The case if the code matches, None if not; `RateLimited` (429) past either limit. Call it
    outside a transaction: the counted attempt must stay counted when the answer is "not found"."""
    per_address, per_case = _limits()
    number = (number or "").strip()[:40]  # from a request: NUL already stripped (StripNulMiddleware)
    if address is not None:
        ratelimit.hit(
            "progress:addr:" + ratelimit.private_key(address),
            limit=per_address,
            per=ADDRESS_WINDOW,
            message=_("查询太频繁，请10分钟后再试。"),
        )
    case_key = "progress:case:" + ratelimit.private_key(number.upper())
    refused = _("该办件编号的查询码输错次数过多，请1小时后再试，或登录“我的”查看办件。")
    if ratelimit.remaining(case_key, limit=per_case, per=CASE_WINDOW) == 0:
        raise ratelimit.RateLimited(refused)
    case = selectors.case_for_public_progress(number, code)
    if case is None and number:
        ratelimit.hit(case_key, limit=per_case, per=CASE_WINDOW, message=refused)
    return case
