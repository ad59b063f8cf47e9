"""The delivering unit (follow-ups, appeals), the hall manager (decisions, pads, the ranking, my
figures) and the public monthly results."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Status

from onewindow.accounts.tenancy import staff_county
from onewindow.accounts.visitor import api_county
from onewindow.core.apikit import AUTH, PageParams, actor, page_of, paginate
from onewindow.core.errors import NotFound, PermissionDenied

from .. import followups, selectors, services, stats
from .base import ERRORS, _appeal, _follow_up, _staff_follow_up, router
from .schemas import (
    AppealIn,
    AppealOut,
    DecisionIn,
    FollowUpOut,
    MonthQuery,
    PadIn,
    PadOut,
    ResultsOut,
    ResultsQuery,
    StaffFiguresOut,
    TextIn,
    WindowRankOut,
)

# Operation ids name the module these operations were first written in (config/api.py).
OPERATION_IDS_MODULE = "onewindow.ratings.api"

# --- the delivering unit -------------------------------------------------------------------------


@router.get("/follow-ups", response={200: page_of(FollowUpOut), **ERRORS}, auth=AUTH, summary="My units' 差评 follow-ups")
def follow_ups(request: HttpRequest, params: Query[PageParams], open_only: bool = True) -> Any:
    user = actor(request)
    if not (user.is_superuser or user.is_staff_member):
        raise PermissionDenied()
    qs = selectors.open_follow_ups_for(user) if open_only else selectors.follow_ups_for(user)
    return paginate(qs, params, _follow_up)


@router.get("/follow-ups/{follow_up_uuid}", response={200: FollowUpOut, **ERRORS}, auth=AUTH, summary="One follow-up")
def follow_up_read(request: HttpRequest, follow_up_uuid: UUID) -> Any:
    fu = selectors.follow_up_for(actor(request), follow_up_uuid)
    if fu is None:
        raise NotFound()
    return _follow_up(fu)


@router.post("/follow-ups/{follow_up_uuid}/verify", response={200: FollowUpOut, **ERRORS}, auth=AUTH, summary="回访核实")
def verify(request: HttpRequest, follow_up_uuid: UUID, payload: TextIn) -> Any:
    fu = followups.follow_up_verify(follow_up=_staff_follow_up(request, follow_up_uuid), actor=actor(request), note=payload.text)
    return _follow_up(fu)


@router.post("/follow-ups/{follow_up_uuid}/reply", response={200: FollowUpOut, **ERRORS}, auth=AUTH, summary="整改反馈")
def reply(request: HttpRequest, follow_up_uuid: UUID, payload: TextIn) -> Any:
    fu = followups.follow_up_reply(follow_up=_staff_follow_up(request, follow_up_uuid), actor=actor(request), reply=payload.text)
    return _follow_up(fu)


@router.post("/ratings/{rating_uuid}/appeal", response={201: AppealOut, **ERRORS}, auth=AUTH, summary="申诉 a bad rating")
def appeal_file(request: HttpRequest, rating_uuid: UUID, payload: AppealIn) -> Any:
    r = selectors.rating_for_staff(actor(request), rating_uuid)
    if r is None:
        raise NotFound()
    a = followups.appeal_file(rating=r, actor=actor(request), reason=payload.reason, evidence=payload.evidence)
    return Status(201, _appeal(a))


# --- the hall manager ----------------------------------------------------------------------------


@router.get("/appeals", response={200: page_of(AppealOut), **ERRORS}, auth=AUTH, summary="Appeals waiting for a decision")
def appeals(request: HttpRequest, params: Query[PageParams]) -> Any:
    if not selectors.is_manager(actor(request)):
        raise PermissionDenied()
    return paginate(selectors.appeals_pending(actor(request)), params, _appeal)


@router.post("/appeals/{appeal_uuid}/decision", response={200: AppealOut, **ERRORS}, auth=AUTH, summary="Decide an appeal")
def appeal_decide(request: HttpRequest, appeal_uuid: UUID, payload: DecisionIn) -> Any:
    a = selectors.appeal_for_manager(actor(request), appeal_uuid)
    if a is None:
        raise NotFound()
    return _appeal(followups.appeal_decide(appeal=a, actor=actor(request), upheld=payload.upheld, note=payload.note))


@router.post("/pads", response={201: PadOut, **ERRORS}, auth=AUTH, summary="Issue a window pad's device token")
def pad_issue(request: HttpRequest, payload: PadIn) -> Any:
    from onewindow.hall.selectors import window_by_uuid

    window = window_by_uuid(payload.window)
    if window is None:
        raise NotFound()
    _pad, token = services.pad_issue(window=window, actor=actor(request))
    return Status(201, {"window": window.uuid, "token": token})


@router.get("/ranking", response={200: page_of(WindowRankOut), **ERRORS}, auth=AUTH, summary="Monthly window ranking")
def ranking(request: HttpRequest, params: Query[PageParams], q: Query[ResultsQuery]) -> Any:
    user = actor(request)
    if not selectors.reads_figures(user):
        raise PermissionDenied()
    _label, start, end = stats.month_bounds(q.month)
    # A county's reader ranks their own county's windows (naming another county is refused, not
    # quietly answered with their own); the platform's administrator the county named in `county`
    # (as the page's picker), or every county's when none is named (the platform's own view).
    own = staff_county(user)
    if own is not None and q.county and q.county != own:
        raise PermissionDenied()
    county = own if own is not None else api_county(q.county)
    return paginate(stats.window_ranking(start, end, county=county), params, lambda row: row)


@router.get("/me/figures", response={200: StaffFiguresOut, **ERRORS}, auth=AUTH, summary="My own figures (staff)")
def my_figures(request: HttpRequest, q: Query[MonthQuery]) -> Any:
    user = actor(request)
    if not (user.is_superuser or user.is_staff_member):
        raise PermissionDenied()
    label, start, end = stats.month_bounds(q.month)
    own = stats.staff_figures(user, start, end)
    return {
        "month": label,
        "own_month": own["month"],
        "own_all": own["all"],
        "follow_up": stats.follow_up_figures(start, end, unit_q=selectors.handled_units_q(user)),
    }


# --- public --------------------------------------------------------------------------------------


@router.get("/results", response={200: ResultsOut, **ERRORS}, auth=None, summary="Public monthly results")
def results(request: HttpRequest, q: Query[ResultsQuery]) -> Any:
    # Stateless: the caller names the county (an unknown code is 422), or gets every county's.
    return stats.results(q.month, county=api_county(q.county))
