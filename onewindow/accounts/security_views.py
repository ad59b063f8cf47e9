"""The security administrator's pages (三员分立, accounts/duties.py): the sign-in policy in force,
accounts with recent failed sign-ins, and for one account its second factor and lockout - reset
the authenticator (lost phone), clear the failures. Nobody else may open them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from onewindow.core.authed import AuthedRequest
from onewindow.core.errors import ApplicationError

from . import duties, guard, mfa, passwords
from .forms import SecondFactorResetForm, apply_error
from .models import LoginFailure, User


def _security_admin(request: HttpRequest) -> None:
    duties.require_duty(request.user, duties.SECURITY)


@login_required
def security_home(request: AuthedRequest) -> HttpResponse:
    _security_admin(request)
    query = (request.GET.get("q") or "").strip()
    if query:
        person = User.objects.filter(username__iexact=query).first()
        if person is not None:
            return redirect("accounts:security_person", username=person.username)
        messages.error(request, _("没有这个用户名。"))
    since = timezone.now() - guard.window()
    failing = (
        LoginFailure.objects.filter(at__gte=since)
        .values("username", "ip")
        .annotate(n=Count("id"), last=Max("at"))
        .order_by("-n", "-last")[:50]
    )
    policy = {
        "window": int(guard.window().total_seconds() // 60),
        "free": guard.free_tries(),
        "delay": int(guard.first_delay().total_seconds()),
        "per_address": guard.per_address(),
        "otp": mfa.enabled(),
        "min_length": passwords.min_length(),
        "classes": passwords.min_classes(),
        "history": passwords.history_size(),
        "max_age": passwords.max_age_days(),
    }
    return render(request, "accounts/security_home.html", {"failing": failing, "policy": policy, "q": query})


@login_required
@require_http_methods(["GET", "POST"])
def security_person(request: AuthedRequest, username: str) -> HttpResponse:
    _security_admin(request)
    person = get_object_or_404(User, username=username)
    form = SecondFactorResetForm(request.POST if "reset" in request.POST else None)
    status = 200
    if request.method == "POST":
        try:
            if "unlock" in request.POST:
                n = guard.unlock(user=person, actor=request.user)
                messages.success(request, _("已清除 %(n)d 条登录失败记录。") % {"n": n})
                return redirect(request.path)
            if form.is_valid():
                mfa.second_factor_reset(user=person, actor=request.user, reason=form.cleaned_data["reason"])
                messages.success(request, _("已重置二次验证，本人下次登录时重新绑定身份验证器。"))
                return redirect(request.path)
            status = 422
        except ApplicationError as exc:
            if exc.status == 403:
                raise
            apply_error(form, exc)
            status = exc.status
    since = timezone.now() - guard.window()
    context: dict[str, Any] = {
        "person": person,
        "roles": [a.get_role_display() for a in person.role_assignments.select_related("org_unit")],
        "device": mfa.device_of(person),
        "failures": LoginFailure.objects.filter(username__iexact=person.username, at__gte=since)
        .values("ip")
        .annotate(n=Count("id"), last=Max("at")),
        "expired": passwords.is_expired(person),
        "form": form,
    }
    return render(request, "accounts/security_person.html", context, status=status)
