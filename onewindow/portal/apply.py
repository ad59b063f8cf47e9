"""The online application flow: conditions -> form -> materials -> review -> submit.

Every step's state is saved on the server (materials.ApplicationDraft), so the applicant can stop
at any step and continue on another device. Pages are generated from the matter's data (conditions
text, form_schema, material requirements); there is no page per matter."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onewindow.catalog import formschema
from onewindow.catalog.models import Bundle
from onewindow.core.authed import AuthedRequest
from onewindow.core.errors import ApplicationError, NotFound
from onewindow.core.parsing import parse_uuid
from onewindow.materials import selectors as ms
from onewindow.materials import services
from onewindow.materials.models import ApplicationDraft

STEP_URLS: dict[str, str] = {
    ApplicationDraft.Step.CONDITIONS: "portal:apply_conditions",
    ApplicationDraft.Step.FORM: "portal:apply_form",
    ApplicationDraft.Step.MATERIALS: "portal:apply_materials",
    ApplicationDraft.Step.REVIEW: "portal:apply_review",
}
STEPS: list[str] = list(STEP_URLS)


def _ctx(draft: ApplicationDraft, step: str, **extra: Any) -> dict[str, Any]:
    reached = STEPS.index(draft.step)
    return {
        "draft": draft,
        "step": step,
        "steps": [(s, ApplicationDraft.Step(s).label, i <= reached) for i, s in enumerate(STEPS)],
        **extra,
    }


def _enterprise_choice(request: AuthedRequest) -> Any:
    value = request.POST.get("enterprise") or ""
    if not value:
        return None
    ent = ms.enterprises_of(request.user).filter(uuid=_uuid(value)).first()
    if ent is None:
        raise NotFound()
    return ent


def _uuid(value: Any) -> Any:
    """The one UUID parser (None for a malformed value: an ORM lookup on None finds nothing)."""
    return parse_uuid(value)


@login_required
def start_matter(request: AuthedRequest, uuid: str) -> HttpResponse:
    matter = ms.online_matters().filter(uuid=uuid).first()
    if matter is None:
        raise NotFound(_("该事项不存在或暂不支持网上申请。"))
    version = matter.current_version
    if version is None:  # online matters are published ones
        raise NotFound(_("该事项不存在或暂不支持网上申请。"))
    return _start(request, matter=matter, title=version.name, version=version)


@login_required
def start_bundle(request: AuthedRequest, uuid: str) -> HttpResponse:
    bundle = get_object_or_404(Bundle, uuid=uuid, is_active=True)
    if not ms.bundle_is_online(bundle):
        raise NotFound(_("该一件事暂不支持网上申请。"))
    return _start(request, bundle=bundle, title=bundle.name, version=None)


def _start(request: AuthedRequest, *, title: str, version: Any, matter: Any = None, bundle: Any = None) -> HttpResponse:
    error = None
    if request.method == "POST":
        try:
            user: Any = request.user
            draft = services.draft_start(applicant=user, matter=matter, bundle=bundle, enterprise=_enterprise_choice(request))
        except ApplicationError as exc:
            if exc.status in (403, 404):
                raise
            error = exc
        else:
            return redirect(STEP_URLS[draft.step], uuid=draft.uuid)
    versions = [version] if version else ms.bundle_versions(bundle)
    held = set(ms.library_for(request.user).values_list("shared_key", flat=True))
    held |= {d.shared_key for d in ms.issued_documents(request.user)}
    requirements = [(r, bool(r.shared_key) and r.shared_key in held) for r in ms.requirements_of(versions)]
    return render(
        request,
        "portal/apply_start.html",
        {
            "title": title,
            "versions": versions,
            "bundle": bundle,
            "enterprises": ms.enterprises_of(request.user),
            "requirements": requirements,
            "needs_enterprise": any(v.audience == "enterprise" for v in versions),
            "allows_enterprise": any(v.audience in ("enterprise", "both") for v in versions),
            "error": error,
        },
        status=error.status if error else 200,
    )


@login_required
def resume(request: AuthedRequest, uuid: str) -> HttpResponse:
    draft = ms.draft_for(request.user, uuid)
    return redirect(STEP_URLS[draft.step], uuid=draft.uuid)


@login_required
def conditions(request: AuthedRequest, uuid: str) -> HttpResponse:
    draft = ms.draft_for(request.user, uuid)
    error = None
    if request.method == "POST":
        try:
            services.draft_confirm_conditions(draft=draft, actor=request.user, confirmed=request.POST.get("confirmed") == "1")
            return redirect("portal:apply_form", uuid=draft.uuid)
        except ApplicationError as exc:
            error = exc
    return render(
        request, "portal/apply_conditions.html", _ctx(draft, "conditions", conditions=ms.draft_conditions(draft), error=error)
    )


@login_required
def form(request: AuthedRequest, uuid: str) -> HttpResponse:
    draft = ms.draft_for(request.user, uuid)
    if not draft.conditions_confirmed:
        return redirect("portal:apply_conditions", uuid=draft.uuid)
    schema = ms.draft_schema(draft)
    data: dict[str, Any] = dict(draft.form_data or {}) or _prefill(draft, request.user)
    errors: dict[str, Any] = {}
    error = None
    if request.method == "POST":
        data = formschema.posted(schema, request.POST)
        try:
            services.draft_save_form(draft=draft, actor=request.user, data=data)
            if "save" in request.POST:
                messages.success(request, _("已保存，可在任何设备上继续填写。"))
                return redirect("portal:apply_form", uuid=draft.uuid)
            return redirect("portal:apply_materials", uuid=draft.uuid)
        except ApplicationError as exc:
            error, errors = exc, exc.fields
    return render(
        request,
        "portal/apply_form.html",
        _ctx(draft, "form", fields=formschema.bound(schema, data, errors), error=error),
        status=error.status if error else 200,
    )


def _prefill(draft: ApplicationDraft, user: Any) -> dict[str, Any]:
    """What the platform already knows, so the applicant does not type it again (数据跑路): the
    verified identity, the phone, the enterprise's registration. The applicant can still edit it."""
    data: dict[str, Any] = {
        "contact_name": user.display_name,
        "contact_phone": user.phone,
        "applicant_name": user.display_name,
        "applicant_id": user.id_number or "",
        "applicant_phone": user.phone,
        "has_agent": "no",
    }
    if draft.enterprise is not None:
        ent = draft.enterprise
        data.update(
            {
                "ent_name": ent.name,
                "ent_uscc": ent.uscc,
                "legal_rep_name": ent.legal_representative,
                "contact_name": user.display_name,
            }
        )
    return data


@login_required
def materials(request: AuthedRequest, uuid: str) -> HttpResponse:
    draft = ms.draft_for(request.user, uuid)
    if draft.step in (ApplicationDraft.Step.CONDITIONS, ApplicationDraft.Step.FORM):
        return redirect(STEP_URLS[draft.step], uuid=draft.uuid)
    error = None
    if request.method == "POST":
        user: Any = request.user
        key = request.POST.get("key", "")
        try:
            if "reuse_all" in request.POST:
                draft, count = services.draft_reuse_all(draft=draft, actor=user)
                messages.success(request, _("已从材料库复用 %(n)s 份材料。") % {"n": count})
            elif "upload" in request.POST:
                services.draft_upload(draft=draft, actor=user, key=key, file=request.FILES.get("file"))
                messages.success(request, _("材料已上传，并存入您的材料库。"))
            elif "attach" in request.POST:
                source, _sep, ref = request.POST["attach"].partition(":")
                services.draft_attach(draft=draft, actor=user, key=key, source=source, ref=ref)
            elif "detach" in request.POST:
                services.draft_detach(draft=draft, actor=user, key=key)
            elif "next" in request.POST:
                services.draft_to_review(draft=draft, actor=user)
                return redirect("portal:apply_review", uuid=draft.uuid)
            return redirect("portal:apply_materials", uuid=draft.uuid)
        except ApplicationError as exc:
            if exc.status == 404 and not exc.fields:
                raise
            error = exc
        draft.refresh_from_db()
    reqs = ms.draft_requirements(draft, user=request.user)
    reusable = sum(1 for r in reqs if not r.attached_label and not r.provided and r.offers)
    return render(
        request,
        "portal/apply_materials.html",
        _ctx(draft, "materials", requirements=reqs, reusable=reusable, error=error),
        status=error.status if error else 200,
    )


@login_required
def review(request: AuthedRequest, uuid: str) -> HttpResponse:
    draft = ms.draft_for(request.user, uuid)
    if draft.step != ApplicationDraft.Step.REVIEW:
        return redirect(STEP_URLS[draft.step], uuid=draft.uuid)
    error = None
    if request.method == "POST":
        try:
            case = services.draft_submit(draft=draft, actor=request.user, channel="online")
        except ApplicationError as exc:
            error = exc
        else:
            messages.success(request, _("申请已提交，办件编号 %(number)s。") % {"number": case.number})
            return redirect("portal:case", uuid=case.uuid)
    fields = formschema.bound(ms.draft_schema(draft), draft.form_data or {})
    return render(
        request,
        "portal/apply_review.html",
        _ctx(draft, "review", fields=fields, requirements=ms.draft_requirements(draft, user=request.user), error=error),
        status=error.status if error else 200,
    )


@login_required
@require_POST
def abandon(request: AuthedRequest, uuid: str) -> HttpResponse:
    draft = ms.draft_for(request.user, uuid)
    services.draft_abandon(draft=draft, actor=request.user)
    messages.success(request, _("已放弃该申请。"))
    return redirect("portal:me")
