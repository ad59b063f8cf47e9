"""The demo step: deterministic, idempotent, a pad for every window, and follow-ups cycling
through every state for the bad real-name ratings."""

from __future__ import annotations

import io
from typing import Any

import pytest

from onewindow.core.demo import DemoContext
from onewindow.ratings import demo
from onewindow.ratings.demo._common import STATES
from onewindow.ratings.demo.followups import _follow_ups
from onewindow.ratings.models import Appeal, FollowUp, Rating, RatingPad

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent_and_sets_up_pads(world: dict[str, Any]) -> None:
    demo.build(DemoContext(out=io.StringIO(), quiet=True))
    first = set(Rating.objects.values_list("kind", "subject_uuid", "level"))
    assert RatingPad.objects.count() == 2
    demo.build(DemoContext(out=io.StringIO(), quiet=True))
    assert set(Rating.objects.values_list("kind", "subject_uuid", "level")) == first
    assert RatingPad.objects.count() == 2


def test_follow_up_states_cycle(world: dict[str, Any], citizen: Any, hall_manager: Any) -> None:
    ratings = [
        Rating(
            kind="booking",
            subject_uuid=f"00000000-0000-0000-0000-{i:012d}",
            subject_label=f"预约 {i}",
            mode="window",
            unit=world["org"]["ZJJ"],
            served_at=world["case"].concluded_at,
            rater_name="刘秀英",
            rater_phone="13900000001",
            real_name=True,
            channel="web",
            level=1 + i % 2,
            tags=["slow"],
        )
        for i in range(len(STATES))
    ]
    Rating.objects.bulk_create(ratings)
    _follow_ups(DemoContext(quiet=True), DemoContext().rng("t"), ratings)
    statuses = set(FollowUp.objects.values_list("status", flat=True))
    assert statuses == {"open", "verified", "replied", "confirmed", "disputed", "no_response", "withdrawn"}
    assert set(Appeal.objects.values_list("status", flat=True)) == {"pending", "upheld"}
    # Every withdrawn follow-up has its upheld appeal.
    assert not FollowUp.objects.filter(status="withdrawn").exclude(rating__appeal__status="upheld").exists()
