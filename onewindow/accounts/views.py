"""Account pages: sign-in (SMS code or password) with the one lockout, password reset by phone, registration (citizen, enterprise), care mode, handlers."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onewindow.core import retention
from onewindow.core.authed import AuthedRequest
from onewindow.core.errors import ApplicationError, page_message

from . import consent, guard, phone, services
from .forms import (
    CitizenRegisterForm,
    EnterpriseRegisterForm,
    HandlerAddForm,
    LoginForm,
    PasswordResetForm,
    PhoneVerifyForm,
    SmsLoginForm,
    apply_error,
)
from .models import Enterprise, EnterpriseHandler, PhoneCode

CARE_COOKIE = "care_mode"


client_ip = guard.client_ip

PASSWORD_BACKEND = "onewindow.accounts.backends.GuardedPasswordBackend"  # noqa: S105 - a dotted path, not a secret
STAFF_PREFIXES = ("/workbench/", "/hall/window", "/hall/manage", "/dashboard/", "/admin/", "/appointments/staff")


def _next_url(request: HttpRequest, default: str = "/me/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def _after_login(request: HttpRequest, user: Any) -> HttpResponse:
    auth_login(request, user)
    return redirect(_next_url(request, "/workbench/" if user.is_staff_member else "/me/"))


def login_view(request: HttpRequest) -> HttpResponse:
    """Sign in by SMS code (the default for the public: nobody is stuck at a password they forgot)
    or by password (the default when a staff page sent the person here)."""
    if request.user.is_authenticated:
        return redirect(_next_url(request))
    nxt = _next_url(request, "")
    way = (
        request.POST.get("way")
        or ("password" if "username" in request.POST else "")
        or request.GET.get("way")
        or ("password" if nxt.startswith(STAFF_PREFIXES) else "sms")
    )
    if way == "sms":
        return _login_sms(request, nxt)
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = services.login_attempt(
                request=request, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
            )
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
            status = exc.status
        else:
            return _after_login(request, user)
    return render(request, "accounts/login.html", {"form": form, "next": nxt, "way": "password"}, status=status)


def _login_sms(request: HttpRequest, nxt: str) -> HttpResponse:
    form = SmsLoginForm(request.POST or None)
    status, sent = 200, False
    if request.method == "POST" and form.is_valid():
        try:
            if "send" in request.POST:
                phone.phone_code_send(phone=form.cleaned_data["phone"], purpose=PhoneCode.Purpose.LOGIN, ip=client_ip(request))
                sent = True
            elif not form.cleaned_data["sms_code"]:
                form.add_error("sms_code", _("请填写短信验证码。"))
            else:
                user = phone.login_by_code(request=request, phone=form.cleaned_data["phone"], code=form.cleaned_data["sms_code"])
                return _after_login(request, user)
        except ApplicationError as exc:
            apply_error(form, exc)
            status = exc.status
    context = {"form": form, "next": nxt, "way": "sms", "sent": sent}
    return render(request, "accounts/login.html", context, status=status)


def password_forgot(request: HttpRequest) -> HttpResponse:
    """找回密码 through the verified phone: a code, then a new password; signs the person in."""
    if request.user.is_authenticated:
        return redirect("/me/")
    form = PasswordResetForm(request.POST or None)
    status, sent = 200, False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if "send" in request.POST:
                phone.phone_code_send(phone=data["phone"], purpose=PhoneCode.Purpose.RESET, ip=client_ip(request))
                sent = True
            elif not data["sms_code"]:
                form.add_error("sms_code", _("请填写短信验证码。"))
            elif data["password"] != data["password2"]:
                form.add_error("password2", _("两次输入的密码不一致。"))
            else:
                user = phone.password_reset_by_code(
                    request=request, phone=data["phone"], code=data["sms_code"], password=data["password"]
                )
                auth_login(request, user, backend=PASSWORD_BACKEND)
                messages.success(request, _("密码已重新设置，您已登录。"))
                return redirect(_next_url(request, "/workbench/" if user.is_staff_member else "/me/"))
        except ApplicationError as exc:
            apply_error(form, exc)
            status = exc.status
    return render(
        request, "accounts/password_forgot.html", {"form": form, "sent": sent, "next": _next_url(request, "")}, status=status
    )


def privacy_notice(request: HttpRequest) -> HttpResponse:
    """The privacy notice (个人信息保护告知) that registration asks consent to; public."""
    days = {k.removeprefix("RETENTION_").removesuffix("_DAYS").lower(): retention.period_days(k) for k in retention.DEFAULT_DAYS}
    return render(request, "accounts/privacy.html", {"version": consent.notice_version(), "days": days})


def register(request: HttpRequest) -> HttpResponse:
    return _register(request, enterprise=False)


def register_enterprise(request: HttpRequest) -> HttpResponse:
    return _register(request, enterprise=True)


def _register(request: HttpRequest, *, enterprise: bool) -> HttpResponse:
    form_class = EnterpriseRegisterForm if enterprise else CitizenRegisterForm
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        common = {k: data[k] for k in ("username", "password", "display_name", "id_number", "phone", "privacy_consent")}
        try:
            if enterprise:
                ent = services.account_register_enterprise(
                    **common,
                    uscc=data["uscc"],
                    enterprise_name=data["enterprise_name"],
                    is_sole_trader=data["is_sole_trader"],
                    ip=client_ip(request),
                )
                user = ent.handlers.get().user
            else:
                user = services.account_register_citizen(**common, ip=client_ip(request))
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            auth_login(request, user, backend=PASSWORD_BACKEND)
            if user.verified_at is not None:
                messages.success(request, _("注册成功，已完成实名核验。"))
            else:
                # The same words whether or not the number was already registered to someone else.
                messages.success(request, _("注册成功。实名核验尚未完成：请携带身份证到政务服务中心或便民服务中心窗口核验。"))
            # The phone is verified next, by a code texted to it now (SMS sign-in and 找回密码 need it).
            sent = True
            try:
                phone.phone_verify_send(user=user, ip=client_ip(request))
            except ApplicationError as exc:
                messages.error(request, page_message(exc))
                sent = False
            target = reverse("accounts:phone_verify")
            query = {"next": _next_url(request)}
            if sent:
                query["sent"] = "1"
            return redirect(f"{target}?{urlencode(query)}")
    return render(request, "accounts/register.html", {"form": form, "enterprise": enterprise, "next": _next_url(request, "")})


@login_required
def phone_verify(request: AuthedRequest) -> HttpResponse:
    """Verify the account's phone by an SMS code: right after registration, or from /me/ for an
    account whose number was never verified (registered before this page, or at a counter)."""
    user: Any = request.user
    form = PhoneVerifyForm(request.POST or None)
    status = 200
    sent = request.method == "GET" and request.GET.get("sent") == "1"
    nxt = _next_url(request, "/me/")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if "send" in request.POST:
                phone.phone_verify_send(user=user, ip=client_ip(request), phone=data["phone"] or None)
                sent = True
                form = PhoneVerifyForm()
            elif not data["sms_code"]:
                form.add_error("sms_code", _("请填写短信验证码。"))
                status = 422
            else:
                phone.phone_verify_confirm(request=request, user=user, code=data["sms_code"])
                messages.success(request, _("手机号已验证。以后可以用手机验证码登录和找回密码。"))
                return redirect(nxt)
        except ApplicationError as exc:
            apply_error(form, exc)
            status = exc.status
    user.refresh_from_db(fields=["phone", "phone_verified_at"])
    context = {"form": form, "sent": sent, "next": nxt, "masked_phone": _masked(user.phone), "verified": user.phone_verified_at}
    return render(request, "accounts/phone_verify.html", context, status=status)


def _masked(number: str) -> str:
    return number[:3] + "****" + number[-4:] if len(number) == 11 else number


@require_POST
def care_mode(request: HttpRequest) -> HttpResponse:
    """Toggle 关怀版. Signed in: stored on the account (follows the user to any device); also a
    cookie, so the choice holds on the sign-in page and for visitors."""
    enabled = request.POST.get("enabled") == "1"
    if request.user.is_authenticated:
        services.care_mode_set(user=request.user, enabled=enabled)
    response = HttpResponseRedirect(_next_url(request, "/"))
    response.set_cookie(
        CARE_COOKIE,
        "1" if enabled else "0",
        max_age=365 * 86400,
        samesite="Lax",
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


@login_required
def enterprise_detail(request: AuthedRequest, uuid: str) -> HttpResponse:
    user: Any = request.user
    ent = get_object_or_404(Enterprise, uuid=uuid, handlers__user=user)
    is_legal = ent.handlers.filter(user=user, kind=EnterpriseHandler.Kind.LEGAL_REPRESENTATIVE).exists()
    form = HandlerAddForm(request.POST or None)
    if request.method == "POST":
        try:
            if "remove" in request.POST:
                services.enterprise_handler_remove(enterprise=ent, actor=request.user, username=request.POST["remove"])
                messages.success(request, _("已移除经办人。"))
                return redirect(request.path)
            if form.is_valid():
                services.enterprise_handler_add(enterprise=ent, actor=request.user, **form.cleaned_data)
                messages.success(request, _("已添加经办人。"))
                return redirect(request.path)
        except ApplicationError as exc:
            if exc.status == 403:
                raise
            apply_error(form, exc)
    handlers = ent.handlers.select_related("user").order_by("kind", "created_at")
    return render(request, "accounts/enterprise.html", {"ent": ent, "handlers": handlers, "is_legal": is_legal, "form": form})
