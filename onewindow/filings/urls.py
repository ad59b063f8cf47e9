from django.urls import path

from . import views

app_name = "filings"

urlpatterns = [
    path("", views.index, name="index"),
    path("m/<uuid:uuid>/", views.sign, name="sign"),
    path("<uuid:uuid>/", views.detail, name="detail"),
    path("<uuid:uuid>/certificate.pdf", views.certificate, name="certificate"),
    path("check/<uuid:uuid>/", views.check, name="check"),
    path("staff/", views.staff, name="staff"),
    path("staff/<uuid:uuid>/", views.spot_check, name="spot_check"),
    path("breaches/", views.breaches, name="breaches"),
    path("breaches/<uuid:uuid>/clear/", views.breach_clear, name="breach_clear"),
]
