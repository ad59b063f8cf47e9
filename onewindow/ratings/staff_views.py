"""Staff and public pages of 好差评: the unit's follow-up work list, a follow-up's page (verify,
reply, appeal), the hall manager's appeals and monthly window ranking, pad set-up, each staff
member's own figures, and the public results page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_POST

from onewindow.accounts.tenancy import staff_county
from onewindow.accounts.visitor import county_label, visitor_county
from onewindow.core.audit import audit_read
from onewindow.core.authed import AuthedRequest
from onewindow.core.errors import ApplicationError, PermissionDenied

from . import followups, selectors, services, stats
from .indicators import tag_label
from .models import Appeal, FollowUp


def _require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied()


def _is_staff(user: Any) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.is_staff_member))


@login_required
def work(request: AuthedRequest) -> HttpResponse:
    """The delivering unit's 差评整改 work list: open items first, by their reply date."""
    _require(_is_staff(request.user))
    show = request.GET.get("show", "open")
    qs = selectors.follow_ups_for(request.user)
    if show == "open":
        qs = qs.filter(status__in=FollowUp.OPEN_STATUSES)
    return TemplateResponse(request, "ratings/work.html", {"items": list(qs[:200]), "show": show, "today": timezone.localdate()})


@login_required
def follow_up(request: AuthedRequest, follow_up_uuid: Any) -> HttpResponse:
    fu = selectors.follow_up_for(request.user, follow_up_uuid)
    if fu is None or not selectors.can_handle(request.user, fu.unit):
        raise Http404
    error = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "verify":
                followups.follow_up_verify(follow_up=fu, actor=request.user, note=request.POST.get("note"))
            elif action == "reply":
                followups.follow_up_reply(follow_up=fu, actor=request.user, reply=request.POST.get("reply"))
            elif action == "appeal":
                followups.appeal_file(
                    rating=fu.rating,
                    actor=request.user,
                    reason=request.POST.get("reason"),
                    evidence=request.POST.get("evidence"),
                )
            else:
                raise Http404
        except ApplicationError as exc:
            error = exc
        else:
            return redirect("ratings:follow_up", follow_up_uuid=fu.uuid)
    fu.refresh_from_db()
    appeal = Appeal.objects.filter(rating=fu.rating).first()
    if fu.rating.rater_phone:  # the page shows the rater's full phone number (to call them back)
        audit_read(actor=request.user, target=fu.rating, page=request.path)
    return TemplateResponse(
        request,
        "ratings/follow_up.html",
        {"fu": fu, "r": fu.rating, "tags": [tag_label(t) for t in fu.rating.tags], "appeal": appeal, "error": error},
        status=error.status if error else 200,
    )


@login_required
def appeals(request: AuthedRequest) -> HttpResponse:
    _require(selectors.is_manager(request.user))
    recent = selectors.appeals_for(request.user).exclude(status=Appeal.Status.PENDING).order_by("-decided_at")[:20]
    return TemplateResponse(
        request, "ratings/appeals.html", {"pending": list(selectors.appeals_pending(request.user)), "recent": list(recent)}
    )


@login_required
@require_POST
def appeal_decide(request: AuthedRequest, appeal_uuid: Any) -> HttpResponse:
    appeal = selectors.appeal_for_manager(request.user, appeal_uuid)
    if appeal is None:
        raise Http404
    try:
        followups.appeal_decide(
            appeal=appeal, actor=request.user, upheld=request.POST.get("upheld") == "1", note=request.POST.get("note")
        )
    except ApplicationError as exc:
        return TemplateResponse(
            request,
            "ratings/appeals.html",
            {"pending": list(selectors.appeals_pending(request.user)), "recent": [], "error": exc, "failed": appeal},
            status=exc.status,
        )
    return redirect("ratings:appeals")


@login_required
def ranking(request: AuthedRequest) -> HttpResponse:
    """One county's windows: a county's hall manager, leader or administrator always their own
    (whatever `?county=` chose for the public pages); the platform's administrator the county
    chosen in the header's picker (windows of two counties are not one ranking)."""
    _require(selectors.reads_figures(request.user))
    own = staff_county(request.user)
    county = visitor_county(request) if own is None or own == visitor_county(request).code else _county(own)
    label, start, end = stats.month_bounds(request.GET.get("month"))
    return TemplateResponse(
        request,
        "ratings/ranking.html",
        {
            "month": label,
            "months": stats.months_with_ratings(county=county),
            "rows": stats.window_ranking(start, end, county=county),
            "county_name": county_label(county),
        },
    )


def _county(code: str) -> Any:
    from onewindow.accounts.models import County

    return County.objects.get(pk=code)


@login_required
def mine(request: AuthedRequest) -> HttpResponse:
    """A staff member's own figures (services they delivered) and their units' follow-up."""
    _require(_is_staff(request.user))
    label, start, end = stats.month_bounds(request.GET.get("month"))
    own = stats.staff_figures(request.user, start, end)
    unit_fu = stats.follow_up_figures(start, end, unit_q=selectors.handled_units_q(request.user))
    recent = selectors.counted().filter(staff_id=request.user.pk).order_by("-created_at")[:10]
    return TemplateResponse(
        request,
        "ratings/mine.html",
        {"month": label, "own": own, "fu": unit_fu, "recent": recent, "months": stats.months_with_ratings()},
    )


@login_required
def pads(request: AuthedRequest) -> HttpResponse:
    """The hall manager sets up each window's pad: a device token, shown once."""
    from onewindow.hall.models import Window
    from onewindow.hall.selectors import MANAGER_ROLES, can_manage, points_for, window_by_uuid

    points = points_for(request.user, MANAGER_ROLES)
    _require(bool(points))
    issued = None
    if request.method == "POST":
        window = window_by_uuid(request.POST.get("window"))
        if window is None or not can_manage(request.user, window.point):
            raise Http404
        pad, token = services.pad_issue(window=window, actor=request.user)
        issued = {"window": window, "token": token, "pad": pad}
    windows = Window.objects.filter(point__in=points, is_active=True).select_related("point", "rating_pad")
    return TemplateResponse(request, "ratings/pads.html", {"windows": windows, "issued": issued})


def results(request: HttpRequest) -> HttpResponse:
    """Public: satisfaction by department, hall area, window and matter, and the 差评整改 list, of
    the county the visitor chose (accounts/visitor.py; `?county=` chooses, an unknown code is
    refused by the middleware with a message and changes nothing)."""
    county = visitor_county(request)
    data = stats.results(request.GET.get("month"), county=county)
    return TemplateResponse(
        request,
        "ratings/results.html",
        {**data, "months": stats.months_with_ratings(county=county), "county_name": county_label(county)},
    )
