"""Every waiting state of a 差评 follow-up and of an appeal has exactly one owner, and the thing is
in exactly one work list: the delivering unit's (verify, reply), the person's (confirm or
dispute), the hall manager's (an appeal). Driven through every status by the services."""

from __future__ import annotations

from typing import Any

import pytest

from onewindow.core import ownership
from onewindow.ratings import followups, selectors
from onewindow.ratings.models import Appeal, FollowUp

from .conftest import rate

pytestmark = pytest.mark.django_db


def _lists(fu: FollowUp, people: dict[str, Any]) -> list[str]:
    """The personas whose work list holds the follow-up."""
    found = [name for name, user in people.items() if selectors.follow_ups_to_act(user).filter(pk=fu.pk).exists()]
    found += [f"{name}:answer" for name, user in people.items() if selectors.follow_ups_to_answer(user).filter(pk=fu.pk).exists()]
    return found


def _one(obj: Any) -> ownership.Waiting:
    items = ownership.waiting_for(obj)
    assert len(items) == 1, items
    w = items[0]
    assert not w.problem, w.problem
    return w


def test_each_follow_up_state_has_one_owner_in_one_list(
    world: dict[str, Any], citizen: Any, approver: Any, clerk: Any, outsider: Any, hall_manager: Any
) -> None:
    people = {"approver_zjj": approver, "clerk_xzsp": clerk, "citizen": citizen, "outsider": outsider}
    r = rate(kind="case", subject_uuid=world["case"].uuid, level=1, rater=citizen, tags=["slow"])
    fu = r.follow_up
    seen = set()

    w = _one(fu)
    assert (w.action, w.owner.unit, w.due) == ("verify", world["org"]["ZJJ"], fu.verify_due)  # type: ignore[union-attr]
    assert _lists(fu, people) == ["approver_zjj"]
    seen.add(fu.status)

    fu = followups.follow_up_verify(follow_up=fu, actor=approver, note="已电话联系")
    w = _one(fu)
    assert (w.action, w.owner.unit, w.due) == ("reply", world["org"]["ZJJ"], fu.reply_due)  # type: ignore[union-attr]
    assert _lists(fu, people) == ["approver_zjj"]
    seen.add(fu.status)

    fu = followups.follow_up_reply(follow_up=fu, actor=approver, reply="已简化流程")
    w = _one(fu)
    assert w.action == "answer" and w.owner is not None and w.owner.applicant == citizen and w.url == ""
    assert _lists(fu, people) == ["citizen:answer"]
    seen.add(fu.status)

    fu = followups.follow_up_respond(follow_up=fu, confirmed=True, person=citizen)
    assert ownership.waiting_for(fu) == [] and _lists(fu, people) == []
    seen.add(fu.status)
    assert seen == {"open", "verified", "replied", "confirmed"}
    assert not [w for w in ownership.all_waiting() if w.key.startswith("rating-")]


def test_a_pending_appeal_is_the_hall_managers_and_the_clock_stays_the_units(
    world: dict[str, Any], citizen: Any, approver: Any, hall_manager: Any
) -> None:
    r = rate(kind="case", subject_uuid=world["case"].uuid, level=2, rater=citizen, tags=["slow"])
    appeal = followups.appeal_file(rating=r, actor=approver, reason="恶意评价", evidence="通话录音")
    w = _one(appeal)
    assert w.action == "appeal" and w.owner is not None and w.owner.unit == world["org"]["XZSP"]
    assert list(selectors.appeals_pending(hall_manager)) == [appeal]
    assert _one(r.follow_up).action == "verify"  # the unit's clock runs on while the appeal waits
    keys = sorted(w.key.split(":")[0] for w in ownership.all_waiting() if w.key.startswith("rating-"))
    assert keys == ["rating-appeal", "rating-follow-up"]

    appeal = followups.appeal_decide(appeal=appeal, actor=hall_manager, upheld=True, note="成立")
    assert ownership.waiting_for(appeal) == []
    fu = FollowUp.objects.get(pk=r.follow_up.pk)
    assert fu.status == FollowUp.Status.WITHDRAWN and ownership.waiting_for(fu) == []
    assert not ownership.problems()


def test_nobody_to_handle_is_reported(world: dict[str, Any], citizen: Any, approver: Any) -> None:
    """A unit without anyone who handles follow-ups, and an appeal with no hall manager or
    administrator anywhere, wait for nobody: the check says so."""
    r = rate(kind="case", subject_uuid=world["case"].uuid, level=1, rater=citizen, tags=["slow"])
    followups.appeal_file(rating=r, actor=approver, reason="误评", evidence="记录")
    approver.role_assignments.all().delete()
    found = {w.key.split(":")[0]: w.problem for w in ownership.problems() if w.key.startswith("rating-")}
    assert set(found) == {"rating-follow-up", "rating-appeal"}
    assert Appeal.objects.count() == 1
