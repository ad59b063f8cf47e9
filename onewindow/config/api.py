"""The JSON API at /api/v1/. Each domain app contributes `router` from its own `api.py`; they are
discovered here so adding an app never edits a shared list."""

from __future__ import annotations

import importlib
import sys
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from onewindow.core.errors import MSG_INVALID_DATA, MSG_LOGIN_REQUIRED, ApplicationError, BadRequest


class OneWindowAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Any) -> str:
        """Ninja names an operation after its module and function. A module split into a package of
        resource modules declares `OPERATION_IDS_MODULE`, the module its operations were first
        written in, so splitting a module never renames an operation for the clients built on it."""
        module = operation.view_func.__module__
        module = getattr(sys.modules.get(module), "OPERATION_IDS_MODULE", module)
        return f"{module}_{operation.view_func.__name__}".replace(".", "_")


api = OneWindowAPI(
    title="OneWindow 一窗通办 API",
    version="1.0.0",
    description="青原区政务服务平台接口：事项目录、办件、预约、大厅排队、网上办事。错误统一为 {code, message, fields}。",
    urls_namespace="api",
    docs_url="/docs",
)


def _error(request: HttpRequest, status: int, code: str, message: str, fields: dict[str, Any] | None = None) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message, "fields": fields or {}}, status=status)


@api.exception_handler(ApplicationError)
def _application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = ".".join(str(p) for p in err.get("loc", [])[1:]) or "body"
        fields.setdefault(loc, []).append(str(err.get("msg", "")))
    return _error(request, 422, "validation_failed", str(MSG_INVALID_DATA), fields)


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "unauthenticated", str(MSG_LOGIN_REQUIRED))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400:
        # django-ninja raises this for a body it cannot parse; its text is English and technical.
        return api.create_response(request, BadRequest().as_dict(), status=400)
    return _error(request, exc.status_code, "http_error", str(exc))


for app in settings.INSTALLED_APPS:
    if not app.startswith("onewindow."):
        continue
    label = app.rsplit(".", 1)[1]
    try:
        module = importlib.import_module(f"{app}.api")
    except ModuleNotFoundError as exc:
        if exc.name != f"{app}.api":
            raise
        continue
    api.add_router(f"/{label}/", module.router)
