"""The register over the API: standards, register search and household files, changes, exits,
circumstance reports, reviews. Same services and scoping as the pages."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Status

from onewindow.accounts.tenancy import scoped
from onewindow.core.apikit import AUTH, ERROR_CODES, ErrorOut, PageParams, actor, page_of, paginate
from onewindow.core.errors import NotFound

from .. import scope
from .. import selectors_money as sel
from ..models import Household, RegisterChange, Standard
from ..services import register as reg
from ..services.standards import standard_save
from .money_common import (
    AmountIn,
    ChangeOut,
    ExitIn,
    HouseholdOut,
    HouseholdReviewIn,
    HouseholdReviewOut,
    HouseholdRow,
    OutcomeIn,
    ReasonIn,
    ReportIn,
    ReportOut,
    StandardIn,
    StandardOut,
    _change,
    _household_out,
    _month,
    _open_report,
    _report,
    _row,
    router,
)

# Operation ids name the module these operations were first written in (config/api.py).
OPERATION_IDS_MODULE = "onewindow.welfare.api_money"


@router.get("/standards", response={200: page_of(StandardOut), ERROR_CODES: ErrorOut}, auth=AUTH)
def standard_list(request: HttpRequest, params: Query[PageParams]) -> Any:
    user = actor(request)
    scope.require_reader(user)
    # the reader's county's standards (each county sets its own)
    return paginate(scoped(Standard.objects.all(), user).order_by("-year", "area_kind"), params, lambda s: s)


@router.post("/standards", response={200: StandardOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def standard_put(request: HttpRequest, data: StandardIn) -> Any:
    return standard_save(actor=actor(request), **data.dict())


@router.get("/register", response={200: page_of(HouseholdRow), ERROR_CODES: ErrorOut}, auth=AUTH)
def register_search(request: HttpRequest, params: Query[PageParams], q: str = "", township: str = "", status: str = "") -> Any:
    user = actor(request)
    who = scope.reader(user)  # asked once for the township filter and the search
    t = scope.townships_read(who).filter(code=township).first() if township else None
    if township and t is None:
        raise NotFound()
    statuses = [status] if status in Household.Status.values else None
    return paginate(sel.register_search(user, q=q, township=t, statuses=statuses, reader=who), params, _row)


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


@router.get("/reports", response={200: page_of(ReportOut), ERROR_CODES: ErrorOut}, auth=AUTH)
def report_list(request: HttpRequest, params: Query[PageParams]) -> Any:
    return paginate(sel.open_reports(actor(request)), params, _report)


@router.post("/reports/{uuid}/close", response={200: ReportOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def report_close(request: HttpRequest, uuid: UUID, data: OutcomeIn) -> Any:
    user = actor(request)
    return _report(reg.report_close(report=sel.report_for(user, uuid), actor=user, outcome=data.outcome))


@router.post("/households/{uuid}/reviews", response={201: HouseholdReviewOut, ERROR_CODES: ErrorOut}, auth=AUTH)
def review_create(request: HttpRequest, uuid: UUID, data: HouseholdReviewIn) -> Any:
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


@router.get("/reviews/due", response={200: page_of(HouseholdRow), ERROR_CODES: ErrorOut}, auth=AUTH)
def reviews_due(request: HttpRequest, params: Query[PageParams], within_days: int = 30) -> Any:
    return paginate(sel.reviews_due(actor(request), within_days=max(0, min(within_days, 366))), params, _row)


@router.get("/changes", response={200: page_of(ChangeOut), ERROR_CODES: ErrorOut}, auth=AUTH)
def change_list(request: HttpRequest, params: Query[PageParams], kind: str = "") -> Any:
    return paginate(sel.changes_for(actor(request), kind=kind if kind in RegisterChange.Kind.values else ""), params, _change)


@router.get("/exits", response={200: page_of(ChangeOut), ERROR_CODES: ErrorOut}, auth=AUTH)
def exit_list(request: HttpRequest, params: Query[PageParams]) -> Any:
    return paginate(sel.exits_for(actor(request)), params, _change)
