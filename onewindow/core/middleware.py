from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.middleware.gzip import GZipMiddleware
from django.template.response import TemplateResponse

from .errors import ApplicationError, BadRequest, RequestTooLarge


class ApplicationErrorMiddleware:
    """Maps a domain error escaping a page view to a translated error page with its status.

    Views normally catch ApplicationError to re-render their form; this is the net for the rest so
    that a domain error never becomes a 500.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, ApplicationError):
            return None
        return error_response(request, exception)


def error_response(request: HttpRequest, error: ApplicationError) -> HttpResponse:
    """The one shape of an error answer: `{code, message, fields}` for the API and for JSON
    clients, the translated error page for people."""
    if request.path.startswith("/api/") or request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse(error.as_dict(), status=error.status)
    response = TemplateResponse(request, "core/error.html", {"error": error}, status=error.status)
    return response.render()


class RequestSizeLimitMiddleware:
    """Refuses an oversized body from its Content-Length, before anything reads it.

    Without it a 300 MB upload was streamed to disk in full and only then refused by the form. File
    uploads (multipart) may be as large as ONEWINDOW_MAX_REQUEST_BYTES; any other body only as large
    as Django's DATA_UPLOAD_MAX_MEMORY_SIZE, which Django would otherwise enforce by raising deep in
    the first middleware that reads the body (a bare 400 page, or HTML where the API promises JSON).
    A body that lies about its length cannot get past either: Django reads at most Content-Length.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings

        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return error_response(request, BadRequest())
        if length:
            if (request.content_type or "") == "multipart/form-data":
                cap = settings.ONEWINDOW_MAX_REQUEST_BYTES
            else:
                cap = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or settings.ONEWINDOW_MAX_REQUEST_BYTES
            if length > cap:
                return error_response(request, RequestTooLarge())
        return self.get_response(request)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler400: what Django answers for a request it cannot read (too many fields, a broken
    multipart body), in the platform's error shape instead of Django's bare page."""
    return error_response(request, BadRequest())


class DefaultChineseLocaleMiddleware:
    """Pages are in Chinese unless the person chose English with the language switch (cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language, so a clerk's PC with an
    English Windows would get English pages; a county hall wants zh-hans by default. The JSON API
    still honours Accept-Language, which mobile clients set deliberately.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen and translation.check_for_language(chosen):
            language = translation.get_supported_language_variant(chosen)
        elif request.path.startswith("/api/"):
            language = translation.get_language_from_request(request)
        else:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        try:
            response = self.get_response(request)
        finally:
            # Do not leak this request's language into whatever the thread runs next.
            translation.deactivate()
        response.headers.setdefault("Content-Language", language)
        patch_vary = response.get("Vary", "")
        if "Cookie" not in patch_vary:
            response["Vary"] = f"{patch_vary}, Cookie" if patch_vary else "Cookie"
        return response


def _strip_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_strip_nul(v) for v in value]
    if isinstance(value, dict):
        return {_strip_nul(k): _strip_nul(v) for k, v in value.items()}
    return value


def _clean_querydict(qd: QueryDict) -> Any:
    """A read-only copy without NULs (typed Any: the stubs call request.GET an _ImmutableQueryDict,
    which only Django itself constructs)."""
    clean = QueryDict(mutable=True)
    for key, values in qd.lists():
        clean.setlist(key.replace("\x00", ""), [v.replace("\x00", "") if isinstance(v, str) else v for v in values])
    clean._mutable = False
    return clean


class StripNulMiddleware:
    """NUL characters never mean anything in this platform's text, and PostgreSQL refuses them in
    text columns and lookups (a 500 deep in the ORM). They are taken out of every request's query
    string, form fields and JSON strings once, here, instead of in every service. File contents
    are untouched. The checks are substring tests, so ordinary requests pay almost nothing."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path_info:
            raise Http404
        query = request.META.get("QUERY_STRING", "")
        if "%00" in query or "\x00" in query:
            request.GET = _clean_querydict(request.GET)
        if request.method in ("POST", "PUT", "PATCH", "DELETE"):
            ctype = request.content_type or ""
            if ctype == "multipart/form-data":
                if any("\x00" in k or any("\x00" in v for v in vs) for k, vs in request.POST.lists()):
                    request.POST = _clean_querydict(request.POST)
            else:
                body = request.body
                if ctype == "application/json" and (b"\\u0000" in body or b"\x00" in body):
                    try:
                        data = json.loads(body)
                    except ValueError:
                        pass  # not JSON: the API answers with its own validation error
                    else:
                        request._body = json.dumps(_strip_nul(data)).encode()
                elif ctype == "application/x-www-form-urlencoded" and (b"%00" in body or b"\x00" in body):
                    request.POST = _clean_querydict(request.POST)
        return self.get_response(request)


class HtmlGZipMiddleware(GZipMiddleware):
    """Gzip for pages only. The pages are the heavy answers on a phone's link (issue 16's 50 KB aim);
    API answers are small JSON that clients (and the schemathesis checks) read as they come, so they
    are left uncompressed rather than depending on every client's decoding."""

    def process_response(self, request: HttpRequest, response: Any) -> Any:
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        return super().process_response(request, response)
