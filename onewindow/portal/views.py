"""Citizen and enterprise pages: home and "my" overview. Reads through selectors only."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from onewindow.catalog import selectors as catalog_selectors
from onewindow.core.authed import AuthedRequest
from onewindow.filings import selectors as filing_selectors
from onewindow.materials import selectors as material_selectors

from . import selectors
from .messages import for_people


def page_size(request: HttpRequest, normal: int = 20) -> int:
    """Care mode shows fewer items per page (关怀版: calmer pages)."""
    from onewindow.core.context_processors import site

    return 6 if site(request)["care_mode"] else normal


def home(request: HttpRequest) -> HttpResponse:
    online = material_selectors.online_matters()
    care = page_size(request) == 6
    return render(
        request,
        "portal/home.html",
        {
            "themes": catalog_selectors.themes_with_counts(),
            "life_events": catalog_selectors.life_events()[: 6 if care else 100],
            "online_count": online.count(),
            "popular": online.order_by("code")[: 4 if care else 8],
            "bundles": material_selectors.online_bundles()[: 2 if care else 6],
            "filing_matters": filing_selectors.filing_matters()[:3],
        },
    )


def apply_index(request: HttpRequest) -> HttpResponse:
    """Everything that can be applied for online, searchable by name or code."""
    q = (request.GET.get("q") or "").strip()
    matters = material_selectors.online_matters().order_by("code")
    if q:
        # The one catalog search (synonyms, pinyin, codes, ranking) within what can be applied for here.
        matters = catalog_selectors.search_matters(catalog_selectors.MatterQuery(q=q), scope=material_selectors.online_matters())
    page = Paginator(matters, page_size(request)).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/apply_index.html",
        {"page": page, "q": q, "bundles": [] if q else material_selectors.online_bundles()},
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
