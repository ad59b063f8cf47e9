"""After filing: paper materials forwarded to the accepting unit (hand-over signed on receipt, the
clock and its cards), the result delivered at the point (signed by the resident), the follow-up."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import User
from onewindow.accounts.sms import signed
from onewindow.cases import services as case_services
from onewindow.cases.models import Case
from onewindow.core import hooks, workdays
from onewindow.core.audit import audit
from onewindow.core.errors import Conflict, PermissionDenied, ValidationFailed
from onewindow.core.notify import notify
from onewindow.core.uploads import collect_stored, store_private

from .. import access
from ..models import AgentApplication, FollowUp, MaterialForwarding, ResultDelivery
from ..policy import policy
from ._common import clean, require_ink, sha256_stored
from .applications import ENDED, close_ended_applications


def forwarding_send(*, actor: User, forwarding: MaterialForwarding, carrier: str = "") -> MaterialForwarding:
    """The agent sends the paper originals on their way (by hand or with a named carrier)."""
    access.require_agent_of(actor, forwarding.application.point)
    with transaction.atomic():
        now = timezone.now()
        updated = MaterialForwarding.objects.filter(pk=forwarding.pk, sent_at__isnull=True).update(
            sent_at=now, sent_by=actor, carrier=clean(carrier, 64) or actor.display_name, updated_at=now
        )
        if not updated:
            raise Conflict(_("这些材料已经移交。"), code="already_sent")
        forwarding.refresh_from_db()
        audit(actor=actor, action="assistance.forward_send", target=forwarding, data={"items": forwarding.items})
    return forwarding


def forwarding_receive(*, actor: User, forwarding: MaterialForwarding) -> MaterialForwarding:
    """The accepting unit signs for the materials (its staff member's sign-in is the signature)."""
    if not access.can_receive_for(actor, forwarding.to_unit):
        raise PermissionDenied()
    with transaction.atomic():
        now = timezone.now()
        updated = MaterialForwarding.objects.filter(pk=forwarding.pk, sent_at__isnull=False, received_at__isnull=True).update(
            received_at=now, received_by=actor, updated_at=now
        )
        if not updated:
            forwarding.refresh_from_db()
            if forwarding.sent_at is None:
                raise ValidationFailed(_("代办点尚未移交这些材料。"), code="not_sent")
            raise Conflict(_("这些材料已经签收。"), code="already_received")
        forwarding.refresh_from_db()
        late = timezone.localdate(now) > forwarding.due_on
        audit(actor=actor, action="assistance.forward_receive", target=forwarding, data={"late": late})
    return forwarding


def sweep_forwarding(*, today: datetime.date | None = None) -> int:
    """Yellow card when paper materials have not arrived `forward_yellow_margin` working days
    before their limit, red after it. Idempotent (conditional updates), notifies the point once
    per card (dedupe key). Also closes agent applications whose case has ended."""
    today = today or timezone.localdate()
    p = policy()
    changed = 0
    # Each forwarding's days on its point's county's calendar (read with the point's village).
    pending = MaterialForwarding.objects.filter(received_at__isnull=True).select_related(
        "application__point__village", "application__case"
    )
    for f in pending.iterator():
        county = f.application.point.village.county_id
        if today > f.due_on:
            level = MaterialForwarding.Warning.RED
        elif workdays.workdays_between(today, f.due_on, county) <= p.forward_yellow_margin:
            level = MaterialForwarding.Warning.YELLOW
        else:
            continue
        if f.warning == level:
            continue
        with transaction.atomic():
            if (
                not MaterialForwarding.objects.filter(pk=f.pk, received_at__isnull=True)
                .exclude(warning=level)
                .update(warning=level)
            ):
                continue
            changed += 1
            point = f.application.point
            if point.phone:
                label = gettext("红牌") if level == MaterialForwarding.Warning.RED else gettext("黄牌")
                notify(
                    channel="sms",
                    recipient=point.phone,
                    body=signed(
                        gettext("%(label)s：办件 %(number)s 的纸质材料应于 %(due)s 前送达受理单位。")
                        % {"label": label, "number": f.application.case.number if f.application.case else "", "due": f.due_on},
                        county,  # the point's, read with its village above
                    ),
                    kind="assistance.forward_warning",
                    dedupe_key=f"assistance.forward:{f.pk}:{level}",
                )
    changed += close_ended_applications()
    return changed


def result_deliver(
    *, actor: User, application: AgentApplication, receiver_name: str, signature: Any, note: str = ""
) -> ResultDelivery:
    """Hand the result to the resident at the point; they sign on the screen. The case is then
    delivered (method: at the agent point)."""
    access.require_agent_of(actor, application.point)
    if application.kind != AgentApplication.Kind.CASE or application.case is None:
        raise ValidationFailed(_("只有办件有办理结果。"), code="not_a_case")
    if not application.deliver_at_point:
        raise ValidationFailed(_("该群众没有选择在代办点领取结果。"), code="not_delivered_at_point")
    receiver_name = clean(receiver_name, 64) or application.resident.display_name
    if signature is None:
        raise ValidationFailed(_("请领取人签名。"), fields={"signature": [_("必填项。")]}, code="signature_missing")
    require_ink(signature)
    with collect_stored(), transaction.atomic():
        case = case_services.case_deliver(case=application.case, actor=actor, method=Case.Delivery.AGENT_POINT)
        name = store_private(signature, folder=f"assistance/deliveries/{application.uuid}", accepts="png")
        try:
            with transaction.atomic():
                delivery = ResultDelivery.objects.create(
                    application=application,
                    delivered_at=case.delivered_at or timezone.now(),
                    delivered_by=actor,
                    receiver_name=receiver_name,
                    signature_file=name,
                    signature_sha256=sha256_stored(name),
                    note=clean(note, 200),
                )
        except IntegrityError:
            raise Conflict(_("结果已送达。"), code="already_delivered") from None
        AgentApplication.objects.filter(pk=application.pk).update(closed_at=timezone.now())
        audit(actor=actor, action="assistance.deliver", target=delivery, data={"case": case.number, "receiver": receiver_name})
    return delivery


# Hooks this app asks (core/hooks.py), answered by 好差评 (RatingsConfig.provides):
# - FOLLOW_UP_RATED(*, case_uuid, level, comment, recorded_by) -> the rating the follow-up became
#   (inside the follow-up's transaction), or None when the case takes none;
# - FOLLOW_UP_RATING(case_uuid) -> that rating later, or None;
# - SATISFACTION_LEVELS() -> the satisfaction scale, [(5, "非常满意"), …, (1, …)], for the form.
FOLLOW_UP_RATED = "assistance.follow_up_rated"
FOLLOW_UP_RATING = "assistance.follow_up_rating"
SATISFACTION_LEVELS = "assistance.satisfaction_levels"


def follow_up_record(
    *, actor: User, application: AgentApplication, method: str, satisfaction: int | str, comment: str = ""
) -> FollowUp:
    """回访 after the case ended, with the resident's satisfaction (1 to 5)."""
    access.require_agent_of(actor, application.point)
    if application.kind != AgentApplication.Kind.CASE or application.case is None or application.case.status not in ENDED:
        raise ValidationFailed(_("办件办结后才能回访。"), code="case_not_ended")
    if method not in FollowUp.Method.values:
        raise ValidationFailed(_("请选择回访方式。"), fields={"method": [_("请选择回访方式。")]})
    try:
        level = int(satisfaction)
    except (TypeError, ValueError):
        level = 0
    if not 1 <= level <= 5:
        raise ValidationFailed(_("满意度为 1 到 5。"), fields={"satisfaction": [_("满意度为 1 到 5。")]}, code="bad_satisfaction")
    comment = clean(comment, 500)
    if level <= 2 and not comment:
        # It becomes a 差评 the responsible unit must fix: it needs to know what went wrong.
        raise ValidationFailed(
            _("不满意时请记录群众的意见。"), fields={"comment": [_("不满意时请记录群众的意见。")]}, code="reason_required"
        )
    # 好差评 rates this app's services, so it imports this app, not the reverse: it answers the
    # hook (core/hooks.py); without it the satisfaction stays on the follow-up only.
    feed = hooks.provider(FOLLOW_UP_RATED)
    try:
        with transaction.atomic():
            follow_up = FollowUp.objects.create(
                application=application,
                at=timezone.now(),
                by=actor,
                method=method,
                satisfaction=level,
                comment=comment,
            )
            # Feeds 好差评 once: the resident's rating of the case, unless they rated it already.
            rating = (
                feed(case_uuid=application.case.uuid, level=level, comment=comment, recorded_by=actor)
                if feed is not None
                else None
            )
            audit(
                actor=actor,
                action="assistance.follow_up",
                target=follow_up,
                data={"satisfaction": level, "method": method, "rating": str(rating.uuid) if rating else None},
            )
    except IntegrityError:
        raise Conflict(_("已经回访过。"), code="already_followed_up") from None
    return follow_up
