"""Helpers shared by the agent-service services."""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.sms import signed
from onewindow.core.errors import ValidationFailed
from onewindow.core.parsing import clean_text
from onewindow.core.uploads import private_storage

if TYPE_CHECKING:
    from ..models import AgentPoint

MAX_SIGNATURE_BYTES = 2 * 1024 * 1024


def clean(value: Any, limit: int = 200) -> str:
    """Text from a form or the API: stripped, without NUL characters, at most `limit` characters."""
    return clean_text(value, limit)


def point_signed(point: AgentPoint, body: str) -> str:
    """`body` signed by the point's county (its village's: accounts/sms.py). The point comes with
    its village (access.agent_points, the mandate's lock), so this reads no row."""
    return signed(body, point.village.county_id)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sha256_stored(name: str) -> str:
    digest = hashlib.sha256()
    with private_storage().open(name, "rb") as f:
        for chunk in iter(lambda: f.read(65536), b""):
            digest.update(chunk)
    return digest.hexdigest()


def signature_from_data_url(value: str) -> ContentFile[bytes] | None:
    """The PNG a signature pad posts as `data:image/png;base64,...` (None when empty)."""
    return file_from_data_url(value, types=("image/png",), max_bytes=MAX_SIGNATURE_BYTES)


def file_from_data_url(value: str, *, types: tuple[str, ...], max_bytes: int) -> ContentFile[bytes] | None:
    """A file sent as a data URL (the signature pad, or a scan through the JSON API); its content
    is checked again by `store_private` (magic bytes), whatever type the URL claims."""
    value = (value or "").strip()
    if not value:
        return None
    invalid = ValidationFailed(_("签名格式不正确。"), code="signature_invalid", fields={"signature": [_("签名格式不正确。")]})
    head, sep, body = value.partition(",")
    if not sep or not head.startswith("data:") or not head.endswith(";base64") or head[5:-7] not in types:
        raise invalid
    if len(body) > max_bytes * 4 // 3 + 4:
        raise ValidationFailed(_("文件过大。"), code="upload_too_large")
    try:
        data = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise invalid from None
    return ContentFile(data, name="upload")


def require_ink(file: Any) -> None:
    """A signature pad posts a PNG even when nothing was drawn; refuse a blank one."""
    from PIL import Image, ImageChops, UnidentifiedImageError

    file.seek(0)
    try:
        with Image.open(file) as img:
            img.load()
            lum, alpha = img.convert("LA").split()
            # Ink: opaque and darker than light grey.
            dark = lum.point(lambda v: 255 if v < 200 else 0)
            opaque = alpha.point(lambda v: 255 if v > 32 else 0)
            inked = ImageChops.multiply(dark, opaque).histogram()[255]
    except (UnidentifiedImageError, OSError, ValueError):
        raise ValidationFailed(_("签名格式不正确。"), code="signature_invalid") from None
    finally:
        file.seek(0)
    if inked < 20:
        raise ValidationFailed(_("请签名后再提交。"), code="signature_blank", fields={"signature": [_("请签名。")]})
