"""The register and the money over the API (/api/v1/welfare/...): standards, register search and
household files, changes, exits, reports, reviews, payment rolls and their steps, bank files,
payment results and re-issues; the public figures. Same services and scoping as the pages."""

from __future__ import annotations

import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Router, Schema, Status

from onewindow.accounts.api import AUTH, ERROR_CODES, ErrorOut, actor
from onewindow.core.errors import NotFound, ValidationFailed

from . import bankfile, scope, stats
from . import selectors_money as sel
from .models import CircumstanceReport, Household, Payment, PaymentRoll, RegisterChange, Standard
from .months import parse_month
from .services import register as reg
from .services import rolls
from .services.standards import standard_save

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


class ReviewIn(Schema):
    findings: str
    outcome: str
    review_class: str | None = None
    reviewed_on: datetime.date | None = None


class ReviewOut(Schema):
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


class ResultsIn(Schema):
    paid_on: datetime.date
    failed: list[FailedIn] = []


class ResultsOut(Schema):
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


@router.get("/standards", response={200: list[StandardOut], ERROR_CODES: ErrorOut}, auth=AUTH)
def standard_list(request: HttpRequest) -> Any:
    scope.require_reader(actor(request))
    return list(Standard.objects.order_by("-year", "area_kind"))


@router.post("/standards", response={200: StandardOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def standard_put(request: HttpRequest, data: StandardIn) -> Any:
    return standard_save(actor=actor(request), **data.dict())


@router.get("/register", response={200: list[HouseholdRow], ERROR_CODES: ErrorOut}, auth=AUTH)
def register_search(request: HttpRequest, q: str = "", township: str = "", status: str = "") -> Any:
    user = actor(request)
    t = scope.townships_for(user).filter(code=township).first() if township else None
    if township and t is None:
        raise NotFound()
    statuses = [status] if status in Household.Status.values else None
    return [_row(h) for h in sel.register_search(user, q=q, township=t, statuses=statuses)]


@router.get("/households/{uuid}", response={200: HouseholdOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def household_detail(request: HttpRequest, uuid: UUID) -> Any:
    return _household_out(sel.household_file(actor(request), uuid))


@router.post("/households/{uuid}/amount", response={201: ChangeOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def household_amount(request: HttpRequest, uuid: UUID, data: AmountIn) -> Any:
    user = actor(request)
    h = sel.household_file(user, uuid)
    c = reg.change_amount(
        household=h,
        actor=user,
        new_amount_fen=data.new_amount_fen,
        new_people=data.new_people,
        reason=data.reason,
        effective_month=_month(data.effective_month),
        report=_open_report(h, data.report),
    )
    return Status(201, _change(c))


@router.post("/households/{uuid}/suspend", response={201: ChangeOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def household_suspend(request: HttpRequest, uuid: UUID, data: ReasonIn) -> Any:
    user = actor(request)
    c = reg.suspend(
        household=sel.household_file(user, uuid), actor=user, reason=data.reason, effective_month=_month(data.effective_month)
    )
    return Status(201, _change(c))


@router.post("/households/{uuid}/resume", response={201: ChangeOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def household_resume(request: HttpRequest, uuid: UUID, data: ReasonIn) -> Any:
    user = actor(request)
    c = reg.resume(
        household=sel.household_file(user, uuid), actor=user, reason=data.reason, effective_month=_month(data.effective_month)
    )
    return Status(201, _change(c))


@router.post("/households/{uuid}/exit", response={201: ChangeOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def household_exit(request: HttpRequest, uuid: UUID, data: ExitIn) -> Any:
    user = actor(request)
    h = sel.household_file(user, uuid)
    c = reg.exit_household(
        household=h,
        actor=user,
        end_reason=data.end_reason,
        reason=data.reason,
        effective_month=_month(data.effective_month),
        report=_open_report(h, data.report),
    )
    return Status(201, _change(c))


@router.post("/households/{uuid}/reports", response={201: ReportOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def report_create(request: HttpRequest, uuid: UUID, data: ReportIn) -> Any:
    user = actor(request)
    r = reg.report_create(
        household=sel.household_file(user, uuid),
        actor=user,
        source=data.source,
        description=data.description,
        reported_on=data.reported_on,
    )
    return Status(201, _report(r))


@router.get("/reports", response={200: list[ReportOut], ERROR_CODES: ErrorOut}, auth=AUTH)
def report_list(request: HttpRequest) -> Any:
    return [_report(r) for r in sel.open_reports(actor(request))[:500]]


@router.post("/reports/{uuid}/close", response={200: ReportOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def report_close(request: HttpRequest, uuid: UUID, data: OutcomeIn) -> Any:
    user = actor(request)
    return _report(reg.report_close(report=sel.report_for(user, uuid), actor=user, outcome=data.outcome))


@router.post("/households/{uuid}/reviews", response={201: ReviewOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def review_create(request: HttpRequest, uuid: UUID, data: ReviewIn) -> Any:
    user = actor(request)
    r = reg.review_record(
        household=sel.household_file(user, uuid),
        actor=user,
        findings=data.findings,
        outcome=data.outcome,
        review_class=data.review_class,
        reviewed_on=data.reviewed_on,
    )
    return Status(201, {"uuid": r.uuid, "reviewed_on": r.reviewed_on, "outcome": r.outcome, "next_review_on": r.next_review_on})


@router.get("/reviews/due", response={200: list[HouseholdRow], ERROR_CODES: ErrorOut}, auth=AUTH)
def reviews_due(request: HttpRequest, within_days: int = 30) -> Any:
    return [_row(h) for h in sel.reviews_due(actor(request), within_days=max(0, min(within_days, 366)))[:1000]]


@router.get("/changes", response={200: list[ChangeOut], ERROR_CODES: ErrorOut}, auth=AUTH)
def change_list(request: HttpRequest, kind: str = "") -> Any:
    return [_change(c) for c in sel.changes_for(actor(request), kind=kind if kind in RegisterChange.Kind.values else "")]


@router.get("/exits", response={200: list[ChangeOut], ERROR_CODES: ErrorOut}, auth=AUTH)
def exit_list(request: HttpRequest) -> Any:
    return [_change(c) for c in sel.exits_for(actor(request))]


@router.get("/rolls", response={200: list[RollOut], ERROR_CODES: ErrorOut}, auth=AUTH)
def roll_list(request: HttpRequest, month: str = "") -> Any:
    try:
        m = parse_month(month) if month else None
    except ValueError:
        raise ValidationFailed(fields={"month": ["YYYY-MM"]}) from None
    return [_roll(r) for r in sel.rolls_for(actor(request), month=m)[:500]]


@router.post("/rolls", response={201: RollOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def roll_generate(request: HttpRequest, data: RollIn) -> Any:
    user = actor(request)
    township = scope.all_townships().filter(code=data.township).first()
    if township is None:
        raise ValidationFailed(fields={"township": ["unknown township"]})
    return Status(201, _roll(rolls.roll_generate(township=township, month=data.month, actor=user, kind=data.kind)))


@router.get("/rolls/{uuid}", response={200: RollOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def roll_detail(request: HttpRequest, uuid: UUID) -> Any:
    return _roll(sel.roll_for(actor(request), uuid))


def _step(request: HttpRequest, uuid: UUID, fn: Any) -> Any:
    user = actor(request)
    return _roll(fn(roll=sel.roll_for(user, uuid), actor=user))


@router.post("/rolls/{uuid}/check", response={200: RollOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def roll_check(request: HttpRequest, uuid: UUID) -> Any:
    return _step(request, uuid, rolls.roll_check)


@router.post("/rolls/{uuid}/approve-township", response={200: RollOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def roll_approve_township(request: HttpRequest, uuid: UUID) -> Any:
    return _step(request, uuid, rolls.roll_approve_township)


@router.post("/rolls/{uuid}/approve-district", response={200: RollOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def roll_approve_district(request: HttpRequest, uuid: UUID) -> Any:
    return _step(request, uuid, rolls.roll_approve_district)


@router.post("/rolls/{uuid}/return", response={200: RollOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def roll_return(request: HttpRequest, uuid: UUID, data: OutcomeIn) -> Any:
    user = actor(request)
    return _roll(rolls.roll_return(roll=sel.roll_for(user, uuid), actor=user, reason=data.outcome))


@router.post("/rolls/{uuid}/freeze", response={200: RollOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def roll_freeze(request: HttpRequest, uuid: UUID) -> Any:
    return _step(request, uuid, rolls.roll_freeze)


@router.get("/rolls/{uuid}/payments", response={200: list[PaymentOut], ERROR_CODES: ErrorOut}, auth=AUTH)
def roll_payments(request: HttpRequest, uuid: UUID, status: str = "") -> Any:
    r = sel.roll_for(actor(request), uuid)
    return [_payment(p) for p in sel.payments_of(r, status=status if status in Payment.Status.values else "", limit=100000)]


@router.post("/rolls/{uuid}/results", response={200: ResultsOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def roll_results(request: HttpRequest, uuid: UUID, data: ResultsIn) -> Any:
    user = actor(request)
    return rolls.payments_record(
        roll=sel.roll_for(user, uuid), actor=user, paid_on=data.paid_on, failed={f.payment: f.reason for f in data.failed}
    )


@router.get(
    "/rolls/{uuid}/bank.{fmt}",
    response={200: bytes, ERROR_CODES: ErrorOut},
    auth=AUTH,
    openapi_extra={
        "responses": {
            200: {
                "description": "the bank file (xlsx or csv)",
                "content": {"application/octet-stream": {"schema": {"type": "string"}}},
            }
        }
    },
)
def roll_bank_file(request: HttpRequest, uuid: UUID, fmt: str) -> Any:
    user = actor(request)
    return bankfile.response(sel.roll_for(user, uuid), fmt=fmt, actor=user)


@router.post("/payments/{uuid}/reissue", response={201: PaymentOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def payment_reissue(request: HttpRequest, uuid: UUID, data: ReissueIn) -> Any:
    user = actor(request)
    return Status(
        201, _payment(rolls.payment_reissue(payment=sel.payment_for(user, uuid), actor=user, bank_account=data.bank_account))
    )


@router.get("/figures", response={200: FiguresOut, ERROR_CODES: ErrorOut}, auth=None)
def figures(request: HttpRequest, date_from: datetime.date, date_to: datetime.date) -> Any:
    """Public: the 低保 figures of a period, computed from the rows (no personal data)."""
    if date_to < date_from or (date_to - date_from).days > 366 * 20:
        raise ValidationFailed(fields={"date_to": ["after date_from, within 20 years"]})
    f = stats.figures(date_from=date_from, date_to=date_to)
    return {**f.__dict__}
