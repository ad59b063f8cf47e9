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


@pytest.mark.postgres
def test_a_burst_of_ratings_from_one_account_stops_at_the_hourly_limit(
    world: dict[str, Any], citizen: Any, clerk: Any, approver: Any, settings: Any
) -> None:
    """Eight different services of one person rated at the same moment with a limit of 3: exactly
    three are stored. Counting stored ratings and then inserting let all eight through."""
    from .conftest import conclude, make_case

    settings.ONEWINDOW_RATINGS = {"per_account_per_hour": 3}
    cases = [
        conclude(
            make_case(
                matter=world["matter"],
                applicant=citizen,
                dept=world["org"]["ZJJ"],
                intake=world["org"]["XZSP"],
                number=f"QY2026040110{i}",
            ),
            clerk=clerk,
            approver=approver,
        )
        for i in range(N)
    ]
    uuids = [c.uuid for c in cases]

    def attempt(i: int) -> str:
        services.rating_submit(kind="case", subject_uuid=uuids[i], level=5, rater=User.objects.get(pk=citizen.pk), channel="web")
        return "ok"

    codes = _codes(run_concurrently(attempt, N))
    assert codes.count("ok") == 3, codes
    assert set(codes) == {"ok", "too_many_ratings"}
    assert Rating.objects.count() == 3


@pytest.mark.postgres
def test_a_burst_from_one_address_stops_at_the_hourly_limit(
    world: dict[str, Any], citizen: Any, clerk: Any, approver: Any, settings: Any
) -> None:
    """The same for one client address, each rating by a different person."""
    from .conftest import conclude, make_case

    settings.ONEWINDOW_RATINGS = {"per_address_per_hour": 2}

    people = [User.objects.create_user(username=f"burst{i}", password="x", display_name=f"居民{i}") for i in range(N)]
    uuids = [
        conclude(
            make_case(
                matter=world["matter"],
                applicant=p,
                dept=world["org"]["ZJJ"],
                intake=world["org"]["XZSP"],
                number=f"QY2026040120{i}",
            ),
            clerk=clerk,
            approver=approver,
        ).uuid
        for i, p in enumerate(people)
    ]

    def attempt(i: int) -> str:
        services.rating_submit(
            kind="case",
            subject_uuid=uuids[i],
            level=4,
            rater=User.objects.get(pk=people[i].pk),
            channel="web",
            client_ip="10.1.2.3",
        )
        return "ok"

    codes = _codes(run_concurrently(attempt, N))
    assert codes.count("ok") == 2, codes
    assert Rating.objects.count() == 2
