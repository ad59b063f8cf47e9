"""A new or corrected standard recomputes the allowance (补差) of every household in payment it
applies to, as register changes (增发 / 减发) from the month it takes effect.

补差 = (standard − per-capita income) × people (2021 审核确认办法 art. 25, `allowance.py`). The
register keeps the amount and people the township last decided, not a fresh income survey, so the
recompute keeps the household's per-capita income as decided and moves the amount by the
standard's change: new = amount + (new standard − the standard that amount was computed with) ×
people. The standard an amount was computed with is `RegisterChange.standard_fen` (written by
enrolments, increases, decreases and this recompute); older lines without it count as computed
with the standard in force before this save.

- From: the month the standard takes effect, but never into a township's frozen month (that money
  is with the bank): per township, from the month after its last frozen roll. A roll of a later
  month not yet frozen (generated, checked or approved) becomes `stale` and is generated again.
- To: the month the next year's standard of the same kind takes effect (it has its own recompute).
- Set-based: one INSERT … SELECT of the change lines and one UPDATE of the households' amounts per
  township, whatever the register's size (bench/welfare_roll.py times it at a million households).
- Idempotent: a household whose latest line already carries the new standard is not touched, so
  saving the same standard twice writes nothing the second time.
- A household whose allowance would fall to zero or below is left as it is and counted: stopping
  an allowance is the township's decision with written reasons (社会救助暂行办法 art. 13).

The article numbers of the 2021 审核确认办法 cited here are unverified (see docs/welfare.md).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Max
from django.utils import timezone

from ..models import Enrolment, Household, PaymentRoll, RegisterChange, Standard
from ..months import add_months, month_start
from .rolls import _uuid_sql

S = PaymentRoll.Status


@dataclass
class Recomputed:
    households: int = 0
    lines: int = 0  # a household with a later decided line gets a line for each
    skipped_to_zero: int = 0
    from_months: dict[str, str] = field(default_factory=dict)  # township code -> first month changed
    stale_rolls: int = 0


def _tables() -> dict[str, str]:
    return {
        "rc": RegisterChange._meta.db_table,
        "en": Enrolment._meta.db_table,
        "hh": Household._meta.db_table,
    }


def _candidates(*, new_fen: int, frm: dict[int, datetime.date]) -> tuple[str, dict[str, Any]]:
    """Every register line to recompute, for the open enrolments of the townships in `frm` (their
    first month not frozen): the line in force in the enrolment's first recomputed month (`eff`)
    and every later line before the next year's standard, each with its amount `a`, people `p`,
    the month its recompute takes effect `eff` and the amount at the new standard `new`. One
    statement for every township (a window function, no per-enrolment subquery)."""
    t = _tables()
    params: dict[str, Any] = {f"f{tid}": day for tid, day in frm.items()}
    start = "CASE h.township_id " + " ".join(f"WHEN {int(tid)} THEN %(f{tid})s" for tid in frm) + " END"
    scope = f"""
        SELECT e.id, CASE WHEN e.starts_month > {start} THEN e.starts_month ELSE {start} END AS eff
        FROM {t["en"]} e JOIN {t["hh"]} h ON h.id = e.household_id
        WHERE h.township_id IN ({",".join(str(int(tid)) for tid in frm)}) AND h.status = 'in_payment'
          AND h.area_kind = %(kind)s AND e.ended_on IS NULL AND e.starts_month < %(until)s
    """  # noqa: S608 - table names from the models, ids ints
    new = f"c.new_amount_fen + ({new_fen} - COALESCE(c.standard_fen, %(prev)s)) * c.new_people"
    sql = f"""
        SELECT x.household_id, x.enrolment_id, x.eff, x.a, x.p, x.new FROM (
            SELECT c.household_id, c.enrolment_id, s.eff, c.new_amount_fen AS a, c.new_people AS p, {new} AS new,
                   c.standard_fen, ROW_NUMBER() OVER (PARTITION BY c.enrolment_id ORDER BY c.effective_month DESC, c.id DESC) AS rn
            FROM ({scope}) s JOIN {t["rc"]} c ON c.enrolment_id = s.id AND c.effective_month <= s.eff
        ) x WHERE x.rn = 1 AND x.a > 0 AND COALESCE(x.standard_fen, %(prev)s) <> {new_fen}
        UNION ALL
        SELECT c.household_id, c.enrolment_id, c.effective_month, c.new_amount_fen, c.new_people, {new}
        FROM ({scope}) s JOIN {t["rc"]} c ON c.enrolment_id = s.id AND c.effective_month > s.eff
        WHERE c.effective_month < %(until)s AND c.new_amount_fen > 0 AND COALESCE(c.standard_fen, %(prev)s) <> {new_fen}
    """  # noqa: S608 - table names from the models, ids and fen ints
    return sql, params


def recompute(*, standard: Standard, prev_fen: int | None, actor: Any, reason: str) -> Recomputed:
    """Write the recompute of `standard` (inside the caller's transaction, with its audit row)."""
    out = Recomputed()
    if prev_fen is None:
        return out  # no standard before: no amount in the register was computed with another one
    new_fen = int(standard.monthly_fen)
    start = month_start(standard.effective_from)
    following = (
        Standard.objects.filter(county_id=standard.county_id, area_kind=standard.area_kind, year__gt=standard.year)
        .order_by("year")
        .values_list("effective_from", flat=True)
        .first()
    )
    until = month_start(following) if following else datetime.date(9999, 12, 1)
    if start >= until:
        return out
    if connection.vendor == "postgresql":
        # No register change of any household lands between our read of the lines in force and
        # our insert (a township's change_amount waits, then writes on top of ours).
        with connection.cursor() as cur:
            cur.execute(f"LOCK TABLE {RegisterChange._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")
    now, today = timezone.now(), timezone.localdate()
    user_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    t = _tables()
    townships = dict(
        # the standard's county's households only (a join to the unit table): another county's
        # amounts follow its own standard
        Household.objects.filter(
            status=Household.Status.IN_PAYMENT, area_kind=standard.area_kind, township__county_id=standard.county_id
        )
        .values_list("township_id", "township__code")
        .distinct()
        .order_by()
    )
    # The townships' rolls from the start on are locked first: a freeze running now either
    # finished (its month is then excluded) or waits for us (and its roll is then stale).
    rolls = list(PaymentRoll.objects.select_for_update().filter(township_id__in=list(townships), month__gte=start).order_by("pk"))
    frozen = dict(
        PaymentRoll.objects.filter(township_id__in=list(townships), status=S.FROZEN, kind=PaymentRoll.Kind.REGULAR)
        .values_list("township_id")
        .annotate(last=Max("month"))
        .order_by()
    )
    frm: dict[int, datetime.date] = {}
    for township_id in townships:
        first = max(start, add_months(frozen[township_id], 1)) if township_id in frozen else start
        if first < until:
            frm[township_id] = first
    if not frm:
        return out
    candidates, params = _candidates(new_fen=new_fen, frm=frm)
    params.update({"prev": prev_fen, "kind": standard.area_kind, "until": until})
    with connection.cursor() as cur:
        cur.execute(
            f"""INSERT INTO {t["rc"]} (created_at, updated_at, uuid, household_id, enrolment_id, kind, old_amount_fen,
                new_amount_fen, old_people, new_people, reason, effective_month, decided_on, actor_id, report_id,
                standard_fen)
            SELECT %(now)s, %(now)s, {_uuid_sql()}, x.household_id, x.enrolment_id,
                CASE WHEN x.new > x.a THEN 'increase' ELSE 'decrease' END, x.a, x.new, x.p, x.p, %(reason)s, x.eff,
                %(today)s, %(user)s, NULL, {new_fen}
            FROM ({candidates}) x WHERE x.new > 0""",  # noqa: S608
            {**params, "now": now, "reason": reason[:300], "today": today, "user": user_id},
        )
        written = cur.rowcount
        if new_fen < prev_fen:
            cur.execute(f"SELECT count(DISTINCT x.household_id) FROM ({candidates}) x WHERE x.new <= 0", params)  # noqa: S608
            out.skipped_to_zero = int(cur.fetchone()[0])
        if written:
            # Each household's current amount: its latest line, now one of ours (every later line
            # of a household in payment was recomputed too).
            cur.execute(
                f"""UPDATE {t["hh"]} SET updated_at = %(now)s, monthly_amount_fen = x.amount FROM (
                    SELECT c.household_id, c.new_amount_fen AS amount,
                           ROW_NUMBER() OVER (PARTITION BY c.household_id ORDER BY c.effective_month DESC, c.id DESC) AS rn
                    FROM {t["rc"]} c WHERE c.created_at = %(now)s AND c.standard_fen = {new_fen} AND c.decided_on = %(today)s
                      AND c.kind IN ('increase', 'decrease')
                ) x WHERE x.rn = 1 AND {t["hh"]}.id = x.household_id""",  # noqa: S608
                {"now": now, "today": today},
            )
            cur.execute(
                f"""SELECT h.township_id, count(DISTINCT c.household_id) FROM {t["rc"]} c JOIN {t["hh"]} h ON h.id = c.household_id
                WHERE c.created_at = %(now)s AND c.standard_fen = {new_fen} AND c.decided_on = %(today)s
                  AND c.kind IN ('increase', 'decrease') GROUP BY h.township_id""",  # noqa: S608
                {"now": now, "today": today},
            )
            per_township = dict(cur.fetchall())
        else:
            per_township = {}
    out.households = sum(per_township.values())
    out.lines = written
    out.from_months = {townships[tid]: f"{frm[tid]:%Y-%m}" for tid in sorted(per_township)}
    # Rolls not frozen from a township's first recomputed month no longer match the register; a
    # back pay roll not frozen no longer matches what is owed.
    stale = [
        r.pk
        for r in rolls
        if r.township_id in per_township
        and r.status not in (S.FROZEN, S.STALE)
        and (r.kind == PaymentRoll.Kind.BACKPAY or frm[r.township_id] <= r.month < until)
    ]
    out.stale_rolls = PaymentRoll.objects.filter(pk__in=stale).update(status=S.STALE, updated_at=now)
    return out
