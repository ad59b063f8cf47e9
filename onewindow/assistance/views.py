"""The agent's pages: the workbench, mandates (record, countersign, view), applications for
residents (file, forward materials, deliver the result, follow up) and the township's view.
Thin: parse, fetch through a scoped selector, call a service, render."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.cases.services import MaterialInput
from onewindow.catalog.models import Matter
from onewindow.core import hooks
from onewindow.core.authed import AuthedRequest
from onewindow.core.errors import ApplicationError, NotFound, PermissionDenied, page_message
from onewindow.core.uploads import private_storage

from . import access, selectors, services
from .models import AgentPoint, FollowUp, Mandate, MaterialForwarding
from .policy import policy
from .services import followthrough
from .services._common import signature_from_data_url

View = Callable[..., HttpResponse]


def agent_required(view: View) -> View:
    """The page is for an agent; the view receives the agent's point."""

    @login_required
    @wraps(view)
    def wrapper(request: AuthedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        point = access.point_of(request.user)
        if point is None:
            raise PermissionDenied(_("只有村（社区）代办员可以使用代办工作台。"))
        return view(request, point, *args, **kwargs)

    return wrapper


def _errors(exc: ApplicationError) -> dict[str, Any]:
    return {"message": str(exc.message), "fields": exc.as_dict()["fields"], "code": exc.code}


def _date(value: str | None, default: datetime.date) -> datetime.date:
    try:
        return datetime.date.fromisoformat((value or "").strip())
    except ValueError:
        return default


def eligible_matters(point: AgentPoint) -> Any:
    """The agent-eligible matters of the point's county (a point serves its own county's catalog)."""
    return (
        Matter.objects.filter(
            current_version__agent_eligible=True,
            current_version__status="published",
            department__county_id=point.village.county_id,
        )
        .select_related("current_version", "department")
        .order_by("department__sort_order", "code")
    )


# --- the workbench --------------------------------------------------------------------------------


@agent_required
def home(request: AuthedRequest, point: AgentPoint) -> HttpResponse:
    till = selectors.till_today(point)
    return render(
        request,
        "assistance/home.html",
        {
            "point": point,
            "residents": selectors.my_residents(point),
            "waiting": selectors.waiting_for(point),
            "till": till,
            "recent": selectors.point_applications(point)[:10],
        },
    )


# --- mandates -------------------------------------------------------------------------------------


@agent_required
def mandates(request: AuthedRequest, point: AgentPoint) -> HttpResponse:
    return render(request, "assistance/mandates.html", {"point": point, "mandates": selectors.point_mandates(point)[:200]})


@agent_required
def mandate_new(request: AuthedRequest, point: AgentPoint) -> HttpResponse:
    today = timezone.localdate()
    context: dict[str, Any] = {
        "point": point,
        "matters": eligible_matters(point),
        "methods": Mandate.Method.choices,
        "countersign_required": policy().countersign_required,
        "post": request.POST,
        "default_from": today,
        "default_until": today.replace(year=today.year + 1) - datetime.timedelta(days=1),
    }
    if request.method == "POST":
        p = request.POST
        try:
            resident = services.resident_find_or_register(
                actor=request.user,
                id_number=p.get("id_number", ""),
                display_name=p.get("display_name", ""),
                phone=p.get("phone", ""),
            )
            method = p.get("method", "")
            signature = (
                signature_from_data_url(p.get("signature", ""))
                if method == Mandate.Method.ON_SCREEN
                else request.FILES.get("scan")
                if method == Mandate.Method.PAPER
                else None
            )
            chosen = list(Matter.objects.filter(uuid__in=[v for v in p.getlist("matters") if _is_uuid(v)]))
            mandate = services.mandate_record(
                actor=request.user,
                point=point,
                resident=resident,
                all_eligible=p.get("scope") == "all",
                matters=chosen,
                valid_from=_date(p.get("valid_from"), today),
                valid_until=_date(p.get("valid_until"), today),
                method=method,
                id_checked=p.get("id_checked") == "on",
                signature=signature,
                countersigner_name=p.get("countersigner_name", ""),
                countersign=signature_from_data_url(p.get("countersign", "")),
            )
        except ApplicationError as exc:
            context["errors"] = _errors(exc)
            return render(request, "assistance/mandate_new.html", context, status=422)
        messages.success(request, _("委托书 %(n)s 已登记。") % {"n": mandate.number})
        return redirect("assistance:mandate", uuid=mandate.uuid)
    return render(request, "assistance/mandate_new.html", context)


def _is_uuid(value: str) -> bool:
    import uuid as uuid_lib

    try:
        uuid_lib.UUID(value)
    except (ValueError, TypeError):
        return False
    return True


@agent_required
def mandate_detail(request: AuthedRequest, point: AgentPoint, uuid: Any) -> HttpResponse:
    m = selectors.mandate_for_agent(request.user, uuid)
    errors = None
    if request.method == "POST":
        try:
            services.mandate_countersign(
                actor=request.user,
                mandate=m,
                countersigner_name=request.POST.get("countersigner_name", ""),
                signature=signature_from_data_url(request.POST.get("countersign", "")),
            )
            messages.success(request, _("负责人已签字，委托书生效。"))
            return redirect("assistance:mandate", uuid=m.uuid)
        except ApplicationError as exc:
            errors = _errors(exc)
    return render(
        request,
        "assistance/mandate.html",
        {
            "point": point,
            "m": m,
            "errors": errors,
            "applications": m.applications.select_related("case", "matter__current_version")[:50],
        },
        status=422 if errors else 200,
    )


@login_required
def mandate_file(request: AuthedRequest, uuid: Any, which: str) -> FileResponse:
    """The signature (or scan, or countersign) of a mandate: its resident and the point's agents."""
    user = request.user
    m = Mandate.objects.filter(uuid=uuid).select_related("point").first()
    if m is None or not (m.resident_id == user.pk or access.is_agent_of(user, m.point)):
        raise NotFound()
    name = m.signature_file if which == "signature" else m.countersign_file
    if not name:
        raise NotFound()
    response = FileResponse(private_storage().open(name, "rb"))
    response["Cache-Control"] = "no-store"
    return response


# --- applications ---------------------------------------------------------------------------------


@agent_required
def apply(request: AuthedRequest, point: AgentPoint) -> HttpResponse:
    """File a case for a resident with a mandate: pick the resident, the matter, tick the paper
    originals collected at the point, choose where the result goes."""
    residents = selectors.my_residents(point)
    resident = None
    rid = request.GET.get("resident") or request.POST.get("resident")
    if rid and _is_uuid(rid):
        resident = next((r.mandate.resident for r in residents if str(r.mandate.uuid) == rid), None)
    matter = None
    mid = request.GET.get("matter") or request.POST.get("matter")
    if mid and _is_uuid(mid):
        matter = eligible_matters(point).filter(uuid=mid).first()
    requirements = list(matter.current_version.materials.all()) if matter and matter.current_version else []
    context: dict[str, Any] = {
        "point": point,
        "residents": residents,
        "resident": resident,
        "rid": rid,
        "matter": matter,
        "matters": eligible_matters(point),
        "requirements": requirements,
    }
    if request.method == "POST" and resident is not None and matter is not None:
        materials = [MaterialInput(requirement=r, paper=True) for r in requirements if request.POST.get(f"paper_{r.pk}") == "on"]
        materials += [
            MaterialInput(requirement=r, file=request.FILES[f"file_{r.pk}"])
            for r in requirements
            if f"file_{r.pk}" in request.FILES
        ]
        try:
            app = services.agent_file_case(
                actor=request.user,
                resident=resident,
                matter=matter,
                form_data={},
                materials=materials,
                deliver_at_point=request.POST.get("deliver_at_point") == "on",
            )
        except ApplicationError as exc:
            context["errors"] = _errors(exc)
            return render(request, "assistance/apply.html", context, status=422)
        assert app.case is not None
        messages.success(request, _("已提交，办件编号 %(n)s。") % {"n": app.case.number})
        return redirect("assistance:application", uuid=app.uuid)
    return render(request, "assistance/apply.html", context)


@login_required
def application(request: AuthedRequest, uuid: Any) -> HttpResponse:
    app = selectors.application_for(request.user, uuid)
    is_agent = access.is_agent_of(request.user, app.point)
    errors = None
    if request.method == "POST" and is_agent:
        action = request.POST.get("action")
        try:
            if action == "send":
                services.forwarding_send(actor=request.user, forwarding=app.forwarding, carrier=request.POST.get("carrier", ""))
                messages.success(request, _("已记录材料移交。"))
            elif action == "deliver":
                services.result_deliver(
                    actor=request.user,
                    application=app,
                    receiver_name=request.POST.get("receiver_name", ""),
                    signature=signature_from_data_url(request.POST.get("signature", "")),
                    note=request.POST.get("note", ""),
                )
                messages.success(request, _("结果已送达并由群众签收。"))
            elif action == "follow_up":
                services.follow_up_record(
                    actor=request.user,
                    application=app,
                    method=request.POST.get("method", ""),
                    satisfaction=request.POST.get("satisfaction", ""),
                    comment=request.POST.get("comment", ""),
                )
                messages.success(request, _("回访已记录。"))
            else:
                raise NotFound()
            return redirect("assistance:application", uuid=app.uuid)
        except ApplicationError as exc:
            errors = _errors(exc)
            app = selectors.application_for(request.user, uuid)
    # 好差评 answers through hooks (core/hooks.py; it imports this app, not the reverse).
    rated = hooks.provider(followthrough.FOLLOW_UP_RATING)
    levels = hooks.provider(followthrough.SATISFACTION_LEVELS)
    forwarding = getattr(app, "forwarding", None) if hasattr(app, "forwarding") else None
    follow_up = getattr(app, "follow_up", None) if hasattr(app, "follow_up") else None
    return render(
        request,
        "assistance/application.html",
        {
            "app": app,
            "is_agent": is_agent,
            "forwarding": forwarding,
            "delivery": getattr(app, "delivery", None) if hasattr(app, "delivery") else None,
            "follow_up": follow_up,
            # Whether the follow-up fed 好差评 (it does once, unless the resident rated the case first).
            "follow_up_rating": rated(app.case.uuid) if rated is not None and follow_up is not None and app.case else None,
            "follow_up_methods": FollowUp.Method.choices,
            "levels": levels() if levels is not None else [(n, str(n)) for n in range(5, 0, -1)],
            "today": timezone.localdate(),
            "errors": errors,
        },
        status=422 if errors else 200,
    )


# --- the accepting unit and the township ---------------------------------------------------------


@login_required
def incoming(request: AuthedRequest) -> HttpResponse:
    """Paper materials on their way to the units where the user takes in applications."""
    user = request.user
    if not user.is_staff_member:
        raise PermissionDenied()
    if request.method == "POST":
        value = request.POST.get("forwarding", "")
        f = MaterialForwarding.objects.filter(uuid=value).first() if _is_uuid(value) else None
        if f is None:
            raise NotFound()
        try:
            services.forwarding_receive(actor=user, forwarding=f)
            messages.success(request, _("已签收材料。"))
        except ApplicationError as exc:
            messages.error(request, page_message(exc))
        return redirect("assistance:incoming")
    return render(
        request, "assistance/incoming.html", {"rows": selectors.late_forwardings(user)[:200], "today": timezone.localdate()}
    )


@login_required
def township(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if not access.overseen_points(user).exists():
        raise PermissionDenied()
    rows = selectors.township_points(user)
    totals = {
        k: sum(r[k] for r in rows)
        for k in ("apps", "open_cases", "late_forwarding", "follow_ups", "follow_ups_due", "fees_month_fen")
    }
    return render(request, "assistance/township.html", {"rows": rows, "totals": totals})
