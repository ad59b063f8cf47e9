"""Catalog pages: browse and search, service guides, bundles, figures, import/export for staff."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from onewindow.accounts.visitor import county_label, visitor_county
from onewindow.core.authed import AuthedRequest
from onewindow.core.dbrouter import replica_read
from onewindow.core.errors import PermissionDenied
from onewindow.hall import kiosk as hall_kiosk
from onewindow.hall import selectors as hall_selectors
from onewindow.hall.models import ServiceArea

from . import selectors
from .importexport import ImportInvalid, export_catalog, import_catalog, template_workbook
from .models import ONLINE_CAPABLE_DEPTH, LifeEvent, MatterVersion
from .stats import catalog_figures, sections

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def kiosk_search(request: HttpRequest, point_uuid: Any) -> HttpResponse:
    """Matter search on a hall kiosk: name, full pinyin or initials -> the area that accepts it. The
    catalog's page (it points at the hall; the hall never imports the catalog), in the kiosk's own
    fragment template, for a registered kiosk of the point only."""
    point = hall_selectors.point_by_uuid(point_uuid)
    if point is None:
        raise Http404
    hall_kiosk.require_device(request, point)
    q = (request.GET.get("q") or "").strip()[:40]
    matters: list[Any] = []
    if q:
        # The one catalog search (synonyms, pinyin, ranking) within the matters this hall accepts.
        scope = selectors.published_matters().filter(service_area__point=point)
        matters = list(selectors.search_matters(selectors.MatterQuery(q=q), scope=scope)[:12])
    return TemplateResponse(request, "hall/_kiosk_results.html", {"point": point, "matters": matters, "q": q})


@replica_read  # reads only: may be served by the replica
def index(request: HttpRequest) -> HttpResponse:
    # The visitor's county (a `?county=` parameter chose it already: accounts/visitor.py); an
    # unknown code in the parameter was refused and the page shows the county still chosen.
    county = visitor_county(request)
    query = replace(selectors.MatterQuery.from_params(request.GET), county=county.code)
    page = selectors.search_page(query, after=request.GET.get("after", ""), before=request.GET.get("before", ""))
    context = {
        "query": query,
        "page": page,
        "params": query.as_params(),
        "areas": selectors.themes_with_counts(county),
        "departments": selectors.departments_with_counts(county),
        "events": selectors.life_events_with_counts(county),
        "bundles": selectors.active_bundles(county),
        "online_depth": ONLINE_CAPABLE_DEPTH,
        "heading": _heading(query),
    }
    if request.headers.get("HX-Request"):
        return render(request, "catalog/_results.html", context)
    return render(request, "catalog/index.html", context)


def _heading(query: selectors.MatterQuery) -> str:
    """A human title for what is being browsed ("市场监督管理局的事项", "结婚")."""
    from onewindow.accounts.models import OrgUnit

    if query.department:
        units = OrgUnit.objects.filter(code=query.department)  # unique in its county only
        unit = (units.filter(county_id=query.county) if query.county else units).first()
        if unit:
            return unit.name
    if query.area:
        area = ServiceArea.objects.filter(code=query.area).first()
        if area:
            return area.name
    if query.event:
        event = LifeEvent.objects.filter(code=query.event).first()
        if event:
            return event.name
    return ""


@replica_read  # reads only: may be served by the replica
def guide(request: HttpRequest, code: str) -> HttpResponse:
    matter = selectors.matter_by_code(code)
    if matter is None:
        raise Http404(_("未找到该事项。"))
    version = matter.current_version
    # A matter's code names its county: a guide of another county's matter is still reachable by
    # its link (people apply in any county) and says whose it is.
    county = matter.department.county
    return render(
        request,
        "catalog/guide.html",
        {
            "matter": matter,
            "county_name": county_label(county),
            "other_county": county.code != visitor_county(request).code,
            "v": version,
            "materials": list(version.materials.all()) if version else [],
            "retired": version is not None and version.status == MatterVersion.Status.RETIRED,
            # Announced by the province, not yet in effect (services/standards.py, standard_retire):
            # people may still apply until the date, and are told so.
            "retiring_on": matter.standard.retired_on if matter.standard is not None else None,
            "townships": selectors.matter_townships(matter),
            "places": selectors.where_to_go(matter, request.user),
            "can_book": selectors.can_book(matter),
            "apply_online": version is not None and version.is_online_capable and version.kind != MatterVersion.Kind.FILING,
            "bundles": matter.bundles.filter(is_active=True),
            "printed_at": timezone.localtime(),
        },
    )


@replica_read  # reads only: may be served by the replica
def bundle_list(request: HttpRequest) -> HttpResponse:
    return render(request, "catalog/bundles.html", {"bundles": selectors.active_bundles(visitor_county(request))})


@replica_read  # reads only: may be served by the replica
def bundle_detail(request: HttpRequest, code: str) -> HttpResponse:
    bundle = selectors.bundle_by_code(code)
    if bundle is None:
        raise Http404(_("未找到该一件事。"))
    merged = selectors.bundle_materials(bundle)
    county = selectors.bundle_county(bundle)
    return render(
        request,
        "catalog/bundle.html",
        {
            "bundle": bundle,
            "county_name": county_label(county) if county is not None else "",
            "other_county": county is not None and county.code != visitor_county(request).code,
            "items": list(bundle.items.all()),
            "materials": merged,
            "separately": selectors.bundle_material_count_before(bundle),
        },
    )


@replica_read  # reads only: may be served by the replica
def stats(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "catalog/stats.html",
        # The county chosen (a county's staff start in theirs: accounts/visitor.py).
        {"f": catalog_figures(visitor_county(request).code), "sections": sections(user=request.user, params=request.GET)},
    )


def _require_catalog_admin(request: HttpRequest) -> None:
    if not selectors.can_manage_catalog(request.user):
        raise PermissionDenied(_("只有事项目录管理员可以导入、导出事项目录。"))


@login_required
@require_http_methods(["GET", "POST"])
def manage(request: AuthedRequest) -> HttpResponse:
    _require_catalog_admin(request)
    context: dict[str, object] = {
        "drafts": selectors.drafts_for(request.user)[:50],
        "retirements": selectors.retirements_for(request.user)[:50],
        "today": timezone.localdate(),
    }
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["error"] = _("请选择要导入的 .xlsx 文件。")
            status = 422
        elif upload.size and upload.size > MAX_UPLOAD_BYTES:
            context["error"] = _("文件过大（上限 20 MB）。")
            status = 422
        else:
            try:
                context["report"] = import_catalog(data=upload.read(), actor=request.user)
            except ImportInvalid as exc:
                context["error"] = exc.message
                context["row_errors"] = exc.errors
                status = 422
    return render(request, "catalog/manage.html", context, status=status)


@login_required
def export(request: AuthedRequest) -> HttpResponse:
    _require_catalog_admin(request)
    response = HttpResponse(
        export_catalog(selectors.matters_to_export(request.user)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="catalog-{timezone.localdate():%Y%m%d}.xlsx"'
    return response


@login_required
def template(request: AuthedRequest) -> HttpResponse:
    _require_catalog_admin(request)
    response = HttpResponse(template_workbook(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="catalog-template.xlsx"'
    return response
