"""Forwarding clock for paper materials (hand-over signed, yellow and red cards by the sweep), the
result delivered at the point with the resident's signature, and the follow-up (回访)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from onewindow.assistance import selectors, services
from onewindow.assistance.models import AgentApplication, FollowUp, MaterialForwarding
from onewindow.cases import services as case_services
from onewindow.cases.models import Case
from onewindow.core.errors import ApplicationError, PermissionDenied
from onewindow.core.models import Notification

from .conftest import signature_png
from .test_applications import file_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def app(mandate: Any, agent: Any, resident: Any, matters: Any) -> AgentApplication:
    return file_case(agent, resident, matters["disability"], deliver_at_point=True)


def matters_code(app: AgentApplication) -> str:
    assert app.matter is not None
    return app.matter.code


def test_hand_over_recorded_and_signed(app: AgentApplication, agent: Any, clerk: Any, other_agent: Any, outsider: Any) -> None:
    fwd = app.forwarding
    with pytest.raises(PermissionDenied) as denied:
        services.forwarding_send(actor=other_agent, forwarding=fwd)
    assert denied.value.code == "not_agent_of_point"
    with pytest.raises(ApplicationError) as exc:
        services.forwarding_receive(actor=clerk, forwarding=fwd)
    assert exc.value.code == "not_sent"
    fwd = services.forwarding_send(actor=agent, forwarding=fwd, carrier="胡桂兰")
    assert fwd.sent_by == agent and fwd.carrier == "胡桂兰"
    with pytest.raises(ApplicationError) as exc:
        services.forwarding_send(actor=agent, forwarding=fwd)
    assert exc.value.code == "already_sent"
    with pytest.raises(PermissionDenied) as denied:
        services.forwarding_receive(actor=outsider, forwarding=fwd)
    assert denied.value.code == "permission_denied"
    fwd = services.forwarding_receive(actor=clerk, forwarding=fwd)  # the district hall's clerk (case not delegated)
    assert fwd.received_by == clerk and fwd.received_at is not None and not fwd.is_late(fwd.received_at.date())
    with pytest.raises(ApplicationError) as exc:
        services.forwarding_receive(actor=clerk, forwarding=fwd)
    assert exc.value.code == "already_received"


def test_sweep_raises_yellow_then_red_once(app: AgentApplication, points: Any, settings: Any) -> None:
    fwd = app.forwarding
    assert fwd.due_on == datetime.date(2026, 4, 7)
    assert services.sweep_forwarding(today=datetime.date(2026, 4, 2)) == 0
    assert services.sweep_forwarding(today=datetime.date(2026, 4, 3)) == 1  # one working day left (4-7)
    fwd.refresh_from_db()
    assert fwd.warning == "yellow"
    assert services.sweep_forwarding(today=datetime.date(2026, 4, 3)) == 0  # idempotent
    assert services.sweep_forwarding(today=datetime.date(2026, 4, 8)) == 1
    fwd.refresh_from_db()
    assert fwd.warning == "red" and fwd.is_late(datetime.date(2026, 4, 8))
    assert services.sweep_forwarding(today=datetime.date(2026, 4, 9)) == 0
    kinds = Notification.objects.filter(recipient=points["ZXSQ"].phone, kind="assistance.forward_warning")
    assert kinds.count() == 2


def test_forward_days_is_a_setting(mandate: Any, agent: Any, resident: Any, matters: Any, settings: Any) -> None:
    settings.ONEWINDOW_ASSISTANCE = {"forward_days": 5}
    app = file_case(agent, resident, matters["medical"])
    assert app.forwarding.due_on == datetime.date(2026, 4, 9)


def _conclude(case: Case, clerk: Any, approver_clh: Any) -> Case:
    case = case_services.case_accept(case=case, actor=clerk)
    for step in case.steps.filter(status="open"):
        case_services.step_approve(step=step, actor=approver_clh)
    case = case_services.case_decide(case=case, actor=approver_clh, approved=True)
    return case_services.case_conclude(case=case, actor=clerk)


@pytest.fixture
def approver_clh(depts: Any) -> Any:
    from conftest import make_user

    return make_user("approver_clh", "approver", depts["CLH"])


def test_result_delivered_at_the_point_then_followed_up(
    app: AgentApplication, agent: Any, agent2: Any, clerk: Any, approver_clh: Any, resident: Any
) -> None:
    assert app.case is not None
    with pytest.raises(ApplicationError) as exc:
        services.follow_up_record(actor=agent, application=app, method="phone", satisfaction=5)
    assert exc.value.code == "case_not_ended"
    _conclude(app.case, clerk, approver_clh)
    with pytest.raises(ApplicationError) as exc:
        services.result_deliver(actor=agent, application=app, receiver_name="", signature=signature_png(ink=False))
    assert exc.value.code == "signature_blank"
    delivery = services.result_deliver(actor=agent2, application=app, receiver_name="", signature=signature_png())
    app.case.refresh_from_db()
    assert app.case.status == Case.Status.DELIVERED and app.case.delivery_method == "agent_point"
    assert delivery.receiver_name == resident.display_name and len(delivery.signature_sha256) == 64
    bad: int | str
    for bad in (0, 6, "x"):
        with pytest.raises(ApplicationError) as exc:
            services.follow_up_record(actor=agent, application=app, method="phone", satisfaction=bad)
        assert exc.value.code == "bad_satisfaction"
    fu = services.follow_up_record(actor=agent, application=app, method="visit", satisfaction=4, comment="很方便")
    with pytest.raises(ApplicationError) as exc:
        services.follow_up_record(actor=agent, application=app, method="phone", satisfaction=5)
    assert exc.value.code == "already_followed_up"
    assert FollowUp.objects.count() == 1
    rows = list(selectors.follow_ups_for_ratings())
    assert rows == [
        {
            "case_uuid": app.case.uuid,
            "case_number": app.case.number,
            "matter": matters_code(app),
            "point": app.point.village.code,
            "satisfaction": 4,
            "method": "visit",
            "at": fu.at,
            "comment": "很方便",
        }
    ]


def test_delivery_only_where_the_resident_chose_it(
    mandate: Any, agent: Any, resident: Any, matters: Any, clerk: Any, depts: Any
) -> None:
    from conftest import make_user

    approver_ybj = make_user("approver_ybj", "approver", depts["YBJ"])
    app = file_case(agent, resident, matters["medical"], deliver_at_point=False)
    assert app.case is not None
    _conclude(app.case, clerk, approver_ybj)
    with pytest.raises(ApplicationError) as exc:
        services.result_deliver(actor=agent, application=app, receiver_name="", signature=signature_png())
    assert exc.value.code == "not_delivered_at_point"


def test_agent_cannot_deliver_other_cases(
    mandate: Any, agent: Any, resident: Any, matters: Any, clerk: Any, citizen: Any
) -> None:
    """The case service's new delivery method is open to the resident's village agents only."""
    from onewindow.cases.services import case_submit

    case = case_submit(
        applicant=citizen,
        matter_version=matters["medical"].current_version,
        channel="online",
        form_data={},
        materials=[],
        actor=citizen,
    )
    Case.objects.filter(pk=case.pk).update(status=Case.Status.CONCLUDED)
    case.refresh_from_db()
    with pytest.raises(PermissionDenied) as denied:
        case_services.case_deliver(case=case, actor=agent, method="agent_point")
    assert denied.value.code == "permission_denied"
    with pytest.raises(PermissionDenied) as denied:  # staff deliver at their window, not "at the agent point" unsigned
        case_services.case_deliver(case=case, actor=clerk, method="agent_point")
    assert denied.value.code == "permission_denied"


def test_sweep_closes_ended_applications(app: AgentApplication) -> None:
    Case.objects.filter(agent_application=app).update(status=Case.Status.REFUSED)
    services.sweep_forwarding(today=datetime.date(2026, 4, 2))
    app.refresh_from_db()
    assert app.closed_at is not None
    assert MaterialForwarding.objects.count() == 1
