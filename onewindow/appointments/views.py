"""Pages. Thin: parse, read through a scoped selector, call a service, render."""

from __future__ import annotations

import datetime
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onewindow.accounts.visitor import visitor_county
from onewindow.core.audit import audit_read
from onewindow.core.authed import AuthedRequest
from onewindow.core.errors import ApplicationError, NotFound, PermissionDenied, page_message
from onewindow.core.parsing import parse_uuid

from . import access, selectors, services
from .forms import ExceptionForm, PersonForm, RuleForm
from .models import Booking, DateException, SessionRule
from .policy import area_county, policy


def _parse_day(value: str | None, default: datetime.date) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value or "")
    except ValueError:
        return default


def qr_svg(text: str) -> str:
    """An inline SVG QR code (no image request, works offline)."""
    return mark_safe(segno.make(text, error="m").svg_inline(scale=5, border=2, omitsize=True))  # noqa: S308 - segno output, no user HTML


def booking_modes(user: Any, area: Any) -> list[tuple[str, str]]:
    """The channels `user` may book with at `area`, for the form."""
    modes: list[tuple[str, str]] = []
    if access.is_self_booker(user):
        modes.append((Booking.Channel.WEB, _("为本人预约")))
    if getattr(user, "is_authenticated", False):
        if access.can_desk(user, area):
            modes += [(Booking.Channel.COUNTER, _("窗口代约（现场群众）")), (Booking.Channel.CALL, _("电话预约（来电群众）"))]
        if access.is_agent(user):
            modes.append((Booking.Channel.AGENT, _("代办员为村（居）民预约")))
    return modes


# ---------------------------------------------------------------------------------------------
# Citizen flow: matter -> place -> day -> slot


def index(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")
    off = request.GET.get("off", "1") == "1"
    # The visitor's county's matters (accounts/visitor.py); a matter's places are its own county's.
    matters = selectors.bookable_matters(q=q, off_hours_only=off, county=visitor_county(request))
    page = Paginator(matters, 20).get_page(request.GET.get("page"))
    return render(request, "appointments/index.html", {"page": page, "q": q, "off": off})


def matter_places(request: HttpRequest, matter: Any) -> HttpResponse:
    m = selectors.matter_by_uuid(matter)
    places = list(selectors.matter_places(m))
    return render(request, "appointments/places.html", {"matter": m, "places": places})


def matter_days(request: HttpRequest, matter: Any, area: Any) -> HttpResponse:
    m = selectors.matter_by_uuid(matter)
    a = selectors.area_by_uuid(area)
    today = timezone.localdate()
    end = today + datetime.timedelta(days=policy(area_county(a)).max_days_ahead)
    days = selectors.availability(matter=m, area=a, start=today, end=end)
    chosen = _parse_day(request.GET.get("day"), today)
    day = next((d for d in days if d.date == chosen), None)
    if day is None or (not day.slots and not request.GET.get("day")):
        day = next((d for d in days if d.free), day)
    ctx = {
        "matter": m,
        "area": a,
        "days": days,
        "day": day,
        "modes": booking_modes(request.user, a),
        "person_form": PersonForm(),
        "uncovered": [d for d in days if d.uncovered],
        "materials": selectors.materials_to_bring(m),
        "units": selectors.slot_units_for(m),
    }
    if request.headers.get("HX-Request") and request.GET.get("day"):
        return render(request, "appointments/_slots.html", ctx)
    return render(request, "appointments/days.html", ctx)


@login_required
@require_POST
def book(request: AuthedRequest) -> HttpResponse:
    m = selectors.matter_by_uuid(request.POST.get("matter"))
    channel = request.POST.get("channel", Booking.Channel.WEB)
    try:
        slot = selectors.slot_by_ref(request.POST.get("slot", ""))
        booking = services.booking_create(
            actor=request.user,
            matter=m,
            slot=slot,
            channel=channel,
            id_number=request.POST.get("id_number"),
            person_name=request.POST.get("person_name", ""),
            phone=request.POST.get("phone", ""),
        )
    except ApplicationError as exc:
        messages.error(request, page_message(exc))
        area = parse_uuid(request.POST.get("area"))
        if area:
            return redirect("appointments:days", matter=m.uuid, area=area)
        return redirect("appointments:places", matter=m.uuid)
    messages.success(request, _("预约成功，预约码 %(code)s。") % {"code": booking.code})
    return redirect("appointments:booking", code=booking.code)


def _booking_ctx(request: HttpRequest, b: Booking, **extra: Any) -> dict[str, Any]:
    return {
        "b": b,
        "qr": qr_svg(b.code),
        "materials": selectors.materials_to_bring(b.matter),
        "is_desk": access.can_desk(request.user, b.area),
        "outbox": selectors.reminder_status(b) if access.can_desk(request.user, b.area) else [],
        **extra,
    }


@login_required
def booking_detail(request: AuthedRequest, code: str) -> HttpResponse:
    b = selectors.visible_booking(request.user, code)
    return render(request, "appointments/booking.html", _booking_ctx(request, b))


@login_required
def my_bookings(request: AuthedRequest) -> HttpResponse:
    page = Paginator(selectors.my_bookings(request.user), 20).get_page(request.GET.get("page"))
    return render(request, "appointments/mine.html", {"page": page, "now": timezone.now()})


@login_required
def booking_cancel(request: AuthedRequest, code: str) -> HttpResponse:
    """Cancelling asks first: a page that says what will be cancelled, then a confirmed POST."""
    b = selectors.visible_booking(request.user, code)
    if request.method != "POST" or request.POST.get("confirm") != "1":
        back = reverse("appointments:booking", kwargs={"code": b.code})
        return render(request, "appointments/cancel_confirm.html", {"b": b, "action": request.path, "back": back})
    try:
        services.booking_cancel(actor=request.user, booking=b)
        messages.success(request, _("预约已取消。"))
    except ApplicationError as exc:
        messages.error(request, page_message(exc))
    return redirect("appointments:booking", code=b.code)


def _reschedule(request: HttpRequest, b: Booking, *, via_link: bool, back: str) -> HttpResponse:
    today = timezone.localdate()
    if request.method == "POST":
        try:
            slot = selectors.slot_by_ref(request.POST.get("slot", ""))
            services.booking_reschedule(actor=request.user, booking=b, slot=slot, via_link=via_link)
            messages.success(request, _("改约成功。"))
        except ApplicationError as exc:
            messages.error(request, page_message(exc))
        return redirect(back)
    days = selectors.availability(
        matter=b.matter, area=b.area, start=today, end=today + datetime.timedelta(days=policy(area_county(b.area)).max_days_ahead)
    )
    chosen = _parse_day(request.GET.get("day"), today)
    day = next((d for d in days if d.date == chosen and d.slots), None) or next((d for d in days if d.free), None)
    return render(request, "appointments/reschedule.html", {"b": b, "days": days, "day": day, "back": back})


@login_required
def booking_reschedule(request: AuthedRequest, code: str) -> HttpResponse:
    b = selectors.visible_booking(request.user, code)
    return _reschedule(request, b, via_link=False, back=request.path.replace("reschedule/", ""))


def manage(request: HttpRequest, token: str) -> HttpResponse:
    """The signed link from the SMS: cancel or reschedule without logging in."""
    b = services.booking_from_token(token)
    action = request.POST.get("action") if request.method == "POST" else request.GET.get("action")
    if action == "cancel" and (request.method != "POST" or request.POST.get("confirm") != "1"):
        return render(request, "appointments/cancel_confirm.html", {"b": b, "action": request.path, "back": request.path})
    if action == "cancel":
        try:
            services.booking_cancel(actor=request.user, booking=b, via_link=True)
            messages.success(request, _("预约已取消。"))
        except ApplicationError as exc:
            messages.error(request, page_message(exc))
        return redirect(request.path)
    if action == "reschedule":
        return _reschedule(request, b, via_link=True, back=request.path)
    b.refresh_from_db()
    return render(
        request, "appointments/manage.html", {"b": b, "qr": qr_svg(b.code), "materials": selectors.materials_to_bring(b.matter)}
    )


# ---------------------------------------------------------------------------------------------
# Staff


def _staff_only(request: HttpRequest) -> None:
    if not access.is_staff_viewer(request.user):
        raise PermissionDenied()


@login_required
def staff_home(request: AuthedRequest) -> HttpResponse:
    _staff_only(request)
    areas = access.desk_areas(request.user).select_related("point").order_by("point__code", "sort_order")
    managed = set(access.managed_areas(request.user).values_list("pk", flat=True))
    return render(request, "appointments/staff_home.html", {"areas": areas, "managed": managed, "today": timezone.localdate()})


def _audit_displaced(request: HttpRequest, area: Any, displaced: Any) -> None:
    """The displaced bookings' list shows each person's full phone number: the read is audited."""
    codes = [b.code for b in displaced]
    if codes:
        audit_read(actor=request.user, target=area, page=request.path, whose=codes)


@login_required
def staff_day(request: AuthedRequest, area: Any) -> HttpResponse:
    a = selectors.area_by_uuid(area)
    day = _parse_day(request.GET.get("date"), timezone.localdate())
    bookings = selectors.day_bookings(user=request.user, area=a, day=day)
    ctx = {
        "area": a,
        "day": day,
        "bookings": bookings,
        "prev": day - datetime.timedelta(days=1),
        "next": day + datetime.timedelta(days=1),
        "displaced": selectors.displaced_bookings(user=request.user, area=a),
        "failed": selectors.failed_notifications(user=request.user, area=a),
        "can_manage": access.can_manage(request.user, a),
    }
    _audit_displaced(request, a, ctx["displaced"])
    return render(request, "appointments/staff_day.html", ctx)


@login_required
@require_POST
def staff_retry(request: AuthedRequest, area: Any) -> HttpResponse:
    a = selectors.area_by_uuid(area)
    if not access.can_desk(request.user, a):
        raise PermissionDenied()
    try:
        services.notification_retry(actor=request.user, dedupe_key=request.POST.get("key", ""))
        messages.success(request, _("已重新加入发送队列。"))
    except ApplicationError as exc:
        messages.error(request, page_message(exc))
    return redirect("appointments:staff_day", area=a.uuid)


@login_required
@require_POST
def staff_check_in(request: AuthedRequest) -> HttpResponse:
    """Kiosk scan or clerk: the booking code becomes a ticket."""
    _staff_only(request)
    back = request.POST.get("next") or "appointments:staff"
    try:
        r = services.booking_check_in(actor=request.user, code=request.POST.get("code", ""))
    except ApplicationError as exc:
        messages.error(request, page_message(exc))
        return redirect(back if back.startswith("/") else "appointments:staff")
    if r.late:
        messages.warning(request, _("已签到（迟到，按普通号排队）：排队号 %(n)s。") % {"n": r.booking.ticket_number})
    else:
        messages.success(request, _("已签到，优先排队号 %(n)s。") % {"n": r.booking.ticket_number})
    return redirect(back if back.startswith("/") else "appointments:staff")


def _in_area(qs: Any, value: Any) -> Any:
    uuid = parse_uuid(value)
    return qs.filter(uuid=uuid).first() if uuid else None


@login_required
def staff_plan(request: AuthedRequest, area: Any) -> HttpResponse:
    a = selectors.area_by_uuid(area)
    if not access.can_manage(request.user, a):
        raise PermissionDenied()
    rule_form = RuleForm(prefix="rule")
    exc_form = ExceptionForm(prefix="exc")
    if request.method == "POST":
        op = request.POST.get("op")
        try:
            change = None
            if op == "rule":
                rule_form = RuleForm(request.POST, prefix="rule")
                rule = None
                if request.POST.get("rule"):
                    rule = _in_area(SessionRule.objects.filter(area=a), request.POST["rule"])
                    if rule is None:
                        raise NotFound()
                if rule_form.is_valid():
                    _r, change = services.rule_save(actor=request.user, area=a, rule=rule, **rule_form.cleaned_data)
            elif op == "rule_off":
                rule = _in_area(SessionRule.objects.filter(area=a), request.POST.get("rule"))
                if rule is None:
                    raise NotFound()
                change = services.rule_deactivate(actor=request.user, rule=rule)
            elif op == "exception":
                exc_form = ExceptionForm(request.POST, prefix="exc")
                if exc_form.is_valid():
                    _e, change = services.exception_add(actor=request.user, area=a, **exc_form.cleaned_data)
            elif op == "exception_remove":
                e = _in_area(DateException.objects.filter(area=a), request.POST.get("exception"))
                if e is None:
                    raise NotFound()
                change = services.exception_remove(actor=request.user, exception=e)
            if change is not None:
                messages.success(request, _("计划已更新。"))
                if change.displaced:
                    messages.warning(
                        request,
                        _("%(n)s 个预约受影响，已短信通知群众改约：%(codes)s")
                        % {"n": len(change.displaced), "codes": "、".join(b.code for b in change.displaced)},
                    )
                return redirect(request.path)
        except ApplicationError as exc:
            messages.error(request, page_message(exc))
            for field, msgs in exc.fields.items():
                form = rule_form if op == "rule" else exc_form
                if field in form.fields:
                    for m in msgs if isinstance(msgs, list) else [msgs]:
                        form.add_error(field, str(m))
    ctx = {
        "area": a,
        "rules": SessionRule.objects.filter(area=a).order_by("-is_active", "kind", "start"),
        "exceptions": DateException.objects.filter(area=a, date__gte=timezone.localdate()).order_by("date", "start"),
        "rule_form": rule_form,
        "exc_form": exc_form,
        "displaced": selectors.displaced_bookings(user=request.user, area=a),
    }
    _audit_displaced(request, a, ctx["displaced"])
    return render(request, "appointments/staff_plan.html", ctx)


def kiosk_checkin(request: HttpRequest, point: Any) -> HttpResponse:
    """The kiosk's appointment check-in screen: scan the booking's QR code (scanner or camera) or
    type the code; the booking becomes its priority ticket and the receipt prints. Bound to a
    registered kiosk of the point like every kiosk page (the device's token is the one the kiosk
    API check-in uses), and rate limited."""
    from django.urls import reverse

    from onewindow.hall import kiosk as hall_kiosk
    from onewindow.hall import selectors as hall_selectors

    place = hall_selectors.point_by_uuid(point)
    if place is None:
        raise NotFound()
    token = hall_kiosk.require_device(request, place)
    error = None
    if request.method == "POST":
        try:
            hall_kiosk.throttle(request, place, "checkin")
            result = services.booking_check_in(actor=None, code=request.POST.get("code", ""), kiosk_token=token)
        except ApplicationError as exc:
            error = exc
        else:
            receipt = reverse("hall:receipt", args=[result.ticket.uuid]) + "?print=1"
            return redirect(receipt + ("&late=1" if result.late else ""))
    status = error.status if error is not None else 200
    return render(request, "appointments/kiosk_checkin.html", {"point": place, "error": error}, status=status)
