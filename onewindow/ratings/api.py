"""好差评 API (/api/v1/ratings/): every operation of the pages.

- the person served (bearer token from the app = channel "phone", or the session = "api"): what I
  can rate, rate, my ratings, correct, answer a follow-up reply;
- no login: the signed link (read, rate) and the reply link (answer);
- devices: the window's pad (X-Pad-Token) and the kiosk (X-Kiosk-Token);
- the delivering unit: follow-ups (list, read, verify, reply) and appeals;
- the hall manager: decide appeals, the window ranking, issue pad tokens;
- everyone: the public monthly results. Errors: {code, message, fields}.
"""

from __future__ import annotations

import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.security import APIKeyHeader

from onewindow.core import workdays
from onewindow.core.apikit import AUTH, ERROR_CODES, ErrorOut, actor
from onewindow.core.errors import NotFound, PermissionDenied

from . import followups, selectors, services, stats, subjects
from .forms import client_ip
from .indicators import options
from .models import Appeal, FollowUp, Mode, Rating, RatingChannel

router = Router(tags=["ratings"])
ERRORS: dict[int, type[ErrorOut]] = dict.fromkeys(ERROR_CODES, ErrorOut)


class _DeviceHeader(APIKeyHeader):
    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        # The handler checks the token against the named window or point in constant time.
        return key or None


class PadToken(_DeviceHeader):
    param_name = "X-Pad-Token"


class KioskToken(_DeviceHeader):
    param_name = "X-Kiosk-Token"


# --- schemas -------------------------------------------------------------------------------------


class LevelOut(Schema):
    value: int
    label: str
    bad: bool
    tags: list[list[str]]


class OptionsOut(Schema):
    mode: str
    indicators: list[list[str]]
    levels: list[LevelOut]


class SubjectOut(Schema):
    kind: str
    uuid: UUID
    label: str
    mode: str
    unit: str
    staff: str
    window: int | None
    served_at: datetime.datetime


class RatingIn(Schema):
    level: int
    indicators: dict[str, int] = {}
    tags: list[str] = []
    comment: str = ""


class RateIn(RatingIn):
    kind: str
    subject: UUID


class PadRateIn(RatingIn):
    subject: UUID


class KioskRateIn(RatingIn):
    point: UUID
    number: str
    check_code: str
    kind: str = "case"


class FollowUpBrief(Schema):
    uuid: UUID
    status: str
    status_label: str
    verify_due: datetime.date
    reply_due: datetime.date
    # True when the due date lies in a year whose holiday schedule is only provisional (it may move).
    verify_due_provisional: bool = False
    reply_due_provisional: bool = False
    reply: str


class RatingOut(Schema):
    uuid: UUID
    kind: str
    subject: UUID
    label: str
    level: int
    level_label: str
    channel: str
    tags: list[str]
    indicators: dict[str, int]
    comment: str
    created_at: datetime.datetime
    corrects: UUID | None
    follow_up: FollowUpBrief | None


class FollowUpOut(FollowUpBrief):
    unit: str
    rating: RatingOut
    warning_level: str
    verify_note: str
    response_note: str
    appeal_status: str | None


class TextIn(Schema):
    text: str


class AnswerIn(Schema):
    confirmed: bool
    note: str = ""


class AppealIn(Schema):
    reason: str
    evidence: str


class DecisionIn(Schema):
    upheld: bool
    note: str


class AppealOut(Schema):
    uuid: UUID
    status: str
    unit: str
    reason: str
    evidence: str
    rating: RatingOut
    decision_note: str


class PadIn(Schema):
    window: UUID


class PadOut(Schema):
    window: UUID
    token: str


class PadCurrentOut(Schema):
    subject: SubjectOut | None
    clerk: str


class MonthQuery(Schema):
    month: str = ""


class SummaryOut(Schema):
    count: int
    good: int
    bad: int
    average: float | None
    good_rate: float | None


class GroupOut(SummaryOut):
    name: str


class WindowRankOut(SummaryOut):
    rank: int
    window: int
    point: str


class CorrectionOut(Schema):
    date: datetime.date
    person: str
    service: str
    unit: str
    level: str
    reasons: str
    fixed: str
    status: str
    on_time: bool


class FollowUpFiguresOut(Schema):
    real_name_bad: int
    verified_on_time: int
    replied_on_time: int
    verified_on_time_rate: float | None
    replied_on_time_rate: float | None
    open: int
    red: int
    yellow: int


class ResultsOut(Schema):
    month: str
    total: SummaryOut
    by_unit: list[GroupOut]
    by_area: list[GroupOut]
    by_window: list[WindowRankOut]
    by_matter: list[GroupOut]
    follow_up: FollowUpFiguresOut
    corrections: list[CorrectionOut]


class StaffFiguresOut(Schema):
    month: str
    own_month: SummaryOut
    own_all: SummaryOut
    follow_up: FollowUpFiguresOut


# --- helpers -------------------------------------------------------------------------------------


def _subject(s: subjects.Subject) -> dict[str, Any]:
    return {
        "kind": s.kind,
        "uuid": s.uuid,
        "label": s.label,
        "mode": s.mode,
        "unit": s.unit.name,
        "staff": s.staff_name,
        "window": s.window.number if s.window is not None else None,
        "served_at": s.served_at,
    }


def _brief(fu: FollowUp | None) -> dict[str, Any] | None:
    if fu is None:
        return None
    return {
        "uuid": fu.uuid,
        "status": fu.status,
        "status_label": fu.get_status_display(),
        "verify_due": fu.verify_due,
        "reply_due": fu.reply_due,
        "verify_due_provisional": workdays.is_provisional(fu.verify_due),
        "reply_due_provisional": workdays.is_provisional(fu.reply_due),
        "reply": fu.reply,
    }


def _rating(r: Rating) -> dict[str, Any]:
    fu = FollowUp.objects.filter(rating=r).first()
    return {
        "uuid": r.uuid,
        "kind": r.kind,
        "subject": r.subject_uuid,
        "label": r.subject_label,
        "level": r.level,
        "level_label": r.get_level_display(),
        "channel": r.channel,
        "tags": list(r.tags),
        "indicators": dict(r.indicators),
        "comment": r.comment,
        "created_at": r.created_at,
        "corrects": r.corrects.uuid if r.corrects_id else None,  # type: ignore[union-attr]
        "follow_up": _brief(fu),
    }


def _follow_up(fu: FollowUp) -> dict[str, Any]:
    appeal = Appeal.objects.filter(rating_id=fu.rating_id).first()
    return {
        **(_brief(fu) or {}),
        "unit": fu.unit.name,
        "rating": _rating(fu.rating),
        "warning_level": fu.warning_level,
        "verify_note": fu.verify_note,
        "response_note": fu.response_note,
        "appeal_status": appeal.status if appeal is not None else None,
    }


def _channel(request: HttpRequest) -> str:
    """A bearer token is the mobile app (phone); the browser session is a plain API client."""
    auth = request.headers.get("Authorization", "")
    return RatingChannel.PHONE if auth.lower().startswith("bearer ") else RatingChannel.API


def _staff_follow_up(request: HttpRequest, follow_up_uuid: UUID) -> FollowUp:
    fu = selectors.follow_up_for(actor(request), follow_up_uuid)
    if fu is None or not selectors.can_handle(actor(request), fu.unit):
        raise NotFound()
    return fu


# --- the person served ---------------------------------------------------------------------------


@router.get("/options", response={200: OptionsOut, **ERRORS}, auth=None, summary="Levels, indicators and reason tags")
def get_options(request: HttpRequest, mode: str = "window") -> Any:
    o = options(mode if mode in Mode.values else Mode.WINDOW)
    return {
        "mode": o["mode"],
        "indicators": [list(i) for i in o["indicators"]],
        "levels": [
            {"value": lv.value, "label": lv.label, "bad": lv.bad, "tags": [list(t) for t in lv.tags]} for lv in o["levels"]
        ],
    }


@router.get("/rateable", response={200: list[SubjectOut], **ERRORS}, auth=AUTH, summary="Services I can still rate")
def rateable(request: HttpRequest) -> Any:
    return [_subject(s) for s in selectors.rateable_for(actor(request))]


@router.post("/ratings", response={201: RatingOut, **ERRORS}, auth=AUTH, summary="Rate a service delivered to me")
def rate(request: HttpRequest, payload: RateIn) -> Any:
    r = services.rating_submit(
        kind=payload.kind,
        subject_uuid=payload.subject,
        channel=_channel(request),
        rater=actor(request),
        client_ip=client_ip(request),
        level=payload.level,
        indicators=payload.indicators,
        tags=payload.tags,
        comment=payload.comment,
    )
    return Status(201, _rating(r))


@router.get("/ratings", response={200: list[RatingOut], **ERRORS}, auth=AUTH, summary="My ratings")
def my_ratings(request: HttpRequest) -> Any:
    return [_rating(r) for r in selectors.my_ratings(actor(request))[:100]]


@router.post("/ratings/{rating_uuid}/correction", response={201: RatingOut, **ERRORS}, auth=AUTH, summary="Append a correction")
def correct(request: HttpRequest, rating_uuid: UUID, payload: RatingIn) -> Any:
    r = selectors.my_rating(actor(request), rating_uuid)
    if r is None:
        raise NotFound()
    fresh = services.rating_correct(
        rating=r,
        rater=actor(request),
        channel=_channel(request),
        level=payload.level,
        indicators=payload.indicators,
        tags=payload.tags,
        comment=payload.comment,
    )
    return Status(201, _rating(fresh))


@router.post(
    "/follow-ups/{follow_up_uuid}/answer",
    response={200: FollowUpBrief, **ERRORS},
    auth=AUTH,
    summary="Confirm or dispute a reply (the rater)",
)
def answer(request: HttpRequest, follow_up_uuid: UUID, payload: AnswerIn) -> Any:
    fu = selectors.follow_up_for(actor(request), follow_up_uuid)
    if fu is None:
        raise NotFound()
    followups.follow_up_respond(follow_up=fu, person=actor(request), confirmed=payload.confirmed, note=payload.note)
    return _brief(fu)


# --- links without login -------------------------------------------------------------------------


class LinkOut(Schema):
    subject: SubjectOut
    options: OptionsOut


@router.get("/link/{token}", response={200: LinkOut, **ERRORS}, auth=None, summary="Open a rating link (no login)")
def link_read(request: HttpRequest, token: str) -> Any:
    inv = services.invitation_from_token(token)
    s = subjects.resolve(inv.kind, inv.subject_uuid)
    if s is None:
        raise NotFound()
    return {"subject": _subject(s), "options": get_options(request, s.mode)}


@router.post("/link/{token}", response={201: RatingOut, **ERRORS}, auth=None, summary="Rate through a signed link (no login)")
def link_rate(request: HttpRequest, token: str, payload: RatingIn) -> Any:
    inv = services.invitation_from_token(token)
    r = services.rating_submit(
        kind=inv.kind,
        subject_uuid=inv.subject_uuid,
        channel=RatingChannel.LINK,
        invitation=inv,
        client_ip=client_ip(request),
        level=payload.level,
        indicators=payload.indicators,
        tags=payload.tags,
        comment=payload.comment,
    )
    return Status(201, _rating(r))


@router.post("/respond/{token}", response={200: FollowUpBrief, **ERRORS}, auth=None, summary="Answer a reply through its link")
def respond(request: HttpRequest, token: str, payload: AnswerIn) -> Any:
    fu = followups.follow_up_from_token(token)
    followups.follow_up_respond(follow_up=fu, by_link=True, confirmed=payload.confirmed, note=payload.note)
    return _brief(fu)


# --- devices -------------------------------------------------------------------------------------


@router.get(
    "/pad/{window_uuid}/current", response={200: PadCurrentOut, **ERRORS}, auth=PadToken(), summary="Pad: the ticket to rate now"
)
def pad_current(request: HttpRequest, window_uuid: UUID) -> Any:
    pad = services.pad_for(window_uuid=window_uuid, token=str(request.auth))  # type: ignore[attr-defined]
    s = selectors.pad_ticket(pad)
    clerk = selectors.pad_clerk(pad)
    return {"subject": _subject(s) if s else None, "clerk": (clerk.display_name or clerk.username) if clerk else ""}


@router.post(
    "/pad/{window_uuid}/ratings",
    response={201: RatingOut, **ERRORS},
    auth=PadToken(),
    summary="Pad: rate the ticket just finished",
)
def pad_rate(request: HttpRequest, window_uuid: UUID, payload: PadRateIn) -> Any:
    pad = services.pad_for(window_uuid=window_uuid, token=str(request.auth))  # type: ignore[attr-defined]
    r = services.rating_submit(
        kind="ticket",
        subject_uuid=payload.subject,
        channel=RatingChannel.PAD,
        pad=pad,
        level=payload.level,
        indicators=payload.indicators,
        tags=payload.tags,
        comment=payload.comment,
    )
    return Status(201, _rating(r))


@router.post(
    "/kiosk/ratings",
    response={201: RatingOut, **ERRORS},
    auth=KioskToken(),
    summary="Kiosk: rate a case by number and check code",
)
def kiosk_rate(request: HttpRequest, payload: KioskRateIn) -> Any:
    services.kiosk_point(point_uuid=payload.point, token=str(request.auth))  # type: ignore[attr-defined]
    case = services.kiosk_case(number=payload.number, check_code=payload.check_code)
    if payload.kind not in ("case", "acceptance"):
        raise NotFound()
    r = services.rating_submit(
        kind=payload.kind,
        subject_uuid=case.uuid,
        channel=RatingChannel.KIOSK,
        level=payload.level,
        indicators=payload.indicators,
        tags=payload.tags,
        comment=payload.comment,
    )
    return Status(201, _rating(r))


# --- the delivering unit -------------------------------------------------------------------------


@router.get("/follow-ups", response={200: list[FollowUpOut], **ERRORS}, auth=AUTH, summary="My units' 差评 follow-ups")
def follow_ups(request: HttpRequest, open_only: bool = True) -> Any:
    user = actor(request)
    if not (user.is_superuser or user.is_staff_member):
        raise PermissionDenied()
    qs = selectors.open_follow_ups_for(user) if open_only else selectors.follow_ups_for(user)
    return [_follow_up(fu) for fu in qs[:200]]


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


def _appeal(a: Appeal) -> dict[str, Any]:
    return {
        "uuid": a.uuid,
        "status": a.status,
        "unit": a.unit.name,
        "reason": a.reason,
        "evidence": a.evidence,
        "rating": _rating(a.rating),
        "decision_note": a.decision_note,
    }


# --- the hall manager ----------------------------------------------------------------------------


@router.get("/appeals", response={200: list[AppealOut], **ERRORS}, auth=AUTH, summary="Appeals waiting for a decision")
def appeals(request: HttpRequest) -> Any:
    if not selectors.is_manager(actor(request)):
        raise PermissionDenied()
    return [_appeal(a) for a in selectors.appeals_pending()[:200]]


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


@router.get("/ranking", response={200: list[WindowRankOut], **ERRORS}, auth=AUTH, summary="Monthly window ranking")
def ranking(request: HttpRequest, q: Query[MonthQuery]) -> Any:
    if not selectors.reads_figures(actor(request)):
        raise PermissionDenied()
    _label, start, end = stats.month_bounds(q.month)
    return stats.window_ranking(start, end)


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
def results(request: HttpRequest, q: Query[MonthQuery]) -> Any:
    return stats.results(q.month)
