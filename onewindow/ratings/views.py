"""Rating pages for the person served: the signed link (no login), /ratings/me/ (web and phone),
the reply link (confirm or dispute), the kiosk and the window's rating pad (device-bound)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from onewindow.core.authed import AuthedRequest
from onewindow.core.errors import ApplicationError

from . import conf, followups, selectors, services, subjects
from .forms import client_ip, device_token, rating_input, remember_device
from .indicators import options
from .models import FollowUp, Rating, RatingChannel
from .subjects import Subject


def _form_context(subject: Subject | Any, action: str, *, error: Any = None, posted: Any = None) -> dict[str, Any]:
    mode = subject.mode
    return {
        "subject": subject,
        "opts": options(mode),
        "action": action,
        "error": error,
        "posted": posted,
        "chosen_tags": posted.getlist("tags") if posted is not None else [],
        "rate_days": conf.get("rate_within_days"),
    }


def _thanks(request: HttpRequest, rating: Rating, template: str = "ratings/thanks.html") -> HttpResponse:
    return TemplateResponse(request, template, {"rating": rating})


# --- the signed link -----------------------------------------------------------------------------


def link(request: HttpRequest, token: str) -> HttpResponse:
    try:
        inv = services.invitation_from_token(token)
    except ApplicationError as exc:
        return TemplateResponse(request, "ratings/link_error.html", {"error": exc}, status=exc.status)
    subject = subjects.resolve(inv.kind, inv.subject_uuid)
    if subject is None:
        raise Http404
    action = reverse("ratings:link", args=[token])
    if request.method == "POST":
        try:
            rating = services.rating_submit(
                kind=inv.kind,
                subject_uuid=inv.subject_uuid,
                channel=RatingChannel.LINK,
                invitation=inv,
                client_ip=client_ip(request),
                **rating_input(request.POST, subject.mode),
            )
        except ApplicationError as exc:
            ctx = _form_context(subject, action, error=exc, posted=request.POST)
            return TemplateResponse(request, "ratings/rate.html", ctx, status=exc.status)
        return _thanks(request, rating)
    return TemplateResponse(request, "ratings/rate.html", _form_context(subject, action))


def respond(request: HttpRequest, token: str) -> HttpResponse:
    """The person answers the unit's reply: confirm (认可) or dispute (不认可)."""
    try:
        fu = followups.follow_up_from_token(token)
    except ApplicationError as exc:
        return TemplateResponse(request, "ratings/link_error.html", {"error": exc}, status=exc.status)
    error = None
    if request.method == "POST":
        try:
            followups.follow_up_respond(
                follow_up=fu,
                by_link=True,
                confirmed=request.POST.get("answer") == "confirm",
                note=request.POST.get("note", ""),
            )
        except ApplicationError as exc:
            error = exc
        else:
            return redirect(reverse("ratings:respond", args=[token]))
    return TemplateResponse(request, "ratings/respond.html", {"fu": fu, "error": error}, status=error.status if error else 200)


# --- /ratings/me/ --------------------------------------------------------------------------------


@login_required
def me(request: AuthedRequest) -> HttpResponse:
    mine = list(selectors.my_ratings(request.user)[:50])
    replied = {
        r.pk: followups.respond_token(r.follow_up)
        for r in mine
        if hasattr(r, "follow_up") and r.follow_up.status == FollowUp.Status.REPLIED
    }
    corrected = set(Rating.objects.filter(corrects__in=mine).values_list("corrects_id", flat=True))
    rows = [{"r": r, "respond": replied.get(r.pk), "corrected": r.pk in corrected} for r in mine]
    return TemplateResponse(request, "ratings/me.html", {"rateable": selectors.rateable_for(request.user), "rows": rows})


@login_required
def rate(request: AuthedRequest, kind: str, subject_uuid: Any) -> HttpResponse:
    subject = subjects.resolve(kind, subject_uuid)
    if subject is None or subject.person is None or subject.person.pk != request.user.pk:
        raise Http404
    action = reverse("ratings:rate", args=[kind, subject.uuid])
    if request.method == "POST":
        try:
            services.rating_submit(
                kind=kind,
                subject_uuid=subject.uuid,
                channel=RatingChannel.WEB,
                rater=request.user,
                client_ip=client_ip(request),
                **rating_input(request.POST, subject.mode),
            )
        except ApplicationError as exc:
            ctx = _form_context(subject, action, error=exc, posted=request.POST)
            return TemplateResponse(request, "ratings/rate.html", ctx, status=exc.status)
        return redirect("ratings:me")
    return TemplateResponse(request, "ratings/rate.html", _form_context(subject, action))


@login_required
def correct(request: AuthedRequest, rating_uuid: Any) -> HttpResponse:
    rating = selectors.my_rating(request.user, rating_uuid)
    if rating is None:
        raise Http404
    action = reverse("ratings:correct", args=[rating.uuid])
    if request.method == "POST":
        try:
            services.rating_correct(
                rating=rating, rater=request.user, channel=RatingChannel.WEB, **rating_input(request.POST, rating.mode)
            )
        except ApplicationError as exc:
            ctx = _form_context(rating, action, error=exc, posted=request.POST)
            return TemplateResponse(request, "ratings/rate.html", {**ctx, "correcting": rating}, status=exc.status)
        return redirect("ratings:me")
    return TemplateResponse(request, "ratings/rate.html", {**_form_context(rating, action), "correcting": rating})


# --- devices: the kiosk and the window's pad -----------------------------------------------------


def _device_setup(request: HttpRequest, kind: str, key: Any, check: Any, title: Any) -> HttpResponse:
    """First start of a pad or kiosk: an administrator types the device token once; it is kept in
    a signed HttpOnly cookie on that device."""
    error = None
    if request.method == "POST":
        token = (request.POST.get("token") or "").strip()
        try:
            check(token)
        except ApplicationError as exc:
            error = exc
        else:
            return remember_device(redirect(request.path), kind, key, token)
    return TemplateResponse(
        request, "ratings/device_setup.html", {"error": error, "title": title}, status=error.status if error else 200
    )


def kiosk(request: HttpRequest, point_uuid: Any) -> HttpResponse:
    token = device_token(request, "kiosk", point_uuid)
    try:
        point = services.kiosk_point(point_uuid=point_uuid, token=token)
    except ApplicationError:
        return _device_setup(
            request, "kiosk", point_uuid, lambda t: services.kiosk_point(point_uuid=point_uuid, token=t), _("自助终端评价")
        )
    ctx: dict[str, Any] = {"point": point}
    if request.method == "POST":
        number, code = request.POST.get("number", ""), request.POST.get("check_code", "")
        try:
            case = services.kiosk_case(number=number, check_code=code)
            ctx.update({"case": case, "number": number, "check_code": code, "items": services.kiosk_subjects(case)})
            kind = request.POST.get("kind")
            chosen = next((s for s in ctx["items"] if s.kind == kind), None)
            if chosen is not None:
                ctx.update(_form_context(chosen, reverse("ratings:kiosk", args=[point.uuid])))
                ctx["kiosk_hidden"] = [("number", number), ("check_code", code), ("kind", chosen.kind)]
                if request.POST.get("level") is not None:
                    rating = services.rating_submit(
                        kind=chosen.kind,
                        subject_uuid=case.uuid,
                        channel=RatingChannel.KIOSK,
                        client_ip=client_ip(request),
                        **rating_input(request.POST, chosen.mode),
                    )
                    return _thanks(request, rating, "ratings/kiosk_thanks.html")
        except ApplicationError as exc:
            ctx["error"] = exc
            ctx["posted"] = request.POST
            return TemplateResponse(request, "ratings/kiosk.html", ctx, status=exc.status)
    return TemplateResponse(request, "ratings/kiosk.html", ctx)


def _pad(request: HttpRequest, window_uuid: Any) -> Any:
    return services.pad_for(window_uuid=window_uuid, token=device_token(request, "pad", window_uuid))


def pad(request: HttpRequest, window_uuid: Any) -> HttpResponse:
    try:
        the_pad = _pad(request, window_uuid)
    except ApplicationError:
        return _device_setup(
            request, "pad", window_uuid, lambda t: services.pad_for(window_uuid=window_uuid, token=t), _("窗口评价器")
        )
    return TemplateResponse(request, "ratings/pad.html", {"pad": the_pad, "window": the_pad.window})


def pad_current(request: HttpRequest, window_uuid: Any) -> HttpResponse:
    """Polled by the pad: the rating form when a ticket was just finished here, else who is on duty."""
    try:
        the_pad = _pad(request, window_uuid)
    except ApplicationError as exc:
        return TemplateResponse(request, "ratings/_pad_error.html", {"error": exc}, status=exc.status)
    subject = selectors.pad_ticket(the_pad)
    if subject is None:
        return TemplateResponse(request, "ratings/_pad_idle.html", {"pad": the_pad, "clerk": selectors.pad_clerk(the_pad)})
    action = reverse("ratings:pad_rate", args=[the_pad.window.uuid])
    ctx = {**_form_context(subject, action), "pad": the_pad, "pad_hidden": [("subject", subject.uuid)]}
    return TemplateResponse(request, "ratings/_pad_form.html", ctx)


@require_POST
def pad_rate(request: HttpRequest, window_uuid: Any) -> HttpResponse:
    try:
        the_pad = _pad(request, window_uuid)
    except ApplicationError as exc:
        return TemplateResponse(request, "ratings/_pad_error.html", {"error": exc}, status=exc.status)
    subject = subjects.resolve("ticket", request.POST.get("subject"))
    if subject is None:
        return TemplateResponse(request, "ratings/_pad_idle.html", {"pad": the_pad, "clerk": selectors.pad_clerk(the_pad)})
    try:
        rating = services.rating_submit(
            kind="ticket",
            subject_uuid=subject.uuid,
            channel=RatingChannel.PAD,
            pad=the_pad,
            **rating_input(request.POST, subject.mode),
        )
    except ApplicationError as exc:
        action = reverse("ratings:pad_rate", args=[the_pad.window.uuid])
        ctx = {
            **_form_context(subject, action, error=exc, posted=request.POST),
            "pad": the_pad,
            "pad_hidden": [("subject", subject.uuid)],
        }
        return TemplateResponse(request, "ratings/_pad_form.html", ctx, status=200 if exc.status < 500 else exc.status)
    return TemplateResponse(request, "ratings/_pad_thanks.html", {"rating": rating, "pad": the_pad})
