"""一次不跑 from cases (F2): trips in person are counted per finished case (one per day), and the
dashboard section shows the shares with zero and with at most one trip."""

from __future__ import annotations

import datetime
from typing import Any

from onewindow.cases import services as svc
from onewindow.cases import visits as stats
from onewindow.cases.models import CaseVisit

from .conftest import all_materials


def _run(mv: Any, applicant: Any, actor: Any, clerk: Any, approver: Any, channel: str, method: str) -> Any:
    case = svc.case_submit(
        applicant=applicant,
        matter_version=mv,
        channel=channel,
        form_data={"address": "值夏镇1号"},
        materials=all_materials(list(mv.materials.all())),
        actor=actor,
    )
    case = svc.case_accept(case=case, actor=clerk)
    for step in case.steps.all():
        svc.step_approve(step=step, actor=approver)
    case = svc.case_decide(case=case, actor=approver, approved=True)
    case = svc.case_conclude(case=case, actor=approver)
    return svc.case_deliver(case=case, actor=clerk, method=method, tracking_number="1100000001" if method == "post" else "")


def test_trips_in_person_are_counted_from_cases(matter_zjj: Any, citizen: Any, clerk: Any, approver: Any) -> None:
    from .conftest import make_route

    make_route(matter=matter_zjj.matter, stages=[[(approver.role_assignments.get().org_unit, "审核", 3, "review")]])
    online = _run(matter_zjj, citizen, citizen, clerk, approver, "online", "electronic")  # 0 trips
    counter = _run(matter_zjj, citizen, clerk, clerk, approver, "counter", "post")  # handed in: 1 trip
    pickup = _run(matter_zjj, citizen, clerk, clerk, approver, "counter", "window")  # + collected (same day: still 1)
    # ...collected on another day: a second trip.
    CaseVisit.objects.filter(case=pickup).update(day=datetime.date(2026, 3, 31))
    svc.case_hand_over(case=pickup, actor=clerk)
    assert [CaseVisit.objects.filter(case=c).count() for c in (online, counter, pickup)] == [0, 1, 2]
    f = stats.visit_figures()
    assert (f["done"], f["zero"], f["at_most_one"]) == (3, 1, 2)
    assert (f["zero_share"], f["at_most_one_share"], f["mean"]) == (33.3, 66.7, 1.0)
    section = stats.visit_section({})
    assert section.key == "visits" and [fig.value for fig in section.figures][:3] == [3, 33.3, 66.7]
    assert stats.visit_figures(date_from=datetime.date(2026, 4, 2))["done"] == 0


def test_an_agents_trip_is_not_the_applicants(matter_zjj: Any, citizen: Any, agent: Any) -> None:
    # The agent channel takes only agent-eligible matters.
    type(matter_zjj).objects.filter(pk=matter_zjj.pk).update(agent_eligible=True)
    matter_zjj.refresh_from_db()
    case = svc.case_submit(
        applicant=citizen,
        matter_version=matter_zjj,
        channel="agent",
        agent=agent,
        form_data={"address": "值夏镇1号"},
        materials=all_materials(list(matter_zjj.materials.all())),
        actor=agent,
    )
    assert not CaseVisit.objects.filter(case=case).exists()
