from __future__ import annotations

import importlib

from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.views.generic import RedirectView

from .api import api

# Where each app's pages live. Apps without a urls module are skipped.
APP_PREFIXES = {
    "accounts": "accounts/",
    "catalog": "catalog/",
    "hall": "hall/",
    "cases": "cases/",
    "appointments": "appointments/",
    "assistance": "assistance/",
    "materials": "materials/",
    "filings": "filings/",
    "welfare": "welfare/",
    "townships": "townships/",
    "ratings": "ratings/",
    "workbench": "workbench/",
    "dashboard": "dashboard/",
    "core": "",
    "portal": "",
}

urlpatterns: list[URLPattern | URLResolver] = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("api/docs", RedirectView.as_view(url="/api/v1/docs", permanent=False)),
]

for label, prefix in APP_PREFIXES.items():
    module_name = f"onewindow.{label}.urls"
    try:
        importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        continue
    urlpatterns.append(path(prefix, include(module_name)))

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()

# A request Django cannot read answers in the platform's error shape (JSON under /api/).
handler400 = "onewindow.core.middleware.bad_request"
