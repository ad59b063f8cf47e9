"""The resident's side: their mandates in /me/ (linked from the portal's page), confirming one
from their own phone, revoking."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from onewindow.core.authed import AuthedRequest
from onewindow.core.errors import ApplicationError

from . import selectors, services
from .views import _errors


@login_required
def my_mandates(request: AuthedRequest) -> HttpResponse:
    return render(request, "assistance/my_mandates.html", {"mandates": selectors.my_mandates(request.user)})


@login_required
def my_mandate(request: AuthedRequest, uuid: Any) -> HttpResponse:
    m = selectors.mandate_for_resident(request.user, uuid)
    errors = None
    if request.method == "POST":
        try:
            if request.POST.get("action") == "confirm":
                services.mandate_confirm(actor=request.user, mandate=m, text_sha256=request.POST.get("text_sha256", ""))
                messages.success(request, _("您已确认委托。"))
            elif request.POST.get("action") == "revoke":
                services.mandate_revoke(actor=request.user, mandate=m, reason=request.POST.get("reason", ""))
                messages.success(request, _("委托已撤销，代办点不能再以此委托为您申请；已提交的办件照常办理。"))
            return redirect("assistance:my_mandate", uuid=m.uuid)
        except ApplicationError as exc:
            errors = _errors(exc)
    return render(
        request,
        "assistance/my_mandate.html",
        {"m": m, "errors": errors, "applications": m.applications.select_related("case", "matter__current_version")[:50]},
        status=422 if errors else 200,
    )
