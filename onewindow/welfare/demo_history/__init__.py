"""Demo: the 低保 register's history, so that F13 and F13a come out of rows.

- the district's standards for 2018 to this year (城市 / 农村);
- households taken over from the old register (enrolled before 2018, no case), 2018 approvals
  decided by the district 民政局 (45 working days or more from acceptance to confirmation), 2019
  approvals before the delegation of 2019-07-01 by the district and after it by the townships
  (25 working days at most), and the townships' approvals since;
- exits every year, with reasons, and a few increases and decreases;
- a 2019 generated to fit F13a: 322 households / 706 people confirmed, 637 / 1,485 ended and
  14,915,300 yuan paid — the generator aims at these numbers (sizes and amounts are drawn, then
  adjusted), the rolls and payments are then written by the same SQL as the real roll
  (`services.rolls.fill_regular_many` / `write_payments_many`), and the figures are read back by `stats.figures`;
  the build fails if they do not come out;
- frozen, paid rolls of every township for every month of 2019 and from 2020 to last month (all
  written at once, see `write_rolls`); this month's rolls
  at different stages (frozen awaiting the bank's return, approved by the township, not generated
  in 值夏镇 so the township persona can generate it).

Quick (bulk_create and set-based SQL) and idempotent (households numbered "DB-…").

The package: the plan (`plan.py`), the register's rows (`rows.py`), the rolls and payments
(`rolls.py`); the step and its check of 2019 here.
"""

from __future__ import annotations

import datetime

from django.db import connection, transaction
from django.utils import timezone

from onewindow.accounts.models import County, OrgUnit
from onewindow.catalog.models import MatterVersion
from onewindow.core.demo import DemoContext

from .. import scope
from ..models import Household, Standard
from .plan import DIBAO, F13A, STANDARDS, fit_2019, plan_households
from .rolls import write_rolls
from .rows import write_rows


def _standards(today: datetime.date) -> None:
    for year, (urban, rural) in STANDARDS.items():
        if year > today.year:
            continue
        for kind, yuan in (("urban", urban), ("rural", rural)):
            Standard.objects.get_or_create(
                county=County.default(),
                year=year,
                area_kind=kind,
                defaults={
                    "monthly_fen": yuan * 100,
                    "effective_from": datetime.date(year, 1, 1),
                    "basis": f"吉安市人民政府关于提高{year}年城乡最低生活保障标准的通知",
                },
            )


def build(ctx: DemoContext) -> None:
    today = timezone.localdate()
    _standards(today)
    if Household.objects.filter(number__startswith="DB-").exists():
        return
    # the register's history is the deployment's first county's (青原区's); the demo's other
    # counties (catalog/demo_counties.py) have no 低保 data
    townships = list(scope.all_townships().filter(county=County.default()))
    villages: dict[int, list[int]] = {}
    for t in townships:
        villages[t.pk] = list(OrgUnit.objects.filter(parent=t).order_by("code").values_list("pk", flat=True))
    mzj = OrgUnit.objects.filter(code=scope.department_code()).first()
    mv = (
        MatterVersion.objects.filter(name=DIBAO, status=MatterVersion.Status.PUBLISHED).order_by("-id").first()
        or MatterVersion.objects.filter(name=DIBAO).order_by("-id").first()
    )
    if not townships or not all(villages.values()) or mzj is None or mv is None:
        ctx.say("  welfare history: no townships, 民政局 or 低保 matter; skipped")
        return
    from onewindow.cases.demo_history import _residents

    residents = _residents(ctx.rng("cases-history"))
    rng = ctx.rng("welfare-history")
    if connection.vendor == "sqlite":
        # SQLite's default page cache (2 MB) makes the rolls' bulk inserts (indexes of some
        # 200,000 lines and payments) thrash: 128 MB for this connection halves their time.
        with connection.cursor() as cur:
            cur.execute("PRAGMA cache_size = -131072")
    plans = plan_households(rng, townships, villages, today)
    fit_2019(rng, plans)
    with transaction.atomic():
        write_rows(ctx, rng, plans, mv=mv, mzj=mzj, residents=residents, today=today)
        write_rolls(ctx, rng, townships, today)
        _check_2019()


def _check_2019() -> None:
    from ..stats import figures

    f = figures(date_from=datetime.date(2019, 1, 1), date_to=datetime.date(2019, 12, 31))
    got = {
        "approved": (f.approved_households, f.approved_people),
        "removed": (f.removed_households, f.removed_people),
        "paid_fen": f.paid_fen,
    }
    if got != F13A:
        raise RuntimeError(f"welfare demo: 2019 came out as {got}, not F13a {F13A}")
