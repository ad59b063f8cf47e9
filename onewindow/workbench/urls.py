from django.urls import path

from . import prereview, views

app_name = "workbench"

urlpatterns = [
    path("", views.home, name="home"),
    path("intake/", views.intake, name="intake"),
    path("intake/queue/", views.intake_queue, name="intake_queue"),
    path("intake/applicant/", views.intake_applicant, name="intake_applicant"),
    path("queue/", views.queue, name="queue"),
    path("work/<slug:action>/", views.work_list, name="work"),
    path("prereview/", prereview.queue, name="prereview_queue"),
    path("prereview/<uuid:case_uuid>/", prereview.check, name="prereview_check"),
    path("late/", views.late, name="late"),
    path("cases/<uuid:case_uuid>/", views.case_page, name="case"),
    path("cases/<uuid:case_uuid>/act/", views.case_act, name="case_act"),
    path("routes/", views.route_list, name="routes"),
    path("routes/compare/", views.route_compare, name="route_compare"),
    path("routes/<uuid:route_uuid>/bpmn/", views.route_bpmn, name="route_bpmn"),
    path("routes/<uuid:route_uuid>/publish/", views.route_publish, name="route_publish"),
]
