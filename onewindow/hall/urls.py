from django.urls import path

from . import views

app_name = "hall"

urlpatterns = [
    path("", views.index, name="index"),
    path("kiosk/<uuid:point_uuid>/", views.kiosk, name="kiosk"),
    path("kiosk/<uuid:point_uuid>/take/", views.kiosk_take, name="kiosk_take"),
    path("kiosk/<uuid:point_uuid>/register/", views.kiosk_register, name="kiosk_register"),
    path("green/<uuid:point_uuid>/", views.green_channel, name="green"),
    path("ticket/<uuid:ticket_uuid>/", views.ticket_page, name="ticket"),
    path("ticket/<uuid:ticket_uuid>/receipt/", views.receipt, name="receipt"),
    path("phone/<uuid:point_uuid>/", views.phone, name="phone"),
    path("phone/<uuid:point_uuid>/take/", views.phone_take, name="phone_take"),
    path("board/<uuid:point_uuid>/", views.board, name="board"),
    path("windows/<uuid:point_uuid>/", views.windows, name="windows"),
    path("window/<uuid:window_uuid>/", views.window_page, name="window"),
    path("window/<uuid:window_uuid>/<slug:action>/", views.window_action, name="window_action"),
    path("manage/<uuid:point_uuid>/", views.manage, name="manage"),
    path("manage/<uuid:point_uuid>/area/<uuid:area_uuid>/", views.manage_area, name="manage_area"),
]
