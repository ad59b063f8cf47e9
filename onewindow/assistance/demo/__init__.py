"""Demo of the agent service (帮你办, F15).

1. One agent service point in every village and community: 121 in all.
2. An agent account for each point (a village cadre; the persona `agent` serves 值夏社区), and a
   receiving clerk at 人社局 for the social insurance batches.
3. Residents of each village with a mandate to their point (a few revoked), the persona citizen
   among them.
4. Agent cases over the last six months, through the township when the matter is delegated there
   (cases.routing decides), with the paper materials forwarded, results delivered at the point and
   follow-ups; and contributions collected for residents (medical insurance for next year, social
   insurance), one closed and balanced till per point and collection day, handed over in monthly
   batches, with a few same-day reversals.

Everything is bulk-inserted in one transaction (a few seconds), deterministic (one random stream)
and built once: the step is skipped when the demo mandates exist. The historical cases carry their
dates and timeline (filed, accepted, concluded, delivered) but no approval steps: they were
approved before this system (see docs/agents.md). F15's figures come from this data (stats.py).

The package: the points, agents, residents and mandates (`people.py`), the agent cases
(`cases.py`), the collections (`ledger.py`); what they share in `_common.py`.
"""

from __future__ import annotations

from django.db import transaction

from onewindow.core.demo import DemoContext

from ..models import AgentApplication, LedgerEntry, Mandate
from .cases import build_cases
from .ledger import build_collections
from .people import build_agents, build_mandates, build_points, build_residents


def build(ctx: DemoContext) -> None:
    build_points(ctx)
    from onewindow.core.models import WorkCalendarDay

    if not WorkCalendarDay.objects.exists():  # a partial demo (e.g. the catalog's figure tests)
        ctx.say("  agent service: no work calendar, points only")
        return
    if Mandate.objects.filter(number__contains="D").exists():
        ctx.say("  agent service: already built")
        return
    with transaction.atomic():
        agents = build_agents(ctx)
        residents = build_residents(ctx)
        mandates = build_mandates(ctx, residents, agents)
        build_cases(ctx, mandates, agents)
        build_collections(ctx, mandates, agents)
    ctx.say(
        f"  agent service: {len(agents)} agents, {Mandate.objects.count()} mandates, "
        f"{AgentApplication.objects.count()} agent cases, {LedgerEntry.objects.count()} collections"
    )
