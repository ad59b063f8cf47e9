"""The API's shared plumbing, used by every app's `api.py`: who may call (AUTH), the one error shape
(ErrorOut on every documented error status), the one list shape (page, page_size, count, pages,
items) and the one UUID parser. Lives in core so domain apps never import an interface app or
each other for it."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from functools import cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.module_loading import import_string
from ninja import Field, Schema
from ninja.security import APIKeyHeader, HttpBearer, SessionAuth
from pydantic import create_model

from .parsing import parse_uuid

if TYPE_CHECKING:  # for the type only: core imports no app at run time
    from onewindow.accounts.models import User

# Every documented error status carries the same shape.
ERROR_CODES = frozenset({400, 401, 403, 404, 409, 422, 429})


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] = {}


@cache
def _token_user() -> Callable[[str], Any]:
    # Tokens are the accounts app's; core names the lookup by setting (as for the SMS backend)
    # so it imports no app.
    lookup: Callable[[str], Any] = import_string(settings.ONEWINDOW_API_BEARER_USER)
    return lookup


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return _token_user()(token)


class SessionUserAuth(SessionAuth):
    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated and user.is_active else None


AUTH = [BearerAuth(), SessionUserAuth()]


def actor(request: HttpRequest) -> User:
    """The authenticated user of an API request (AUTH has let it through)."""
    # django-ninja sets `auth` to what AUTH returned (the user); HttpRequest's stubs know no `auth`.
    return request.auth  # type: ignore[attr-defined,no-any-return]


class DeviceToken(APIKeyHeader):
    """A device's header token: only that one is present is checked here. Which device the request
    names (a point, a window) decides which token must match, so the service compares it with the one
    on record, in constant time. One class for every device door, so every door has the same lock."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return key or None


class KioskToken(DeviceToken):
    """A service point's kiosk (tickets, booking check-in, ratings at the exit)."""

    param_name = "X-Kiosk-Token"


class PadToken(DeviceToken):
    """A window's rating pad."""

    param_name = "X-Pad-Token"


def device_token(request: HttpRequest) -> str:
    """The token of the device (a kiosk, a rating pad) whose header auth let an API request through;
    the service compares it with the one on record."""
    # django-ninja sets `auth` to what the header auth returned (the key); the stubs know no `auth`.
    return str(request.auth)  # type: ignore[attr-defined]


# --- the one list shape ------------------------------------------------------------------------

MAX_PAGE_SIZE = 100


class PageParams(Schema):
    page: int = Field(1, ge=1, le=100000)
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE)


class PageOut(Schema):
    page: int
    page_size: int
    count: int
    pages: int


@cache
def page_of(item: type[Schema]) -> type[PageOut]:
    """The list shape of `item` for a response: PageOut with `items: list[item]`, named `<Item>Page`
    in the schema (`HandlerOut` -> `HandlerPage`), so an operation declares `{200: page_of(X)}`."""
    name = item.__name__.removesuffix("Out") + "Page"
    items: Any = list[item]  # type: ignore[valid-type]  # the item type is a value here
    page: type[PageOut] = create_model(name, __base__=PageOut, __module__=item.__module__, items=(items, ...))
    return page


def paginate(qs: Any, params: PageParams, render: Callable[[Any], Any]) -> dict[str, Any]:
    """One page of `qs` in the list shape of every API list: page, page_size, count, pages, items."""
    count = qs.count() if hasattr(qs, "count") and not isinstance(qs, list) else len(qs)
    start = (params.page - 1) * params.page_size
    items: Iterable[Any] = qs[start : start + params.page_size]
    return {
        "items": [render(x) for x in items],
        "count": count,
        "page": params.page,
        "page_size": params.page_size,
        "pages": max(1, math.ceil(count / params.page_size)),
    }


__all__ = [
    "AUTH",
    "ERROR_CODES",
    "MAX_PAGE_SIZE",
    "ErrorOut",
    "PageOut",
    "PageParams",
    "actor",
    "page_of",
    "paginate",
    "parse_uuid",
]
