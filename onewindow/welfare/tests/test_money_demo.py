"""The demo's 低保 history: F13a's 2019 (322 / 706 approved, 637 / 1,485 removed, 14,915,300
yuan paid) and F13's before / after (district ≥ 45 working days, townships ≤ 25) come out of the
rows, computed by `welfare.stats`; the step is idempotent and its rolls obey the roll's rules."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from onewindow.accounts.demo import build_org
from onewindow.catalog import demo as catalog_demo
from onewindow.core.demo import DemoContext
from onewindow.core.demo import calendar as calendar_demo
from onewindow.welfare import demo_history, stats
from onewindow.welfare.models import Household, Payment, PaymentRoll, RollItem, Standard


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Any:
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            ctx = DemoContext(out=io.StringIO(), quiet=True)
            calendar_demo.build(ctx)
            build_org(ctx)
            catalog_demo.build(ctx)
            demo_history.build(ctx)
            yield ctx
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def test_2019_comes_out_as_f13a(demo: Any, db: Any) -> None:
    f = stats.figures(date_from=datetime.date(2019, 1, 1), date_to=datetime.date(2019, 12, 31))
    assert (f.approved_households, f.approved_people) == (322, 706)
    assert (f.removed_households, f.removed_people) == (637, 1485)
    assert f.paid_fen == 14_915_300_00 and f.paid_yuan == "14,915,300.00"


def test_f13_before_and_after_from_the_cases(demo: Any, db: Any) -> None:
    y2018 = stats.figures(date_from=datetime.date(2018, 1, 1), date_to=datetime.date(2018, 12, 31))
    assert set(y2018.by_decider) == {"district"} and y2018.by_decider["district"]["min"] >= 45
    later = stats.figures(date_from=datetime.date(2019, 9, 1), date_to=datetime.date(2026, 12, 31))
    assert set(later.by_decider) == {"township"} and later.by_decider["township"]["max"] <= 25
    y2019 = stats.figures(date_from=datetime.date(2019, 1, 1), date_to=datetime.date(2019, 12, 31))
    assert y2019.by_decider["district"]["min"] >= 45 and y2019.by_decider["township"]["max"] <= 25
    sec = stats.sections(params={})[0]
    assert sec.key == "welfare" and [r[0] for r in sec.tables[0].rows][:2] == [2018, 2019]


def test_standards_rolls_and_idempotence(demo: Any, db: Any) -> None:
    assert Standard.objects.filter(year__range=(2018, 2026)).count() == 18
    rolls_2019 = PaymentRoll.objects.filter(month__year=2019)
    assert rolls_2019.count() == 12 * 9 and not rolls_2019.exclude(status="frozen").exists()
    # each frozen roll's payments: one live payment per line, totals equal to the lines
    for roll in rolls_2019.order_by("?")[:5]:
        items = RollItem.objects.filter(roll=roll).aggregate(n=Count("id"), t=Sum("amount_fen"))
        live = Payment.objects.filter(roll=roll, status="paid").aggregate(n=Count("id"), t=Sum("amount_fen"))
        assert items == live and roll.total_fen == items["t"]
    # 2020 to last year: every township's roll of every month, frozen and paid; the year's money
    # computed from the payments is the sum of its rolls' lines (a failed transfer re-issued in
    # the month counts once)
    for year in range(2020, timezone.localdate().year):
        year_rolls = PaymentRoll.objects.filter(month__year=year)
        assert year_rolls.count() == 12 * 9 and not year_rolls.exclude(status="frozen").exists()
        lines = RollItem.objects.filter(roll__in=year_rolls).aggregate(t=Sum("amount_fen"))["t"]
        f = stats.figures(date_from=datetime.date(year, 1, 1), date_to=datetime.date(year, 12, 31))
        assert f.paid_fen == lines > 0
    assert not Payment.objects.filter(status="failed", reissued_as__isnull=True).exists()
    before = Household.objects.count()
    demo_history.build(DemoContext(out=io.StringIO(), quiet=True))
    assert Household.objects.count() == before
