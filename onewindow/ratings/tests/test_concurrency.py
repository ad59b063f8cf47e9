"""Real concurrent connections: one rating per service, one use per link, one decision per
follow-up step, whoever arrives at the same moment. Run on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from onewindow.accounts.models import User
from onewindow.core.errors import ApplicationError
from onewindow.core.testing import run_concurrently
from onewindow.ratings import followups, services
from onewindow.ratings.models import FollowUp, Invitation, Rating
from onewindow.ratings.subjects import resolve

pytestmark = pytest.mark.django_db(transaction=True)
N = 8


def _codes(results: list[Any]) -> list[str]:
    out = []
    for r in results:
        if isinstance(r, ApplicationError):
            out.append(r.code)
        elif isinstance(r, BaseException):
            raise r
        else:
            out.append("ok")
    return out


def test_two_ratings_of_one_service_at_once_store_one(world: dict[str, Any], citizen: Any) -> None:
    case_uuid = world["case"].uuid

    def attempt(i: int) -> str:
        services.rating_submit(
            kind="case",
            subject_uuid=case_uuid,
            level=1 + i % 5,
            tags=["slow"] if i % 5 < 2 else [],
            rater=User.objects.get(pk=citizen.pk),
            channel="web",
        )
        return "ok"

    codes = _codes(run_concurrently(attempt, N))
    assert codes.count("ok") == 1, codes
    assert set(codes) == {"ok", "already_rated"}
    assert Rating.objects.count() == 1
    # A bad winner opened exactly one follow-up; a good one none.
    assert FollowUp.objects.count() == (1 if Rating.objects.get().is_bad else 0)


def test_one_link_used_at_once_from_two_phones_stores_one(world: dict[str, Any]) -> None:
    inv = services.invitation_create(subject=resolve("case", world["case"].uuid))  # type: ignore[arg-type]
    assert inv is not None
    token = services.link_token(inv)

    def attempt(i: int) -> str:
        services.rating_submit(
            kind="case",
            subject_uuid=world["case"].uuid,
            level=5,
            channel="link",
            invitation=services.invitation_from_token(token),
        )
        return "ok"

    codes = _codes(run_concurrently(attempt, N))
    assert codes.count("ok") == 1, codes
    assert set(codes) <= {"ok", "already_rated", "link_used"}
    assert Rating.objects.count() == 1 and Invitation.objects.get().used_at is not None


def test_two_clerks_verify_one_follow_up_at_once(world: dict[str, Any], citizen: Any, approver: Any) -> None:
    r = services.rating_submit(kind="case", subject_uuid=world["case"].uuid, level=2, tags=["slow"], rater=citizen, channel="web")
    fu_pk = r.follow_up.pk

    def attempt(i: int) -> str:
        followups.follow_up_verify(
            follow_up=FollowUp.objects.get(pk=fu_pk), actor=User.objects.get(pk=approver.pk), note=f"回访{i}"
        )
        return "ok"

    codes = _codes(run_concurrently(attempt, N))
    assert codes.count("ok") == 1, codes
    assert set(codes) == {"ok", "wrong_status"}
