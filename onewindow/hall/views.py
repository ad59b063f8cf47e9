"""Hall pages: kiosk, receipt, ticket follow page, remote queueing by phone, display board, the
clerk's window page and the hall manager's page. Thin: parse, fetch through selectors, call services."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onewindow.accounts.models import Role, User
from onewindow.accounts.tenancy import staff_county
from onewindow.accounts.visitor import visitor_county
from onewindow.core.authed import AuthedRequest
from onewindow.core.errors import ApplicationError, PermissionDenied, page_message
from onewindow.core.tenancy import for_county

from . import kiosk as kiosk_lock
from . import selectors, services
from .models import ServicePoint, Ticket, Window
from .stats import day_figures
from .stats import figures as figures_between


def _point(point_uuid: Any) -> ServicePoint:
    point = selectors.point_by_uuid(point_uuid)
    if point is None:
        raise Http404
    return point


def _staff_window(request: HttpRequest, window_uuid: Any) -> Window:
    window = selectors.window_by_uuid(window_uuid)
    if window is None:
        raise Http404
    if not selectors.can_work_at(request.user, window.point):
        raise PermissionDenied()
    return window


def index(request: HttpRequest) -> HttpResponse:
    # The visitor's county's points (accounts/visitor.py), and a county's staff always see their
    # own county's beside it (their window and manager links).
    listed = for_county(ServicePoint.objects.all(), visitor_county(request))
    own = staff_county(request.user)
    if own is not None:
        listed = listed | for_county(ServicePoint.objects.all(), own)
    points = list(listed.order_by("code"))
    user = request.user
    return TemplateResponse(
        request,
        "hall/index.html",
        {
            "points": [
                {
                    "point": p,
                    "staff": selectors.can_work_at(user, p) if user.is_authenticated else False,
                    "manager": selectors.can_manage(user, p) if user.is_authenticated else False,
                }
                for p in points
            ],
        },
    )


# --- kiosk ---------------------------------------------------------------------------------------


def _kiosk_areas(point: ServicePoint) -> list[dict[str, Any]]:
    counts = selectors.waiting_counts(point)
    return [{"area": a, "waiting": counts.get(a.pk, 0)} for a in selectors.open_areas(point)]


def kiosk(request: HttpRequest, point_uuid: Any) -> HttpResponse:
    point = _point(point_uuid)
    kiosk_lock.require_device(request, point)
    return TemplateResponse(request, "hall/kiosk.html", {"point": point, "areas": _kiosk_areas(point)})


@require_POST
def kiosk_take(request: HttpRequest, point_uuid: Any) -> HttpResponse:
    point = _point(point_uuid)
    kiosk_lock.require_device(request, point)
    area = selectors.area_by_uuid(request.POST.get("area"))
    if area is None or area.point_id != point.pk:
        raise Http404
    try:
        kiosk_lock.throttle(request, point, "take")
        ticket = kiosk_lock.kiosk_take(
            area=area, id_number=request.POST.get("id_number") or None, green=request.POST.get("green") == "1"
        )
    except ApplicationError as exc:
        return TemplateResponse(
            request,
            "hall/kiosk.html",
            {"point": point, "areas": _kiosk_areas(point), "error": exc, "chosen": area},
            status=exc.status,
        )
    return redirect(reverse("hall:receipt", args=[ticket.uuid]) + "?print=1")


@login_required
def kiosk_register(request: AuthedRequest, point_uuid: Any) -> HttpResponse:
    """A hall manager registers the browser in front of them as a kiosk of the point (or rotates
    the point's token, which unregisters every kiosk)."""
    point = _point(point_uuid)
    if not selectors.can_manage(request.user, point):
        raise PermissionDenied()
    if request.method == "POST":
        if request.POST.get("rotate") == "1":
            kiosk_lock.device_token_rotate(point=point, actor=request.user)
            messages.success(request, _("已更换取号机令牌，所有取号机需要重新登记。"))
            return redirect(reverse("hall:kiosk_register", args=[point.uuid]))
        response = redirect(reverse("hall:kiosk", args=[point.uuid]))
        kiosk_lock.device_register(request=request, point=point, response=response)
        return response
    return TemplateResponse(
        request, "hall/kiosk_register.html", {"point": point, "registered": kiosk_lock.is_registered(request, point)}
    )


@login_required
def green_channel(request: AuthedRequest, point_uuid: Any) -> HttpResponse:
    """Staff of the point confirm (or decline) the green-channel requests made at kiosks."""
    point = _point(point_uuid)
    if not selectors.can_work_at(request.user, point):
        raise PermissionDenied()
    if request.method == "POST":
        try:
            t = kiosk_lock.green_confirm(
                point=point,
                ticket_uuid=request.POST.get("ticket"),
                actor=request.user,
                approve=request.POST.get("approve") == "1",
            )
        except ApplicationError as exc:
            messages.error(request, page_message(exc))
        else:
            if t.priority == Ticket.Priority.GREEN:
                messages.success(request, _("%(n)s 已转入绿色通道。") % {"n": t.number})
            else:
                messages.success(request, _("%(n)s 按普通号排队。") % {"n": t.number})
        return redirect(reverse("hall:green", args=[point.uuid]))
    return TemplateResponse(request, "hall/green.html", {"point": point, "tickets": kiosk_lock.green_requests(point)})


def _follow_url(ticket: Ticket) -> str:
    return settings.ONEWINDOW_PUBLIC_BASE_URL.rstrip("/") + reverse("hall:ticket", args=[ticket.uuid])


def receipt(request: HttpRequest, ticket_uuid: Any) -> HttpResponse:
    """The 58 mm receipt: number, area, people ahead, a QR code to follow the line on a phone."""
    ticket = selectors.ticket_by_uuid(ticket_uuid)
    if ticket is None:
        raise Http404
    ahead, wait = selectors.ticket_position(ticket)
    url = _follow_url(ticket)
    qr = segno.make(url, error="m").svg_inline(scale=3, border=1)
    return TemplateResponse(
        request,
        "hall/receipt.html",
        {"ticket": ticket, "ahead": ahead, "wait": wait, "qr": qr, "url": url, "autoprint": request.GET.get("print") == "1"},
    )


def ticket_page(request: HttpRequest, ticket_uuid: Any) -> HttpResponse:
    """Public follow page (the receipt's QR code): numbers only, no personal data."""
    ticket = selectors.ticket_by_uuid(ticket_uuid)
    if ticket is None:
        raise Http404
    ahead, wait = selectors.ticket_position(ticket)
    template = "hall/_ticket_status.html" if request.headers.get("HX-Request") else "hall/ticket.html"
    return TemplateResponse(request, template, {"ticket": ticket, "ahead": ahead, "wait": wait})


# --- remote queueing -----------------------------------------------------------------------------


def phone(request: HttpRequest, point_uuid: Any) -> HttpResponse:
    point = _point(point_uuid)
    counts = selectors.waiting_counts(point)
    areas = []
    for a in selectors.open_areas(point):
        windows = max(1, selectors.open_window_count(a))
        n = counts.get(a.pk, 0)
        areas.append({"area": a, "waiting": n, "wait": round(n * selectors.average_service_minutes(a) / windows)})
    return TemplateResponse(request, "hall/phone.html", {"point": point, "areas": areas})


@require_POST
@login_required
def phone_take(request: AuthedRequest, point_uuid: Any) -> HttpResponse:
    point = _point(point_uuid)
    area = selectors.area_by_uuid(request.POST.get("area"))
    if area is None or area.point_id != point.pk:
        raise Http404
    user: Any = request.user
    if not (user.has_role(Role.CITIZEN) or user.has_role(Role.ENTERPRISE)):
        raise PermissionDenied()
    try:
        ticket = services.ticket_issue(area=area, source=Ticket.Source.PHONE, actor=user)
    except ApplicationError as exc:
        messages.error(request, page_message(exc))
        return redirect("hall:phone", point_uuid=point.uuid)
    return redirect("hall:ticket", ticket_uuid=ticket.uuid)


# --- display board -------------------------------------------------------------------------------


def board(request: HttpRequest, point_uuid: Any) -> HttpResponse:
    point = _point(point_uuid)
    windows = list(Window.objects.filter(point=point, is_active=True).order_by("number"))
    return TemplateResponse(request, "hall/board.html", {"point": point, "windows": windows})


# --- the clerk's window page ---------------------------------------------------------------------


@login_required
def windows(request: AuthedRequest, point_uuid: Any) -> HttpResponse:
    point = _point(point_uuid)
    if not selectors.can_work_at(request.user, point):
        raise PermissionDenied()
    return TemplateResponse(
        request,
        "hall/windows.html",
        {"point": point, "windows": selectors.windows_live(point), "mine": selectors.user_session(request.user)},
    )


def _window_context(request: HttpRequest, window: Window) -> dict[str, Any]:
    session = selectors.open_session(window)
    current = services.current_ticket(window)
    return {
        "window": window,
        "session": session,
        "signed_in": bool(session and session.user_id == request.user.pk),
        "current": current,
        "queue": selectors.window_queue(window),
        "held": selectors.held_tickets(window),
        "areas": selectors.window_areas(window),
        "point_areas": selectors.open_areas(window.point),
        "other_windows": Window.objects.filter(point=window.point, is_active=True).exclude(pk=window.pk).order_by("number"),
        "max_recalls": window.point.max_recalls,
        "can_no_show": bool(current and current.call_count >= 1 + window.point.max_recalls),
    }


@login_required
def window_page(request: AuthedRequest, window_uuid: Any) -> HttpResponse:
    window = _staff_window(request, window_uuid)
    template = "hall/_window_panel.html" if request.headers.get("HX-Request") else "hall/window.html"
    return TemplateResponse(request, template, _window_context(request, window))


WINDOW_ACTIONS: dict[str, Callable[[Window, User, QueryDict], Any]] = {
    "sign-in": lambda w, u, p: services.window_sign_in(window=w, actor=u),
    "sign-out": lambda w, u, p: services.window_sign_out(window=w, actor=u),
    "call-next": lambda w, u, p: services.call_next(window=w, actor=u),
    "recall": lambda w, u, p: services.recall(window=w, actor=u),
    "no-show": lambda w, u, p: services.mark_no_show(window=w, actor=u),
    "start": lambda w, u, p: services.start_serving(window=w, actor=u),
    "finish": lambda w, u, p: services.finish(window=w, actor=u),
    "hold": lambda w, u, p: services.hold(window=w, actor=u, note=p.get("note", "")[:100]),
    "call": lambda w, u, p: services.call_specific(
        window=w, ticket=services.ticket_for_window(window=w, ticket_uuid=p.get("ticket")), actor=u
    ),
    "resume": lambda w, u, p: services.resume(
        window=w, ticket=services.ticket_for_window(window=w, ticket_uuid=p.get("ticket")), actor=u
    ),
}


@require_POST
@login_required
def window_action(request: AuthedRequest, window_uuid: Any, action: str) -> HttpResponse:
    window = _staff_window(request, window_uuid)
    try:
        if action == "transfer":
            to_area = selectors.area_by_uuid(request.POST.get("area")) if request.POST.get("area") else None
            to_window = selectors.window_by_uuid(request.POST.get("window")) if request.POST.get("window") else None
            services.transfer(
                window=window,
                actor=request.user,
                to_area=to_area,
                to_window=to_window,
                position=request.POST.get("position", "last"),
            )
        elif action in WINDOW_ACTIONS:
            result = WINDOW_ACTIONS[action](window, request.user, request.POST)
            if action == "call-next" and result is None:
                messages.info(request, _("当前没有等候的号码。"))
        else:
            raise Http404
    except ApplicationError as exc:
        messages.error(request, page_message(exc))
    if action == "start" and request.POST.get("intake") == "1":
        current = services.current_ticket(window)
        if current is not None:
            return redirect(f"/workbench/intake/?ticket={current.uuid}")
    return redirect("hall:window", window_uuid=window.uuid)


# --- the hall manager's page ---------------------------------------------------------------------


@login_required
def manage(request: AuthedRequest, point_uuid: Any) -> HttpResponse:
    point = _point(point_uuid)
    if not selectors.can_manage(request.user, point):
        raise PermissionDenied()
    figures = day_figures(point=point)
    today = services.business_date()
    recent = figures_between(point=point, date_from=today - timedelta(days=13), date_to=today - timedelta(days=1))
    windows_by_id = {w.pk: w for w in Window.objects.filter(point=point)}
    context = {
        "point": point,
        "live": selectors.point_live(point),
        "windows": selectors.windows_live(point),
        "figures": figures,
        "recent_days": sorted(recent.per_day.items(), reverse=True),
        "per_window": sorted(
            ((windows_by_id[w], n) for w, n in figures.per_window.items() if w in windows_by_id), key=lambda x: x[0].number
        ),
    }
    template = "hall/_manage_live.html" if request.headers.get("HX-Request") else "hall/manage.html"
    return TemplateResponse(request, template, context)


def _int_or_none(value: str | None) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        return -1  # refused by the service's range check with a clear message


@require_POST
@login_required
def manage_area(request: AuthedRequest, point_uuid: Any, area_uuid: Any) -> HttpResponse:
    point = _point(point_uuid)
    area = selectors.area_by_uuid(area_uuid)
    if area is None or area.point_id != point.pk:
        raise Http404
    if not selectors.can_manage(request.user, point):
        raise PermissionDenied()
    values: dict[str, Any] = {"require_id_number": request.POST.get("require_id_number") == "1"}
    for key in ("daily_cap", "warn_level", "per_person_daily_limit", "default_service_minutes"):
        v = _int_or_none(request.POST.get(key))
        if v is not None:
            values[key] = v
    values["service_level_minutes"] = _int_or_none(request.POST.get("service_level_minutes"))
    try:
        services.area_update_settings(area=area, actor=request.user, **values)
        messages.success(request, _("已保存：%(area)s") % {"area": area.name})
    except ApplicationError as exc:
        messages.error(request, page_message(exc))
    return redirect("hall:manage", point_uuid=point.uuid)
