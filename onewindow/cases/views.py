"""Public progress page (no login), notices as PDF and material files for those who may see them."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from onewindow.core.errors import NotFound
from onewindow.core.qr import qr_svg
from onewindow.core.uploads import content_type_of, private_storage

from . import documents, selectors
from .models import SubmittedMaterial


@require_GET
def progress(request: HttpRequest) -> HttpResponse:
    number = request.GET.get("n", "").strip()[:32]
    code = request.GET.get("c", "").strip()[:16]
    case = selectors.case_for_public_progress(number, code) if number else None
    context: dict[str, object] = {"number": number, "code": code, "case": case, "tried": bool(number)}
    if case is not None:
        context.update(
            events=selectors.timeline(case, public=True),
            qr=qr_svg(documents.progress_url(case)),
            steps=case.steps.select_related("department").order_by("stage_order", "id"),
        )
    status = 404 if number and case is None else 200
    return render(request, "cases/progress.html", context, status=status)


@login_required
def notice_pdf(request: HttpRequest, case_uuid: str, kind: str) -> HttpResponse:
    case = selectors.case_for(request.user, case_uuid)  # type: ignore[arg-type]
    data = documents.notice_pdf(case, kind)
    resp = HttpResponse(data, content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="{case.number}-{kind}.pdf"'
    resp["Cache-Control"] = "private, no-store"
    return resp


@login_required
def material_file(request: HttpRequest, material_uuid: str) -> FileResponse:
    material = SubmittedMaterial.objects.filter(uuid=material_uuid).select_related("case").first()
    if material is None or not material.storage_name:
        raise NotFound()
    selectors.case_for(request.user, material.case.uuid)  # type: ignore[arg-type]
    resp = FileResponse(private_storage().open(material.storage_name), content_type=content_type_of(material.storage_name))
    resp["Content-Disposition"] = "inline"
    resp["Cache-Control"] = "private, no-store"
    resp["X-Content-Type-Options"] = "nosniff"
    return resp
