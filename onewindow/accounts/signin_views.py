"""The steps a staff sign-in takes after the password or SMS code (accounts/signin.py): the second
factor, binding an authenticator, changing an expired password."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from onewindow.core.authed import AuthedRequest
from onewindow.core.errors import ApplicationError

from . import guard, mfa, passwords, services, signin
from .forms import OtpForm, PasswordChangeForm, apply_error
from .views import _next_url


def _continue(request: HttpRequest) -> HttpResponse:
    step = signin.pending_step(request)
    nxt = _next_url(request, "/workbench/")
    if step is not None:
        from django.urls import reverse
        from django.utils.http import urlencode

        return redirect(f"{reverse(signin.STEP_URLS[step])}?{urlencode({'next': nxt})}")
    return redirect(nxt)


@login_required
def second_factor(request: AuthedRequest) -> HttpResponse:
    user: Any = request.user
    if signin.pending_step(request) not in ("second_factor",):
        return _continue(request)
    device = mfa.device_of(user)
    form = OtpForm(request.POST or None)
    status, sent = 200, False
    if request.method == "POST":
        try:
            if "send" in request.POST:
                mfa.sms_send(request=request, user=user)
                sent = True
            elif not (request.POST.get("otp") or "").strip():
                form.add_error("otp", _("请填写动态验证码。"))
                status = 422
            elif request.POST.get("by") == "sms":
                mfa.sms_verify(request=request, user=user, code=request.POST["otp"])
                return _continue(request)
            else:
                mfa.totp_verify(request=request, user=user, code=request.POST["otp"])
                return _continue(request)
        except ApplicationError as exc:
            form = OtpForm(request.POST)
            form.is_valid()
            apply_error(form, exc)
            status = exc.status
    context = {
        "form": form,
        "has_device": device is not None,
        "sms_allowed": mfa.sms_allowed(request, user),
        "sent": sent or (request.POST.get("by") == "sms"),
        "next": _next_url(request, ""),
        "masked_phone": user.phone[:3] + "****" + user.phone[-4:] if len(user.phone) == 11 else "",
    }
    return render(request, "accounts/second_factor.html", context, status=status)


@login_required
def otp_enrol(request: AuthedRequest) -> HttpResponse:
    user: Any = request.user
    if signin.pending_step(request) != "enrol":
        return _continue(request)
    device = mfa.enrol_device(user=user)
    form = OtpForm(request.POST or None)
    status = 200
    if request.method == "POST":
        try:
            mfa.enrol_confirm(request=request, user=user, code=request.POST.get("otp") or "")
        except ApplicationError as exc:
            form.is_valid()
            apply_error(form, exc)
            status = exc.status
        else:
            messages.success(request, _("身份验证器已绑定。以后登录时请输入其中的动态验证码。"))
            return _continue(request)
    context = {
        "form": form,
        "qr": mark_safe(mfa.enrol_qr(device)),  # noqa: S308 - segno's SVG, no user HTML
        "secret": mfa.enrol_secret(device),
        "next": _next_url(request, ""),
    }
    return render(request, "accounts/otp_enrol.html", context, status=status)


@login_required
def password_change(request: AuthedRequest) -> HttpResponse:
    """Change the password: from /me/, and forced when a staff password has expired."""
    user: Any = request.user
    if signin.pending_step(request) in ("second_factor", "enrol"):
        return _continue(request)
    form = PasswordChangeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.password_change(
                user=user, old_password=data["old_password"], new_password=data["new_password"], ip=guard.client_ip(request)
            )
        except ApplicationError as exc:
            apply_error(form, exc)
            status = exc.status
        else:
            update_session_auth_hash(request, user)
            request.session[signin.PASSWORD_OK_KEY] = user.pk
            messages.success(request, _("密码已修改。"))
            return redirect(_next_url(request, "/workbench/" if user.is_staff_member else "/me/"))
    elif request.method == "POST":
        status = 422
    context = {
        "form": form,
        "expired": passwords.is_expired(user),
        "policy": passwords.StaffPasswordValidator().get_help_text() if passwords.is_policy_subject(user) else "",
        "next": _next_url(request, ""),
    }
    return render(request, "accounts/password_change.html", context, status=status)


@login_required
def window_identity(request: AuthedRequest) -> HttpResponse:
    """实名核验 at a window (clerks): the document seen, the account verified; a number held by
    another account is reclaimed for its owner (accounts/identity.py)."""
    from . import identity
    from .forms import WindowIdentityForm

    if not identity.may_verify_at_window(request.user):
        raise PermissionDenied
    form = WindowIdentityForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            clerk: Any = request.user
            person, holder = identity.identity_verify_at_window(clerk=clerk, ip=guard.client_ip(request), **form.cleaned_data)
        except ApplicationError as exc:
            apply_error(form, exc)
            status = exc.status
        else:
            messages.success(request, _("已完成 %(user)s 的实名核验。") % {"user": person.username})
            if holder is not None:
                messages.warning(
                    request,
                    _("这个证件号码原登记在账号 %(other)s 上，已收回并短信通知该账号。") % {"other": holder.username},
                )
            return redirect(request.path)
    elif request.method == "POST":
        status = 422
    return render(request, "accounts/window_identity.html", {"form": form}, status=status)
