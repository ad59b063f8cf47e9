"""Rules of a rating, each on a frozen clock: one per service, only the person served, never the
person who delivered it, five levels with the indicator set and tags of the level, the rating
period, corrections appended (never edits), floods throttled, bad input storing nothing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from onewindow.core.errors import ApplicationError
from onewindow.core.models import AuditEntry
from onewindow.ratings import services
from onewindow.ratings.models import FollowUp, Rating
from onewindow.ratings.selectors import counted, rateable_for

from .conftest import rate

pytestmark = pytest.mark.django_db


def test_citizen_rates_a_concluded_case_once(world: dict[str, Any], citizen: Any) -> None:
    case = world["case"]
    r = rate(kind="case", subject_uuid=case.uuid, level=5, rater=citizen, tags=["fast"], indicators={"efficiency": 5})
    assert r.unit == world["org"]["ZJJ"]
    assert r.staff is not None and r.staff.username == "approver_zjj"
    assert r.matter == world["matter"].matter and r.area == world["area"]
    assert r.mode == "window" and r.indicators == {"efficiency": 5, "overall": 5}
    assert AuditEntry.objects.filter(action="rating.create", target_id=str(r.uuid)).exists()
    with pytest.raises(ApplicationError) as exc:
        rate(kind="case", subject_uuid=case.uuid, level=4, rater=citizen)
    assert exc.value.code == "already_rated"
    assert Rating.objects.count() == 1


def test_acceptance_and_ticket_are_separate_services(world: dict[str, Any], citizen: Any, clerk: Any) -> None:
    a = rate(kind="acceptance", subject_uuid=world["case"].uuid, level=4, rater=citizen)
    assert a.unit == world["org"]["XZSP"] and a.staff == clerk
    t = rate(kind="ticket", subject_uuid=world["ticket"].uuid, level=3, rater=citizen, tags=["long_wait"])
    assert t.window == world["w1"] and t.staff == clerk and t.unit == world["org"]["XZSP"]


def test_nobody_rates_a_service_they_delivered(world: dict[str, Any], clerk: Any, approver: Any) -> None:
    for user, kind in ((approver, "case"), (clerk, "acceptance"), (clerk, "case")):
        with pytest.raises(ApplicationError) as exc:
            rate(kind=kind, subject_uuid=world["case"].uuid, level=5, rater=user)
        assert exc.value.code == "own_service"
    assert not Rating.objects.exists()


def test_only_the_person_served_rates(world: dict[str, Any], outsider: Any) -> None:
    with pytest.raises(ApplicationError) as exc:
        rate(kind="case", subject_uuid=world["case"].uuid, level=1, rater=outsider, tags=["slow"])
    assert exc.value.code == "not_served_person"
    assert not Rating.objects.exists()


def test_a_case_not_concluded_cannot_be_rated(world: dict[str, Any], citizen: Any) -> None:
    case = world["case"]
    case.status = "in_review"
    case.save(update_fields=["status"])
    with pytest.raises(ApplicationError) as exc:
        rate(kind="case", subject_uuid=case.uuid, level=5, rater=citizen)
    assert exc.value.code == "not_rateable"


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"level": 6}, "unknown_level"),
        ({"level": 0}, "unknown_level"),
        ({"level": "very good"}, "unknown_level"),
        ({"level": 5, "tags": ["bad_attitude"]}, "unknown_tag"),  # a bad reason on a good level
        ({"level": 5, "tags": "fast"}, "bad_tags"),
        ({"level": 5, "indicators": {"platform": 5}}, "unknown_indicator"),  # online-only, window case
        ({"level": 5, "indicators": {"attitude": 9}}, "unknown_level"),
        ({"level": 1}, "reason_required"),  # a bad rating must say why
        ({"level": 5, "comment": "好" * 501}, "comment_too_long"),
        ({"level": 5, "kind": "spaceship"}, "unknown_kind"),
        ({"level": 5, "channel": "fax"}, "unknown_channel"),
        ({"level": 5, "subject_uuid": "not-a-uuid"}, "not_rateable"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(world: dict[str, Any], citizen: Any, kw: dict[str, Any], code: str) -> None:
    args: dict[str, Any] = {"kind": "case", "subject_uuid": world["case"].uuid, "rater": citizen}
    args.update(kw)
    with pytest.raises(ApplicationError) as exc:
        rate(**args)
    assert exc.value.code == code
    assert not Rating.objects.exists() and not FollowUp.objects.exists()


def test_the_rating_period_ends(world: dict[str, Any], citizen: Any, clock: Any) -> None:
    clock.move_to(world["case"].concluded_at + datetime.timedelta(days=15, minutes=1))
    with pytest.raises(ApplicationError) as exc:
        rate(kind="case", subject_uuid=world["case"].uuid, level=5, rater=citizen)
    assert exc.value.code == "rating_window_closed"
    assert rateable_for(citizen) == []


def test_the_rating_period_is_a_setting(world: dict[str, Any], citizen: Any, clock: Any, settings: Any) -> None:
    settings.ONEWINDOW_RATINGS = {"rate_within_days": 30}
    clock.move_to(world["case"].concluded_at + datetime.timedelta(days=20))
    assert rate(kind="case", subject_uuid=world["case"].uuid, level=5, rater=citizen).level == 5


def test_rateable_list_leaves_out_what_was_rated(world: dict[str, Any], citizen: Any) -> None:
    kinds = {(s.kind, s.uuid) for s in rateable_for(citizen)}
    assert ("case", world["case"].uuid) in kinds and ("ticket", world["ticket"].uuid) in kinds
    rate(kind="case", subject_uuid=world["case"].uuid, level=5, rater=citizen)
    assert ("case", world["case"].uuid) not in {(s.kind, s.uuid) for s in rateable_for(citizen)}


def test_a_correction_is_a_new_row_and_the_figures_read_it(world: dict[str, Any], citizen: Any) -> None:
    first = rate(kind="case", subject_uuid=world["case"].uuid, level=2, rater=citizen, tags=["slow"])
    fixed = services.rating_correct(rating=first, rater=citizen, level=4, tags=["fast"], channel="web")
    first.refresh_from_db()
    assert first.level == 2 and fixed.corrects == first  # the original is untouched
    assert list(counted().values_list("level", flat=True)) == [4]
    with pytest.raises(ApplicationError) as exc:
        services.rating_correct(rating=first, rater=citizen, level=5, channel="web")
    assert exc.value.code == "already_corrected"
    with pytest.raises(ApplicationError) as exc:
        services.rating_correct(rating=fixed, rater=citizen, level=5, channel="web")
    assert exc.value.code == "wrong_status"
    assert Rating.objects.count() == 2


def test_only_the_rater_corrects(world: dict[str, Any], citizen: Any, outsider: Any) -> None:
    first = rate(kind="case", subject_uuid=world["case"].uuid, level=4, rater=citizen)
    with pytest.raises(ApplicationError) as exc:
        services.rating_correct(rating=first, rater=outsider, level=1, tags=["slow"], channel="web")
    assert exc.value.code == "not_served_person"


def test_a_flood_from_one_account_is_throttled(world: dict[str, Any], citizen: Any, settings: Any) -> None:
    settings.ONEWINDOW_RATINGS = {"per_account_per_hour": 1}
    rate(kind="case", subject_uuid=world["case"].uuid, level=5, rater=citizen)
    with pytest.raises(ApplicationError) as exc:
        rate(kind="acceptance", subject_uuid=world["case"].uuid, level=5, rater=citizen)
    assert exc.value.code == "too_many_ratings" and exc.value.status == 429
    assert Rating.objects.count() == 1


def test_a_flood_from_one_address_is_throttled(world: dict[str, Any], citizen: Any, settings: Any, clock: Any) -> None:
    settings.ONEWINDOW_RATINGS = {"per_address_per_hour": 1}
    r = rate(kind="case", subject_uuid=world["case"].uuid, level=5, rater=citizen, client_ip="10.0.0.9")
    assert r.client_key and "10.0.0.9" not in r.client_key
    with pytest.raises(ApplicationError) as exc:
        rate(kind="ticket", subject_uuid=world["ticket"].uuid, level=5, rater=citizen, client_ip="10.0.0.9")
    assert exc.value.code == "too_many_ratings"
    clock.move_to(datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(minutes=61))
    assert rate(kind="ticket", subject_uuid=world["ticket"].uuid, level=5, rater=citizen, client_ip="10.0.0.9")


def test_masked_names() -> None:
    assert services.masked_name("刘秀英") == "刘*英"
    assert services.masked_name("张三") == "张*"
    assert services.masked_name("欧阳娜娜") == "欧**娜"
    assert services.masked_name("") == "*"
