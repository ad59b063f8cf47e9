"""Filing pages: choose, read and sign; my filing and its certificate; public check; spot checks
(department approvers) and clearing a breach (administrators)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onewindow.accounts.visitor import visitor_county
from onewindow.catalog import formschema
from onewindow.core.authed import AuthedRequest
from onewindow.core.errors import ApplicationError, NotFound, PermissionDenied, page_message
from onewindow.materials.selectors import enterprises_of

from . import selectors, services
from .certificate import certificate_pdf
from .models import Filing


def index(request: HttpRequest) -> HttpResponse:
    # The public list: the visitor's county's filing matters (accounts/visitor.py).
    return render(request, "filings/index.html", {"matters": selectors.filing_matters(visitor_county(request))})


@login_required
def sign(request: AuthedRequest, uuid: str) -> HttpResponse:
    user: Any = request.user
    matter = selectors.filing_matter(uuid)
    version = matter.current_version
    assert version is not None
    enterprises = list(enterprises_of(user))
    schema = version.form_schema or []
    data: dict[str, Any] = {}
    error = None
    if request.method == "POST":
        data = {f.name: request.POST.get(f.name, "") for f in formschema.fields_of(schema)} if schema else {}
        ent_uuid = request.POST.get("enterprise") or ""
        enterprise = next((e for e in enterprises if str(e.uuid) == ent_uuid), None)
        if ent_uuid and enterprise is None:
            raise NotFound()
        try:
            filing = services.filing_sign(
                applicant=user,
                matter=matter,
                enterprise=enterprise,
                signer_name=request.POST.get("signer_name", ""),
                signer_id_number=request.POST.get("signer_id_number", ""),
                text_sha256=request.POST.get("text_sha256", ""),
                form_data=data,
            )
        except ApplicationError as exc:
            if exc.status == 403 and exc.code == "permission_denied":
                raise
            error = exc
        else:
            messages.success(request, _("备案已完成，备案编号 %(number)s。") % {"number": filing.number})
            return redirect("filings:detail", uuid=filing.uuid)
    return render(
        request,
        "filings/sign.html",
        {
            "matter": matter,
            "version": version,
            "text_sha256": services.text_hash(version.commitment_text or ""),
            "enterprises": enterprises,
            "fields": formschema.bound(schema, data, error.fields if error else None) if schema else [],
            "error": error,
            "post": request.POST,
        },
        status=error.status if error else 200,
    )


@login_required
def detail(request: AuthedRequest, uuid: str) -> HttpResponse:
    filing = selectors.filing_for(request.user, uuid)
    return render(request, "filings/detail.html", {"filing": filing})


@login_required
def certificate(request: AuthedRequest, uuid: str) -> HttpResponse:
    filing = selectors.filing_for(request.user, uuid)
    response = HttpResponse(certificate_pdf(filing), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filing.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


def check(request: HttpRequest, uuid: str) -> HttpResponse:
    """Public check behind the certificate's QR code: number, matter, status and date only."""
    filing = Filing.objects.select_related("enterprise", "department").filter(uuid=uuid).first()
    if filing is None:
        raise NotFound()
    return render(request, "filings/check.html", {"filing": filing})


@login_required
def staff(request: AuthedRequest) -> HttpResponse:
    user: Any = request.user
    qs = selectors.staff_filings(user)
    if not user.is_staff_member and not selectors.is_admin(user):
        raise PermissionDenied()
    q = (request.GET.get("q") or "").strip()
    if q:
        qs = qs.filter(number__icontains=q) | qs.filter(enterprise__name__icontains=q)
    page = Paginator(qs.order_by("-signed_at", "-id"), 30).get_page(request.GET.get("page"))
    return render(request, "filings/staff.html", {"page": page, "q": q, "is_admin": selectors.is_admin(user)})


@login_required
def spot_check(request: AuthedRequest, uuid: str) -> HttpResponse:
    user: Any = request.user
    filing = selectors.staff_filings(user).filter(uuid=uuid).first()
    if filing is None:
        raise NotFound()
    error = None
    if request.method == "POST":
        try:
            services.spot_check_record(
                filing=filing, inspector=user, result=request.POST.get("result", ""), note=request.POST.get("note", "")
            )
        except ApplicationError as exc:
            if exc.status in (403, 404):
                raise
            error = exc
        else:
            messages.success(request, _("核查结果已记录。"))
            return redirect("filings:spot_check", uuid=filing.uuid)
    return render(
        request,
        "filings/spot_check.html",
        {"filing": filing, "checks": filing.spot_checks.select_related("inspector"), "error": error},
        status=error.status if error else 200,
    )


@login_required
def breaches(request: AuthedRequest) -> HttpResponse:
    user: Any = request.user
    if not selectors.is_admin(user):
        raise PermissionDenied()
    page = Paginator(selectors.breaches_for_admin(user), 30).get_page(request.GET.get("page"))
    return render(request, "filings/breaches.html", {"page": page})


@login_required
@require_POST
def breach_clear(request: AuthedRequest, uuid: str) -> HttpResponse:
    user: Any = request.user
    breach = selectors.breaches_for_admin(user).filter(uuid=uuid).first()
    if breach is None:
        raise NotFound()
    try:
        services.breach_clear(breach=breach, actor=user, reason=request.POST.get("reason", ""))
    except ApplicationError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, page_message(exc))
    else:
        messages.success(request, _("已解除。"))
    return redirect("filings:breaches")
