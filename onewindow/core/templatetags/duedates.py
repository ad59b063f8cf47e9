"""`{{ date|provisional_mark }}`: a visible mark after a due date that lies in a year whose holiday
schedule is only provisional (core.workdays.is_provisional); nothing otherwise. Loaded as a
template builtin (settings.TEMPLATES), so every page can use it."""

from __future__ import annotations

import datetime

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from onewindow.core import workdays

register = template.Library()


@register.filter
def provisional_mark(day: datetime.date | None) -> SafeString | str:
    if not isinstance(day, datetime.date) or not workdays.is_provisional(
        day
    ):  # national: only the State Council's year is provisional
        return ""
    return format_html(
        '<small class="tag tag-amber provisional" title="{}">{}</small>',
        gettext("该年度法定节假日安排尚未公布，期限按临时日历计算，公布后可能调整。"),
        gettext("暂定"),
    )
