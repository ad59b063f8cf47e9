"""Helpers shared by the agent-service services."""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any

from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import ValidationFailed
from onewindow.core.uploads import private_storage

MAX_SIGNATURE_BYTES = 2 * 1024 * 1024


def clean(value: Any, limit: int = 200) -> str:
    """Text from a form or the API: stripped, without NUL characters, at most `limit` characters."""
    return str(value or "").replace("\x00", "").strip()[:limit]


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
    value = (value or "").strip()
    if not value:
        return None
    prefix = "data:image/png;base64,"
    if not value.startswith(prefix):
        raise ValidationFailed(_("签名格式不正确。"), code="signature_invalid", fields={"signature": [_("签名格式不正确。")]})
    try:
        data = base64.b64decode(value[len(prefix) :], validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed(
            _("签名格式不正确。"), code="signature_invalid", fields={"signature": [_("签名格式不正确。")]}
        ) from None
    if len(data) > MAX_SIGNATURE_BYTES:
        raise ValidationFailed(_("签名图片过大。"), code="signature_invalid")
    return ContentFile(data, name="signature.png")


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
