"""The ratings API's router, its device tokens and the converters every resource shares."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Router

from onewindow.core import workdays
from onewindow.core.apikit import ERROR_CODES, ErrorOut, actor
from onewindow.core.errors import NotFound

from .. import selectors, subjects
from ..models import Appeal, FollowUp, Rating, RatingChannel

router = Router(tags=["ratings"])
ERRORS: dict[int, type[ErrorOut]] = dict.fromkeys(ERROR_CODES, ErrorOut)


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
        "verify_due_provisional": workdays.is_provisional(
            fu.verify_due
        ),  # national: only the State Council's year is provisional
        "reply_due_provisional": workdays.is_provisional(fu.reply_due),  # national: only the State Council's year is provisional
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
        "corrects": r.corrects.uuid if r.corrects is not None else None,
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
