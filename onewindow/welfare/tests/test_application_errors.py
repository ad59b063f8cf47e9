"""Bad input on filing: each a clear error, nothing stored (no case, no household, no record)."""

from __future__ import annotations

from typing import Any

import pytest

from onewindow.accounts.demo import resident_id
from onewindow.accounts.models import OrgUnit, User
from onewindow.assistance.models import AgentApplication
from onewindow.cases.models import Case
from onewindow.cases.routing import OtherTownship
from onewindow.catalog.models import Matter
from onewindow.core.errors import ApplicationError, PermissionDenied
from onewindow.welfare.models import Application, Household, Member
from onewindow.welfare.process import application as apply_svc
from onewindow.welfare.process.errors import AlreadyApplying, HouseholdInvalid, MemberInPayment

from .process_fixtures import household_input, paper

pytestmark = pytest.mark.django_db


def nothing_stored() -> None:
    assert not Case.objects.exists()
    assert not Household.objects.exists() and not Member.objects.exists()
    assert not Application.objects.exists() and not AgentApplication.objects.exists()


def file(actor: User, resident: User, matter: Matter, channel: str = "counter", **kw: Any) -> Application:
    return apply_svc.application_file(
        actor=actor, applicant=resident, channel=channel, household=household_input(resident, **kw), materials=paper(matter)
    )


def member(name: str, number: str, relationship: str = "spouse", **kw: Any) -> apply_svc.MemberInput:
    return apply_svc.MemberInput(name=name, id_number=number, relationship=relationship, **kw)


def head(resident: User, **kw: Any) -> apply_svc.MemberInput:
    return member(resident.display_name, resident.id_number or "", "head", **kw)


def test_bad_id_number(dibao: Matter, officer: User, resident: User) -> None:
    with pytest.raises(HouseholdInvalid) as exc:
        good = resident_id("19900101", 123)
        bad = good[:-1] + ("0" if good[-1] != "0" else "1")  # the check character wrong
        file(officer, resident, dibao, members=[head(resident), member("张三", bad)])
    assert "members.1.id_number" in exc.value.fields
    nothing_stored()


def test_negative_amount(dibao: Matter, officer: User, resident: User) -> None:
    with pytest.raises(ApplicationError) as exc:
        file(officer, resident, dibao, members=[head(resident, incomes=[apply_svc.IncomeInput("wage", -100)])])
    assert exc.value.code == "amount_negative"
    with pytest.raises(ApplicationError) as refused:
        file(officer, resident, dibao, members=[head(resident, assets=[apply_svc.AssetInput("deposit", -1)])])
    assert refused.value.code == "amount_negative"
    nothing_stored()


def test_one_head_and_the_applicant_a_member(dibao: Matter, officer: User, resident: User) -> None:
    other = resident_id("19800101", 151)
    with pytest.raises(HouseholdInvalid) as household_invalid:
        file(officer, resident, dibao, members=[head(resident), member("李四", other, "head")])
    assert household_invalid.value.code == "household_invalid" and set(household_invalid.value.fields) == {"members"}
    with pytest.raises(HouseholdInvalid) as household_invalid:
        file(officer, resident, dibao, members=[member("李四", other, "head")])
    assert household_invalid.value.code == "household_invalid" and set(household_invalid.value.fields) == {"members"}
    with pytest.raises(HouseholdInvalid) as household_invalid:
        file(officer, resident, dibao, members=[head(resident), member("同号", resident.id_number or "")])
    assert household_invalid.value.code == "household_invalid" and set(household_invalid.value.fields) == {"members.1.id_number"}
    nothing_stored()


def test_member_already_in_payment_elsewhere(dibao: Matter, officer: User, resident: User, org: dict[str, OrgUnit]) -> None:
    grandson = resident_id("20120101", 117)
    other = Household.objects.create(
        number="DBX1", township=org["ZXZ"], village=org["ZXSQ"], area_kind="rural", address="x", status="in_payment"
    )
    Member.objects.create(household=other, name="刘小明", id_number=grandson, relationship="head", in_payment=True)
    with pytest.raises(MemberInPayment) as member_in_payment:
        file(officer, resident, dibao)
    assert member_in_payment.value.code == "member_in_payment" and set(member_in_payment.value.fields) == {"members"}
    assert not Case.objects.exists() and Household.objects.count() == 1


def test_resident_of_another_township_is_told_where_to_go(
    dibao: Matter, officer: User, ft_resident: User, org: dict[str, OrgUnit]
) -> None:
    with pytest.raises(OtherTownship) as exc:
        file(officer, ft_resident, dibao, members=[head(ft_resident)])
    assert exc.value.code == "other_township" and set(exc.value.fields) == {"applicant"}
    assert "富滩镇" in str(exc.value.message)
    nothing_stored()


def test_agent_without_mandate_or_for_another_village(
    dibao: Matter, agent: User, resident: User, ft_resident: User, point: Any
) -> None:
    with pytest.raises(ApplicationError) as refused:
        file(agent, resident, dibao, channel="agent")
    assert refused.value.code == "no_mandate"
    with pytest.raises(ApplicationError) as refused:
        file(agent, ft_resident, dibao, channel="agent", members=[head(ft_resident)])
    assert refused.value.code == "other_village"
    nothing_stored()


def test_who_may_file(dibao: Matter, resident: User, outsider: User, ft_officer: User, mzj: User) -> None:
    with pytest.raises(PermissionDenied) as denied:
        file(outsider, resident, dibao, channel="online")
    assert denied.value.code == "permission_denied"
    for who, code in ((ft_officer, "other_township"), (mzj, "permission_denied"), (outsider, "permission_denied")):
        with pytest.raises(ApplicationError) as refused:
            file(who, resident, dibao, channel="counter")
        assert refused.value.code == code
    nothing_stored()


def test_online_by_the_resident_waits_for_the_township(dibao: Matter, resident: User, org: dict[str, OrgUnit]) -> None:
    app = file(resident, resident, dibao, channel="online")
    assert app.stage == Application.Stage.ACCEPTANCE and app.case.intake_unit == org["ZXZ"]
    with pytest.raises(AlreadyApplying) as already_applying:
        file(resident, resident, dibao, channel="online")
    assert already_applying.value.code == "already_applying"
    assert Case.objects.count() == 1
