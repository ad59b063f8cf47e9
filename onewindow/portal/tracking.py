"""Tracking: my cases, one case's progress, answering a supplement notice online, downloads."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from onewindow.core.authed import AuthedRequest
from onewindow.core.errors import ApplicationError, NotFound
from onewindow.materials import selectors as ms
from onewindow.materials import services as material_services

from . import selectors
from .views import page_size


@login_required
def cases(request: AuthedRequest) -> HttpResponse:
    qs = selectors.my_cases(request.user)
    status = request.GET.get("status") or ""
    if status == "open":
        qs = qs.exclude(status__in=["refused", "concluded", "delivered"])
    elif status == "supplement":
        qs = qs.filter(status="supplement")
    page = Paginator(qs, page_size(request)).get_page(request.GET.get("page"))
    return render(request, "portal/cases.html", {"page": page, "status": status})


@login_required
def case_detail(request: AuthedRequest, uuid: str) -> HttpResponse:
    user: Any = request.user
    case = selectors.my_case(user, uuid)
    pause = selectors.open_supplement(case)
    error = None
    if request.method == "POST" and pause is not None:
        uploads: dict[int, Any] = {}
        reuse: dict[int, str] = {}
        named: dict[str, Any] = {}
        unmatched = [i["name"] for i in _supplement_items(case, pause, user) if i["requirement"] is None]
        for key, file in request.FILES.items():
            if key.startswith("file-") and key[5:].isdigit():
                uploads[int(key[5:])] = file
            elif key.startswith("item-") and key[5:].isdigit() and int(key[5:]) < len(unmatched):
                named[str(unmatched[int(key[5:])])] = file
        for key in request.POST:
            choice = request.POST.get(key, "")
            if key.startswith("reuse-") and key[6:].isdigit() and choice and int(key[6:]) not in uploads:
                reuse[int(key[6:])] = choice
        listed = [i["field"] for i in pause.items or [] if i.get("field")]
        form = {name: request.POST.get(f"fix-{name}", "") for name in listed}
        try:
            material_services.supplement_answer(case=case, actor=user, uploads=uploads, reuse=reuse, named=named, form=form)
        except ApplicationError as exc:
            if exc.status == 404 and not exc.fields:
                raise
            error = exc
        else:
            messages.success(request, _("补正材料已提交，受理计时恢复。"))
            return redirect("portal:case", uuid=case.uuid)
    supplement_items = _supplement_items(case, pause, user) if pause else []
    fix_fields = _fix_fields(case, pause, request.POST if error else None, error.fields if error else None) if pause else []
    return render(
        request,
        "portal/case.html",
        {
            "case": case,
            "current_steps": selectors.current_steps(case),
            "steps": case.steps.select_related("department").order_by("stage_order", "id"),
            "events": _events(case),
            "materials": case.materials.exclude(status="replaced").order_by("id"),
            "pause": pause,
            "supplement_items": supplement_items,
            "fix_fields": fix_fields,
            "documents": selectors.case_documents(user, case),
            "error": error,
        },
        status=error.status if error else 200,
    )


def _events(case: Any) -> list[dict[str, Any]]:
    from onewindow.cases.services import EVENT_LABELS

    return [{"label": EVENT_LABELS.get(e.kind, e.kind), "at": e.at} for e in case.events.order_by("at", "id")]


def _fix_fields(case: Any, pause: Any, post: Any, errors: dict[str, Any] | None) -> list[Any]:
    """The form fields the notice asks to correct, with the current (or just posted) values and
    the department's reason as help."""
    from onewindow.cases.services import case_form_schema
    from onewindow.catalog import formschema

    reasons = {i["field"]: i.get("reason", "") for i in pause.items or [] if i.get("field")}
    if not reasons:
        return []
    schema = [dict(f) for f in case_form_schema(case) if isinstance(f, dict) and f.get("name") in reasons]
    for f in schema:
        # Asked for by name: a field the notice lists is answered, whatever its condition was.
        f.pop("when", None)
        if reasons[f["name"]]:
            f["help"] = f["help_en"] = reasons[f["name"]]
    data = {k: post.get(f"fix-{k}", "") for k in reasons} if post is not None else dict(case.form_data or {})
    return formschema.bound(schema, data, errors)


def _supplement_items(case: Any, pause: Any, user: Any) -> list[dict[str, Any]]:
    """The notice's items with the requirement they concern and library items that could answer."""
    from onewindow.catalog.models import MaterialRequirement

    library = list(ms.library_for(user))
    items: list[dict[str, Any]] = []
    unmatched = 0
    for raw in pause.items or []:
        if raw.get("field"):
            continue  # a form field to correct: answered in the form above the materials
        req = None
        if raw.get("requirement"):
            req = MaterialRequirement.objects.filter(pk=raw["requirement"]).first()
        if req is None and raw.get("material"):
            sub = case.materials.filter(uuid=raw["material"]).select_related("requirement").first()
            req = sub.requirement if sub else None
        if req is None:
            req = next((r for r in _case_reqs(case) if r.name == raw.get("name")), None)
        offers = [i for i in library if req is not None and req.shared_key and i.shared_key == req.shared_key]
        items.append(
            {"name": raw.get("name"), "reason": raw.get("reason"), "requirement": req, "offers": offers, "slot": unmatched}
        )
        if req is None:
            unmatched += 1
    return items


def _case_reqs(case: Any) -> list[Any]:
    from onewindow.cases.services import case_requirements

    return case_requirements(case)


@login_required
def case_material_file(request: AuthedRequest, uuid: str, material: str) -> FileResponse:
    """A file the applicant submitted with their own case."""
    case = selectors.my_case(request.user, uuid)
    sub = case.materials.filter(uuid=material).exclude(storage_name="").first()
    if sub is None:
        raise NotFound()
    response = FileResponse(
        material_services.open_file(sub.storage_name), content_type=sub.content_type or "application/octet-stream"
    )
    response["Content-Disposition"] = f'attachment; filename="{sub.uuid}.{sub.storage_name.rsplit(".", 1)[-1]}"'
    response["Cache-Control"] = "private, no-store"
    return response
