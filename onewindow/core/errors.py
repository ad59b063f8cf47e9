"""Domain errors. Services raise these; one place maps them to HTTP (API handler, middleware).

Messages are translated lazily so the same error reads in the requester's language.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class ApplicationError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, message: Any = None, *, code: str | None = None, fields: dict[str, Any] | None = None):
        self.message = message if message is not None else _("请求无法处理。")
        if code:
            self.code = code
        # field -> list of messages, for forms and the API error shape
        self.fields = fields or {}
        super().__init__(str(self.message))

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": str(self.message),
            "fields": {k: [str(m) for m in (v if isinstance(v, list | tuple) else [v])] for k, v in self.fields.items()},
        }


class ValidationFailed(ApplicationError):
    status = 422
    code = "validation_failed"


class NotFound(ApplicationError):
    status = 404
    code = "not_found"

    def __init__(self, message: Any = None, **kw: Any):
        super().__init__(message if message is not None else _("未找到。"), **kw)


class PermissionDenied(ApplicationError):
    status = 403
    code = "permission_denied"

    def __init__(self, message: Any = None, **kw: Any):
        super().__init__(message if message is not None else _("您无权进行此操作。"), **kw)


class Conflict(ApplicationError):
    """The state changed under the caller (already accepted, slot full, number taken...)."""

    status = 409
    code = "conflict"


class RequestTooLarge(ApplicationError):
    """The request body is over the platform's cap; refused before a byte of it is read."""

    status = 413
    code = "too_large"

    def __init__(self, message: Any = None, **kw: Any):
        super().__init__(message if message is not None else _("提交的内容太大，请减少或压缩文件后重试。"), **kw)


class BadRequest(ApplicationError):
    """A body that cannot be parsed at all (broken JSON, a malformed form)."""

    status = 400
    code = "bad_request"

    def __init__(self, message: Any = None, **kw: Any):
        super().__init__(message if message is not None else _("请求的格式不正确，无法读取。"), **kw)


# Messages used by the API's error handlers (config/api.py), kept here with the other domain
# messages so that they live in one translation catalog.
MSG_INVALID_DATA = _("提交的数据不正确。")
MSG_LOGIN_REQUIRED = _("请先登录。")


def page_message(exc: ApplicationError) -> str:
    """The one way a page shows a domain error as a flash message: the message, then what was wrong
    with each field in brackets (the API sends the same error as {code, message, fields})."""
    details = [str(m) for v in exc.fields.values() for m in (v if isinstance(v, list | tuple) else [v])]
    return str(exc.message) + ("（" + "；".join(details) + "）" if details else "")
