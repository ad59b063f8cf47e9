"""The actions of the back-office case page, one function each: its input parsed by a small form,
the step or person it names resolved once, then one service call (the services check every
permission). `case_act` in views.py looks the action up here.

NUL characters were already taken out of the request by core.middleware.StripNulMiddleware."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import User
from onewindow.cases import extensions
from onewindow.cases import selectors as case_selectors
from onewindow.cases import services as svc
from onewindow.cases.models import Case, CaseStep, ExtensionRequest
from onewindow.catalog import formschema
from onewindow.core.errors import MSG_INVALID_DATA, NotFound, ValidationFailed

Action = Callable[[Case, User, Any], None]


def _parsed(form_class: type[forms.Form], data: Any) -> dict[str, Any]:
    form = form_class(data)
    if not form.is_valid():
        raise ValidationFailed(MSG_INVALID_DATA, fields={k: list(v) for k, v in form.errors.items()})
    return form.cleaned_data


class _Text(forms.Form):
    """Free text; the service says what it requires (its own messages)."""

    reasons = forms.CharField(required=False, strip=False)
    comment = forms.CharField(required=False, strip=False)
    reason = forms.CharField(required=False, strip=False)


class _StepForm(_Text):
    step = forms.UUIDField()


class _AssignForm(_StepForm):
    assignee = forms.CharField(max_length=150)


class _ReturnForm(_StepForm):
    to_step = forms.UUIDField()
    fields_to_fix = forms.CharField(required=False)


class _PauseForm(_Text):
    kind = forms.CharField(required=False)


class _ExtendForm(_Text):
    days = forms.IntegerField(min_value=1, max_value=365)


class _DecideForm(_Text):
    approved = forms.TypedChoiceField(choices=[("1", "1"), ("0", "0")], coerce=lambda v: v == "1")


class _DeliverForm(forms.Form):
    method = forms.CharField(required=False)
    tracking_number = forms.CharField(required=False)


class _HandOverForm(forms.Form):
    ticket = forms.UUIDField(required=False)


def _step(case: Case, step_uuid: Any) -> CaseStep:
    step = case.steps.filter(uuid=step_uuid).first()
    if step is None:
        raise NotFound()
    return step


def _colleague(username: str) -> User:
    assignee = User.objects.filter(username=username).first()
    if assignee is None:
        raise NotFound()
    return assignee


def _pending_extension(case: Case) -> ExtensionRequest:
    pending = case.extension_requests.filter(status=ExtensionRequest.Status.PENDING).first()
    if pending is None:
        raise NotFound(_("没有待批准的延长期限申请。"))
    return pending


def _supplement_items(case: Case, data: Any) -> list[dict[str, Any]]:
    """The ticked materials and form fields of the supplement form, each with its reason."""
    items: list[dict[str, Any]] = []
    for req in case_selectors.case_requirements(case):
        if data.get(f"need_{req.pk}") == "on":
            items.append({"name": req.name, "reason": data.get(f"reason_{req.pk}", ""), "requirement": req.pk})
    if data.get("other_name", "").strip():
        items.append({"name": data["other_name"], "reason": data.get("other_reason", "")})
    for f in formschema.fields_of(case_selectors.case_form_schema(case), fill_default=False):
        if data.get(f"fixfield_{f.name}") == "on":
            items.append({"field": f.name, "reason": data.get(f"fixreason_{f.name}", "")})
    return items


def accept(case: Case, actor: User, data: Any) -> None:
    svc.case_accept(case=case, actor=actor)


def refuse(case: Case, actor: User, data: Any) -> None:
    svc.case_refuse(case=case, actor=actor, reasons=_parsed(_Text, data)["reasons"])


def supplement(case: Case, actor: User, data: Any) -> None:
    svc.case_request_supplement(case=case, actor=actor, items=_supplement_items(case, data))


def claim(case: Case, actor: User, data: Any) -> None:
    svc.step_claim(step=_step(case, _parsed(_StepForm, data)["step"]), actor=actor)


def approve(case: Case, actor: User, data: Any) -> None:
    d = _parsed(_StepForm, data)
    svc.step_approve(step=_step(case, d["step"]), actor=actor, comment=d["comment"])


def reject(case: Case, actor: User, data: Any) -> None:
    d = _parsed(_StepForm, data)
    svc.step_reject(step=_step(case, d["step"]), actor=actor, reasons=d["comment"])


def assign(case: Case, actor: User, data: Any) -> None:
    d = _parsed(_AssignForm, data)
    svc.step_assign(step=_step(case, d["step"]), actor=actor, assignee=_colleague(d["assignee"]))


def return_step(case: Case, actor: User, data: Any) -> None:
    d = _parsed(_ReturnForm, data)
    fields = d["fields_to_fix"].replace("，", ",").replace("、", ",").split(",")
    svc.step_return(
        step=_step(case, d["step"]), actor=actor, to_step=_step(case, d["to_step"]), fields_to_fix=fields, reason=d["comment"]
    )


def pause(case: Case, actor: User, data: Any) -> None:
    d = _parsed(_PauseForm, data)
    svc.case_pause(case=case, actor=actor, kind=d["kind"], reason=d["reason"])


def resume(case: Case, actor: User, data: Any) -> None:
    svc.case_resume(case=case, actor=actor)


def extend(case: Case, actor: User, data: Any) -> None:
    d = _parsed(_ExtendForm, data)
    extensions.extension_request(case=case, actor=actor, days=d["days"], reason=d["reason"])


def extend_approve(case: Case, actor: User, data: Any) -> None:
    extensions.extension_approve(request=_pending_extension(case), actor=actor)


def extend_decline(case: Case, actor: User, data: Any) -> None:
    extensions.extension_decline(request=_pending_extension(case), actor=actor, reason=_parsed(_Text, data)["reason"])


def decide(case: Case, actor: User, data: Any) -> None:
    d = _parsed(_DecideForm, data)
    svc.case_decide(case=case, actor=actor, approved=d["approved"], reason=d["reason"])


def conclude(case: Case, actor: User, data: Any) -> None:
    svc.case_conclude(case=case, actor=actor)


def deliver(case: Case, actor: User, data: Any) -> None:
    d = _parsed(_DeliverForm, data)
    svc.case_deliver(case=case, actor=actor, method=d["method"], tracking_number=d["tracking_number"])


def hand_over(case: Case, actor: User, data: Any) -> None:
    svc.case_hand_over(case=case, actor=actor, ticket_uuid=_parsed(_HandOverForm, data)["ticket"])


ACTIONS: dict[str, Action] = {
    "accept": accept,
    "refuse": refuse,
    "supplement": supplement,
    "claim": claim,
    "approve": approve,
    "reject": reject,
    "assign": assign,
    "return": return_step,
    "pause": pause,
    "resume": resume,
    "extend": extend,
    "extend_approve": extend_approve,
    "extend_decline": extend_decline,
    "decide": decide,
    "conclude": conclude,
    "deliver": deliver,
    "hand_over": hand_over,
}
