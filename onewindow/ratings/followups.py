"""差评 follow-up (谁办理、谁负责) and appeals (申诉).

A real-name 不满意 / 非常不满意 opens a `FollowUp` for the delivering unit: verify with the person
(回访核实) within `verify_workdays`, fix and reply (整改反馈) within `fix_workdays` (working days
from the day after the rating, core.workdays), then the person confirms or disputes. Every state
change is a conditional UPDATE on the expected status, so two clerks acting at once, or a reply
racing a withdrawal, change it once and the other gets a clear error.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onewindow.core import workdays
from onewindow.core.audit import audit
from onewindow.core.errors import Conflict, PermissionDenied
from onewindow.core.parsing import clean_text

from . import conf, errors, selectors
from .models import Appeal, FollowUp, Rating


def follow_up_open(*, rating: Rating) -> FollowUp:
    """Called inside the rating's transaction."""
    opened = timezone.localdate(rating.created_at)
    county = rating.unit.county_id  # the responsible unit's county keeps its own clocks (CountyRules)
    fu = FollowUp.objects.create(
        rating=rating,
        unit=rating.unit,
        opened_on=opened,
        verify_due=workdays.add_workdays(opened, int(conf.get("verify_workdays", county)), county),
        reply_due=workdays.add_workdays(opened, int(conf.get("fix_workdays", county)), county),
    )
    audit(actor=None, action="rating.follow_up_open", target=fu, data={"rating": str(rating.uuid)})
    return fu


def _text(value: Any, field: str, limit: int = 2000) -> str:
    text = clean_text(value)
    if not text:
        raise errors.invalid(field, _("必填项。"), "required")
    if len(text) > limit:
        raise errors.invalid(field, _("内容过长。"), "too_long")
    return text


def _move(fu: FollowUp, *, expected: tuple[str, ...], **changes: Any) -> None:
    """Conditional UPDATE: only from an expected status. A closed follow-up is a clear error."""
    if not FollowUp.objects.filter(pk=fu.pk, status__in=expected).update(**changes, updated_at=timezone.now()):
        current = FollowUp.objects.get(pk=fu.pk)
        if not current.is_open:
            raise errors.follow_up_closed()
        raise errors.wrong_step(current.get_status_display())
    for key, value in changes.items():
        setattr(fu, key, value)


def _require_handler(actor: Any, fu: FollowUp) -> None:
    if not selectors.can_handle(actor, fu.unit):
        raise PermissionDenied()


def follow_up_verify(*, follow_up: FollowUp, actor: Any, note: Any) -> FollowUp:
    """回访核实: the unit contacted the person and recorded what happened."""
    _require_handler(actor, follow_up)
    text = _text(note, "note")
    with transaction.atomic():
        _move(
            follow_up,
            expected=(FollowUp.Status.OPEN,),
            status=FollowUp.Status.VERIFIED,
            verified_at=timezone.now(),
            verified_by=actor,
            verify_note=text,
        )
        audit(actor=actor, action="rating.follow_up_verify", target=follow_up)
    return follow_up


def follow_up_reply(*, follow_up: FollowUp, actor: Any, reply: Any) -> FollowUp:
    """整改反馈: what was fixed. The person is told and asked to confirm or dispute."""
    from onewindow.core.notify import notify

    _require_handler(actor, follow_up)
    text = _text(reply, "reply")
    with transaction.atomic():
        _move(
            follow_up,
            expected=(FollowUp.Status.VERIFIED,),
            status=FollowUp.Status.REPLIED,
            replied_at=timezone.now(),
            replied_by=actor,
            reply=text,
        )
        audit(actor=actor, action="rating.follow_up_reply", target=follow_up)
        rating = follow_up.rating
        person = rating.rater
        if rating.rater_phone or person is not None:
            notify(
                channel="sms" if rating.rater_phone else "site",
                recipient=rating.rater_phone or (person.username if person is not None else ""),
                user=person,
                subject=gettext("差评整改反馈"),
                body=gettext("您对“%(label)s”的评价已整改反馈，请确认是否认可：%(url)s")
                % {"label": rating.subject_label, "url": respond_url(follow_up)},
                kind="ratings.follow_up_reply",
                dedupe_key=f"rating-reply:{follow_up.uuid}",
            )
    return follow_up


def respond_token(follow_up: FollowUp) -> str:
    from django.core import signing

    return signing.dumps({"f": str(follow_up.uuid)}, salt=RESPOND_SALT, compress=True)


RESPOND_SALT = "onewindow.ratings.respond"


def respond_url(follow_up: FollowUp) -> str:
    from django.conf import settings
    from django.urls import reverse

    return settings.ONEWINDOW_PUBLIC_BASE_URL.rstrip("/") + reverse("ratings:respond", args=[respond_token(follow_up)])


def follow_up_from_token(token: str) -> FollowUp:
    from django.core import signing

    from .subjects import as_uuid

    try:
        data = signing.loads(str(token or "")[:400], salt=RESPOND_SALT)
    except signing.BadSignature:
        raise errors.bad_link() from None
    key = as_uuid(data.get("f") if isinstance(data, dict) else None)
    fu = FollowUp.objects.select_related("rating", "rating__rater", "unit").filter(uuid=key).first() if key else None
    if fu is None:
        raise errors.bad_link()
    return fu


def follow_up_respond(
    *, follow_up: FollowUp, confirmed: bool, note: Any = "", person: Any = None, by_link: bool = False
) -> FollowUp:
    """The person confirms (认可) or disputes (不认可) the reply: the signed-in rater, or whoever
    holds the signed reply link sent to the rater's phone (`by_link`; a person who booked by phone
    has no account)."""
    if not by_link and (person is None or follow_up.rating.rater_id != person.pk):
        raise errors.not_your_service()
    text = clean_text(note, 1000)
    if not confirmed and not text:
        raise errors.invalid("note", _("请说明不认可的原因。"), "required")
    with transaction.atomic():
        _move(
            follow_up,
            expected=(FollowUp.Status.REPLIED,),
            status=FollowUp.Status.CONFIRMED if confirmed else FollowUp.Status.DISPUTED,
            responded_at=timezone.now(),
            response_note=text,
        )
        audit(actor=person, action="rating.follow_up_respond", target=follow_up, data={"confirmed": bool(confirmed)})
    return follow_up


# --- appeals -------------------------------------------------------------------------------------


def appeal_file(*, rating: Rating, actor: Any, reason: Any, evidence: Any) -> Appeal:
    """申诉: the delivering unit contests a bad rating it believes malicious or mistaken."""
    if not selectors.can_handle(actor, rating.unit):
        raise PermissionDenied()
    if not rating.is_bad:
        raise Conflict(_("只能对差评提出申诉。"), code="not_bad")
    fu = FollowUp.objects.filter(rating=rating).first()
    if fu is not None and not fu.is_open:
        raise errors.follow_up_closed()
    reason_text = _text(reason, "reason")
    evidence_text = _text(evidence, "evidence")
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(
                rating=rating, unit=rating.unit, filed_by=actor, reason=reason_text, evidence=evidence_text
            )
            audit(actor=actor, action="rating.appeal_file", target=appeal, data={"rating": str(rating.uuid)})
    except IntegrityError:
        raise Conflict(_("这条评价已经申诉过了。"), code="appeal_exists") from None
    return appeal


def appeal_decide(*, appeal: Appeal, actor: Any, upheld: bool, note: Any) -> Appeal:
    """The hall manager decides. Upheld: the rating leaves the figures (selectors.counted) but
    stays in the record, and its follow-up is withdrawn."""
    if not selectors.manages(actor, appeal.unit):
        raise PermissionDenied()
    text = _text(note, "note")
    now = timezone.now()
    status = Appeal.Status.UPHELD if upheld else Appeal.Status.REJECTED
    with transaction.atomic():
        if not Appeal.objects.filter(pk=appeal.pk, status=Appeal.Status.PENDING).update(
            status=status, decided_by=actor, decided_at=now, decision_note=text, updated_at=now
        ):
            raise Conflict(_("该申诉已经审核过了。"), code="appeal_decided")
        appeal.status, appeal.decided_by, appeal.decided_at, appeal.decision_note = status, actor, now, text
        if upheld:
            FollowUp.objects.filter(rating_id=appeal.rating_id, status__in=FollowUp.OPEN_STATUSES).update(
                status=FollowUp.Status.WITHDRAWN, updated_at=now
            )
        audit(actor=actor, action="rating.appeal_decide", target=appeal, data={"upheld": bool(upheld)})
    return appeal


# --- the clocks ----------------------------------------------------------------------------------


def _raise_level(pks: list[int], level: str, lower: tuple[str, ...]) -> int:
    """Only ever raise a card (yellow -> red), never lower it: a conditional UPDATE."""
    if not pks:
        return 0
    return FollowUp.objects.filter(pk__in=pks, warning_level__in=lower).update(warning_level=level)


def sweep_follow_ups(*, today: datetime.date | None = None, now: datetime.datetime | None = None) -> int:
    """Yellow and red cards on the two clocks, and closing replies nobody answered. Idempotent."""
    today = today or timezone.localdate()
    now = now or timezone.now()
    changed = 0
    red: list[int] = []
    yellow: list[int] = []
    open_fus = FollowUp.objects.filter(status__in=(FollowUp.Status.OPEN, FollowUp.Status.VERIFIED)).exclude(warning_level="red")
    rows = open_fus.values_list("pk", "status", "verify_due", "reply_due", "unit__county_id")
    for pk, status, verify_due, reply_due, county in rows:
        margin = int(conf.get("yellow_margin_workdays", county))
        try:
            if (status == FollowUp.Status.OPEN and today > verify_due) or today > reply_due:
                red.append(pk)
            elif (status == FollowUp.Status.OPEN and today >= verify_due) or workdays.workdays_between(
                today, reply_due, county
            ) <= margin:
                yellow.append(pk)
        except workdays.CalendarNotCovered:
            continue
    changed += _raise_level(red, "red", ("", "yellow"))
    changed += _raise_level(yellow, "yellow", ("",))
    # Each county's confirmation period: one UPDATE per county that has replies waiting.
    replied = FollowUp.objects.filter(status=FollowUp.Status.REPLIED)
    for county in replied.values_list("unit__county_id", flat=True).distinct():
        cutoff = now - datetime.timedelta(days=int(conf.get("confirm_days", county)))
        changed += replied.filter(unit__county_id=county, replied_at__lt=cutoff).update(
            status=FollowUp.Status.NO_RESPONSE, updated_at=now
        )
    return changed
