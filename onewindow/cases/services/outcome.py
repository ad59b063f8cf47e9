"""Decision, conclusion, delivery of the result, and the applicant's trips to the hall."""

from __future__ import annotations

import uuid as uuid_lib

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import Role, User
from onewindow.core.audit import audit
from onewindow.core.errors import ValidationFailed

from .. import selectors
from ..errors import WrongStatus
from ..models import (
    Case,
    CaseStep,
    CaseVisit,
    Channel,
)
from ._common import _clean, _event, _lock, _notify_applicant, _record_visit, _require, _today


def case_decide(*, case: Case, actor: User, approved: bool, reason: str = "") -> Case:
    reason = _clean(reason)
    _require(selectors.can_decide(actor, case))
    with transaction.atomic():
        case = _lock(case)
        if case.status != Case.Status.REVIEWED:
            raise WrongStatus(case.get_status_display())
        rejected = case.steps.filter(status=CaseStep.Status.REJECTED).exists()
        if approved and rejected:
            raise ValidationFailed(_("有部门审查不通过，不能作出准予许可的决定。"), code="rejected_step")
        if not approved and not (reason or "").strip():
            raise ValidationFailed(_("不予许可须写明理由。"), fields={"reason": [_("必填项。")]})
        case.decision = Case.Decision.APPROVED if approved else Case.Decision.DENIED
        case.decision_reason = (reason or "").strip()
        case.decided_at = timezone.now()
        case.status = Case.Status.DECIDED
        case.save()
        _event(case, "decided", actor=actor, note=case.decision)
        audit(actor=actor, action="case.decide", target=case, data={"decision": case.decision})
        _notify_applicant(case, "decided")
    return case


def case_conclude(*, case: Case, actor: User) -> Case:
    """办结: once, after the decision."""
    _require(selectors.can_decide(actor, case) or selectors.can_intake(actor, case))
    with transaction.atomic():
        case = _lock(case)
        if case.status != Case.Status.DECIDED:
            raise WrongStatus(case.get_status_display())
        case.status = Case.Status.CONCLUDED
        case.concluded_at = timezone.now()
        case.save(update_fields=["status", "concluded_at", "updated_at"])
        case.warnings.filter(resolved_at__isnull=True).update(resolved_at=case.concluded_at)
        _event(case, "concluded", actor=actor)
        audit(actor=actor, action="case.conclude", target=case)
        _notify_applicant(case, "concluded")
    return case


def case_deliver(*, case: Case, actor: User, method: str, tracking_number: str = "") -> Case:
    """送达. By post or as an electronic licence the result reaches the applicant now (已送达); for
    collection at the window it waits there for them (待领取) until `case_hand_over`."""
    tracking_number = _clean(tracking_number)[:40]
    # An agent case's result is handed over at the agent point of the applicant's village, by one
    # of its agents (assistance app: the resident signs for it there).
    by_agent = (
        method == Case.Delivery.AGENT_POINT
        and case.channel == Channel.AGENT
        and case.applicant.home_unit is not None
        and actor.has_role(Role.AGENT, case.applicant.home_unit)
    )
    if method == Case.Delivery.AGENT_POINT:
        _require(by_agent)  # staff hand results over at their own window; the point's signed hand-over is the agent's
    _require(by_agent or selectors.can_decide(actor, case) or selectors.can_intake(actor, case))
    if method not in Case.Delivery.values:
        raise ValidationFailed(_("未知的送达方式。"), fields={"method": [_("未知的送达方式。")]})
    if method == Case.Delivery.POST and not (tracking_number or "").strip():
        raise ValidationFailed(_("邮寄送达须填写邮件单号。"), fields={"tracking_number": [_("必填项。")]})
    with transaction.atomic():
        case = _lock(case)
        if case.status != Case.Status.CONCLUDED:
            raise WrongStatus(case.get_status_display())
        case.delivery_method = method
        case.tracking_number = (tracking_number or "").strip()
        if method == Case.Delivery.WINDOW:
            case.status = Case.Status.READY
            case.save()
            _event(case, "ready", actor=actor)
            audit(actor=actor, action="case.ready", target=case)
            _notify_applicant(case, "ready")
            return case
        case.status = Case.Status.DELIVERED
        case.delivered_at = timezone.now()
        case.save()
        _event(case, "delivered", actor=actor, note=method)
        audit(actor=actor, action="case.deliver", target=case, data={"method": method})
        _notify_applicant(case, "delivered")
    return case


def case_hand_over(*, case: Case, actor: User, ticket_uuid: uuid_lib.UUID | None = None) -> Case:
    """The applicant collected the result at the window (待领取 -> 已送达): one more trip."""
    _require(selectors.can_intake(actor, case))
    with transaction.atomic():
        case = _lock(case)
        if case.status != Case.Status.READY:
            raise WrongStatus(case.get_status_display())
        case.status = Case.Status.DELIVERED
        case.delivered_at = timezone.now()
        case.save(update_fields=["status", "delivered_at", "updated_at"])
        _record_visit(case, CaseVisit.Kind.COLLECT, day=_today(), ticket_uuid=ticket_uuid)
        _event(case, "delivered", actor=actor, note=Case.Delivery.WINDOW)
        audit(actor=actor, action="case.hand_over", target=case)
        _notify_applicant(case, "delivered")
    return case


def case_record_visit(*, case: Case, actor: User, ticket_uuid: uuid_lib.UUID) -> Case:
    """A hall ticket served at a window for this case (the person came, e.g. to ask or bring paper)."""
    _require(selectors.can_intake(actor, case))
    with transaction.atomic():
        _record_visit(case, CaseVisit.Kind.TICKET, day=_today(), ticket_uuid=ticket_uuid)
        # On the timeline too: the dashboard's rollups find changed cases through their events.
        _event(case, "visited", actor=actor)
        audit(actor=actor, action="case.visit", target=case, data={"ticket": str(ticket_uuid)})
    return case
