"""公示: the notice in the household's village (2021 rules art. 21 and 26).

- It opens when the township proposes approval and runs for the set length (7 calendar days by
  default, conf.notice_length): the case's notice step carries the period (cases engine).
- It shows the head of household with the name masked, the household size and the monthly amount
  only — no ID numbers, no income details (art. 26: 不得公开无关信息); the copy is taken when it
  opens, so the public page never reads the household file.
- An expired notice is no longer public; the sweep ends it without objection, and the next stage
  counts from its last day (cases.services.step_due).
- Anyone may object while it runs, online or at the point (recorded by staff). An objection ends it
  at once and sends the case back to the check (art. 21: 重新组织调查); the notice runs again, in
  full, after the next proposal. An objection on a notice that no longer runs is `NoticeClosed`.

The article numbers of the 2021 审核确认办法 cited here are unverified (see docs/welfare.md).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import OrgUnit, Role, User
from onewindow.cases import services as case_services
from onewindow.cases import signals
from onewindow.cases.errors import NoticeClosed
from onewindow.cases.models import Case, CaseStep
from onewindow.core.audit import audit
from onewindow.core.errors import PermissionDenied, ValidationFailed
from onewindow.core.identity import mask_name
from onewindow.core.parsing import clean_text
from onewindow.core.tenancy import for_county

from ..models import Application, Objection, PublicNotice
from . import access, route

MAX_TEXT = 2000


def open_locked(app: Application) -> PublicNotice:
    """Copy what the notice may show, for the notice step the engine just opened."""
    step = route.open_step(app.case, route.NOTICE)
    assert step is not None and step.opened_on is not None and step.due_on is not None  # opened by the review
    head = app.household.head
    return PublicNotice.objects.create(
        application=app,
        step=step,
        round=step.rounds,
        village=app.household.village,
        starts_on=step.opened_on,
        ends_on=step.due_on,
        head_masked=mask_name(head.name if head else ""),
        people=app.proposed_people,
        monthly_amount_fen=app.proposed_amount_fen,
    )


def running(*, village: OrgUnit | None = None, county: Any = None, today: datetime.date | None = None) -> QuerySet[PublicNotice]:
    """The notices public today: running and not past their last day (an expired notice is no
    longer public even before the sweep ends it). `county` (a County or its code): that county's
    villages only, as the public list shows the visitor's chosen county (docs/tenancy.md)."""
    today = today or timezone.localdate()
    qs = PublicNotice.objects.filter(outcome=PublicNotice.Outcome.RUNNING, starts_on__lte=today, ends_on__gte=today)
    if village is not None:
        qs = qs.filter(village=village)
    if county is not None:
        qs = for_county(qs, county)
    return qs.select_related("village", "village__parent").order_by("ends_on", "id")


def objection_lodge(
    *,
    notice: PublicNotice,
    text: str,
    contact: str = "",
    actor: Any = None,
    at_point: bool = False,
    today: datetime.date | None = None,
) -> Objection:
    """An objection (art. 21). Online: anyone, signed in or not. At the point: the staff who take
    it down (the township's officers, the village's agents)."""
    text = clean_text(text, MAX_TEXT)
    contact = clean_text(contact, 50)
    if not text:
        raise ValidationFailed(_("请写明异议的内容。"), fields={"text": [_("必填项。")]})
    user = actor if getattr(actor, "is_authenticated", False) else None
    if at_point:
        village = notice.village
        staff = user is not None and (access.handles_township(user, village.parent) or user.has_role(Role.AGENT, village))
        if not staff:
            raise PermissionDenied(_("现场异议由乡镇（街道）或村（社区）工作人员代为登记。"))
    today = today or timezone.localdate()
    with transaction.atomic():
        # The case row lock: the same one the sweep takes when it ends the notice, so exactly one
        # of them wins (cases.services.public_notice_object).
        Case.objects.select_for_update().filter(pk=notice.application.case_id).first()
        current = PublicNotice.objects.select_related("application", "step").get(pk=notice.pk)
        if current.outcome != PublicNotice.Outcome.RUNNING or today > current.ends_on or current.step is None:
            raise NoticeClosed()
        case_services.public_notice_object(step=current.step, reason=text, actor=user, today=today)
        current.outcome = PublicNotice.Outcome.OBJECTED
        current.closed_at = timezone.now()
        current.save(update_fields=["outcome", "closed_at", "updated_at"])
        objection = Objection.objects.create(
            notice=current,
            channel=Objection.Channel.POINT if at_point else Objection.Channel.ONLINE,
            text=text,
            contact=contact,
            lodged_by=None if at_point else user,
            recorded_by=user if at_point else None,
        )
        app = current.application
        app.stage = Application.Stage.CHECK
        app.proposal = Application.Proposal.NONE
        app.save(update_fields=["stage", "proposal", "updated_at"])
        audit(
            actor=user, action="welfare.objection", target=objection, data={"notice": str(current.uuid), "round": current.round}
        )
    return objection


@receiver(signals.public_notice_ended, dispatch_uid="welfare-notice-ended")
def _notice_ended(sender: Any, step: CaseStep, case: Case, **kwargs: Any) -> None:
    """The engine ended a notice step without objection (in its transaction): the notice record
    closes and the application waits for the confirmation (art. 22)."""
    n = PublicNotice.objects.filter(step=step, outcome=PublicNotice.Outcome.RUNNING).update(
        outcome=PublicNotice.Outcome.NO_OBJECTION, closed_at=timezone.now()
    )
    if n:
        Application.objects.filter(case=case, stage=Application.Stage.NOTICE).update(
            stage=Application.Stage.CONFIRMATION, updated_at=timezone.now()
        )


def notice_by_uuid(value: Any) -> PublicNotice:
    from onewindow.core.errors import NotFound

    try:
        found = (
            PublicNotice.objects.select_related("application", "village", "village__county", "step").filter(uuid=value).first()
        )
    except (ValueError, ValidationFailed):
        found = None
    if found is None:
        raise NotFound()
    return found


__all__ = ["User", "objection_lodge", "open_locked", "running"]
