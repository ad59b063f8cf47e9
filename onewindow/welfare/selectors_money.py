"""Reads of the register and the money, scoped by `scope` (township officers: their township;
the district 民政局: all). Opening a household's file and searching the register are audited:
these are the personal data of the poorest households."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.db import connection, transaction
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Collate
from django.utils import timezone

from onewindow.core.audit import audit
from onewindow.core.errors import NotFound, PermissionDenied

from . import scope
from .models import CircumstanceReport, Household, Member, Payment, PaymentRoll, RegisterChange, RollItem
from .months import add_months

REGISTER_STATUSES = [Household.Status.IN_PAYMENT, Household.Status.SUSPENDED]
ID_RE = re.compile(r"^\d{17}[\dXx]$")


def households_for(user: Any) -> QuerySet[Household]:
    county = scope.district_county(user)
    if county is not None:  # the 民政局: its county's households (a join to the unit table)
        return Household.objects.filter(township__county_id=county)
    return Household.objects.filter(township__in=scope.officer_townships(user))


def _with_head(qs: QuerySet[Household]) -> QuerySet[Household]:
    head = Member.objects.filter(household=OuterRef("pk"), relationship=Member.Relationship.HEAD).order_by("id")
    return qs.annotate(head_name=Subquery(head.values("name")[:1])).select_related("township", "village")


def register_search(
    user: Any,
    *,
    q: str = "",
    township: Any = None,
    statuses: list[str] | None = None,
    limit: int = 50,
    reader: scope.Reader | None = None,
) -> list[Household]:
    """The register: households in payment (and suspended), by ID number (any member, exact),
    household number (exact or prefix, in number order) or a member's name (prefix, in order of
    the name, then of the household). Index-backed: an 18-digit ID hits `Member.id_number`'s
    lookup hash, a number the unique index, a name the index `welfare_member_name_c` (below).

    Its time at a million households is its statements, not its rows (docs/welfare.md): who may
    read is asked once (`scope.reader`, one statement; a view that already asked passes
    `reader`), the audit row is its own transaction (it must be
    durable before the rows are shown), then one statement for an ID or a number, two for a name.
    `tests/test_money_services.py` holds the ceilings."""
    who = reader if reader is not None else scope.reader(user)
    if not who.reads:
        raise PermissionDenied()
    qs = (
        Household.objects.filter(township__county_id=who.county)
        if who.district
        else Household.objects.filter(township_id__in=who.townships)
    )
    qs = qs.filter(status__in=statuses or REGISTER_STATUSES)
    if township is not None:
        qs = qs.filter(township=township)
    q = (q or "").strip()
    if q:
        with transaction.atomic():
            audit(actor=user, action="welfare.register_search", target=user, data={"q": q[:50]})
        if ID_RE.match(q):
            qs = qs.filter(pk__in=Member.objects.filter(id_number=q.upper()).values("household_id"))
        elif q[:1].isascii() and q[:1].isalnum():
            qs = qs.filter(number__startswith=q.upper())
        else:
            return _by_name(qs, q, register_only=not statuses, township=township, limit=limit, who=who)
    return list(_with_head(qs).order_by("number")[:limit])


def _by_name(
    qs: QuerySet[Household], q: str, *, register_only: bool, township: Any, limit: int, who: scope.Reader
) -> list[Household]:
    """Households with a member whose name starts with `q`, the first `limit` in order of the name
    and the household. A common name matches thousands of people in a province's register; walking
    an index in that order and stopping at `limit` reads a few dozen rows instead of sorting them
    all by household number (bench/welfare_roll.py). On PostgreSQL the walk is the partial index
    on (name COLLATE "C", household) of members in payment (migration 0005): C order makes the
    prefix LIKE and the ORDER BY one index range under any database collation."""
    key: Any = Collate("name", "C") if connection.vendor == "postgresql" else F("name")
    members = Member.objects.annotate(name_key=key).filter(name_key__startswith=q)
    if register_only:
        # Members of households in payment or suspended carry `in_payment` (cleared at exit): the
        # partial index's condition, so only the register's people are walked.
        members = members.filter(in_payment=True, household__status__in=REGISTER_STATUSES)
    else:
        members = members.filter(household__in=qs)
    if who.district:
        members = members.filter(household__township__county_id=who.county)
    else:
        members = members.filter(household__township_id__in=who.townships)
    if township is not None:
        members = members.filter(household__township=township)
    order: list[int] = []
    for hid in members.order_by("name_key", "household_id").values_list("household_id", flat=True)[: limit * 4]:
        if hid not in order:
            order.append(hid)
            if len(order) == limit:
                break
    found = {h.pk: h for h in _with_head(Household.objects.filter(pk__in=order))}
    return [found[pk] for pk in order if pk in found]


def household_file(user: Any, uuid: Any) -> Household:
    """One household's file (members, amounts, history). Every read is audited."""
    scope.require_reader(user)
    h = _with_head(households_for(user)).filter(uuid=uuid).first()
    if h is None:
        raise NotFound()
    with transaction.atomic():
        audit(actor=user, action="welfare.household_read", target=h, data={})
    return h


def household_history(h: Household) -> list[RegisterChange]:
    return list(h.changes.select_related("actor").order_by("-effective_month", "-id"))


def changes_for(user: Any, *, month_from: datetime.date | None = None, kind: str = "", limit: int = 200) -> list[RegisterChange]:
    scope.require_reader(user)
    qs = RegisterChange.objects.filter(household__in=households_for(user)).select_related("household", "household__township")
    if month_from:
        qs = qs.filter(effective_month__gte=month_from)
    if kind:
        qs = qs.filter(kind=kind)
    return list(qs.order_by("-decided_on", "-id")[:limit])


def exits_for(user: Any, *, limit: int = 200) -> list[RegisterChange]:
    return [c for c in changes_for(user, limit=limit * 4) if c.kind in (RegisterChange.Kind.STOP, RegisterChange.Kind.EXIT)][
        :limit
    ]


def reviews_due(user: Any, *, within_days: int = 30, on: datetime.date | None = None) -> QuerySet[Household]:
    """Households in payment whose periodic review is due within `within_days` (or overdue)."""
    scope.require_reader(user)
    on = on or timezone.localdate()
    return _with_head(
        households_for(user).filter(
            status=Household.Status.IN_PAYMENT, next_review_on__lte=on + datetime.timedelta(days=within_days)
        )
    ).order_by("next_review_on", "number")


def open_reports(user: Any) -> QuerySet[CircumstanceReport]:
    scope.require_reader(user)
    return (
        CircumstanceReport.objects.filter(household__in=households_for(user), status=CircumstanceReport.Status.OPEN)
        .select_related("household", "household__township")
        .order_by("reported_on", "id")
    )


def report_for(user: Any, uuid: Any) -> CircumstanceReport:
    scope.require_reader(user)
    r = CircumstanceReport.objects.filter(household__in=households_for(user), uuid=uuid).select_related("household").first()
    if r is None:
        raise NotFound()
    return r


def rolls_for(user: Any, *, month: datetime.date | None = None, township: Any = None) -> QuerySet[PaymentRoll]:
    scope.require_reader(user)
    qs = PaymentRoll.objects.filter(township__in=scope.townships_for(user)).select_related("township")
    if month:
        qs = qs.filter(month=month)
    if township is not None:
        qs = qs.filter(township=township)
    return qs.order_by("-month", "township__sort_order", "township__code")


def roll_for(user: Any, uuid: Any) -> PaymentRoll:
    roll = rolls_for(user).filter(uuid=uuid).first()
    if roll is None:
        raise NotFound()
    return roll


def roll_items(roll: PaymentRoll, *, limit: int = 500) -> list[RollItem]:
    head = Member.objects.filter(household=OuterRef("household_id"), relationship=Member.Relationship.HEAD).order_by("id")
    return list(
        RollItem.objects.filter(roll=roll)
        .annotate(head_name=Subquery(head.values("name")[:1]))
        .select_related("household", "household__village")
        .order_by("household__number")[:limit]
    )


def roll_diff(roll: PaymentRoll) -> dict[str, Any]:
    """What the check compares: this roll against the township's roll of the month before —
    households added, dropped and paid a different amount, and the totals."""
    prev = (
        PaymentRoll.objects.filter(township_id=roll.township_id, month=add_months(roll.month, -1), kind=roll.kind).first()
        if roll.kind == PaymentRoll.Kind.REGULAR
        else None  # a back pay roll pays differences for past months: nothing to compare it with
    )
    cur_items = RollItem.objects.filter(roll=roll)
    if prev is None:
        return {"previous": None, "added": cur_items.count(), "dropped": 0, "changed": 0}
    prev_items = RollItem.objects.filter(roll=prev)
    prev_amount = prev_items.filter(household_id=OuterRef("household_id")).values("amount_fen")[:1]
    return {
        "previous": prev,
        "added": cur_items.exclude(household_id__in=prev_items.values("household_id")).count(),
        "dropped": prev_items.exclude(household_id__in=cur_items.values("household_id")).count(),
        "changed": cur_items.annotate(before=Subquery(prev_amount))
        .filter(before__isnull=False)
        .exclude(amount_fen=Subquery(prev_amount))
        .count(),
    }


def roll_payments(roll: PaymentRoll, *, status: str = "") -> QuerySet[Payment]:
    """A roll's payments in household order (the API pages them)."""
    qs = Payment.objects.filter(roll=roll).select_related("household")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("household__number", "attempt", "id")


def payments_of(roll: PaymentRoll, *, status: str = "", limit: int = 500) -> list[Payment]:
    return list(roll_payments(roll, status=status)[:limit])


def payment_for(user: Any, uuid: Any) -> Payment:
    scope.require_reader(user)
    p = (
        Payment.objects.filter(uuid=uuid, roll__township__in=scope.townships_for(user))
        .select_related("roll", "roll__township", "household")
        .first()
    )
    if p is None:
        raise NotFound()
    return p


def bank_rows(roll: PaymentRoll, *, status: str = Payment.Status.PENDING) -> QuerySet[Any]:
    """The bank file's rows: one per payment to send (pending ones by default)."""
    head = Member.objects.filter(household=OuterRef("household_id"), relationship=Member.Relationship.HEAD).order_by("id")
    return (
        Payment.objects.filter(roll=roll, status=status)
        .annotate(head_name=Subquery(head.values("name")[:1]), head_id=Subquery(head.values("id_number")[:1]))
        .order_by("household__number", "attempt")
        .values_list(
            "uuid",
            "household__number",
            "household__village__name",
            "head_name",
            "head_id",
            "bank_account",
            "amount_fen",
            "month",
            "attempt",
        )
    )
