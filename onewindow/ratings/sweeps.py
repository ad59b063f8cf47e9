"""Periodic jobs of 好差评 (registered in core/sweeps.py). Both are idempotent.

- `send_invitations`: after a case concludes, its applicant gets a signed single-use rating link.
  The cases app is not changed for this: the sweep reads concluded cases that have neither an
  invitation nor a rating yet; the unique constraint on Invitation keeps one per case even when
  two sweeps run at once.
- `sweep_follow_ups`: yellow and red cards on the follow-up clocks (followups.py).
"""

from __future__ import annotations

import datetime
import logging

from django.utils import timezone

from . import conf, subjects
from .followups import sweep_follow_ups
from .models import Invitation, Kind, Rating
from .services import invitation_create

logger = logging.getLogger("onewindow.ratings")
BATCH = 500


def send_invitations(*, now: datetime.datetime | None = None) -> int:
    from onewindow.cases.models import Case

    now = now or timezone.now()
    since = now - datetime.timedelta(days=int(conf.get("rate_within_days")))
    invited = Invitation.objects.filter(kind=Kind.CASE).values("subject_uuid")
    rated = Rating.objects.filter(kind=Kind.CASE).values("subject_uuid")
    due = (
        Case.objects.filter(
            status__in=[Case.Status.CONCLUDED, Case.Status.DELIVERED], concluded_at__gte=since, concluded_at__lte=now
        )
        .exclude(uuid__in=invited)
        .exclude(uuid__in=rated)
        .order_by("concluded_at")
        .values_list("uuid", flat=True)[:BATCH]
    )
    sent = 0
    for case_uuid in list(due):
        subject = subjects.resolve(Kind.CASE, case_uuid)
        if subject is not None and invitation_create(subject=subject, now=now) is not None:
            sent += 1
    return sent


__all__ = ["send_invitations", "sweep_follow_ups"]
