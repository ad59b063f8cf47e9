from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse

from .errors import ApplicationError


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
        if request.headers.get("Accept", "").startswith("application/json"):
            return JsonResponse(exception.as_dict(), status=exception.status)
        response = TemplateResponse(request, "core/error.html", {"error": exception}, status=exception.status)
        return response.render()


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
        request.LANGUAGE_CODE = translation.get_language()  # type: ignore[attr-defined]
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
