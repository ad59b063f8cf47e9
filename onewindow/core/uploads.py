"""Uploaded files (scans of materials): validated by content, stored privately.

`validate_upload` looks at the first bytes of the file (PDF, JPEG, PNG magic numbers), never at its
name or the browser's content type, which a client chooses freely. `store_private` saves under the
"private" storage (never served by a public URL) with a random name.

Files written inside a failed transaction must not stay behind: `store_private` records every name
it writes while a `collect_stored()` block is open, and the block deletes them again if an
exception leaves it (services wrap their `transaction.atomic` in it). Outside such a block a caller
that rolls back can call `discard_private(names)`.
"""

from __future__ import annotations

import contextlib
import secrets
import threading
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
    return kind


def private_storage() -> Any:
    return storages["private"]


def store_private(file: Any, *, folder: str, accepts: str = "pdf,image", max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Validate and store `file` privately under `folder`; returns the storage name.

    Nothing is written when validation fails.
    """
    kind = validate_upload(file, accepts=accepts, max_bytes=max_bytes)
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
