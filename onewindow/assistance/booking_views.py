"""The agent's booking page (the `agent` channel of appointments) and filing page (告知承诺备案
for a resident or their enterprise): choose a resident with a mandate, the matter, then the slot
or the commitment. Every refusal is the service's (no mandate, not agent-eligible, another
village) and stores nothing. Thin: parse, call a service, render."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.accounts.models import User
from onewindow.catalog.models import Matter
from onewindow.core.authed import AuthedRequest
from onewindow.core.errors import ApplicationError, NotFound, ValidationFailed

from . import selectors, services
from .models import AgentPoint
from .views import _date, _errors, _is_uuid, agent_required, eligible_matters

DAYS_SHOWN = 10


def _resident(request: HttpRequest, point: AgentPoint, residents: list[Any]) -> tuple[User | None, str]:
    """The resident chosen on the page: one of the point's mandate holders (by mandate), or anyone
    registered, by ID number (the service then refuses a resident without a mandate here)."""
    rid = request.GET.get("resident") or request.POST.get("resident") or ""
    if rid and _is_uuid(rid):
        found = next((r.mandate.resident for r in residents if str(r.mandate.uuid) == rid), None)
        if found is None:
            m = selectors.point_mandates(point).filter(uuid=rid).select_related("resident").first()
            found = m.resident if m is not None else None
        return found, rid
    number = (request.POST.get("id_number") or "").strip().upper()[:18]  # never from a query string (access log)
    if number:
        return User.objects.filter(id_number=number).first(), ""
    return None, rid


def _matter(request: HttpRequest) -> Matter | None:
    """Any published matter the page names: the service refuses one that is not agent-eligible."""
    mid = request.GET.get("matter") or request.POST.get("matter") or ""
    if not _is_uuid(mid):
        return None
    return Matter.objects.filter(uuid=mid, current_version__isnull=False).select_related("current_version", "department").first()


@agent_required
def book(request: AuthedRequest, point: AgentPoint) -> HttpResponse:
    """Book an appointment in the resident's name: resident and matter, the place, the day, the slot."""
    from onewindow.appointments import selectors as appt

    residents = selectors.my_residents(point)
    resident, rid = _resident(request, point, residents)
    matter = _matter(request)
    bookable = appt.bookable_matters().filter(pk__in=eligible_matters(point).values("pk"))
    context: dict[str, Any] = {
        "point": point,
        "residents": residents,
        "resident": resident,
        "rid": rid,
        "matter": matter,
        "matters": bookable,
        "phone": request.POST.get("phone", resident.phone if resident else ""),
    }
    if request.method == "POST":
        try:
            if resident is None:
                raise NotFound(_("没有找到该群众，请先登记委托。"))
            if matter is None:
                raise ValidationFailed(_("请选择事项。"), fields={"matter": [_("请选择事项。")]})
            slot = appt.slot_by_ref(request.POST.get("slot", ""))
            app = services.agent_book(
                actor=request.user, resident=resident, matter=matter, slot=slot, phone=request.POST.get("phone", "")
            )
        except ApplicationError as exc:
            context["errors"] = _errors(exc)
            return render(request, "assistance/book.html", context, status=422 if exc.status != 404 else 404)
        assert app.booking is not None
        messages.success(
            request, _("已为%(name)s预约，预约码 %(code)s。") % {"name": resident.display_name, "code": app.booking.code}
        )
        return redirect("assistance:application", uuid=app.uuid)
    if resident is not None and matter is not None:
        places = list(appt.matter_places(matter))
        area = next((a for a in places if str(a.uuid) == request.GET.get("area")), places[0] if places else None)
        today = timezone.localdate()
        days = (
            appt.availability(matter=matter, area=area, start=today, end=today + datetime.timedelta(days=DAYS_SHOWN))
            if area is not None
            else []
        )
        open_days = [d for d in days if d.free > 0]
        chosen = _date(request.GET.get("day"), open_days[0].date if open_days else today)
        context.update(
            places=places,
            area=area,
            days=days,
            day=next((d for d in days if d.date == chosen), None),
        )
    return render(request, "assistance/book.html", context)


@agent_required
def filing(request: AuthedRequest, point: AgentPoint) -> HttpResponse:
    """告知承诺备案 for a resident (or an enterprise they handle): the commitment read out at the
    point, the resident's name and ID number confirmed, filed in the resident's name."""
    from onewindow.catalog import formschema
    from onewindow.filings.services import text_hash
    from onewindow.materials.selectors import enterprises_of

    residents = selectors.my_residents(point)
    resident, rid = _resident(request, point, residents)
    matter = _matter(request)
    version = matter.current_version if matter is not None else None
    if version is not None and version.kind != "filing":
        raise NotFound()
    schema = (version.form_schema or []) if version is not None else []
    data: dict[str, Any] = {}
    error: ApplicationError | None = None
    enterprises = list(enterprises_of(resident)) if resident is not None else []
    if request.method == "POST":
        data = {f.name: request.POST.get(f.name, "") for f in formschema.fields_of(schema)} if schema else {}
        ent_uuid = request.POST.get("enterprise") or ""
        try:
            if resident is None:
                raise NotFound(_("没有找到该群众，请先登记委托。"))
            if matter is None:
                raise ValidationFailed(_("请选择事项。"), fields={"matter": [_("请选择事项。")]})
            enterprise = next((e for e in enterprises if str(e.uuid) == ent_uuid), None)
            if ent_uuid and enterprise is None:
                raise NotFound()
            app = services.agent_file_filing(
                actor=request.user,
                resident=resident,
                matter=matter,
                enterprise=enterprise,
                signer_name=request.POST.get("signer_name", ""),
                signer_id_number=request.POST.get("signer_id_number", ""),
                text_sha256=request.POST.get("text_sha256", ""),
                read_to_resident=request.POST.get("read_to_resident") == "on",
                form_data=data,
            )
        except ApplicationError as exc:
            error = exc
        else:
            assert app.filing is not None
            messages.success(
                request, _("已为%(name)s备案，备案编号 %(n)s。") % {"name": resident.display_name, "n": app.filing.number}
            )
            return redirect("assistance:application", uuid=app.uuid)
    return render(
        request,
        "assistance/filing.html",
        {
            "point": point,
            "residents": residents,
            "resident": resident,
            "rid": rid,
            "matter": matter,
            "version": version,
            "matters": eligible_matters(point).filter(current_version__kind="filing"),
            "enterprises": enterprises,
            "text_sha256": text_hash(version.commitment_text or "") if version is not None else "",
            "fields": formschema.bound(schema, data, error.fields if error else None) if schema else [],
            "errors": _errors(error) if error else None,
            "post": request.POST,
        },
        status=error.status if error else 200,
    )
