from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("", views.index, name="index"),
    path("m/<str:code>/", views.guide, name="guide"),
    path("bundles/", views.bundle_list, name="bundles"),
    path("bundles/<str:code>/", views.bundle_detail, name="bundle"),
    path("stats/", views.stats, name="stats"),
    # The hall kiosk's matter search: the catalog's (the catalog points at the hall, not the reverse).
    path("kiosk/<uuid:point_uuid>/search/", views.kiosk_search, name="kiosk_search"),
    path("manage/", views.manage, name="manage"),
    path("manage/export.xlsx", views.export, name="export"),
    path("manage/template.xlsx", views.template, name="template"),
]
