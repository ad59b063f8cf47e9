from django.urls import path

from . import views

app_name = "townships"

urlpatterns = [
    path("batches/", views.batches, name="batches"),
    path("batches/<uuid:uuid>/", views.batch, name="batch"),
    path("batches/<uuid:uuid>/documents/<uuid:doc>/", views.document, name="document"),
    path("delegations/", views.delegations, name="delegations"),
    path("delegations/<uuid:uuid>/revoke/", views.revoke, name="revoke"),
    path("supervision/", views.supervision, name="supervision"),
    path("reviews/<uuid:uuid>/", views.review, name="review"),
]
