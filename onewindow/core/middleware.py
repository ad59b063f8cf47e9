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
