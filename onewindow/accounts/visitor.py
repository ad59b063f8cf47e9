"""The county whose services a visitor uses (docs/tenancy.md, "Public pages and the county picker").

Citizens and enterprises are province-wide people: nothing in their account names a county. What
the public pages list (the home page, the catalog, the online application list, appointments, the
hall's points) is one county's, the one the visitor chose: kept in the session, set by the picker
(`/county/`) or by a `?county=<code>` link parameter (a QR code on a county's poster, a link from
its website), and `County.default()` (the setting ONEWINDOW_REGION_CODE) until they choose. An
unknown code changes nothing and says so.

Staff pages do not read this: staff are bound to their county by their roles (accounts/tenancy.py);
a staff member who has not chosen starts in their own county.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from onewindow.core.errors import NotFound, ValidationFailed

from .models import County
from .tenancy import staff_county

SESSION_KEY = "ow_county"
PARAM = "county"

# The cities of the province (地级市), by code: the picker's group headings. A city not named here
# is shown by its code (a deployment outside 江西 adds its own).
CITY_NAMES = {
    "360100": "南昌市",
    "360200": "景德镇市",
    "360300": "萍乡市",
    "360400": "九江市",
    "360500": "新余市",
    "360600": "鹰潭市",
    "360700": "赣州市",
    "360800": "吉安市",
    "360900": "宜春市",
    "361000": "抚州市",
    "361100": "上饶市",
}


# Counties' names in English (the table holds the official Chinese name): the demo's, and the
# pattern for a deployment's own. A county not named here shows its Chinese name on English pages.
ENGLISH_NAMES = {
    "360803": "Qingyuan District",
    "360802": "Jizhou District",
    "360821": "Ji'an County",
    "360800": "Ji'an City",
}


def display_name(code: str, name: str) -> str:
    """A county's (or a city's) name in the page's language."""
    if get_language() == "en":
        return ENGLISH_NAMES.get(code, name)
    return name


def counties() -> list[County]:
    """The deployment's counties, by code (a short table: the picker lists it whole)."""
    return list(County.objects.order_by("code"))


def counties_by_city() -> list[tuple[str, list[tuple[str, str]]]]:
    """(city name, its counties as (code, name)) in code order, names in the page's language: the
    picker's groups."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for county in counties():
        groups.setdefault(county.city_code, []).append((county.code, county_label(county)))
    return [(display_name(city, CITY_NAMES.get(city, city)), members) for city, members in groups.items()]


def county_by_code(code: Any) -> County | None:
    text = str(code or "").strip()
    if not (len(text) == 6 and text.isdigit()):
        return None
    return County.objects.filter(pk=text).first()


def api_county(code: str) -> County | None:
    """The `county` parameter of a public API list: the API is stateless (no picker), so a caller
    names the county or lists every county's (None). An unknown code is an error, never an empty
    list that would look like a county without matters."""
    if not code:
        return None
    county = county_by_code(code)
    if county is None:
        raise ValidationFailed(_("没有这个区县代码。"), fields={"county": [_("没有这个区县代码。")]})
    return county


def visitor_county(request: HttpRequest) -> County:
    """The county the visitor chose, or the deployment's first. Read once per request."""
    cached: County | None = getattr(request, "_ow_visitor_county", None)
    if cached is not None:
        return cached
    session = getattr(request, "session", None)
    county = county_by_code(session.get(SESSION_KEY)) if session is not None else None
    if county is None:
        # Never chosen (or a county that no longer exists): a county's staff member starts in their
        # own county, everybody else in the deployment's first.
        own = staff_county(getattr(request, "user", None))
        county = county_by_code(own) if own else None
    if county is None:
        county = County.default()
    request._ow_visitor_county = county  # type: ignore[attr-defined]
    return county


def choose_county(request: HttpRequest, code: Any) -> County:
    """Remember `code` as the visitor's county. An unknown code raises NotFound and changes
    nothing. Writes the session only when the choice changes (a link that repeats it is free)."""
    county = county_by_code(code)
    if county is None:
        raise NotFound(
            _("没有这个区县（代码 %(code)s），仍为您显示%(current)s的服务。")
            % {"code": str(code)[:12], "current": county_label(visitor_county(request))}
        )
    if request.session.get(SESSION_KEY) != county.code:
        request.session[SESSION_KEY] = county.code
    request._ow_visitor_county = county  # type: ignore[attr-defined]
    return county


def is_public_path(path: str) -> bool:
    """Pages where a `?county=` link parameter chooses the county: not the API (stateless: its
    callers pass `county` as a filter) and not the platform's admin."""
    return not (path.startswith("/api/") or path.startswith("/admin/"))


class VisitorCountyMiddleware:
    """A `?county=<code>` parameter on a page's GET chooses the county before the view reads it, so
    a link or a QR code lands on that county's services. An unknown code: a message on the page,
    nothing changed."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "GET" and PARAM in request.GET and is_public_path(request.path):
            try:
                choose_county(request, request.GET.get(PARAM))
            except NotFound as exc:
                messages.error(request, str(exc.message))
                request._ow_county_refused = True  # type: ignore[attr-defined]
        return self.get_response(request)


def county_label(county: County) -> str:
    return display_name(county.code, county.name)


def county_context(request: HttpRequest) -> dict[str, Any]:
    """The chosen county for every page's header (a context processor)."""
    county = visitor_county(request)
    return {"visitor_county": county, "visitor_county_name": county_label(county)}
