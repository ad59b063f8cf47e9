from __future__ import annotations

from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("health/", views.health_web, name="health"),
    path("health/db/", views.health_database, name="health-db"),
    path("health/worker/", views.health_worker, name="health-worker"),
    path("health/scheduler/", views.health_scheduler, name="health-scheduler"),
    path("health/all/", views.health_all, name="health-all"),
    path("health/replica/", views.health_replica, name="health-replica"),
]
