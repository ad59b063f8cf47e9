"""The register and money resources' router, schemas and converters (`register`, `payments`)."""

from __future__ import annotations

import datetime
from typing import Any
from uuid import UUID

from ninja import Router, Schema

from onewindow.core.errors import NotFound, ValidationFailed

from .. import selectors_money as sel
from ..models import CircumstanceReport, Household, Payment, PaymentRoll, RegisterChange

router = Router(tags=["welfare: register and money"])


class StandardIn(Schema):
    year: int
    area_kind: str
    monthly_fen: int
    effective_from: datetime.date
    basis: str = ""


class StandardOut(Schema):
    year: int
    area_kind: str
    monthly_fen: int
    effective_from: datetime.date
    basis: str


class HouseholdRow(Schema):
    uuid: UUID
    number: str
    head_name: str | None
    township: str
    village: str
    status: str
    monthly_amount_fen: int
    next_review_on: datetime.date | None


class MemberOut(Schema):
    name: str
    id_number: str
    relationship: str
    in_payment: bool


class ChangeOut(Schema):
    uuid: UUID
    household: str
    kind: str
    old_amount_fen: int
    new_amount_fen: int
    old_people: int
    new_people: int
    reason: str
    effective_month: datetime.date
    decided_on: datetime.date


class HouseholdOut(HouseholdRow):
    area_kind: str
    review_class: str
    bank_account: str
    members: list[MemberOut]
    history: list[ChangeOut]


class AmountIn(Schema):
    new_amount_fen: int
    reason: str
    new_people: int | None = None
    effective_month: datetime.date | None = None
    report: UUID | None = None


class ReasonIn(Schema):
    reason: str
    effective_month: datetime.date | None = None


class ExitIn(Schema):
    end_reason: str
    reason: str
    effective_month: datetime.date | None = None
    report: UUID | None = None


class ReportIn(Schema):
    source: str
    description: str
    reported_on: datetime.date | None = None


class ReportOut(Schema):
    uuid: UUID
    household: str
    source: str
    reported_on: datetime.date
    description: str
    status: str
    outcome: str


class OutcomeIn(Schema):
    outcome: str


class HouseholdReviewIn(Schema):
    findings: str
    outcome: str
    review_class: str | None = None
    reviewed_on: datetime.date | None = None


class HouseholdReviewOut(Schema):
    uuid: UUID
    reviewed_on: datetime.date
    outcome: str
    next_review_on: datetime.date | None


class RollIn(Schema):
    township: str  # OrgUnit code
    month: datetime.date  # the first day of the month
    kind: str = "regular"  # or "backpay" (补发: differences owed for frozen months after a standard rose)


class RollOut(Schema):
    uuid: UUID
    township: str
    month: datetime.date
    kind: str
    status: str
    households: int
    people: int
    total_fen: int


class PaymentOut(Schema):
    uuid: UUID
    household: str
    month: datetime.date
    kind: str
    amount_fen: int
    status: str
    attempt: int
    paid_on: datetime.date | None
    failure_reason: str


class FailedIn(Schema):
    payment: UUID
    reason: str


class PaymentResultsIn(Schema):
    paid_on: datetime.date
    failed: list[FailedIn] = []


class PaymentResultsOut(Schema):
    paid: int
    failed: int


class ReissueIn(Schema):
    bank_account: str = ""


class FiguresOut(Schema):
    date_from: datetime.date
    date_to: datetime.date
    approved_households: int
    approved_people: int
    removed_households: int
    removed_people: int
    paid_fen: int
    avg_workdays: float | None
    max_workdays: int | None
    by_decider: dict[str, dict[str, Any]]


def _row(h: Household) -> dict[str, Any]:
    return {
        "uuid": h.uuid,
        "number": h.number,
        "head_name": getattr(h, "head_name", None),
        "township": h.township.code,
        "village": h.village.name,
        "status": h.status,
        "monthly_amount_fen": h.monthly_amount_fen,
        "next_review_on": h.next_review_on,
    }


def _change(c: RegisterChange) -> dict[str, Any]:
    return {
        "uuid": c.uuid,
        "household": c.household.number,
        "kind": c.kind,
        "old_amount_fen": c.old_amount_fen,
        "new_amount_fen": c.new_amount_fen,
        "old_people": c.old_people,
        "new_people": c.new_people,
        "reason": c.reason,
        "effective_month": c.effective_month,
        "decided_on": c.decided_on,
    }


def _roll(r: PaymentRoll) -> dict[str, Any]:
    return {
        "uuid": r.uuid,
        "township": r.township.code,
        "month": r.month,
        "kind": r.kind,
        "status": r.status,
        "households": r.households,
        "people": r.people,
        "total_fen": r.total_fen,
    }


def _payment(p: Payment) -> dict[str, Any]:
    return {
        "uuid": p.uuid,
        "household": p.household.number,
        "month": p.month,
        "kind": p.kind,
        "amount_fen": p.amount_fen,
        "status": p.status,
        "attempt": p.attempt,
        "paid_on": p.paid_on,
        "failure_reason": p.failure_reason,
    }


def _report(r: CircumstanceReport) -> dict[str, Any]:
    return {
        "uuid": r.uuid,
        "household": r.household.number,
        "source": r.source,
        "reported_on": r.reported_on,
        "description": r.description,
        "status": r.status,
        "outcome": r.outcome,
    }


def _month(value: datetime.date | None) -> datetime.date | None:
    if value is not None and value.day != 1:
        raise ValidationFailed(fields={"effective_month": ["the first day of a month"]})
    return value


def _open_report(h: Household, uuid: UUID | None) -> CircumstanceReport | None:
    if uuid is None:
        return None
    r = h.reports.filter(uuid=uuid, status=CircumstanceReport.Status.OPEN).first()
    if r is None:
        raise NotFound()
    return r


def _household_out(h: Household) -> dict[str, Any]:
    return {
        **_row(h),
        "area_kind": h.area_kind,
        "review_class": h.review_class,
        "bank_account": h.bank_account,
        "members": list(h.members.values("name", "id_number", "relationship", "in_payment")),
        "history": [_change(c) for c in sel.household_history(h)],
    }
