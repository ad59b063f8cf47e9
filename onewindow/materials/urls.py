from django.urls import path

from . import views

app_name = "materials"

urlpatterns = [
    path("", views.library, name="library"),
    path("<uuid:uuid>/file/", views.download, name="file"),
    path("<uuid:uuid>/remove/", views.remove, name="remove"),
]
