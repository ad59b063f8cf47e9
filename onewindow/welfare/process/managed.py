"""The cases engine's generic actions refuse a 低保 application's case and point here
(`cases.managed`): the application's own page and API run it, so its stage, notice and register
move with the case."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from onewindow.cases.managed import Elsewhere
from onewindow.cases.models import Case

from ..models import Application


def application_of(case: Case) -> Elsewhere | None:
    uuid = Application.objects.filter(case=case).values_list("uuid", flat=True).first()
    if uuid is None:
        return None
    return Elsewhere(
        what=str(_("最低生活保障审核确认")),
        page=reverse("welfare:application", args=[uuid]),
        api=f"/api/v1/welfare/process/applications/{uuid}",
    )
