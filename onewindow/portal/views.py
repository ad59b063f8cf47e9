"""Citizen and enterprise pages: home and "my" overview. Reads through selectors only."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from onewindow.accounts import visitor
from onewindow.catalog import selectors as catalog_selectors
from onewindow.core.authed import AuthedRequest
from onewindow.core.errors import NotFound
from onewindow.filings import selectors as filing_selectors
from onewindow.materials import selectors as material_selectors

from . import selectors
from .messages import for_people


def page_size(request: HttpRequest, normal: int = 20) -> int:
    """Care mode shows fewer items per page (关怀版: calmer pages)."""
    from onewindow.core.context_processors import site

    return 6 if site(request)["care_mode"] else normal


def home(request: HttpRequest) -> HttpResponse:
    # Everything listed is the visitor's county's (accounts/visitor.py); the life events are the
    # province's list, shown when the county has matters for them.
    county = visitor.visitor_county(request)
    online = material_selectors.online_matters(county)
    care = page_size(request) == 6
    return render(
        request,
        "portal/home.html",
        {
            "themes": catalog_selectors.themes_with_counts(county),
            "life_events": catalog_selectors.life_events_with_counts(county)[: 6 if care else 100],
            "online_count": online.count(),
            "popular": online.order_by("code")[: 4 if care else 8],
            "bundles": material_selectors.online_bundles(county)[: 2 if care else 6],
            "filing_matters": filing_selectors.filing_matters(county)[:3],
        },
    )


def apply_index(request: HttpRequest) -> HttpResponse:
    """Everything that can be applied for online in the visitor's county, searchable by name or code."""
    county = visitor.visitor_county(request)
    q = (request.GET.get("q") or "").strip()
    matters = material_selectors.online_matters(county).order_by("code")
    if q:
        # The one catalog search (synonyms, pinyin, codes, ranking) within what can be applied for here.
        matters = catalog_selectors.search_matters(
            catalog_selectors.MatterQuery(q=q), scope=material_selectors.online_matters(county)
        )
    page = Paginator(matters, page_size(request)).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/apply_index.html",
        {"page": page, "q": q, "bundles": [] if q else material_selectors.online_bundles(county)},
    )


@login_required
def me(request: AuthedRequest) -> HttpResponse:
    user = request.user
    care = page_size(request) == 6
    n = 3 if care else 5
    return render(
        request,
        "portal/me.html",
        {
            "notifications": [for_people(x) for x in selectors.notifications_for(user)[:n]],
            "cases": selectors.my_cases(user)[:n],
            "drafts": material_selectors.drafts_for(user)[:n],
            "filings": filing_selectors.my_filings(user)[:n],
            "library_count": material_selectors.library_for(user).count(),
            "enterprises": material_selectors.enterprises_of(user),
            "bookings": selectors.my_bookings(user),
        },
    )


@login_required
def notifications(request: AuthedRequest) -> HttpResponse:
    page = Paginator(selectors.notifications_for(request.user), page_size(request)).get_page(request.GET.get("page"))
    return render(request, "portal/notifications.html", {"page": page, "items": [for_people(x) for x in page]})


def _next_page(request: HttpRequest, raw: str | None) -> str:
    """Where the picker returns to: a page of this site, without its `county` parameter (which
    would choose the old county again)."""
    target = raw or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return "/"
    path, _sep, query = target.partition("?")
    kept = [part for part in query.split("&") if part and not part.startswith(visitor.PARAM + "=")]
    return path + ("?" + "&".join(kept) if kept else "")


@require_http_methods(["GET", "POST"])
def county(request: HttpRequest) -> HttpResponse:
    """The county picker: the deployment's counties by name (grouped by city when there are
    several); the choice is kept in the session (accounts/visitor.py)."""
    back = _next_page(request, request.POST.get("next") or request.GET.get("next"))
    status = 200
    if request.method == "POST":
        try:
            visitor.choose_county(request, request.POST.get(visitor.PARAM))
        except NotFound as exc:
            messages.error(request, str(exc.message))
            status = 422
        else:
            return redirect(back)
    elif getattr(request, "_ow_county_refused", False):
        status = 422  # `?county=` named no county (the middleware said so on the page)
    groups = visitor.counties_by_city()
    return render(
        request,
        "portal/county.html",
        {"groups": groups, "grouped": len(groups) > 1, "next": back, "current": visitor.visitor_county(request)},
        status=status,
    )
