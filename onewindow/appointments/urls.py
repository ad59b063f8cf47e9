from django.urls import path

from . import views

app_name = "appointments"

urlpatterns = [
    path("", views.index, name="index"),
    path("m/<uuid:matter>/", views.matter_places, name="places"),
    path("m/<uuid:matter>/a/<uuid:area>/", views.matter_days, name="days"),
    path("book/", views.book, name="book"),
    path("mine/", views.my_bookings, name="mine"),
    path("b/<str:code>/", views.booking_detail, name="booking"),
    path("b/<str:code>/cancel/", views.booking_cancel, name="cancel"),
    path("b/<str:code>/reschedule/", views.booking_reschedule, name="reschedule"),
    path("manage/<str:token>/", views.manage, name="manage"),
    path("kiosk/<uuid:point>/check-in/", views.kiosk_checkin, name="kiosk_checkin"),
    path("staff/", views.staff_home, name="staff"),
    path("staff/check-in/", views.staff_check_in, name="check_in"),
    path("staff/a/<uuid:area>/", views.staff_day, name="staff_day"),
    path("staff/a/<uuid:area>/plan/", views.staff_plan, name="staff_plan"),
    path("staff/a/<uuid:area>/retry/", views.staff_retry, name="staff_retry"),
]
