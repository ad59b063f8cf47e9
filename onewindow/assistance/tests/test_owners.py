"""The agent service's waiting work has exactly one owner in every state, and sits in exactly one
work list: paper materials to send (the point's agents), sent materials to sign for (the accepting
unit), a result to hand over at the point (the point's agents, not the front desk)."""

from __future__ import annotations

from typing import Any

import pytest

from onewindow.assistance import selectors, services
from onewindow.assistance.models import AgentApplication
from onewindow.cases import owners as case_owners
from onewindow.cases.models import Case
from onewindow.core import ownership

from .conftest import signature_png
from .test_applications import file_case
from .test_followthrough import _conclude

pytestmark = pytest.mark.django_db


@pytest.fixture
def approver_clh(depts: Any) -> Any:
    from conftest import make_user

    return make_user("approver_clh", "approver", depts["CLH"])


def _one(obj: Any) -> ownership.Waiting:
    items = ownership.waiting_for(obj)
    assert len(items) == 1, items
    assert not items[0].problem, items[0].problem
    return items[0]


def _forwarding_lists(f: Any, point: Any, clerk: Any) -> list[str]:
    found = []
    if f in selectors.waiting_for(point).to_forward:
        found.append("agents")
    if selectors.to_sign_for(clerk).filter(pk=f.pk).exists():
        found.append("clerk")
    return found


def test_forwarding_every_state_one_owner(mandate: Any, agent: Any, resident: Any, matters: Any, clerk: Any, points: Any) -> None:
    app = file_case(agent, resident, matters["disability"])
    f = app.forwarding
    point = points["ZXSQ"]

    w = _one(f)
    assert (w.action, w.owner.unit, w.due) == ("forward", point.village, f.due_on)  # type: ignore[union-attr]
    assert _forwarding_lists(f, point, clerk) == ["agents"]

    f = services.forwarding_send(actor=agent, forwarding=f)
    w = _one(f)
    assert (w.action, w.owner.unit) == ("receive", f.to_unit)  # type: ignore[union-attr]
    assert _forwarding_lists(f, point, clerk) == ["clerk"]
    assert f in selectors.waiting_for(point).in_transit  # the agent still sees where it is

    f = services.forwarding_receive(actor=clerk, forwarding=f)
    assert ownership.waiting_for(f) == [] and _forwarding_lists(f, point, clerk) == []
    assert not [w for w in ownership.all_waiting() if w.key.startswith("agent-forwarding:")]


def test_a_village_without_agents_holds_nothing(mandate: Any, agent: Any, resident: Any, matters: Any) -> None:
    app = file_case(agent, resident, matters["disability"])
    agent.role_assignments.all().delete()
    found = [w.key for w in ownership.problems() if w.key.startswith("agent-forwarding:")]
    assert found == [f"agent-forwarding:{app.forwarding.uuid}:forward"]


def test_result_at_the_point_is_the_agents_not_the_front_desk(
    mandate: Any, agent: Any, resident: Any, matters: Any, clerk: Any, approver_clh: Any, points: Any
) -> None:
    app = file_case(agent, resident, matters["disability"], deliver_at_point=True)
    case = app.case
    assert case is not None and case.delivery_method == Case.Delivery.AGENT_POINT
    case = _conclude(case, clerk, approver_clh)
    w = _one(case)
    assert (w.action, w.owner.unit, w.url) == ("deliver_point", points["ZXSQ"].village, "/assistance/")  # type: ignore[union-attr]
    assert app in selectors.waiting_for(points["ZXSQ"]).to_deliver
    assert not case_owners.unit_lists(clerk)["deliver"].filter(pk=case.pk).exists()

    services.result_deliver(
        actor=agent, application=AgentApplication.objects.get(pk=app.pk), receiver_name="", signature=signature_png()
    )
    case.refresh_from_db()
    assert case.status == Case.Status.DELIVERED and ownership.waiting_for(case) == []


def test_result_not_at_the_point_stays_with_the_front_desk(
    mandate: Any, agent: Any, resident: Any, matters: Any, clerk: Any, approver_clh: Any, points: Any
) -> None:
    app = file_case(agent, resident, matters["disability"], deliver_at_point=False)
    assert app.case is not None and app.case.delivery_method == ""
    case = _conclude(app.case, clerk, approver_clh)
    w = _one(case)
    assert (w.action, w.owner.unit) == ("deliver", case.intake_unit)  # type: ignore[union-attr]
    assert case_owners.unit_lists(clerk)["deliver"].filter(pk=case.pk).exists()
    assert app not in selectors.waiting_for(points["ZXSQ"]).to_deliver
