"""Real-name identity numbers: resident ID (居民身份证) and unified social credit code (统一社会信用代码).

python-stdnum does the checksums. Two rules are ours: Hong Kong / Macao / Taiwan residence permits
(区域码 810000 / 820000 / 830000) are valid 18-digit numbers that stdnum's place database does not
know, and a birth date in the future is never valid.
"""

from __future__ import annotations

import datetime
import logging
import re

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric, uscc

from .errors import ValidationFailed

RESIDENCE_PERMIT_PREFIXES = ("810000", "820000", "830000")


def validate_resident_id(value: str, *, today: datetime.date | None = None) -> str:
    """Return the normalised number or raise ValidationFailed with a translated reason."""
    number = ric.compact(value or "")
    if len(number) != 18:
        raise ValidationFailed(_("身份证号码应为18位。"), code="id_length")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationFailed(_("身份证号码格式不正确。"), code="id_format")
    if number[-1] != ric.calc_check_digit(number):
        raise ValidationFailed(_("身份证号码校验位不正确。"), code="id_checksum")
    try:
        birth = ric.get_birth_date(number)
    except stdnum_errors.ValidationError:
        raise ValidationFailed(_("身份证号码中的出生日期无效。"), code="id_birth_date") from None
    today = today or timezone.localdate()
    if birth > today or birth.year < 1900:
        raise ValidationFailed(_("身份证号码中的出生日期无效。"), code="id_birth_date")
    if not number.startswith(RESIDENCE_PERMIT_PREFIXES) and not _known_county(number[:6]):
        raise ValidationFailed(_("身份证号码中的地区码无效。"), code="id_region")
    return number


def _known_county(code: str) -> bool:
    """The division code exists (at any time). stdnum's own check also demands that the county
    existed in the birth year, which refuses real people: a number is assigned where one is
    registered, so someone born in 1956 holds 360803 (青原区, created in 2000)."""
    from stdnum import numdb

    info = {k for _part, props in numdb.get("cn/loc").info(code) for k in props}
    return "county" in info


def is_residence_permit(number: str) -> bool:
    return number.startswith(RESIDENCE_PERMIT_PREFIXES)


def validate_uscc(value: str) -> str:
    try:
        return uscc.validate(value or "")
    except stdnum_errors.InvalidLength:
        raise ValidationFailed(_("统一社会信用代码应为18位。"), code="uscc_length") from None
    except stdnum_errors.InvalidChecksum:
        raise ValidationFailed(_("统一社会信用代码校验位不正确。"), code="uscc_checksum") from None
    except stdnum_errors.ValidationError:
        raise ValidationFailed(_("统一社会信用代码格式不正确。"), code="uscc_format") from None


def mask(number: str) -> str:
    """3608**********123X: enough to recognise one's own number, never enough to use it."""
    number = (number or "").strip()
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_name(name: str) -> str:
    """刘秀英 -> 刘*英, 王芳 -> 王*, 欧阳春花 -> 欧**花: the family name and (for three characters
    or more) the last character, as public notices of the poorest households show names."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


# 18-character IDs and credit codes inside free text (log lines, error messages).
_ID_PATTERN = re.compile(r"(?<![0-9A-Z])([0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}|\d{17}[\dXx])(?![0-9A-Z])")


# Mainland mobile numbers (11 digits, 1[3-9]...), alone or after +86 / 86.
_PHONE_PATTERN = re.compile(r"(?<![0-9])(?:\+?86[- ]?)?(1[3-9]\d)(\d{4})(\d{4})(?![0-9])")


def mask_phone(number: str) -> str:
    """139****0001."""
    number = (number or "").strip()
    return number[:3] + "****" + number[-4:] if len(number) >= 7 else "*" * len(number)


def mask_text(text: str) -> str:
    text = _ID_PATTERN.sub(lambda m: mask(m.group(1)), text)
    return _PHONE_PATTERN.sub(lambda m: m.group(1) + "****" + m.group(3), text)


class MaskIdentityFilter(logging.Filter):
    """Logging filter: no identity number and no mobile number reaches a log in full, whatever the
    caller formatted (an SMS body that names a phone, an exception message with an ID)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the caller's bug; do not hide the record
            return True
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
