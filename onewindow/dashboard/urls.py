from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("", views.index, name="index"),
    path("export.csv", views.export, {"fmt": "csv"}, name="export"),
    path("export.xlsx", views.export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("wall/", views.wall_page, name="wall"),
    path("counties/", views.counties, name="counties"),
    path("counties/export.csv", views.counties_export, {"fmt": "csv"}, name="counties_export"),
    path("readers/", views.readers, name="readers"),
    path("counties/export.xlsx", views.counties_export, {"fmt": "xlsx"}, name="counties_export_xlsx"),
]
