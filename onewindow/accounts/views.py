"""Account pages: sign-in with lockout, registration (citizen, enterprise), care mode, handlers."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onewindow.core.errors import ApplicationError

from . import services
from .forms import CitizenRegisterForm, EnterpriseRegisterForm, HandlerAddForm, LoginForm, apply_error
from .models import Enterprise, EnterpriseHandler

CARE_COOKIE = "care_mode"


def client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is client-controlled unless a trusted proxy rewrites it.
    return request.META.get("REMOTE_ADDR") or None


def _next_url(request: HttpRequest, default: str = "/me/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(_next_url(request))
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = services.login_attempt(
                request=request,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                ip=client_ip(request),
            )
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
            status = exc.status
        else:
            auth_login(request, user)
            return redirect(_next_url(request, "/workbench/" if user.is_staff_member else "/me/"))
    return render(request, "accounts/login.html", {"form": form, "next": _next_url(request, "")}, status=status)


def register(request: HttpRequest) -> HttpResponse:
    return _register(request, enterprise=False)


def register_enterprise(request: HttpRequest) -> HttpResponse:
    return _register(request, enterprise=True)


def _register(request: HttpRequest, *, enterprise: bool) -> HttpResponse:
    form_class = EnterpriseRegisterForm if enterprise else CitizenRegisterForm
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        common = {k: data[k] for k in ("username", "password", "display_name", "id_number", "phone")}
        try:
            if enterprise:
                ent = services.account_register_enterprise(
                    **common, uscc=data["uscc"], enterprise_name=data["enterprise_name"], is_sole_trader=data["is_sole_trader"]
                )
                user = ent.handlers.get().user
            else:
                user = services.account_register_citizen(**common, ip=client_ip(request))
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("注册成功，已完成实名核验。"))
            return redirect(_next_url(request))
    return render(request, "accounts/register.html", {"form": form, "enterprise": enterprise, "next": _next_url(request, "")})


@require_POST
def care_mode(request: HttpRequest) -> HttpResponse:
    """Toggle 关怀版. Signed in: stored on the account (follows the user to any device); also a
    cookie, so the choice holds on the sign-in page and for visitors."""
    enabled = request.POST.get("enabled") == "1"
    if request.user.is_authenticated:
        services.care_mode_set(user=request.user, enabled=enabled)  # type: ignore[arg-type]
    response = HttpResponseRedirect(_next_url(request, "/"))
    response.set_cookie(CARE_COOKIE, "1" if enabled else "0", max_age=365 * 86400, samesite="Lax", httponly=True)
    return response


@login_required
def enterprise_detail(request: HttpRequest, uuid: str) -> HttpResponse:
    user: Any = request.user
    ent = get_object_or_404(Enterprise, uuid=uuid, handlers__user=user)
    is_legal = ent.handlers.filter(user=user, kind=EnterpriseHandler.Kind.LEGAL_REPRESENTATIVE).exists()
    form = HandlerAddForm(request.POST or None)
    if request.method == "POST":
        try:
            if "remove" in request.POST:
                services.enterprise_handler_remove(enterprise=ent, actor=request.user, username=request.POST["remove"])  # type: ignore[arg-type]
                messages.success(request, _("已移除经办人。"))
                return redirect(request.path)
            if form.is_valid():
                services.enterprise_handler_add(enterprise=ent, actor=request.user, **form.cleaned_data)  # type: ignore[arg-type]
                messages.success(request, _("已添加经办人。"))
                return redirect(request.path)
        except ApplicationError as exc:
            if exc.status == 403:
                raise
            apply_error(form, exc)
    handlers = ent.handlers.select_related("user").order_by("kind", "created_at")
    return render(request, "accounts/enterprise.html", {"ent": ent, "handlers": handlers, "is_legal": is_legal, "form": form})
