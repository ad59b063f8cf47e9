"""A matter's keys: its code (region, department, type, the department's sequence) and the search
keys of its name (pinyin and initials)."""

from __future__ import annotations

import re

from django.conf import settings
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils.translation import gettext_lazy as _
from pypinyin import Style, lazy_pinyin

from onewindow.accounts.models import OrgUnit

from ..models import (
    MatterCodeSequence,
    MatterVersion,
)

# The deployment's first county; a matter's code takes its own department's county (docs/tenancy.md).
REGION_CODE: str = getattr(settings, "ONEWINDOW_REGION_CODE", "360803")

# Two-letter type segment of a matter code (许可 XK, 确认 QR, 给付 GF...).
TYPE_CODES: dict[str, str] = {
    MatterVersion.MatterType.LICENCE: "XK",
    MatterVersion.MatterType.CONFIRMATION: "QR",
    MatterVersion.MatterType.PAYMENT: "GF",
    MatterVersion.MatterType.AWARD: "JL",
    MatterVersion.MatterType.ADJUDICATION: "CJ",
    MatterVersion.MatterType.OTHER_POWER: "QT",
    MatterVersion.MatterType.PUBLIC_SERVICE: "GG",
}
CODE_RE = re.compile(r"^(?P<region>\d{6})-(?P<dept>[A-Z0-9]+)-(?P<type>[A-Z]{2})-(?P<seq>\d{4,})$")


def search_keys(name: str) -> tuple[str, str]:
    """Full pinyin and initials of a name, lowercase letters and digits only ("不动产登记" ->
    ("budongchandengji", "bdcdj")). Non-Chinese characters pass through unchanged."""
    syllables = lazy_pinyin(name, style=Style.NORMAL, errors="default")
    initials = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default")
    clean = re.compile(r"[^a-z0-9]")
    # Truncated to the columns' sizes (a 200-character name can have 1,000 letters of pinyin).
    return clean.sub("", "".join(syllables).lower())[:800], clean.sub("", "".join(initials).lower())[:200]


def search_text(name: str, pinyin: str, initials: str) -> str:
    return f"{name}|{pinyin}|{initials}".lower()[:1200]


def matter_code(*, department: OrgUnit, matter_type: str, sequence: int) -> str:
    """The county's region code (the department's county), the department, the type, the number."""
    return f"{department.county_id}-{department.code}-{TYPE_CODES[matter_type]}-{sequence:04d}"


def check_code_region(code: str, department: OrgUnit) -> None:
    """An explicit code (catalog import) must carry the department's county: a county never files a
    matter under another county's region code."""
    from onewindow.core.errors import ValidationFailed

    match = CODE_RE.match(code)
    if match and match["region"] != department.county_id:
        raise ValidationFailed(_("事项编码的区划代码与实施部门所在区县不符：%(code)s") % {"code": code}, code="other_county")


def _next_sequence(department: OrgUnit, type_code: str, *, at_least: int = 0) -> int:
    """Increment the department's counter and return the new value, inside the caller's
    transaction. The UPDATE holds the row until commit, so concurrent callers queue on it."""
    row, _created = MatterCodeSequence.objects.get_or_create(department=department, type_code=type_code)
    if at_least:
        MatterCodeSequence.objects.filter(pk=row.pk).update(last_value=Greatest(F("last_value"), at_least))
    else:
        MatterCodeSequence.objects.filter(pk=row.pk).update(last_value=F("last_value") + 1)
    return MatterCodeSequence.objects.filter(pk=row.pk).values_list("last_value", flat=True).get()
