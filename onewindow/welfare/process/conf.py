"""District settings of the 低保 process (settings.ONEWINDOW_WELFARE_*).

The article numbers of the 2021 审核确认办法 cited here are unverified (see docs/welfare.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from onewindow.cases.models import LimitUnit

# The district's promise: the whole 审核确认 within 25 working days from acceptance (the national
# rules allow 30, art. 24), extended only for a recorded reason by the township leader to at most
# 40 (the rules: 45).
COMMITTED_DAYS = 25
EXTENDED_MAX_DAYS = 40
# art. 22: the confirmation within 10 working days after the notice.
CONFIRM_DAYS = 10
# art. 23: a refusal is notified in writing, with reasons, within 3 working days.
REFUSAL_NOTICE_DAYS = 3


@dataclass(frozen=True)
class NoticeLength:
    days: int
    unit: str  # cases.models.LimitUnit


def notice_length() -> NoticeLength:
    """art. 21: 公示期为7天 — calendar days by default; the district may set another length or
    count working days (settings ONEWINDOW_WELFARE_NOTICE_DAYS / _UNIT)."""
    days = int(getattr(settings, "ONEWINDOW_WELFARE_NOTICE_DAYS", 7))
    unit = getattr(settings, "ONEWINDOW_WELFARE_NOTICE_UNIT", LimitUnit.CALENDAR)
    if days < 1 or unit not in LimitUnit.values:
        raise ValueError("ONEWINDOW_WELFARE_NOTICE_DAYS must be >= 1 and _UNIT one of workdays, calendar")
    return NoticeLength(days=days, unit=unit)


# Which catalog matter is the 低保 审核确认: by setting (ONEWINDOW_WELFARE_MATTER, its search
# name), so the welfare app does not depend on the demo's codes. The district 民政局 is welfare.scope's.
MATTER_NAME = "最低生活保障（低保）审批"


def dibao_matter() -> Any:
    from onewindow.catalog.models import Matter
    from onewindow.core.errors import NotFound

    name = getattr(settings, "ONEWINDOW_WELFARE_MATTER", MATTER_NAME)
    matter = Matter.objects.select_related("current_version", "department").filter(search_name=name).first()
    if matter is None or matter.current_version is None:
        raise NotFound(_("目录中没有已发布的低保审核确认事项，请管理员先发布该事项。"))
    return matter
