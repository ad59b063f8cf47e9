"""The monthly rolls and payments of the history, written at once by the real roll's own SQL."""

from __future__ import annotations

import datetime
import random

from django.db import connection
from django.db.models import Count, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from onewindow.accounts.models import OrgUnit
from onewindow.core import workdays
from onewindow.core.demo import DemoContext

from ..models import Payment, PaymentRoll, RollItem
from ..months import add_months, month_start
from ..services import rolls
from .plan import ROLLS_FROM, months_2019


def month_end_of(day: datetime.date) -> datetime.date:
    return add_months(month_start(day), 1) - datetime.timedelta(days=1)


def _reissue_day(paid_on: datetime.date | None) -> datetime.date:
    """A failed transfer re-issued: paid about a week after the first attempt, within its month."""
    assert paid_on is not None  # the failures are drawn from paid payments
    return min(paid_on + datetime.timedelta(days=8), month_end_of(paid_on))


def _roll_months(today: datetime.date) -> list[datetime.date]:
    """2019 (F13a) and every month from ROLLS_FROM to this one."""
    months, m = months_2019(), ROLLS_FROM
    while m <= month_start(today):
        months.append(m)
        m = add_months(m, 1)
    return months


def write_rolls(ctx: DemoContext, rng: random.Random, townships: list[OrgUnit], today: datetime.date) -> None:
    """The rolls of every township and month of `_roll_months`, all at once: the rolls in one bulk
    insert, their lines by the roll's own statement for all of them (`rolls.fill_regular_many`),
    one payment per line (`rolls.write_payments_many`, paid on the 12th or the next working day
    for months whose day is past, as the bank's return would mark them), then one failed
    transfer in about 300 re-issued and paid a week later. This month: frozen and waiting for
    the bank, 富滩镇's approved by the township, 值夏镇's not generated (the township persona
    generates it)."""
    S = PaymentRoll.Status
    tz = timezone.get_current_timezone()
    this_month = month_start(today)
    new_rolls = []
    for month in _roll_months(today):
        at = timezone.make_aware(datetime.datetime.combine(month + datetime.timedelta(days=2), datetime.time(9)), tz)
        for t in townships:
            current = month == this_month
            if current and t.code == "ZXZ":
                continue
            waiting = current and t.code == "FTZ"
            new_rolls.append(
                PaymentRoll(
                    township=t,
                    month=month,
                    status=S.TOWNSHIP_APPROVED if waiting else S.FROZEN,
                    generated_at=at,
                    checked_at=at,
                    township_approved_at=at,
                    district_approved_at=None if waiting else at + datetime.timedelta(days=1),
                    frozen_at=None if waiting else at + datetime.timedelta(days=1),
                )
            )
    PaymentRoll.objects.bulk_create(new_rolls, batch_size=1000)
    made = list(PaymentRoll.objects.filter(uuid__in=[r.uuid for r in new_rolls]).values_list("pk", "status"))
    ids = [pk for pk, _s in made]
    with connection.cursor() as cur:
        rolls.fill_regular_many(cur, ids)
    items = RollItem.objects.filter(roll=OuterRef("pk")).order_by().values("roll")
    PaymentRoll.objects.filter(pk__in=ids).update(
        households=Coalesce(Subquery(items.annotate(n=Count("household_id", distinct=True)).values("n")), 0),
        people=Coalesce(Subquery(items.annotate(n=Sum("people")).values("n")), 0),
        total_fen=Coalesce(Subquery(items.annotate(n=Sum("amount_fen")).values("n")), 0),
    )
    # National: the bank pays on the national calendar's banking days, not a county's office days.
    paid_on = {m: workdays.next_workday(m + datetime.timedelta(days=11)) for m in _roll_months(today)}
    paid_on = {m: d for m, d in paid_on.items() if d < today}
    now = timezone.make_aware(datetime.datetime.combine(this_month, datetime.time(9)), tz)
    rolls.write_payments_many([pk for pk, status in made if status == S.FROZEN], now, paid_on_by_month=paid_on)
    # the bank's failures: about one transfer in 300, re-issued (attempt 2) and paid a week later
    paid = Payment.objects.filter(roll_id__in=ids, status=Payment.Status.PAID, paid_on__lt=today - datetime.timedelta(days=8))
    failed = rng.sample(sorted(paid.values_list("pk", flat=True)), paid.count() // 300)
    again = [
        Payment(
            roll_id=p.roll_id,
            household_id=p.household_id,
            month=p.month,
            amount_fen=p.amount_fen,
            status=Payment.Status.PAID,
            attempt=2,
            bank_account=p.bank_account,
            paid_on=_reissue_day(p.paid_on),
            reissue_of=p,
        )
        for p in Payment.objects.filter(pk__in=failed)
    ]
    Payment.objects.filter(pk__in=failed).update(status=Payment.Status.FAILED, paid_on=None, failure_reason="账户已冻结")
    Payment.objects.bulk_create(again, batch_size=1000)
    n_items = RollItem.objects.filter(roll_id__in=ids).count()
    ctx.say(f"  welfare rolls: {len(ids)} rolls, {n_items} lines, {len(failed)} failed transfers re-issued")
