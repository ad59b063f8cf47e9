"""Public progress page (no login), notices as PDF and material files for those who may see them."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from onewindow.accounts.guard import client_ip
from onewindow.core.authed import AuthedRequest
from onewindow.core.errors import NotFound
from onewindow.core.identity import mask_name
from onewindow.core.qr import qr_svg
from onewindow.core.ratelimit import RateLimited
from onewindow.core.uploads import content_type_of, private_storage

from . import documents, selectors
from .models import SubmittedMaterial
from .progress import lookup as progress_lookup


@require_GET
def progress(request: HttpRequest) -> HttpResponse:
    """Only what the applicant needs: the matter, status, dates, the departments' steps and the
    public timeline, the applicant's name masked (刘*英) so they know it is theirs; no staff
    names, no ID or phone numbers, no address, no form data. Throttled (cases/progress.py)."""
    number = request.GET.get("n", "").strip()[:32]
    code = request.GET.get("c", "").strip()[:16]
    context: dict[str, object] = {"number": number, "code": code, "case": None, "tried": bool(number)}
    status = 200
    try:
        case = progress_lookup(number=number, code=code, address=client_ip(request)) if number else None
    except RateLimited as exc:
        case, status = None, exc.status
        context["refused"] = exc.message
    context["case"] = case
    if case is not None:
        context.update(
            applicant=mask_name(case.applicant.display_name) if case.applicant_id else "",
            events=selectors.timeline(case, public=True),
            qr=qr_svg(documents.progress_url(case)),
            steps=case.steps.select_related("department").order_by("stage_order", "id"),
        )
    elif number and status == 200:
        status = 404
    response = render(request, "cases/progress.html", context, status=status)
    # The address holds the check code: never kept by a shared browser's cache or a proxy.
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
def notice_pdf(request: AuthedRequest, case_uuid: str, kind: str) -> HttpResponse:
    case = selectors.case_for(request.user, case_uuid)
    data = documents.notice_pdf(case, kind)
    resp = HttpResponse(data, content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="{case.number}-{kind}.pdf"'
    resp["Cache-Control"] = "private, no-store"
    return resp


@login_required
def material_file(request: AuthedRequest, material_uuid: str) -> FileResponse:
    material = SubmittedMaterial.objects.filter(uuid=material_uuid).select_related("case").first()
    if material is None or not material.storage_name:
        raise NotFound()
    selectors.case_for(request.user, material.case.uuid)
    resp = FileResponse(private_storage().open(material.storage_name), content_type=content_type_of(material.storage_name))
    resp["Content-Disposition"] = "inline"
    resp["Cache-Control"] = "private, no-store"
    resp["X-Content-Type-Options"] = "nosniff"
    return resp
