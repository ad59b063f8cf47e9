"""The welfare app's pages: the 审核确认 process (process/views.py) and the register and the money
(`urls_money.py`)."""

from __future__ import annotations

from django.urls import path

from . import urls_money
from .process import views as process

app_name = "welfare"

urlpatterns = [
    path("work/", process.work, name="work"),
    path("apply/", process.apply, name="apply"),
    path("a/<uuid:uuid>/", process.application_page, name="application"),
    path("a/<uuid:uuid>/do/<str:action>/", process.application_action, name="application_action"),
    path("a/<uuid:uuid>/doc/<str:kind>.pdf", process.document, name="document"),
    path("a/<uuid:uuid>/visit/<uuid:visit>/photo/<int:index>/", process.visit_photo, name="visit_photo"),
    path("notices/", process.notices_index, name="notices"),
    path("notices/<str:code>/", process.village_notices, name="village_notices"),
    path("notice/<uuid:uuid>/object/", process.lodge_objection, name="lodge_objection"),
    path("certificate/check/", process.certificate_check, name="certificate_check"),
    *urls_money.urlpatterns,
]
