"""The person served (rate, my ratings, correct, answer a reply), the links that need no login and
the devices (the window's pad, the kiosk)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Status

from onewindow.core.apikit import AUTH, KioskToken, PadToken, PageParams, actor, device_token, page_of, paginate
from onewindow.core.errors import NotFound

from .. import followups, selectors, services, subjects
from ..forms import client_ip
from ..indicators import options
from ..models import Mode, RatingChannel
from .base import ERRORS, _brief, _channel, _rating, _subject, router
from .schemas import (
    AnswerIn,
    FollowUpBrief,
    KioskRateIn,
    LinkOut,
    OptionsOut,
    PadCurrentOut,
    PadRateIn,
    RateIn,
    RatingIn,
    RatingOut,
    SubjectOut,
)

# Operation ids name the module these operations were first written in (config/api.py).
OPERATION_IDS_MODULE = "onewindow.ratings.api"

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


@router.get("/rateable", response={200: page_of(SubjectOut), **ERRORS}, auth=AUTH, summary="Services I can still rate")
def rateable(request: HttpRequest, params: Query[PageParams]) -> Any:
    return paginate(selectors.rateable_for(actor(request)), params, _subject)


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


@router.get("/ratings", response={200: page_of(RatingOut), **ERRORS}, auth=AUTH, summary="My ratings")
def my_ratings(request: HttpRequest, params: Query[PageParams]) -> Any:
    return paginate(selectors.my_ratings(actor(request)), params, _rating)


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
    pad = services.pad_for(window_uuid=window_uuid, token=device_token(request))
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
    pad = services.pad_for(window_uuid=window_uuid, token=device_token(request))
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
    services.kiosk_point(point_uuid=payload.point, token=device_token(request))
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
