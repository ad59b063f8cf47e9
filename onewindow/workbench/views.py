"""Staff pages: the front desk (intake), the back office (department queue, case page), the
supervisor's late list and the route versions (compare, BPMN). Thin: parse, fetch through a
scoped selector, call a service, render."""

from __future__ import annotations

import uuid as uuid_lib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onewindow.accounts.models import Role, User
from onewindow.accounts.tenancy import scoped
from onewindow.cases import documents, extensions, managed, owners, prereview, routes, selectors
from onewindow.cases import services as svc
from onewindow.cases.models import Case, CasePause, CaseStep, ExtensionRequest, RouteVersion
from onewindow.catalog import formschema
from onewindow.catalog.models import Bundle, Matter
from onewindow.catalog.search import MatterQuery, search_matters
from onewindow.catalog.versions import bundle_versions
from onewindow.core.audit import audit_read
from onewindow.core.authed import AuthedRequest
from onewindow.core.calendar_seed import next_year_warning
from onewindow.core.errors import ApplicationError, NotFound, PermissionDenied, page_message
from onewindow.core.parsing import parse_uuid
from onewindow.townships import selectors as township_selectors
from onewindow.welfare import scope as welfare_scope
from onewindow.welfare import worklist as welfare_worklist

from . import case_actions, work

View = Callable[..., HttpResponse]


def staff_required(view: View) -> View:
    @login_required
    @wraps(view)
    def wrapper(request: AuthedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_staff_member:
            raise PermissionDenied()
        return view(request, *args, **kwargs)

    return wrapper


@staff_required
def home(request: AuthedRequest) -> HttpResponse:
    """What waits for this person: a count per work list and the most urgent items across them;
    the halls they work in (windows, or the manager's page); for supervisors, late cases and work
    that nobody holds."""
    from onewindow.core.models import UnownedWork

    user = request.user
    tiles, rows, total = work.my_work(user)
    supervisor = selectors.is_supervisor(user)
    context = {
        "tiles": tiles,
        "rows": rows,
        "total": total,
        "halls": work.my_halls(user),
        "can_intake": selectors.has_intake_role(user),
        "can_approve": selectors.approver_units(user).exists() or selectors.is_admin(user),
        "is_supervisor": supervisor,
        "is_admin": selectors.is_admin(user),
        "late_count": selectors.late_cases(user).count() if supervisor else 0,
        "unowned_count": UnownedWork.objects.count() if supervisor else 0,
        "calendar_warning": next_year_warning(timezone.localdate()) if selectors.is_admin(user) else "",
        "delegations": township_selectors.can_read_delegations(user),
        "welfare_money": welfare_scope.can_read(user),
        "welfare_process": welfare_scope.can_read(user) or user.has_role(Role.AGENT),
        **_assistance_tiles(user),
    }
    return render(request, "workbench/home.html", context)


def _assistance_tiles(user: User) -> dict[str, Any]:
    """Tiles of the agent service: the agent's own workbench, the township's view of its points,
    and paper materials on their way to the units where the user takes in applications."""
    from onewindow.assistance import access as agent_access
    from onewindow.assistance import selectors as agent_selectors

    can_intake = selectors.has_intake_role(user)
    return {
        "is_agent": agent_access.point_of(user) is not None,
        "oversees_points": agent_access.overseen_points(user).exists(),
        "incoming_count": agent_selectors.to_sign_for(user).count() if can_intake else 0,
    }


@staff_required
def work_list(request: AuthedRequest, action: str) -> HttpResponse:
    """One case work list of the person's units (受理, 恢复计时, 决定, 办结, 送达), most urgent first."""
    user = request.user
    if action not in work.CASE_LISTS:
        raise NotFound()
    qs = owners.unit_lists(user)[action]
    rows = sorted(work.rows_of(action, qs, 300), key=work.urgency)
    return render(request, "workbench/work_list.html", {"rows": rows, "label": owners.ACTIONS[action], "count": qs.count()})


# --- front desk --------------------------------------------------------------------------------


def _require_intake(user: User) -> None:
    if not (selectors.has_intake_role(user)):
        raise PermissionDenied()


def _ticket(value: str, user: User) -> Any:
    """The hall ticket that brought the person, if it was issued at a hall this clerk works in."""
    try:
        ticket_uuid = uuid_lib.UUID(value)
    except (ValueError, TypeError):
        return None
    from onewindow.hall.models import Ticket

    ticket = Ticket.objects.filter(uuid=ticket_uuid).select_related("point").first()
    if ticket is None:
        return None
    if (
        selectors.admin_over(user, ticket.point.org_unit)
        or selectors.intake_units(user).filter(pk=ticket.point.org_unit_id).exists()
    ):
        return ticket
    return None


@staff_required
def intake(request: AuthedRequest) -> HttpResponse:
    """Find or create the applicant, pick a matter or bundle, tick the checklist, upload scans."""
    user = request.user
    _require_intake(user)
    src = request.POST if request.method == "POST" else request.GET
    ticket = _ticket(src.get("ticket", ""), user)
    q = src.get("q", "").strip()[:100]
    matter = bundle = None
    if src.get("matter"):
        matter = (
            Matter.objects.filter(uuid=_uuid(src["matter"]), current_version__isnull=False)
            .select_related("current_version")
            .first()
        )
    elif src.get("bundle"):
        bundle = Bundle.objects.filter(uuid=_uuid(src["bundle"]), is_active=True).first()
    results: dict[str, Any] = {}
    if q:
        results = {
            # The one catalog search (synonyms, pinyin, codes, ranking).
            "matters": search_matters(MatterQuery(q=q), scope=Matter.objects.filter(current_version__isnull=False))[:20],
            "bundles": Bundle.objects.filter(is_active=True).filter(Q(name__icontains=q) | Q(code__icontains=q))[:10],
        }
    elif ticket is not None and matter is None and bundle is None:
        # The person queued for an area: offer that area's bundles and matters first.
        results = {
            "matters": Matter.objects.filter(current_version__isnull=False, service_area_id=ticket.area_id)
            .select_related("department", "current_version")
            .order_by("code")[:20],
            "bundles": Bundle.objects.filter(is_active=True, service_area_id=ticket.area_id)[:10],
        }
    requirements: list[Any] = []
    schema: list[dict[str, Any]] = []
    errors: dict[str, Any] = {}
    unavailable = ""  # a bundle that cannot be applied for now, and why
    if matter is not None and matter.current_version is not None:
        requirements = list(matter.current_version.materials.all())
        schema = matter.current_version.form_schema or []
    elif bundle is not None:
        # The same resolution as the service's: a bundle with a matter that is not published is
        # refused here already, not after the clerk has filled the form in.
        try:
            versions = bundle_versions(bundle)
        except ApplicationError as exc:
            unavailable = str(exc.message)
            bundle = None
        else:
            requirements = svc.merged_requirements(versions)
            schema = svc.merged_form_schema(versions)
    if request.method == "POST" and (matter or bundle):
        try:
            materials = []
            for req in requirements:
                upload = request.FILES.get(f"file_{req.pk}")
                paper = request.POST.get(f"paper_{req.pk}") == "on"
                if upload is not None or paper:
                    materials.append(svc.MaterialInput(requirement=req, file=upload, paper=paper))
            channel = request.POST.get("channel") or ("appointment" if ticket and ticket.booking_ref else "counter")
            # One service, one transaction: a refused file leaves no newly registered person behind.
            case = svc.case_intake(
                id_number=request.POST.get("id_number", ""),
                display_name=request.POST.get("display_name", ""),
                phone=request.POST.get("phone", ""),
                matter_version=matter.current_version if matter else None,
                bundle=bundle,
                channel=channel,
                form_data=formschema.posted(schema, request.POST, prefix="form_", fill_default=False),
                materials=materials,
                actor=user,
                ticket_uuid=ticket.uuid if ticket else None,
            )
        except ApplicationError as exc:
            errors = {"message": str(exc.message), "fields": {k: [str(m) for m in v] for k, v in exc.fields.items()}}
        else:
            messages.success(
                request, _("已收件，办件编号 %(n)s。请核对材料后受理、不予受理或一次性告知补正。") % {"n": case.number}
            )
            return redirect("workbench:case", case_uuid=case.uuid)
    context = {
        "ticket": ticket,
        "q": q,
        "results": results,
        "matter": matter,
        "bundle": bundle,
        "requirements": requirements,
        "schema": schema,
        "form_fields": formschema.bound(
            schema, formschema.posted(schema, request.POST, prefix="form_", fill_default=False), errors.get("fields")
        )
        if schema
        else [],
        "errors": errors,
        "unavailable": unavailable,
        "post": request.POST if request.method == "POST" else {},
        "prefill_id": (ticket.id_number if ticket else "") or "",
        "prefill_phone": (ticket.phone if ticket else "") or "",
        "channels": [("counter", _("窗口")), ("appointment", _("预约")), ("off_hours", _("延时错时"))],
    }
    if (matter or bundle) and ticket is not None and (context["prefill_id"] or context["prefill_phone"]):
        # The form is filled with the ticket's full ID and phone numbers: a read of personal data.
        audit_read(actor=request.user, target=ticket, page=request.path)
    return render(request, "workbench/intake.html", context, status=422 if errors or unavailable else 200)


def _uuid(value: Any) -> Any:
    """The one UUID parser (None for a malformed value: an ORM lookup on None finds nothing)."""
    return parse_uuid(value)


@staff_required
def intake_applicant(request: AuthedRequest) -> HttpResponse:
    """htmx: who is this ID number? (a registered person's name and masked phone, or "new").

    POST only: an ID number in a query string would land in the web server's access log."""
    _require_intake(request.user)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    from onewindow.core.identity import validate_resident_id

    number = request.POST.get("id_number", "").strip().upper()[:18]
    person, error = None, ""
    if number:
        try:
            number = validate_resident_id(number)
        except ApplicationError as exc:
            error = str(exc.message)
        else:
            person = User.objects.filter(id_number=number).first()
    if person is not None:  # who holds the number, with name and phone: a read of personal data
        audit_read(actor=request.user, target=person, page=request.path)
    return render(request, "workbench/_applicant.html", {"person": person, "error": error, "number": number})


@staff_required
def intake_queue(request: AuthedRequest) -> HttpResponse:
    user = request.user
    _require_intake(user)
    cases = selectors.intake_queue(user).select_related("applicant")[:200]
    return render(request, "workbench/intake_queue.html", {"cases": cases})


# --- back office -------------------------------------------------------------------------------


@staff_required
def queue(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if not (selectors.approver_units(user).exists() or selectors.is_admin(user)):
        raise PermissionDenied()
    mine = request.GET.get("mine") == "1"
    steps = list(selectors.step_queue(user, mine=mine)[:300])
    return render(request, "workbench/queue.html", {"steps": steps, "mine": mine, "today": timezone.localdate()})


LATE_PER_PAGE = 50


@staff_required
def late(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if not selectors.is_supervisor(user):
        raise PermissionDenied()
    from django.utils.translation import gettext

    from onewindow.core.models import UnownedWork

    page = Paginator(selectors.late_cases(user), LATE_PER_PAGE).get_page(request.GET.get("page"))
    unowned = list(UnownedWork.objects.all()[:300])
    for u in unowned:
        u.action_label = gettext(u.action)  # type: ignore[attr-defined]  # for the template only
        u.reason = gettext(u.reason)
    context = {"cases": page, "page": page, "unowned": unowned, "today": timezone.localdate()}
    return render(request, "workbench/late.html", context)


@staff_required
def case_page(request: AuthedRequest, case_uuid: Any) -> HttpResponse:
    user = request.user
    case = selectors.case_for(user, case_uuid)
    # A 低保 application's steps are done on its own page (visit, proposal, notice, confirmation),
    # which keeps the application's stage with the case's: acting here would leave it behind.
    welfare_url = welfare_worklist.readable_application_url(user, case)
    if welfare_url:
        return redirect(welfare_url)
    steps = list(case.steps.select_related("department", "claimed_by", "acted_by").order_by("stage_order", "id"))
    for s in steps:
        # For the template only: what the reader may do with each step, and the steps before it.
        s.can_act = s.status == CaseStep.Status.OPEN and selectors.can_act_on_step(user, s)  # type: ignore[attr-defined]
        s.earlier = [e for e in steps if e.stage_order < s.stage_order]  # type: ignore[attr-defined]
    can_intake = selectors.can_intake(user, case)
    can_decide = selectors.can_decide(user, case)
    context = {
        "case": case,
        "steps": steps,
        "materials": case.materials.select_related("requirement"),
        "events": _labelled(case.events.select_related("actor", "department")),
        "warnings": case.warnings.filter(resolved_at__isnull=True).select_related("step"),
        "pauses": case.pauses.all(),
        "supplement": case.pauses.filter(kind=CasePause.Kind.SUPPLEMENT).first(),
        "requirements": svc.uploadable_requirements(case),  # the form's own lines are fixed as fields
        "fix_fields": formschema.fields_of(svc.case_form_schema(case), fill_default=False),
        "prereview_open": case.prereview in (Case.PreReview.PENDING, Case.PreReview.FIX_REQUESTED),
        "can_prereview": prereview.can_prereview(user, case),
        "missing": svc.missing_requirements(case) if case.status == Case.Status.SUBMITTED else [],
        "notices": documents.available_kinds(case),
        "can_intake": can_intake,
        "can_decide": can_decide,
        "can_clock": selectors.can_act_on_clock(user, case),
        "pause_kinds": CasePause.Kind.choices,
        # Delivery at an agent point is the agent's, with the resident's signature (assistance app).
        "delivery_methods": [c for c in Case.Delivery.choices if c[0] != Case.Delivery.AGENT_POINT],
        "extension_pending": case.extension_requests.filter(status=ExtensionRequest.Status.PENDING)
        .select_related("requested_by")
        .first(),
        "can_approve_extension": extensions.can_approve(user, case),
        "colleagues": User.objects.filter(
            role_assignments__role=Role.APPROVER, role_assignments__org_unit__in=selectors.approver_units(user)
        ).distinct()[:50],
        "progress_url": documents.progress_url(case),
        "form_rows": _form_rows(case),
        "waiting": owners.case_waiting(case),
        "visits": case.visits.count(),
        "ticket_uuid": _uuid(request.GET.get("ticket", "")),
        "window": _serving_window(case, user),
    }
    return render(request, "workbench/case.html", context)


def _serving_window(case: Case, user: User) -> Any:
    """The window where the ticket that brought the applicant is still being served, if this user
    works at its hall: the clerk goes back there to finish and call the next person."""
    if not case.ticket_uuid:
        return None
    from onewindow.hall import selectors as hall_selectors
    from onewindow.hall.models import Ticket

    ticket = (
        Ticket.objects.filter(uuid=case.ticket_uuid, status__in=["called", "serving"]).select_related("window", "point").first()
    )
    if ticket is None or ticket.window is None or not hall_selectors.can_work_at(user, ticket.point):
        return None
    return ticket.window


def _form_rows(case: Case) -> list[tuple[str, Any]]:
    """The application form with its labels and values as read (the matter's or the bundle's form)."""
    return formschema.rows(svc.case_form_schema(case), case.form_data)


def _labelled(events: Any) -> list[Any]:
    out = list(events)
    for e in out:
        e.label = svc.EVENT_LABELS.get(e.kind, e.kind)
        e.note = svc.event_note(e.kind, e.note)
    return out


@require_POST
@staff_required
def case_act(request: AuthedRequest, case_uuid: Any) -> HttpResponse:
    """One endpoint for every action on the case page: each action is one function in
    case_actions.py (its input parsed by a form, then one service call; the services check the
    permissions)."""
    user = request.user
    case = selectors.case_for(user, case_uuid)
    act = case_actions.ACTIONS.get(request.POST.get("action", ""))
    try:
        # A 低保 application's case is run on the application's page (its stage follows the case's).
        managed.refuse_if_managed(case)
        if act is None:
            raise NotFound(_("未知的操作。"))
        act(case, user, request.POST)
    except ApplicationError as exc:  # CalendarNotCovered included: the message says which year
        messages.error(request, page_message(exc))
    else:
        messages.success(request, _("操作成功。"))
    return redirect("workbench:case", case_uuid=case.uuid)


# --- route versions ------------------------------------------------------------------------------


def _require_route_reader(user: User) -> None:
    if not (selectors.is_admin(user) or selectors.is_supervisor(user)):
        raise PermissionDenied()


@staff_required
def route_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    _require_route_reader(user)
    items = scoped(RouteVersion.objects.select_related("matter", "bundle"), user).order_by(
        "bundle__code", "matter__code", "number"
    )
    rows = [(r, routes.summarize(r)) for r in items[:200]]
    drafts = [r for r, _s in rows if r.status == RouteVersion.Status.DRAFT]
    return render(request, "workbench/routes.html", {"rows": rows, "drafts": drafts, "is_admin": selectors.is_admin(user)})


@staff_required
def route_compare(request: AuthedRequest) -> HttpResponse:
    user = request.user
    _require_route_reader(user)
    a = RouteVersion.objects.filter(uuid=_uuid(request.GET.get("a", ""))).first()
    b = RouteVersion.objects.filter(uuid=_uuid(request.GET.get("b", ""))).first()
    if a is None or b is None:
        raise NotFound(_("请选择两个流程版本。"))
    return render(request, "workbench/route_compare.html", {"cmp": routes.compare(a, b)})


@staff_required
def route_bpmn(request: AuthedRequest, route_uuid: Any) -> HttpResponse:
    user = request.user
    _require_route_reader(user)
    route = RouteVersion.objects.filter(uuid=route_uuid).first()
    if route is None:
        raise NotFound()
    resp = HttpResponse(routes.to_bpmn(route), content_type="application/xml; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="route-{route.uuid.hex[:8]}-v{route.number}.bpmn"'
    return resp


@require_POST
@staff_required
def route_publish(request: AuthedRequest, route_uuid: Any) -> HttpResponse:
    user = request.user
    route = RouteVersion.objects.filter(uuid=route_uuid).first()
    if route is None:
        raise NotFound()
    try:
        routes.route_publish(route=route, actor=user)
    except PermissionDenied:
        raise
    except ApplicationError as exc:
        messages.error(request, page_message(exc))
    else:
        messages.success(request, _("流程已发布。"))
    return redirect("workbench:routes")
