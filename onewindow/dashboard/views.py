"""The leaders' dashboard: every app's figures on one page, and the same figures as CSV."""

from __future__ import annotations

import csv

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.accounts.models import Role
from onewindow.core.errors import PermissionDenied

from .discovery import collect, parse_params

DASHBOARD_ROLES = {Role.LEADER, Role.HALL_MANAGER, Role.ADMIN}


def can_view_dashboard(user: object) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(getattr(user, "is_superuser", False) or (user.role_names() & {r.value for r in DASHBOARD_ROLES}))  # type: ignore[attr-defined]


def _require(request: HttpRequest) -> None:
    if not can_view_dashboard(request.user):
        raise PermissionDenied(_("只有领导、大厅管理员和系统管理员可以查看统计分析。"))


@login_required
def index(request: HttpRequest) -> HttpResponse:
    _require(request)
    params = parse_params(request.GET)
    sections = collect(user=request.user, params=params)
    return render(
        request,
        "dashboard/index.html",
        {"sections": sections, "params": params, "query": request.GET.urlencode(), "now": timezone.localtime()},
    )


@login_required
def export_csv(request: HttpRequest) -> HttpResponse:
    _require(request)
    sections = collect(user=request.user, params=parse_params(request.GET))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="dashboard-{timezone.localdate():%Y%m%d}.csv"'
    response.write("\ufeff")  # BOM so spreadsheet programs read the Chinese correctly
    writer = csv.writer(response)
    writer.writerow([_("板块"), _("指标"), _("数值"), _("单位"), _("说明"), _("对应事实")])
    for s in sections:
        for f in s.figures:
            writer.writerow([s.title, f.label, f.value, f.unit, f.note, f.fact])
        for t in s.tables:
            writer.writerow([])
            writer.writerow([f"{s.title} · {t.title}"])
            writer.writerow([str(c) for c in t.columns])
            for row in t.rows:
                writer.writerow(row)
        writer.writerow([])
    return response
