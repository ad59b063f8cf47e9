from django.urls import path

from . import staff_views, views

app_name = "ratings"

urlpatterns = [
    path("", staff_views.results, name="results"),
    path("r/<str:token>/", views.link, name="link"),
    path("respond/<str:token>/", views.respond, name="respond"),
    path("me/", views.me, name="me"),
    path("me/rate/<str:kind>/<uuid:subject_uuid>/", views.rate, name="rate"),
    path("me/correct/<uuid:rating_uuid>/", views.correct, name="correct"),
    path("kiosk/<uuid:point_uuid>/", views.kiosk, name="kiosk"),
    path("pad/<uuid:window_uuid>/", views.pad, name="pad"),
    path("pad/<uuid:window_uuid>/current/", views.pad_current, name="pad_current"),
    path("pad/<uuid:window_uuid>/rate/", views.pad_rate, name="pad_rate"),
    path("work/", staff_views.work, name="work"),
    path("work/<uuid:follow_up_uuid>/", staff_views.follow_up, name="follow_up"),
    path("appeals/", staff_views.appeals, name="appeals"),
    path("appeals/<uuid:appeal_uuid>/decide/", staff_views.appeal_decide, name="appeal_decide"),
    path("ranking/", staff_views.ranking, name="ranking"),
    path("mine/", staff_views.mine, name="mine"),
    path("pads/", staff_views.pads, name="pads"),
]
