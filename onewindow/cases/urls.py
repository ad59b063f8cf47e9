from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("progress/", views.progress, name="progress"),
    path("<uuid:case_uuid>/notice/<str:kind>.pdf", views.notice_pdf, name="notice"),
    path("materials/<uuid:material_uuid>/", views.material_file, name="material"),
]
