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
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils import timezone

from ..models import Enrolment, Household, PaymentRoll, RegisterChange, Standard
from ..months import add_months, month_start
from .rolls import _uuid_sql

S = PaymentRoll.Status


@dataclass
class Recomputed:
    households: int = 0
    skipped_to_zero: int = 0
    from_months: dict[str, str] = field(default_factory=dict)  # township code -> first month changed
    stale_rolls: int = 0


def _tables() -> dict[str, str]:
    return {
        "rc": RegisterChange._meta.db_table,
        "en": Enrolment._meta.db_table,
        "hh": Household._meta.db_table,
    }


def _candidates(*, kind_fen: int) -> str:
    """Per open enrolment of the township, its first recomputed month (`eff`) and the register line
    in force then: amount `a`, people `p`, and the amount at the new standard `new`."""
    t = _tables()
    return f"""
        SELECT e.household_id AS household_id, e.id AS enrolment_id, e.eff AS eff, c.new_amount_fen AS a,
               c.new_people AS p, c.new_amount_fen + ({kind_fen} - COALESCE(c.standard_fen, %(prev)s)) * c.new_people AS new
        FROM (
            SELECT e.id, e.household_id, CASE WHEN e.starts_month > %(frm)s THEN e.starts_month ELSE %(frm)s END AS eff
            FROM {t["en"]} e JOIN {t["hh"]} h ON h.id = e.household_id
            WHERE h.township_id = %(township)s AND h.status = 'in_payment' AND h.area_kind = %(kind)s
              AND e.ended_on IS NULL AND e.starts_month < %(until)s
        ) e
        JOIN {t["rc"]} c ON c.id = (
            SELECT c2.id FROM {t["rc"]} c2 WHERE c2.enrolment_id = e.id AND c2.effective_month <= e.eff
            ORDER BY c2.effective_month DESC, c2.id DESC LIMIT 1
        )
        WHERE c.new_amount_fen > 0 AND COALESCE(c.standard_fen, %(prev)s) <> {kind_fen}
    """  # noqa: S608 - table names from the models, the fen an int


def recompute(*, standard: Standard, prev_fen: int | None, actor: Any, reason: str) -> Recomputed:
    """Write the recompute of `standard` (inside the caller's transaction, with its audit row)."""
    out = Recomputed()
    if prev_fen is None:
        return out  # no standard before: no amount in the register was computed with another one
    new_fen = int(standard.monthly_fen)
    start = month_start(standard.effective_from)
    following = (
        Standard.objects.filter(area_kind=standard.area_kind, year__gt=standard.year)
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
    townships = Household.objects.filter(status=Household.Status.IN_PAYMENT, area_kind=standard.area_kind).values_list(
        "township_id", "township__code"
    )
    for township_id, code in sorted(set(townships)):
        # The township's rolls from the start on are locked first: a freeze running now either
        # finished (its month is then excluded) or waits for us (and its roll is then stale).
        rolls = list(PaymentRoll.objects.select_for_update().filter(township_id=township_id, month__gte=start))
        last_frozen = (
            PaymentRoll.objects.filter(township_id=township_id, status=S.FROZEN)
            .order_by("-month")
            .values_list("month", flat=True)
            .first()
        )
        frm = max(start, add_months(last_frozen, 1)) if last_frozen else start
        if frm >= until:
            continue
        params: dict[str, Any] = {
            "prev": prev_fen,
            "frm": frm,
            "township": township_id,
            "kind": standard.area_kind,
            "until": until,
        }
        candidates = _candidates(kind_fen=new_fen)
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
                cur.execute(f"SELECT count(*) FROM ({candidates}) x WHERE x.new <= 0", params)  # noqa: S608
                out.skipped_to_zero += int(cur.fetchone()[0])
            if not written:
                continue
            # The household's current amount: its latest decided amount, now possibly ours.
            cur.execute(
                f"""UPDATE {t["hh"]} SET updated_at = %(now)s, monthly_amount_fen = (
                    SELECT c.new_amount_fen FROM {t["rc"]} c WHERE c.household_id = {t["hh"]}.id AND c.new_amount_fen > 0
                    ORDER BY c.effective_month DESC, c.id DESC LIMIT 1)
                WHERE id IN (SELECT household_id FROM {t["rc"]} WHERE created_at = %(now)s AND standard_fen = {new_fen}
                             AND decided_on = %(today)s)""",  # noqa: S608
                {"now": now, "today": today},
            )
        out.households += written
        out.from_months[code] = f"{frm:%Y-%m}"
        stale = [r.pk for r in rolls if r.month >= frm and r.month < until and r.status != S.FROZEN and r.status != S.STALE]
        out.stale_rolls += PaymentRoll.objects.filter(pk__in=stale).update(status=S.STALE, updated_at=now)
    return out
