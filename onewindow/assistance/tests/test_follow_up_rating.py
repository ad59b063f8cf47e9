"""回访 feeds 好差评: the satisfaction the point records after a case ended becomes the resident's
rating of the case (channel 代办回访), once. If the resident rated the case already, the follow-up
keeps its satisfaction and no second rating is stored; a bad one opens the 差评 follow-up."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine

from onewindow.assistance import services
from onewindow.assistance.models import AgentApplication, FollowUp
from onewindow.core.errors import ApplicationError
from onewindow.ratings import services as rating_services
from onewindow.ratings.models import FollowUp as RatingFollowUp
from onewindow.ratings.models import Rating
from onewindow.ratings.recorded import follow_up_rating

from .test_applications import file_case
from .test_followthrough import _conclude

pytestmark = pytest.mark.django_db


@pytest.fixture
def approver_clh(depts: Any) -> Any:
    from conftest import make_user

    return make_user("approver_clh", "approver", depts["CLH"])


@pytest.fixture
def concluded(mandate: Any, agent: Any, resident: Any, matters: Any, clerk: Any, approver_clh: Any) -> AgentApplication:
    app = file_case(agent, resident, matters["disability"], deliver_at_point=False)
    assert app.case is not None
    _conclude(app.case, clerk, approver_clh)
    app.refresh_from_db()
    return app


def test_follow_up_becomes_the_residents_rating_of_the_case(concluded: AgentApplication, agent: Any, resident: Any) -> None:
    assert concluded.case is not None
    services.follow_up_record(actor=agent, application=concluded, method="phone", satisfaction=4, comment="很方便")
    rating = Rating.objects.get()
    assert (rating.kind, rating.subject_uuid, rating.channel) == ("case", concluded.case.uuid, "followup")
    assert (rating.rater, rating.level, rating.comment, rating.real_name) == (resident, 4, "很方便", True)
    assert rating.unit == concluded.case.department
    assert follow_up_rating(concluded.case.uuid) == rating
    # The case is rated now: the resident cannot rate it a second time.
    with pytest.raises(ApplicationError) as exc:
        rating_services.rating_submit(kind="case", subject_uuid=concluded.case.uuid, level=5, rater=resident, channel="web")
    assert exc.value.code == "already_rated"
    assert Rating.objects.count() == 1


def test_resident_rated_first_follow_up_kept_but_no_second_rating(concluded: AgentApplication, agent: Any, resident: Any) -> None:
    assert concluded.case is not None
    own = rating_services.rating_submit(kind="case", subject_uuid=concluded.case.uuid, level=5, rater=resident, channel="web")
    fu = services.follow_up_record(actor=agent, application=concluded, method="visit", satisfaction=2, comment="等太久")
    assert FollowUp.objects.get(pk=fu.pk).satisfaction == 2
    assert list(Rating.objects.all()) == [own]
    assert follow_up_rating(concluded.case.uuid) is None
    assert not RatingFollowUp.objects.exists()


def test_bad_follow_up_opens_the_bad_rating_follow_up(concluded: AgentApplication, agent: Any) -> None:
    assert concluded.case is not None
    with pytest.raises(ApplicationError) as exc:  # a 差评 must say what went wrong, for the unit to fix it
        services.follow_up_record(actor=agent, application=concluded, method="phone", satisfaction=1)
    assert exc.value.code == "reason_required"
    assert not FollowUp.objects.exists() and not Rating.objects.exists()
    services.follow_up_record(actor=agent, application=concluded, method="phone", satisfaction=1, comment="材料被退回两次")
    rating = Rating.objects.get()
    fu = RatingFollowUp.objects.get(rating=rating)
    assert fu.unit == concluded.case.department and fu.status == "open"


def test_follow_up_after_the_rating_period_is_kept_without_rating(concluded: AgentApplication, agent: Any) -> None:
    assert concluded.case is not None and concluded.case.concluded_at is not None
    with time_machine.travel(concluded.case.concluded_at + datetime.timedelta(days=40), tick=False):
        services.follow_up_record(actor=agent, application=concluded, method="phone", satisfaction=3)
    assert FollowUp.objects.count() == 1 and not Rating.objects.exists()


def test_rating_failure_rolls_back_the_follow_up(concluded: AgentApplication, agent: Any, monkeypatch: Any) -> None:
    """One transaction: a follow-up is never stored with its rating half-written."""
    from onewindow.ratings import services as rs

    def boom(*a: Any, **k: Any) -> None:
        raise RuntimeError("audit down")

    monkeypatch.setattr(rs, "audit", boom)
    with pytest.raises(RuntimeError):
        services.follow_up_record(actor=agent, application=concluded, method="phone", satisfaction=4)
    assert not FollowUp.objects.exists() and not Rating.objects.exists()
