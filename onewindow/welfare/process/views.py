"""Pages of the 低保 process. Thin: parse, read through a scoped selector, call a service, render.

- staff and agents: the work list, an application (household file, check, review, notice,
  confirmation, extension) and its actions; the application form (resident online, agent for a
  resident, township window);
- public: the village notices (and a printable page), objections, the certificate check.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from onewindow.accounts.models import OrgUnit, Role, User
from onewindow.accounts.visitor import county_label, display_name, visitor_county
from onewindow.cases import routing
from onewindow.cases import selectors as case_selectors
from onewindow.cases.services import MaterialInput, applicant_find_or_create
from onewindow.core.authed import AuthedRequest
from onewindow.core.clientip import client_ip
from onewindow.core.errors import ApplicationError, NotFound, PermissionDenied
from onewindow.core.identity import validate_resident_id
from onewindow.core.parsing import parse_day
from onewindow.core.ratelimit import hit as ratelimit_hit
from onewindow.core.ratelimit import private_key
from onewindow.core.uploads import content_type_of, private_storage

from .. import scope
from ..models import Application, Asset, IncomeItem, Member
from . import access, check, clock, conf, confirm, documents, forms, notice, review, selectors
from . import application as apply_svc


def _errors(exc: ApplicationError) -> dict[str, Any]:
    return {"message": exc.message, "fields": exc.fields}


# --- work list and the application --------------------------------------------------------------


@login_required
def work(request: AuthedRequest) -> HttpResponse:
    user: Any = request.user
    apps = selectors.applications_for(user, stage=request.GET.get("stage", "")[:14])
    if not (
        case_selectors.is_admin(user)
        or access.is_district_civil_affairs(user)
        or user.has_role(Role.TOWNSHIP_OFFICER)
        or user.has_role(Role.AGENT)
    ):
        raise PermissionDenied()
    stages = [(s, label, selectors.applications_for(user, stage=s).count()) for s, label in Application.Stage.choices]
    return render(
        request, "welfare/process/work.html", {"apps": apps[:200], "stages": stages, "stage": request.GET.get("stage", "")}
    )


def _page(request: HttpRequest, app: Application, errors: dict[str, Any] | None = None, status: int = 200) -> HttpResponse:
    user: Any = request.user
    household = app.household
    members = selectors.members_of(household)
    return render(
        request,
        "welfare/process/application.html",
        {
            "app": app,
            "case": app.case,
            "household": household,
            "members": members,
            "visits": app.visits.select_related("recorded_by"),
            "appraisals": app.appraisals.all(),
            "cross_checks": app.cross_checks.all(),
            "notices": app.notices.prefetch_related("objections"),
            "steps": app.case.steps.select_related("department").order_by("stage_order", "id"),
            "can_handle": selectors.can_handle(user, app),
            "is_leader": user.has_role(Role.LEADER, household.township),
            "income_kinds": IncomeItem.Kind.choices,
            "asset_kinds": Asset.Kind.choices,
            "errors": errors,
            "today": timezone.localdate(),
            "extend_most": conf.EXTENDED_MAX_DAYS - app.case.committed_days,
            "register_reader": scope.district_over(user, household.township)
            or scope.officer_townships(user).filter(pk=household.township_id).exists(),
        },
        status=status,
    )


@login_required
def application_page(request: AuthedRequest, uuid: str) -> HttpResponse:
    return _page(request, selectors.application_for(request.user, uuid))


ACTIONS = ("accept", "visit", "appraisal", "cross_check", "propose", "refuse", "confirm", "extend", "object")


@login_required
@require_POST
def application_action(request: AuthedRequest, uuid: str, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise NotFound()
    user: Any = request.user
    app = selectors.application_for(user, uuid)
    post = request.POST
    try:
        if action == "accept":
            apply_svc.application_accept(application=app, actor=user)
        elif action == "visit":
            check.visit_record(
                application=app,
                actor=user,
                visited_on=parse_day(post.get("visited_on"), "visited_on", code="date_invalid"),
                visitors=post.get("visitors", ""),
                findings=post.get("findings", ""),
                photos=request.FILES.getlist("photos"),
            )
        elif action == "appraisal":
            check.appraisal_record(
                application=app,
                actor=user,
                held_on=parse_day(post.get("held_on"), "held_on", code="date_invalid"),
                participants=_int(post.get("participants")),
                in_favour=_int(post.get("in_favour")),
                summary=post.get("summary", ""),
            )
        elif action == "cross_check":
            check.cross_check_run(application=app, actor=user)
        elif action == "propose":
            review.propose_approval(application=app, actor=user, comment=post.get("comment", ""))
        elif action == "refuse":
            review.refuse(application=app, actor=user, reasons=post.get("reasons", ""))
        elif action == "confirm":
            confirm.confirm(application=app, actor=user, comment=post.get("comment", ""))
        elif action == "extend":
            clock.extend(application=app, actor=user, days=_int(post.get("days")), reason=post.get("reason", ""))
        else:  # an objection brought to the point, taken down by staff
            current = app.notices.filter(outcome="running").first()
            if current is None:
                from onewindow.cases.errors import NoticeClosed

                raise NoticeClosed()
            notice.objection_lodge(
                notice=current, text=post.get("text", ""), contact=post.get("contact", ""), actor=user, at_point=True
            )
    except ApplicationError as exc:
        app = selectors.application_for(user, uuid)
        return _page(request, app, _errors(exc), status=exc.status)
    return redirect("welfare:application", uuid=app.uuid)


def _int(value: Any) -> int:
    try:
        return int(str(value or "").strip())
    except ValueError:
        return -1


@login_required
def document(request: AuthedRequest, uuid: str, kind: str) -> HttpResponse:
    app = selectors.application_for(request.user, uuid)
    if kind == "refusal":
        data = documents.pdf(documents.refusal_notice(app))
    elif kind == "certificate":
        data = documents.pdf(documents.certificate(app))
    else:
        raise NotFound()
    resp = HttpResponse(data, content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="{app.case.number}-{kind}.pdf"'
    resp["Cache-Control"] = "private, no-store"
    return resp


@login_required
def visit_photo(request: AuthedRequest, uuid: str, visit: str, index: int) -> FileResponse:
    app = selectors.application_for(request.user, uuid)
    v = app.visits.filter(uuid=visit).first()
    if v is None or not 0 <= index < len(v.photos):
        raise NotFound()
    name = v.photos[index]
    resp = FileResponse(private_storage().open(name), content_type=content_type_of(name))
    resp["Cache-Control"] = "private, no-store"
    resp["X-Content-Type-Options"] = "nosniff"
    return resp


# --- the application form -----------------------------------------------------------------------


def _channel_for(user: Any) -> str:
    if user.has_role(Role.AGENT):
        return Application.Channel.AGENT
    if routing.counter_unit(user) is not None and user.has_role(Role.TOWNSHIP_OFFICER):
        return Application.Channel.COUNTER
    return Application.Channel.ONLINE


@login_required
def apply(request: AuthedRequest) -> HttpResponse:
    user: Any = request.user
    channel = _channel_for(user)
    if channel == Application.Channel.ONLINE and not user.has_role(Role.CITIZEN):
        raise PermissionDenied()
    errors = None
    if request.method == "POST":
        try:
            applicant = _applicant(request, channel)
            matter = conf.dibao_matter()
            assert matter.current_version is not None
            reqs = list(matter.current_version.materials.all())
            if channel == Application.Channel.ONLINE:
                materials = [
                    MaterialInput(requirement=r, file=request.FILES[f"req_{r.pk}"])
                    for r in reqs
                    if f"req_{r.pk}" in request.FILES
                ]
            else:  # the papers were seen at the window or collected at the point
                materials = [MaterialInput(requirement=r, paper=True) for r in reqs if request.POST.get(f"req_{r.pk}")]
            app = apply_svc.application_file(
                actor=user,
                applicant=applicant,
                channel=channel,
                household=forms.household_from_post(request.POST),
                materials=materials,
            )
            return redirect("welfare:application", uuid=app.uuid)
        except ApplicationError as exc:
            errors = _errors(exc)
    try:
        reqs = list(conf.dibao_matter().current_version.materials.all())
    except ApplicationError:
        reqs = []
    return render(
        request,
        "welfare/process/apply.html",
        {
            "channel": channel,
            "rows": range(forms.MEMBER_ROWS),
            "relationships": Member.Relationship.choices,
            "labours": Member.Labour.choices,
            "income_kinds": IncomeItem.Kind.choices,
            "asset_kinds": Asset.Kind.choices,
            "requirements": reqs,
            "errors": errors,
            "post": request.POST if request.method == "POST" else {},
        },
        status=(errors and 422) or 200,
    )


def _applicant(request: AuthedRequest, channel: str) -> User:
    user = request.user
    if channel == Application.Channel.ONLINE:
        return user
    number = validate_resident_id(request.POST.get("resident_id", "").strip())
    if channel == Application.Channel.COUNTER:
        return applicant_find_or_create(
            id_number=number, display_name=request.POST.get("resident_name", ""), phone=request.POST.get("phone", ""), actor=user
        )
    resident = User.objects.filter(id_number=number).first()
    if resident is None:
        raise NotFound(_no_resident())
    return resident


def _no_resident() -> Any:
    from django.utils.translation import gettext_lazy as _

    return _("没有找到该居民，请先为其登记并签署委托书。")


# --- public ---------------------------------------------------------------------------------------


def _county_of(request: HttpRequest, unit: OrgUnit) -> dict[str, Any]:
    """Whose page it is: the unit's county by name, and whether it is not the visitor's chosen one
    (a notice or a certificate reached by its own link, a QR code on a village's board)."""
    return {
        "county_name": county_label(unit.county),
        "county_code": unit.county_id,
        "other_county": unit.county_id != visitor_county(request).code,
    }


@require_GET
def notices_index(request: HttpRequest) -> HttpResponse:
    """The villages of the visitor's chosen county with a notice running (docs/tenancy.md)."""
    county = visitor_county(request)
    running = notice.running(county=county)
    villages: dict[int, dict[str, Any]] = {}
    for n in running:
        v = villages.setdefault(n.village_id, {"village": n.village, "count": 0})
        v["count"] += 1
    # A village of another county than the visitor's links with ?county= (its code may be another's here).
    ctx = {"villages": list(villages.values()), "county_name": county_label(county), "county": county.pk}
    return render(request, "welfare/process/notices_index.html", ctx)


@require_GET
def village_notices(request: HttpRequest, code: str) -> HttpResponse:
    """A village's notices, of whatever county: the board's QR code and the township's link open it
    without choosing the county first; the page says whose it is. A village code is unique in its
    county: the visitor's county's village first (links carry ?county=, which the visitor middleware
    takes as the choice), else the one village of that code in another county."""
    found = list(OrgUnit.objects.select_related("county", "parent").filter(code=code)[:50])
    mine = [v for v in found if v.county_id == visitor_county(request).pk]
    if not mine and len(found) != 1:
        raise NotFound()
    village = (mine or found)[0]
    if not village.is_village_level:
        raise NotFound()
    printable = request.GET.get("print") == "1"
    return render(
        request,
        "welfare/process/village_notices.html",
        {
            "village": village,
            "notices": list(notice.running(village=village)),
            "printable": printable,
            "today": timezone.localdate(),
            **_county_of(request, village),
        },
    )


def lodge_objection(request: HttpRequest, uuid: str) -> HttpResponse:
    """Anyone objects online while the notice runs (rate-limited per address)."""
    # The objection is the notice's: its case, its township's work, whatever county the visitor
    # chose in the header (nothing here reads the choice but the page's wording).
    n = notice.notice_by_uuid(uuid)
    if request.method != "POST":
        return redirect(f"{reverse('welfare:village_notices', args=[n.village.code])}?county={n.village.county_id}")
    try:
        ratelimit_hit("welfare-objection:" + private_key(client_ip(request) or ""), limit=10, per=datetime.timedelta(hours=1))
        notice.objection_lodge(
            notice=n, text=request.POST.get("text", ""), contact=request.POST.get("contact", ""), actor=request.user
        )
    except ApplicationError as exc:
        return render(
            request,
            "welfare/process/objection_done.html",
            {"village": n.village, "errors": _errors(exc), **_county_of(request, n.village)},
            status=exc.status,
        )
    return render(
        request,
        "welfare/process/objection_done.html",
        {"village": n.village, "errors": None, **_county_of(request, n.village)},
    )


@require_GET
def certificate_check(request: HttpRequest) -> HttpResponse:
    number, code = request.GET.get("n", ""), request.GET.get("c", "")
    result = documents.certificate_check(number, code) if number else None
    status = 404 if number and result is None else 200
    return render(
        request,
        "welfare/process/certificate_check.html",
        {
            "result": result,
            "number": number[:24],
            "tried": bool(number),
            **(
                {
                    "county_name": display_name(str(result["county_code"]), str(result["county"])),
                    "other_county": result["county_code"] != visitor_county(request).code,
                }
                if result
                else {}
            ),
        },
        status=status,
    )
