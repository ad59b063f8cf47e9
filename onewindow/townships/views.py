"""Pages of delegation management (district officers), the delegations a township received
(township officers), and the district's supervision of township cases."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onewindow.catalog.models import Matter
from onewindow.catalog.search import MatterQuery, search_matters
from onewindow.core.authed import AuthedRequest
from onewindow.core.errors import ApplicationError, NotFound, PermissionDenied, ValidationFailed
from onewindow.core.parsing import parse_day, parse_uuid
from onewindow.core.uploads import private_storage

from . import selectors, services
from .models import BatchDocument, DelegationBatch, SupervisionReview


def _keep(exc: ApplicationError) -> ApplicationError:
    """Form errors are shown on the page; refusals are the middleware's (403/404 pages)."""
    if exc.status in (403, 404):
        raise exc
    return exc


@login_required
def batches(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if not selectors.can_read_delegations(user):
        raise PermissionDenied()
    error = None
    if request.method == "POST":
        try:
            batch = services.batch_create(
                actor=user,
                title=request.POST.get("title", ""),
                legal_basis=request.POST.get("legal_basis", ""),
                effective_on=parse_day(request.POST.get("effective_on", ""), "effective_on"),
                note=request.POST.get("note", ""),
            )
        except ApplicationError as exc:
            error = _keep(exc)
        else:
            messages.success(request, _("已起草赋权批次，请选择事项和承接乡镇（街道）。"))
            return redirect("townships:batch", uuid=batch.uuid)
    return render(
        request,
        "townships/batches.html",
        {
            "batches": selectors.batches_for(user).prefetch_related("townships")[:200],
            "can_draft": selectors.is_district_officer(user),
            "error": error,
            "post": request.POST,
        },
        status=error.status if error else 200,
    )


@login_required
def batch(request: AuthedRequest, uuid: str) -> HttpResponse:
    user = request.user
    b = selectors.batch_for(user, uuid)
    officer = selectors.is_district_officer(user)
    error = None
    if request.method == "POST":
        if not officer:
            raise PermissionDenied()
        action = request.POST.get("action", "")
        try:
            if action == "save":
                matters = list(Matter.objects.filter(uuid__in=_uuids(request.POST.getlist("matters"))))
                townships = list(selectors.townships_for(user).filter(code__in=request.POST.getlist("townships")))
                services.batch_update(
                    batch=b,
                    actor=user,
                    title=request.POST.get("title", ""),
                    legal_basis=request.POST.get("legal_basis", ""),
                    effective_on=parse_day(request.POST.get("effective_on", ""), "effective_on"),
                    matters=matters,
                    townships=townships,
                    note=request.POST.get("note", ""),
                )
                messages.success(request, _("已保存。"))
            elif action == "document":
                services.batch_document_add(
                    batch=b, actor=user, kind=request.POST.get("kind", ""), file=request.FILES.get("file")
                )
                messages.success(request, _("文件已上传。"))
            elif action == "remove_document":
                doc = b.documents.filter(uuid=_uuid(request.POST.get("document", ""))).first()
                if doc is None:
                    raise NotFound()
                services.batch_document_remove(document=doc, actor=user)
                messages.success(request, _("文件已删除。"))
            elif action == "publish":
                services.batch_publish(batch=b, actor=user)
                messages.success(request, _("赋权批次已发布，自生效日起新申请由承接乡镇（街道）受理和办理。"))
            else:
                raise ValidationFailed(_("未知的操作。"))
        except ApplicationError as exc:
            error = _keep(exc)
        else:
            return redirect("townships:batch", uuid=b.uuid)
        b.refresh_from_db()
    q = (request.GET.get("q") or "").strip()[:50]
    selected = list(b.matters.select_related("department", "current_version").order_by("code"))
    results: list[Matter] = []
    if officer and b.status == DelegationBatch.Status.DRAFT and q:
        # The one catalog search (synonyms, pinyin, codes, ranking) within the officer's matters.
        scope = selectors.delegatable_matters(user).exclude(pk__in=[m.pk for m in selected])
        results = list(search_matters(MatterQuery(q=q), scope=scope)[:30])
    chosen = set(b.townships.values_list("code", flat=True))
    return render(
        request,
        "townships/batch.html",
        {
            "batch": b,
            "officer": officer,
            "editable": officer and b.status == DelegationBatch.Status.DRAFT,
            "selected": selected,
            "results": results,
            "q": q,
            "townships": [(t, t.code in chosen) for t in selectors.townships_for(user)],
            "documents": b.documents.all(),
            "kinds": BatchDocument.Kind.choices,
            "delegation_count": b.delegations.count(),
            "error": error,
        },
        status=error.status if error else 200,
    )


def _uuid(value: Any) -> Any:
    """The one UUID parser (None for a malformed value: an ORM lookup on None finds nothing)."""
    return parse_uuid(value)


def _uuids(values: list[str]) -> list[Any]:
    return [u for u in (_uuid(v) for v in values) if u is not None]


@login_required
def document(request: AuthedRequest, uuid: str, doc: str) -> FileResponse:
    d = selectors.batch_for(request.user, uuid).documents.filter(uuid=doc).first()
    if d is None:
        raise NotFound()
    resp = FileResponse(private_storage().open(d.storage_name), content_type=d.content_type or "application/octet-stream")
    resp["Content-Disposition"] = "inline"
    resp["Cache-Control"] = "private, no-store"
    resp["X-Content-Type-Options"] = "nosniff"
    return resp


@login_required
def delegations(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if not selectors.can_read_delegations(user):
        raise PermissionDenied()
    today = timezone.localdate()
    township = (request.GET.get("township") or "").strip()[:32]
    show = request.GET.get("show", "in_force")
    qs = selectors.delegations_for(user).select_related("revocation")
    if township:
        qs = qs.filter(township__code=township)
    if show == "in_force":
        qs = qs.filter(effective_on__lte=today).filter(Q(revoked_on__isnull=True) | Q(revoked_on__gt=today))
    elif show == "revoked":
        qs = qs.filter(revoked_on__isnull=False)
    rows = list(qs[:500])
    return render(
        request,
        "townships/delegations.html",
        {
            "rows": rows,
            "today": today,
            "township": township,
            "show": show,
            "townships": selectors.townships_for(user),
            "managed": set(selectors.managed_departments(user).values_list("pk", flat=True)),
        },
    )


@login_required
@require_POST
def revoke(request: AuthedRequest, uuid: str) -> HttpResponse:
    user = request.user
    d = selectors.delegation_for(user, uuid)
    try:
        day = request.POST.get("revoked_on", "").strip()
        services.delegation_revoke(
            delegation=d,
            actor=user,
            reason=request.POST.get("reason", ""),
            revoked_on=parse_day(day, "revoked_on") if day else None,
        )
    except ApplicationError as exc:
        messages.error(request, str(_keep(exc).message))
    else:
        messages.success(
            request,
            _("已收回 %(township)s 的“%(matter)s”。在办件在原乡镇办结，新申请由区级部门办理。")
            % {"township": d.township.name, "matter": d.matter.search_name},
        )
    return redirect(f"{reverse('townships:delegations')}?township={d.township.code}&show=all")


@login_required
def supervision(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if not selectors.is_district_officer(user):
        raise PermissionDenied()
    departments = list(selectors.managed_departments(user).order_by("sort_order"))
    error = None
    if request.method == "POST":
        department = next((d for d in departments if d.code == request.POST.get("department")), None)
        township = selectors.townships_for(user).filter(code=request.POST.get("township", "")).first()
        try:
            if department is None:
                raise ValidationFailed(_("请选择部门。"), fields={"department": [_("必填项。")]})
            count = request.POST.get("count", "5")
            drawn = services.reviews_draw(
                actor=user, department=department, count=int(count) if count.isdigit() else 0, township=township
            )
        except ApplicationError as exc:
            error = _keep(exc)
        else:
            messages.success(request, _("已抽取 %(n)s 件办件待评查。") % {"n": len(drawn)})
            return redirect("townships:supervision")
    figures = selectors.township_supervision(selectors.supervised_cases(user), today=timezone.localdate(), user=user)
    return render(
        request,
        "townships/supervision.html",
        {
            "figures": figures,
            "departments": departments,
            "townships": selectors.townships_for(user),
            "reviews": selectors.reviews_for(user)[:100],
            "error": error,
        },
        status=error.status if error else 200,
    )


@login_required
def review(request: AuthedRequest, uuid: str) -> HttpResponse:
    user = request.user
    r = selectors.review_for(user, uuid)
    error = None
    if request.method == "POST":
        try:
            services.review_record(
                review=r, actor=user, result=request.POST.get("result", ""), finding=request.POST.get("finding", "")
            )
        except ApplicationError as exc:
            error = _keep(exc)
        else:
            messages.success(request, _("评查结果已记录。"))
            return redirect("townships:review", uuid=r.uuid)
    return render(
        request,
        "townships/review.html",
        {"review": r, "results": [c for c in SupervisionReview.Result.choices if c[0] != "pending"], "error": error},
        status=error.status if error else 200,
    )
