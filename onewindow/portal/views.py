from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from onewindow.catalog import selectors as catalog_selectors


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/home.html",
        {
            "themes": catalog_selectors.themes_with_counts(),
            "life_events": catalog_selectors.life_events(),
        },
    )
