"""A rating told, not typed: the resident's satisfaction recorded by the village agent point at its
回访 after a case ended (assistance.services.follow_up_record, which asks through the hooks named
in RatingsConfig.provides: ratings imports assistance, never the reverse) becomes the resident's rating of
that case, channel 代办回访. One service is rated once: when the resident already rated the case
(or the rating period is over, or the case has no rateable end), nothing is stored here and the
satisfaction stays on the follow-up only. A bad one opens the 差评 follow-up like any rating."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from . import conf, subjects
from .models import Kind, Level, Rating, RatingChannel
from .services import _after_rating, _display_name, validate_content


def rating_from_follow_up(*, case_uuid: Any, level: int, comment: str, recorded_by: Any) -> Rating | None:
    """Called inside the follow-up's transaction; returns the rating, or None when the case
    cannot take one (see the module docstring)."""
    subject = subjects.resolve(Kind.CASE, case_uuid)
    if subject is None or subject.person is None:
        return None
    now = timezone.now()
    if now > subject.served_at + datetime.timedelta(days=int(conf.get("rate_within_days"))):
        return None
    if subject.person.pk in subject.delivered_by:
        return None  # the applicant worked on their own case: nobody rates their own service
    if Rating.objects.filter(kind=Kind.CASE, subject_uuid=subject.uuid, corrects__isnull=True).exists():
        return None
    limit = int(conf.get("comment_max_chars"))
    lvl, indicators, tags, text = validate_content(
        mode=subject.mode, level=level, indicators=None, tags=[], comment=(comment or "")[:limit]
    )
    person = subject.person
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                kind=Kind.CASE,
                subject_uuid=subject.uuid,
                subject_label=subject.label,
                mode=subject.mode,
                unit=subject.unit,
                staff=subject.staff,
                window=subject.window,
                area=subject.area,
                matter=subject.matter,
                served_at=subject.served_at,
                rater=person,
                rater_name=_display_name(person),
                rater_phone=(person.phone or subject.person_phone)[:20],
                real_name=True,
                channel=RatingChannel.FOLLOW_UP,
                level=lvl,
                indicators=indicators,
                tags=tags,
                comment=text,
            )
            _after_rating(rating, actor=recorded_by)
    except IntegrityError:
        return None  # the resident rated it a moment ago: theirs stands
    return rating


def follow_up_rating(case_uuid: Any) -> Rating | None:
    """The rating a follow-up fed, if it did."""
    return Rating.objects.filter(
        kind=Kind.CASE, subject_uuid=case_uuid, channel=RatingChannel.FOLLOW_UP, corrects__isnull=True
    ).first()


def satisfaction_levels() -> list[tuple[int, str]]:
    """The 好差评 scale, for the satisfaction asked at an agent's 回访."""
    return [(int(v), str(label)) for v, label in Level.choices]
