"""Demo 好差评: ratings for the demo's served tickets, concluded cases (and acceptances), attended
bookings, some filings, the 低保 decisions and the agent points' services (and the agents' 回访
that fed a case's rating); bad ones in every follow-up state (open on time, open with a yellow or
red card, verified, replied, confirmed, disputed, unanswered, withdrawn after an upheld appeal,
with a pending appeal); a rating pad for every window of the district hall.

Fast: the rows are built from a few values() queries and written with bulk_create (the adapters
are for one subject at a time). Deterministic (its own random stream) and idempotent (services
already rated are skipped; pads and follow-ups are keyed by their window and rating).

The package: the ratings of each kind (`kinds.py`), the follow-ups, appeals and pads
(`followups.py`); what they share in `_common.py`.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import F

from onewindow.core.demo import DemoContext

from ..models import Kind, Level, Rating
from ._common import _people_by_id, _rated
from .followups import _follow_ups, build_pads
from .kinds import _agent_follow_ups, _agent_services, _bookings, _cases, _filings, _tickets, _welfare


def build(ctx: DemoContext) -> None:
    rng = ctx.rng("ratings")
    rated = _rated()
    people = _people_by_id()
    # The agents' follow-ups first: a case their 回访 rated is not rated again below.
    followed = _agent_follow_ups(rated)
    general = followed + _tickets(ctx, rated, people) + _cases(ctx, rated) + _bookings(ctx, rated) + _filings(ctx, rated)
    # 低保 decisions and agent services are few: their bad ones cycle through the states on their own.
    groups = [general, _welfare(ctx, rated), _agent_services(ctx, rated)]
    ratings = [r for g in groups for r in g]
    with transaction.atomic():
        Rating.objects.bulk_create(ratings, batch_size=500)
        # created_at is auto_now_add: set it once, in one statement, to a few minutes after the service.
        Rating.objects.filter(pk__in=[r.pk for r in ratings]).update(created_at=F("served_at") + datetime.timedelta(minutes=7))
        for r in ratings:
            r.created_at = r.served_at + datetime.timedelta(minutes=7)
        n_fu = n_appeals = 0
        for g in groups:
            f, a = _follow_ups(ctx, rng, g)
            n_fu, n_appeals = n_fu + f, n_appeals + a
        pads = build_pads()
    bad = sum(1 for r in ratings if r.level in (Level.DISSATISFIED, Level.VERY_DISSATISFIED))
    ctx.say(
        f"  ratings: {len(ratings)} new ({bad} bad), {n_fu} follow-ups, {n_appeals} appeals, {pads} pads"
        f" ({sum(1 for r in ratings if r.kind == Kind.TICKET)} tickets, {sum(1 for r in ratings if r.kind == Kind.CASE)} cases,"
        f" {sum(1 for r in ratings if r.kind == Kind.BOOKING)} bookings, {len(followed)} from agents' follow-ups,"
        f" {sum(1 for r in ratings if r.kind == Kind.WELFARE_DECISION)} 低保 decisions,"
        f" {sum(1 for r in ratings if r.kind == Kind.AGENT_SERVICE)} agent services)"
    )
