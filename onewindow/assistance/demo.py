"""One agent service point (代办点) in every village and community: 121 in all (F15)."""

from __future__ import annotations

import datetime

from django.db import transaction

from onewindow.accounts.models import OrgUnit
from onewindow.core.demo import DemoContext

from .models import AgentPoint

OPENED_ON = datetime.date(2019, 3, 1)


@transaction.atomic
def build(ctx: DemoContext) -> None:
    villages = OrgUnit.objects.filter(kind__in=[OrgUnit.Kind.VILLAGE, OrgUnit.Kind.COMMUNITY]).select_related("parent")
    have = set(AgentPoint.objects.values_list("village_id", flat=True))
    rng = ctx.rng("assistance.points")
    new = []
    for v in villages.order_by("path"):
        phone = f"1397960{rng.randint(0, 9999):04d}"  # drawn for every village so the stream never shifts
        if v.pk in have:
            continue
        committee = "居民委员会" if v.kind == OrgUnit.Kind.COMMUNITY else "村民委员会"
        new.append(
            AgentPoint(
                village=v,
                name=f"{v.name}代办点",
                address=f"{v.parent.name if v.parent else ''}{v.name}{committee}便民服务室",
                phone=phone,
                opened_on=OPENED_ON,
            )
        )
    AgentPoint.objects.bulk_create(new)
    ctx.say(f"  agent points: {AgentPoint.objects.count()}")
