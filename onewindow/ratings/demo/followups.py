"""The bad ratings' follow-ups in every state, their appeals, and a rating pad for every window."""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

from django.utils import timezone

from onewindow.accounts.models import Role, RoleAssignment, User
from onewindow.core import workdays
from onewindow.core.demo import DemoContext

from .. import conf
from ..models import Appeal, FollowUp, Rating, RatingPad
from ._common import REPLIES, STATES


def _follow_ups(ctx: DemoContext, rng: Any, ratings: list[Rating]) -> tuple[int, int]:
    """Follow-up rows for the bad real-name ratings, cycling through every state."""
    manager = User.objects.filter(username="manager").first()
    responder_ids: dict[int, int] = {}
    for pk, unit_id in RoleAssignment.objects.filter(role__in=[Role.APPROVER, Role.CLERK, Role.TOWNSHIP_OFFICER]).values_list(
        "user_id", "org_unit_id"
    ):
        responder_ids.setdefault(unit_id, pk)
    # A village answers for its agent point through its township's officers (ratings.owners).
    from onewindow.accounts.models import OrgUnit

    for unit_id, parent_id in OrgUnit.objects.filter(parent_id__in=list(responder_ids)).values_list("id", "parent_id"):
        responder_ids.setdefault(unit_id, responder_ids[parent_id])
    today = timezone.localdate()
    verify_days, fix_days = int(conf.get("verify_workdays")), int(conf.get("fix_workdays"))
    fus: list[FollowUp] = []
    appeals: list[Appeal] = []
    bad = sorted((r for r in ratings if r.level <= 2 and r.real_name), key=lambda r: r.served_at)
    tz = timezone.get_current_timezone()

    def at(day: datetime.date, hour: int) -> datetime.datetime:
        return datetime.datetime(day.year, day.month, day.day, hour, rng.randint(0, 59), tzinfo=tz)

    # Each follow-up's clocks on its responsible unit's county's calendar (one read of the units).
    county_of = dict(OrgUnit.objects.filter(pk__in={r.unit_id for r in bad}).values_list("pk", "county_id"))
    for i, r in enumerate(bad):
        opened = timezone.localdate(r.served_at)
        try:
            verify_due = workdays.add_workdays(opened, verify_days, county_of.get(r.unit_id))
            reply_due = workdays.add_workdays(opened, fix_days, county_of.get(r.unit_id))
        except workdays.CalendarNotCovered:
            continue
        state = STATES[i % len(STATES)]
        handler = responder_ids.get(r.unit_id) or (manager.pk if manager is not None else None)
        if state in ("withdrawn", "appeal") and (handler is None or manager is None):
            state = "confirmed"  # an appeal needs someone to file it and a hall manager to decide
        if state in ("open", "open_late", "verified", "appeal") and r.unit_id not in responder_ids:
            # A demo department without staff accounts cannot hold open work (ratings.owners,
            # manage.py check_owners): the hall manager saw this one through to the end.
            state = "confirmed"
        fu = FollowUp(rating=r, unit_id=r.unit_id, opened_on=opened, verify_due=verify_due, reply_due=reply_due)
        late = state == "open_late" or (today > reply_due and state in ("open", "verified"))
        if state in ("open", "open_late"):
            fu.status = FollowUp.Status.OPEN
            fu.warning_level = "red" if today > verify_due else ("yellow" if today == verify_due else "")
        else:
            fu.verified_at, fu.verified_by_id = at(min(verify_due, today), 10), handler
            fu.verify_note = "已电话联系评价人，核实情况属实。"
            fu.status = FollowUp.Status.VERIFIED
            if state != "verified" and state != "appeal":
                reply_day = min(reply_due, today, opened + datetime.timedelta(days=rng.randint(3, 12)))
                fu.replied_at, fu.replied_by_id, fu.reply = at(max(reply_day, verify_due), 16), handler, rng.choice(REPLIES)
                fu.status = {
                    "replied": FollowUp.Status.REPLIED,
                    "confirmed": FollowUp.Status.CONFIRMED,
                    "disputed": FollowUp.Status.DISPUTED,
                    "no_response": FollowUp.Status.NO_RESPONSE,
                    "withdrawn": FollowUp.Status.WITHDRAWN,
                }[state]
                if state in ("confirmed", "disputed"):
                    fu.responded_at = fu.replied_at + datetime.timedelta(hours=20)
                    fu.response_note = "" if state == "confirmed" else "问题没有根本解决"
            if late:
                fu.warning_level = "red"
        fus.append(fu)
        if state in ("withdrawn", "appeal") and handler is not None and manager is not None:
            decided = state == "withdrawn"
            appeals.append(
                Appeal(
                    rating=r,
                    unit_id=r.unit_id,
                    filed_by_id=handler,
                    reason="评价人承认误操作，评价对象并非本窗口。",
                    evidence="窗口录音录像及评价人书面说明。",
                    status=Appeal.Status.UPHELD if decided else Appeal.Status.PENDING,
                    decided_by=manager if decided else None,
                    decided_at=fu.verified_at if decided else None,
                    decision_note="证据充分，申诉成立，该评价不计入统计。" if decided else "",
                )
            )
    FollowUp.objects.bulk_create(fus, batch_size=500)
    Appeal.objects.bulk_create(appeals, batch_size=500)
    return len(fus), len(appeals)


def build_pads() -> int:
    """A pad for every window of every hall. Demo tokens are derived from the window (documented in
    docs/ratings.md); a real deployment issues random ones on /ratings/pads/."""
    from onewindow.hall.models import Window

    made = 0
    for w in Window.objects.select_related("point").exclude(rating_pad__isnull=False):
        token = f"demo-pad-{w.point.code}-{w.number}"
        RatingPad.objects.create(window=w, token_hash=hashlib.sha256(token.encode()).hexdigest(), prefix=token[:8])
        made += 1
    return made
