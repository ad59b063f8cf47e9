"""Fees collected at the point: the day's till (collect, reverse, close), receipts and their
public verification, hand-over batches, reconciliation."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.core.authed import AuthedRequest
from onewindow.core.errors import ApplicationError, NotFound, PermissionDenied, page_message

from . import access, selectors, services
from .models import AgentPoint, CollectionKind, HandoverBatch, PaymentMethod
from .receipts import receipt_pdf
from .views import _errors, _is_uuid, agent_required


@agent_required
def till(request: AuthedRequest, point: AgentPoint) -> HttpResponse:
    user = request.user
    errors = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "collect":
                rid = request.POST.get("resident", "")
                row = next((r for r in selectors.my_residents(point) if str(r.mandate.uuid) == rid), None)
                if row is None:
                    raise NotFound(_("请选择有委托的群众。"))
                entry = services.collect(
                    actor=user,
                    point=point,
                    resident=row.mandate.resident,
                    kind=request.POST.get("kind", ""),
                    method=request.POST.get("method", ""),
                    amount=request.POST.get("amount", ""),
                    period=request.POST.get("period", ""),
                )
                messages.success(request, _("已收款，收据号 %(n)s。") % {"n": entry.number})
            elif action == "reverse":
                entry = selectors.entry_for(user, request.POST.get("entry") if _is_uuid(request.POST.get("entry", "")) else None)
                services.reverse(actor=user, entry=entry, reason=request.POST.get("reason", ""))
                messages.success(request, _("已冲正。"))
            elif action == "close":
                services.till_close(
                    actor=user, point=point, day=timezone.localdate(), counted_cash=request.POST.get("counted_cash", "")
                )
                messages.success(request, _("日结完成，账实相符。"))
            else:
                raise NotFound()
            return redirect("assistance:till")
        except ApplicationError as exc:
            errors = _errors(exc)
    today = selectors.till_today(point)
    return render(
        request,
        "assistance/till.html",
        {
            "point": point,
            "till": today,
            "entries": selectors.till_entries(today) if today else [],
            "residents": selectors.my_residents(point),
            "kinds": CollectionKind.choices,
            "methods": PaymentMethod.choices,
            "errors": errors,
            "post": request.POST,
            "year": timezone.localdate().year + 1,
        },
        status=422 if errors else 200,
    )


@login_required
def receipt(request: AuthedRequest, uuid: Any) -> HttpResponse:
    entry = selectors.entry_for(request.user, uuid)
    response = HttpResponse(receipt_pdf(entry), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{entry.number}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


def receipt_verify(request: HttpRequest) -> HttpResponse:
    """Public: anyone holding the receipt (number and check code) sees that it is genuine."""
    entry = selectors.entry_public(request.GET.get("n", ""), request.GET.get("c", ""))
    asked = bool(request.GET.get("n"))
    return render(
        request, "assistance/receipt_verify.html", {"entry": entry, "asked": asked}, status=200 if entry or not asked else 404
    )


@login_required
def batches(request: AuthedRequest) -> HttpResponse:
    user = request.user
    point = access.point_of(user)
    qs = selectors.batches_for(user)
    if point is None and not qs.exists() and not user.is_staff_member:
        raise PermissionDenied()
    if request.method == "POST":
        try:
            if request.POST.get("action") == "prepare":
                if point is None:
                    raise PermissionDenied()
                batch = services.batch_prepare(actor=user, point=point, kind=request.POST.get("kind", ""))
                messages.success(request, _("已生成移交批次 %(n)s。") % {"n": batch.number})
            elif request.POST.get("action") == "hand_over":
                value = request.POST.get("batch", "")
                found = qs.filter(uuid=value).first() if _is_uuid(value) else None
                if found is None:
                    raise NotFound()
                services.batch_hand_over(actor=user, batch=found)
                messages.success(request, _("已签收批次 %(n)s。") % {"n": found.number})
            else:
                raise NotFound()
        except ApplicationError as exc:
            messages.error(request, page_message(exc))
        return redirect("assistance:batches")
    return render(
        request,
        "assistance/batches.html",
        {"point": point, "batches": qs[:100], "kinds": CollectionKind.choices, "prepared": HandoverBatch.Status.PREPARED},
    )


@login_required
def reconciliation(request: AuthedRequest) -> HttpResponse:
    user = request.user
    points = access.agent_points(user) | access.overseen_points(user)
    if not points.exists():
        raise PermissionDenied()
    today = timezone.localdate()

    def day(value: str | None, default: datetime.date) -> datetime.date:
        try:
            return datetime.date.fromisoformat((value or "").strip())
        except ValueError:
            return default

    start = day(request.GET.get("from"), today.replace(day=1))
    end = day(request.GET.get("to"), today)
    if end < start or (end - start).days > 366:
        start, end = today.replace(day=1), today
    report = selectors.reconciliation(points, start=start, end=end)
    return render(
        request,
        "assistance/reconciliation.html",
        {"report": report, "start": start, "end": end, "kinds": dict(CollectionKind.choices)},
    )
