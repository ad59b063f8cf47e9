"""The `agent` channel: filing a case or a booking for a resident under a mandate; every refusal
stores nothing; the case lands at the right unit for each routing combination."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from onewindow.accounts.demo import resident_id
from onewindow.assistance import services
from onewindow.assistance.models import AgentApplication, Mandate, MaterialForwarding
from onewindow.cases.models import Case
from onewindow.cases.services import MaterialInput
from onewindow.catalog.models import Delegation, Matter
from onewindow.core.errors import ApplicationError, PermissionDenied, ValidationFailed
from onewindow.core.models import Notification

from .conftest import TODAY, record

pytestmark = pytest.mark.django_db


def paper(matter: Matter) -> list[MaterialInput]:
    assert matter.current_version is not None
    return [MaterialInput(requirement=r, paper=True) for r in matter.current_version.materials.all()]


def file_case(agent: Any, resident: Any, matter: Matter, **kw: Any) -> AgentApplication:
    return services.agent_file_case(actor=agent, resident=resident, matter=matter, form_data={}, materials=paper(matter), **kw)


def test_agent_files_a_case_for_the_resident(mandate: Mandate, agent: Any, resident: Any, matters: Any, points: Any) -> None:
    app = file_case(agent, resident, matters["disability"], deliver_at_point=True)
    case = app.case
    assert case is not None
    assert (case.channel, case.applicant, case.agent) == ("agent", resident, agent)
    assert (app.point, app.mandate, app.deliver_at_point) == (points["ZXSQ"], mandate, True)
    # Notices: the resident (the case's own and the agent service's) and the point.
    assert Notification.objects.filter(user=resident, kind="assistance.filed").exists()
    assert Notification.objects.filter(user=resident, kind="case.submitted").exists()
    assert Notification.objects.filter(recipient=points["ZXSQ"].phone, kind="assistance.filed").exists()
    # Paper originals collected: the forwarding clock runs (3 working days after 2026-04-01).
    fwd = app.forwarding
    assert fwd.items == ["居民身份证", "申请表"]
    assert fwd.to_unit == case.intake_unit
    assert fwd.due_on == datetime.date(2026, 4, 7)  # 4-2, 4-3 (Thu, Fri), Qingming 4-4..4-6 off, 4-7


def test_another_agent_of_the_point_acts_under_the_same_mandate(
    mandate: Mandate, agent2: Any, resident: Any, matters: Any
) -> None:
    app = file_case(agent2, resident, matters["medical"])
    assert app.mandate == mandate and app.agent == agent2


def _nothing_stored() -> None:
    assert not Case.objects.exists()
    assert not AgentApplication.objects.exists()
    assert not MaterialForwarding.objects.exists()


def test_refused_without_mandate(agent: Any, resident: Any, matters: Any, points: Any) -> None:
    with pytest.raises(PermissionDenied) as exc:
        file_case(agent, resident, matters["disability"])
    assert exc.value.code == "no_mandate"
    _nothing_stored()


def test_refused_outside_the_mandates_scope(agent: Any, resident: Any, matters: Any, points: Any) -> None:
    record(agent, points["ZXSQ"], resident, matters=[matters["medical"]])
    with pytest.raises(PermissionDenied) as exc:
        file_case(agent, resident, matters["disability"])
    assert exc.value.code == "no_mandate"
    _nothing_stored()


def test_refused_after_revocation_but_filed_cases_go_on(mandate: Mandate, agent: Any, resident: Any, matters: Any) -> None:
    app = file_case(agent, resident, matters["disability"])
    services.mandate_revoke(actor=resident, mandate=mandate)
    with pytest.raises(PermissionDenied) as exc:
        file_case(agent, resident, matters["medical"])
    assert exc.value.code == "no_mandate"
    assert Case.objects.count() == 1
    assert Case.objects.get(agent_application=app).status == Case.Status.SUBMITTED


def test_refused_for_a_matter_not_agent_eligible(mandate: Mandate, agent: Any, resident: Any, matters: Any) -> None:
    with pytest.raises(ValidationFailed) as exc:
        file_case(agent, resident, matters["not_eligible"])
    assert exc.value.code == "not_agent_eligible"
    _nothing_stored()


def test_refused_for_a_resident_of_another_village(
    mandate: Mandate, other_agent: Any, resident: Any, matters: Any, agent: Any, outsider: Any
) -> None:
    with pytest.raises(PermissionDenied) as exc:
        file_case(other_agent, resident, matters["disability"])
    assert exc.value.code == "other_village"
    with pytest.raises(PermissionDenied) as exc:
        file_case(agent, outsider, matters["disability"])  # no registered village at all
    assert exc.value.code == "other_village"
    _nothing_stored()


def test_refused_for_someone_who_is_not_an_agent(mandate: Mandate, clerk: Any, resident: Any, matters: Any) -> None:
    with pytest.raises(PermissionDenied) as denied:
        file_case(clerk, resident, matters["disability"])
    assert denied.value.code == "permission_denied"
    _nothing_stored()


def test_second_filing_for_the_same_matter_refused_until_the_case_ends(
    mandate: Mandate, agent: Any, agent2: Any, resident: Any, matters: Any
) -> None:
    app = file_case(agent, resident, matters["disability"])
    with pytest.raises(ApplicationError) as exc:
        file_case(agent2, resident, matters["disability"])
    assert exc.value.code == "already_filed"
    assert Case.objects.count() == 1
    Case.objects.filter(agent_application=app).update(status=Case.Status.REFUSED)
    again = file_case(agent2, resident, matters["disability"])
    assert again.case_id != app.case_id
    app.refresh_from_db()
    assert app.closed_at is not None


# --- routing (the contract of cases.routing: delegated -> the township, else the district) --------


def _delegate(matter: Matter, township: Any, **kw: Any) -> Delegation:
    return Delegation.objects.create(
        matter=matter, township=township, effective_on=kw.pop("effective_on", datetime.date(2021, 5, 1)), **kw
    )


@pytest.mark.parametrize(
    ("delegation", "expect"),
    [
        ("none", "district"),
        ("own_township", "township"),
        ("other_township", "district"),
        ("own_township_revoked", "district"),
        ("own_township_future", "district"),
    ],
)
def test_intake_unit_for_every_combination(
    delegation: str, expect: str, mandate: Mandate, agent: Any, resident: Any, matters: Any, org: Any
) -> None:
    matter = matters["disability"]
    if delegation == "own_township":
        _delegate(matter, org["ZXZ"])
    elif delegation == "other_township":
        _delegate(matter, org["FTZ"])
    elif delegation == "own_township_revoked":
        _delegate(matter, org["ZXZ"], revoked_on=TODAY - datetime.timedelta(days=1))
    elif delegation == "own_township_future":
        _delegate(matter, org["ZXZ"], effective_on=TODAY + datetime.timedelta(days=30))
    case = file_case(agent, resident, matter).case
    assert case is not None
    if expect == "township":
        assert case.intake_unit == org["ZXZ"]
        assert case.department == org["ZXZ"]
    else:
        assert case.department == matter.department
        assert case.intake_unit == org["gov"]  # the district hall (run by the government)
    assert case.agent_application.forwarding.to_unit == case.intake_unit


@pytest.mark.parametrize("point_township", ["ZXZ", "FTZ"])
@pytest.mark.parametrize("delegated_to", [(), ("ZXZ",), ("FTZ",), ("ZXZ", "FTZ")])
def test_routing_delegated_or_not_by_the_township_of_the_point(
    point_township: str, delegated_to: tuple[str, ...], agent: Any, other_agent: Any, points: Any, matters: Any, org: Any
) -> None:
    """Every combination of (delegated to no / this / the other / both townships) × (intake at a
    point of 值夏镇 / of 富滩镇): the township of the point takes in and decides a matter delegated
    to it; anything else goes to the district hall and the matter's department."""
    from conftest import make_user

    matter = matters["disability"]
    for code in delegated_to:
        _delegate(matter, org[code])
    village, actor, point = (
        (org["ZXSQ"], agent, points["ZXSQ"]) if point_township == "ZXZ" else (org["FTC"], other_agent, points["FTC"])
    )
    person = make_user("r_" + point_township, "citizen", id_number=resident_id("19500101", 12), home_unit=village)
    record(actor, point, person)
    case = file_case(actor, person, matter).case
    assert case is not None
    if point_township in delegated_to:
        assert case.intake_unit == case.department == org[point_township]
    else:
        assert (case.intake_unit, case.department) == (org["gov"], matter.department)
    assert case.agent_application.forwarding.to_unit == case.intake_unit


def test_township_officer_takes_in_a_delegated_agent_case(
    mandate: Mandate, agent: Any, resident: Any, matters: Any, org: Any, township_officer: Any
) -> None:
    from onewindow.cases import services as case_services

    _delegate(matters["disability"], org["ZXZ"])
    case = file_case(agent, resident, matters["disability"]).case
    assert case is not None
    case = case_services.case_accept(case=case, actor=township_officer)
    assert case.status == Case.Status.IN_REVIEW


# --- bookings and the 低保 link --------------------------------------------------------------------


def test_agent_books_under_a_mandate_and_is_refused_without(
    agent: Any, resident: Any, matters: Any, points: Any, org: Any
) -> None:
    from onewindow.appointments.models import SessionKind, SessionRule, Slot
    from onewindow.appointments.scheduling import ensure_slots
    from onewindow.hall.models import ServiceArea, ServicePoint

    hall = ServicePoint.objects.create(org_unit=org["ZXZ"], code="ZXZBM", name="值夏镇便民服务中心")
    area = ServiceArea.objects.create(
        point=hall, code="ZXZ1", name="便民服务区", theme=ServiceArea.Theme.TOWNSHIP, ticket_prefix="Z"
    )
    SessionRule.objects.create(
        area=area,
        kind=SessionKind.REGULAR,
        weekdays="01234",
        start=datetime.time(9),
        end=datetime.time(12),
        slot_minutes=30,
        capacity=2,
    )
    matter = matters["medical"]
    Matter.objects.filter(pk=matter.pk).update(service_area=area)
    matter.refresh_from_db()
    ensure_slots([area.pk], TODAY, TODAY + datetime.timedelta(days=7))
    slot = Slot.objects.filter(area=area, date=TODAY + datetime.timedelta(days=1)).order_by("starts_at").first()
    with pytest.raises(PermissionDenied) as exc:
        services.agent_book(actor=agent, resident=resident, matter=matter, slot=slot)
    assert exc.value.code == "no_mandate"
    record(agent, points["ZXSQ"], resident)
    app = services.agent_book(actor=agent, resident=resident, matter=matter, slot=slot)
    assert app.booking is not None
    assert (app.booking.agent, app.booking.agent_unit, app.booking.id_number) == (agent, org["ZXSQ"], resident.id_number)


def test_mandate_check_for_other_apps(
    mandate: Mandate, agent: Any, other_agent: Any, resident: Any, matters: Any, points: Any
) -> None:
    point, m = services.mandate_check(actor=agent, resident=resident, matter=matters["disability"])
    assert (point, m) == (points["ZXSQ"], mandate)
    with pytest.raises(PermissionDenied) as exc:
        services.mandate_check(actor=other_agent, resident=resident, matter=matters["disability"])
    assert exc.value.code == "other_village"
