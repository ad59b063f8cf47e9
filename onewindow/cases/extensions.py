"""Extending a case's decision period (行政许可法 art. 42) in two acts by two people.

The lead department asks (days, reason); a leader (负责人) of that department, signed in as
themselves, approves or declines. Before this, the person asking picked a leader's name from a list
and the extension was recorded as that leader's approval, which the leader never saw. A pending
request is the leaders' work (cases.owners: "extension"), so it cannot wait unseen.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import Role, User
from onewindow.core.audit import audit
from onewindow.core.errors import Conflict, PermissionDenied, ValidationFailed

from . import selectors
from .errors import WrongStatus
from .models import Case, ExtensionRequest
from .services import JOINT_MAX_EXTENSION, SINGLE_STATUTORY_MAX_EXTENSION, _clean, _lock, extension_record


def can_approve(user: User, case: Case) -> bool:
    return bool(
        user.is_authenticated and (user.has_role(Role.LEADER, case.department) or selectors.admin_over(user, case.department))
    )


def extension_request(*, case: Case, actor: User, days: int, reason: str) -> ExtensionRequest:
    if not selectors.can_act_on_clock(actor, case):
        raise PermissionDenied()
    reason = _clean(reason)
    limit = JOINT_MAX_EXTENSION if case.is_joint else SINGLE_STATUTORY_MAX_EXTENSION
    if not 1 <= int(days) <= limit:
        raise ValidationFailed(
            _("延长期限为 1 至 %(limit)s 个工作日。") % {"limit": limit}, fields={"days": [_("超出法定可延长期限。")]}
        )
    if not reason:
        raise ValidationFailed(_("延长期限须写明理由。"), fields={"reason": [_("必填项。")]})
    try:
        with transaction.atomic():
            case = _lock(case)
            if case.status not in (Case.Status.IN_REVIEW, Case.Status.PAUSED):
                raise WrongStatus(case.get_status_display())
            if case.extensions.exists():
                raise ValidationFailed(_("办理期限只能延长一次。"), code="extension_once")
            request = ExtensionRequest.objects.create(case=case, days=int(days), reason=reason, requested_by=actor)
            audit(actor=actor, action="case.extension_request", target=case, data={"days": int(days), "reason": reason})
    except IntegrityError as exc:  # one pending request per case (partial unique constraint)
        raise Conflict(_("本案已有待批准的延长期限申请。"), code="extension_pending") from exc
    return request


def _pending(request: ExtensionRequest) -> ExtensionRequest:
    locked = ExtensionRequest.objects.select_for_update().select_related("case__department").get(pk=request.pk)
    if locked.status != ExtensionRequest.Status.PENDING:
        raise Conflict(_("该申请已处理。"), code="extension_decided")
    return locked


def extension_approve(*, request: ExtensionRequest, actor: User) -> Case:
    """The leader's own approval: writes the extension with the leader as approver."""
    if not can_approve(actor, request.case):
        raise PermissionDenied(_("延长期限须由本机关负责人批准。"))
    if actor.pk == request.requested_by_id:
        raise PermissionDenied(_("不能批准自己提出的延长期限申请。"))
    with transaction.atomic():
        request = _pending(request)
        case = extension_record(case=request.case, actor=actor, days=request.days, reason=request.reason, approver=actor)
        request.status, request.decided_by, request.decided_at = ExtensionRequest.Status.APPROVED, actor, timezone.now()
        request.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
        audit(actor=actor, action="case.extension_approve", target=case, data={"days": request.days})
    return case


def extension_decline(*, request: ExtensionRequest, actor: User, reason: str) -> ExtensionRequest:
    if not can_approve(actor, request.case):
        raise PermissionDenied(_("延长期限须由本机关负责人批准。"))
    reason = _clean(reason)
    if not reason:
        raise ValidationFailed(_("不批准须写明理由。"), fields={"reason": [_("必填项。")]})
    with transaction.atomic():
        request = _pending(request)
        request.status, request.decided_by, request.decided_at = ExtensionRequest.Status.DECLINED, actor, timezone.now()
        request.decline_reason = reason
        request.save(update_fields=["status", "decided_by", "decided_at", "decline_reason", "updated_at"])
        audit(actor=actor, action="case.extension_decline", target=request.case, data={"reason": reason})
    return request
