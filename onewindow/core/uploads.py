"""Uploaded files (scans of materials): validated by content, stored privately.

`validate_upload` looks at the first bytes of the file (PDF, JPEG, PNG magic numbers), never at its
name or the browser's content type, which a client chooses freely. A PDF carrying JavaScript,
launch actions or embedded files is refused (`pdf_active_content`), and every file passes the
malware scanner (`onewindow.core.scan`: ClamAV when installed, stated by a system check).
`store_private` saves under the "private" storage (never served by a public URL) with a random
name, after charging the uploader's storage quota (`ONEWINDOW_UPLOAD_QUOTA_MB` per user, counted in
the database by a conditional UPDATE). The uploader is the `owner` a service passes, or else the
signed-in user of the current request (`UploaderMiddleware`).

Files written inside a failed transaction must not stay behind: `store_private` records every name
it writes while a `collect_stored()` block is open, and the block deletes them again if an
exception leaves it (services wrap their `transaction.atomic` in it). Outside such a block a caller
that rolls back can call `discard_private(names)`.
"""

from __future__ import annotations

import contextlib
import contextvars
import re
import secrets
import threading
import zlib
from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.core.files.base import File
from django.core.files.storage import storages
from django.utils.translation import gettext_lazy as _

from .errors import ValidationFailed

DEFAULT_MAX_BYTES = 10 * 1024 * 1024

# kind -> (magic prefix, extension)
_SIGNATURES: list[tuple[str, bytes, str]] = [
    ("pdf", b"%PDF-", "pdf"),
    ("jpeg", b"\xff\xd8\xff", "jpg"),
    ("png", b"\x89PNG\r\n\x1a\n", "png"),
]
_GROUPS = {"image": {"jpeg", "png"}, "pdf": {"pdf"}, "jpeg": {"jpeg"}, "jpg": {"jpeg"}, "png": {"png"}}
CONTENT_TYPES = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}
EXTENSIONS = {kind: ext for kind, _magic, ext in _SIGNATURES}

_local = threading.local()


def _allowed(accepts: str) -> set[str]:
    kinds: set[str] = set()
    for token in (accepts or "pdf,image").split(","):
        kinds |= _GROUPS.get(token.strip().lower(), set())
    return kinds or {"pdf", "jpeg", "png"}


def _size(file: Any) -> int:
    size = getattr(file, "size", None)
    if size is None:
        pos = file.tell()
        file.seek(0, 2)
        size = file.tell()
        file.seek(pos)
    return int(size)


def detect_kind(file: IO[bytes] | Any) -> str:
    """'pdf', 'jpeg', 'png' or '' from the file's first bytes; the read position is restored."""
    pos = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(16)
    file.seek(pos)
    if isinstance(head, str):  # a text-mode file is never a scan
        return ""
    for kind, magic, _ext in _SIGNATURES:
        if head.startswith(magic):
            return kind
    return ""


def validate_upload(file: Any, *, accepts: str = "pdf,image", max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Check an uploaded file and return its detected kind ('pdf', 'jpeg' or 'png').

    Raises ValidationFailed (translated) for an empty, oversized or wrongly typed file.
    """
    if file is None:
        raise ValidationFailed(_("请选择要上传的文件。"), code="upload_missing")
    size = _size(file)
    if size <= 0:
        raise ValidationFailed(_("上传的文件是空的。"), code="upload_empty")
    if size > max_bytes:
        raise ValidationFailed(
            _("文件过大：最大 %(mb)s MB。") % {"mb": round(max_bytes / 1024 / 1024, 1)}, code="upload_too_large"
        )
    kind = detect_kind(file)
    allowed = _allowed(accepts)
    if kind not in allowed:
        names = "、".join(sorted({"pdf": "PDF", "jpeg": "JPG", "png": "PNG"}[k] for k in allowed))
        raise ValidationFailed(
            _("文件类型不符合要求，只接受：%(types)s（按文件内容识别，而非文件名）。") % {"types": names},
            code="upload_wrong_type",
        )
    if kind == "pdf":
        found = pdf_active_content(file)
        if found:
            raise ValidationFailed(
                _("PDF 文件含有脚本、自动动作或嵌入文件（%(what)s），不能上传。请打印为普通 PDF 或扫描后再上传。")
                % {"what": "、".join(found)},
                code="upload_pdf_active",
            )
    from .scan import scan_file

    threat = scan_file(file)
    if threat:
        raise ValidationFailed(_("文件未通过病毒检查，不能上传。"), code="upload_infected")
    return kind


# Names a PDF uses for active content: scripts, launching programs, attached files.
_ACTIVE_NAMES = {
    b"JavaScript": "JavaScript",
    b"JS": "JavaScript",
    b"Launch": "Launch",
    b"EmbeddedFile": "EmbeddedFile",
    b"EmbeddedFiles": "EmbeddedFile",
    b"RichMedia": "RichMedia",
}
_NAME = re.compile(rb"/([^\s/<>\[\]()%{}]+)")
_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM = re.compile(rb"stream\r?\n")
MAX_PDF_SCAN_BYTES = 64 * 1024 * 1024


def _names(data: bytes) -> set[str]:
    found: set[str] = set()
    for m in _NAME.finditer(data):
        name = _HEX_ESCAPE.sub(lambda h: bytes([int(h.group(1), 16)]), m.group(1))  # /J#61vaScript
        if name in _ACTIVE_NAMES:
            found.add(_ACTIVE_NAMES[name])
    return found


def pdf_active_content(file: Any) -> list[str]:
    """The kinds of active content a PDF carries, by reading its name tokens, also those inside
    compressed object streams (PDF 1.5+ hides dictionaries there) and with #xx escapes undone."""
    pos = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    data = file.read(MAX_PDF_SCAN_BYTES)
    file.seek(pos)
    found = _names(data)
    for m in _STREAM.finditer(data):
        end = data.find(b"endstream", m.end())
        if end < 0:
            break
        try:
            found |= _names(zlib.decompressobj().decompress(data[m.end() : end], 16 * 1024 * 1024))
        except zlib.error:
            continue  # not Flate (an image): nothing to read
    return sorted(found)


def private_storage() -> Any:
    return storages["private"]


_uploader: contextvars.ContextVar[Any] = contextvars.ContextVar("onewindow_uploader", default=None)


class UploaderMiddleware:
    """Makes the request known to `store_private`, whose quota is charged to the signed-in user
    (read when the file is stored, so API token sign-in counts as well)."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        token = _uploader.set(request)
        try:
            return self.get_response(request)
        finally:
            _uploader.reset(token)


def _current_uploader() -> Any:
    request = _uploader.get()
    if request is None:
        return None
    user = getattr(request, "auth", None) or getattr(request, "user", None)
    return user if getattr(user, "is_authenticated", False) else None


def charge_quota(owner: Any, size: int) -> None:
    """Count `size` bytes against the owner's quota, or refuse (translated) when it would pass it.
    One conditional UPDATE, so two uploads at once cannot both take the last megabytes."""
    from django.conf import settings
    from django.db.models import F

    from .models import UploadQuota

    limit = int(getattr(settings, "ONEWINDOW_UPLOAD_QUOTA_MB", 0)) * 1024 * 1024
    if owner is None or limit <= 0:
        return
    UploadQuota.objects.bulk_create([UploadQuota(user_id=owner.pk, bytes_used=0)], ignore_conflicts=True)
    if not UploadQuota.objects.filter(user_id=owner.pk, bytes_used__lte=limit - size).update(bytes_used=F("bytes_used") + size):
        raise ValidationFailed(
            _("您的上传空间已用完（每人 %(mb)s MB），不能再上传文件。请联系窗口工作人员。") % {"mb": limit // (1024 * 1024)},
            code="upload_quota",
        )


def store_private(
    file: Any, *, folder: str, accepts: str = "pdf,image", max_bytes: int = DEFAULT_MAX_BYTES, owner: Any = None
) -> str:
    """Validate and store `file` privately under `folder`; returns the storage name.

    Nothing is written when validation fails or the uploader's quota is used up.
    """
    kind = validate_upload(file, accepts=accepts, max_bytes=max_bytes)
    charge_quota(owner if owner is not None else _current_uploader(), _size(file))
    folder = folder.strip("/").replace("..", "")
    name = f"{folder}/{secrets.token_urlsafe(18)}.{EXTENSIONS[kind]}"
    file.seek(0)
    stored = private_storage().save(name, file if isinstance(file, File) else File(file, name=name))
    tracker: list[str] | None = getattr(_local, "tracker", None)
    if tracker is not None:
        tracker.append(stored)
    return str(stored)


def discard_private(names: Iterable[str]) -> None:
    storage = private_storage()
    for name in names:
        with contextlib.suppress(OSError):
            storage.delete(name)


@contextlib.contextmanager
def collect_stored() -> Iterator[list[str]]:
    """Collects names stored by `store_private` in this block; deletes them if the block fails.

    Wrap it around the `transaction.atomic()` of a service so that a rollback leaves no file.
    """
    outer: list[str] | None = getattr(_local, "tracker", None)
    names: list[str] = []
    _local.tracker = names
    try:
        yield names
    except BaseException:
        discard_private(names)
        raise
    finally:
        _local.tracker = outer
        if outer is not None:
            outer.extend(names)


def content_type_of(name: str) -> str:
    ext = name.rsplit(".", 1)[-1].lower()
    return {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png"}.get(ext, "application/octet-stream")
