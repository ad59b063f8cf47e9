from django.urls import path

from . import apply, tracking, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("county/", views.county, name="county"),
    path("apply/", views.apply_index, name="apply_index"),
    path("apply/matter/<uuid:uuid>/", apply.start_matter, name="apply_matter"),
    path("apply/bundle/<uuid:uuid>/", apply.start_bundle, name="apply_bundle"),
    path("apply/d/<uuid:uuid>/", apply.resume, name="apply_resume"),
    path("apply/d/<uuid:uuid>/conditions/", apply.conditions, name="apply_conditions"),
    path("apply/d/<uuid:uuid>/form/", apply.form, name="apply_form"),
    path("apply/d/<uuid:uuid>/materials/", apply.materials, name="apply_materials"),
    path("apply/d/<uuid:uuid>/review/", apply.review, name="apply_review"),
    path("apply/d/<uuid:uuid>/abandon/", apply.abandon, name="apply_abandon"),
    path("me/", views.me, name="me"),
    path("me/notifications/", views.notifications, name="notifications"),
    path("me/cases/", tracking.cases, name="cases"),
    path("me/cases/<uuid:uuid>/", tracking.case_detail, name="case"),
    path("me/cases/<uuid:uuid>/materials/<uuid:material>/", tracking.case_material_file, name="case_material"),
]
