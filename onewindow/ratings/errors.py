from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied, ValidationFailed


class Throttled(ApplicationError):
    status = 429
    code = "too_many_ratings"

    def __init__(self, message: Any = None, **kw: Any):
        super().__init__(message if message is not None else _("评价过于频繁，请稍后再试。"), **kw)


def not_rateable() -> NotFound:
    return NotFound(_("没有找到可评价的服务（服务不存在或尚未完成）。"), code="not_rateable")


def already_rated() -> Conflict:
    return Conflict(_("这项服务已经评价过了，每项服务只能评价一次。"), code="already_rated")


def own_service() -> PermissionDenied:
    return PermissionDenied(_("不能评价自己办理的服务。"), code="own_service")


def not_your_service() -> PermissionDenied:
    return PermissionDenied(_("只有被服务的本人才能评价这项服务。"), code="not_served_person")


def window_closed(days: int) -> Conflict:
    return Conflict(_("已超过评价期限（服务完成后 %(days)s 天内可评价）。") % {"days": days}, code="rating_window_closed")


def bad_link() -> PermissionDenied:
    return PermissionDenied(_("评价链接无效。"), code="bad_link")


def link_expired() -> Conflict:
    return Conflict(_("评价链接已过期。"), code="link_expired")


def link_used() -> Conflict:
    return Conflict(_("评价链接已使用过。"), code="link_used")


def invalid(field: str, message: Any, code: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, fields={field: [message]})


def follow_up_closed() -> Conflict:
    return Conflict(_("该差评整改已结束，不能再操作。"), code="follow_up_closed")


def wrong_step(label: Any) -> Conflict:
    return Conflict(_("当前状态为“%(s)s”，不能进行此操作。") % {"s": label}, code="wrong_status")
