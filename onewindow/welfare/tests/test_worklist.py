"""低保 work in the staff work lists (welfare/worklist.py on the workbench home): the township
officer sees applications by stage, rolls, failed payments, reports and reviews due; the district
民政局 sees the rolls waiting for it; nobody else sees any; most urgent first, with counts."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from conftest import make_user
from onewindow.accounts.demo import resident_id
from onewindow.accounts.models import OrgUnit, Role, User
from onewindow.catalog.models import Matter
from onewindow.welfare import worklist
from onewindow.welfare.models import Application, Household, Payment
from onewindow.welfare.process import application as apply_svc
from onewindow.welfare.services import register as reg
from onewindow.welfare.services import rolls
from onewindow.workbench import work

from .process_fixtures import TODAY, at, household_input, paper

pytestmark = pytest.mark.django_db


def _home(user: User) -> str:
    c = Client()
    c.force_login(user)
    r = c.get("/workbench/")
    assert r.status_code == 200
    return r.content.decode()


def _tiles(user: User) -> dict[str, int]:
    return {t.action: t.count for t in work.my_work(user)[0] if t.action.startswith("welfare_")}


def test_applications_by_stage_oldest_and_most_urgent_first(
    dibao: Matter, officer: User, resident: User, org: dict[str, OrgUnit], frozen: Any
) -> None:
    first = apply_svc.application_file(
        actor=officer, applicant=resident, channel="counter", household=household_input(resident), materials=paper(dibao)
    )
    frozen.move_to(at(TODAY + datetime.timedelta(days=7)))
    other = make_user(
        "zx_other", Role.CITIZEN, id_number=resident_id("19600505", 331), display_name="周玉兰", home_unit=org["ZXSQ"]
    )
    second = apply_svc.application_file(
        actor=officer,
        applicant=other,
        channel="counter",
        household=household_input(
            other,
            members=[apply_svc.MemberInput(name="周玉兰", id_number=other.id_number or "", relationship="head", labour="none")],
        ),
        materials=paper(dibao),
    )
    assert first.stage == second.stage == Application.Stage.CHECK
    assert _tiles(officer) == {"welfare_check": 2}
    _shown, rows, total = work.my_work(officer)
    urls = [r.url for r in rows if r.action == "welfare_check"]
    assert urls == [f"/welfare/a/{first.uuid}/", f"/welfare/a/{second.uuid}/"] and total >= 2
    # the first one's deadline passed: it is late and comes first in the merged list
    due = first.case.committed_due
    assert due is not None
    frozen.move_to(at(due + datetime.timedelta(days=1)))
    rows = work.my_work(officer)[1]
    assert rows[0].url == f"/welfare/a/{first.uuid}/" and rows[0].late
    html = _home(officer)
    assert 'data-action="welfare_check"' in html and first.household.number in html and "已超时" in html
    # another township, another department, a citizen: nothing of it
    ft = make_user("ft_off", Role.TOWNSHIP_OFFICER, org["FTZ"])
    zjj = make_user("approver_zjj", Role.APPROVER, org["ZJJ"])
    for who in (ft, zjj):
        assert _tiles(who) == {} and first.household.number not in _home(who)
    assert worklist.groups_for(resident) == []


def test_rolls_payments_reports_and_reviews(
    households: list[Household], township_officer: User, mzj: User, ft_officer: User
) -> None:
    zxz = households[0].township
    roll = rolls.roll_generate(township=zxz, month=datetime.date(2026, 5, 1), actor=township_officer)
    reg.report_create(household=households[1], actor=township_officer, source="village", description="儿子外出务工")
    # ZXZ-0001 and ZXZ-0002 are due for review on 05-30 (within 30 days), ZXZ-0003 in September
    assert _tiles(township_officer) == {"welfare_roll_township": 1, "welfare_report": 1, "welfare_review": 2}
    assert _tiles(mzj) == {}
    assert _tiles(ft_officer) == {"welfare_review": 1}  # FTZ-0001, its own township only
    html = _home(township_officer)
    assert 'data-action="welfare_roll_township"' in html and "ZXZ-0002" in html and "FTZ-0001" not in html

    roll = rolls.roll_approve_township(roll=rolls.roll_check(roll=roll, actor=township_officer), actor=township_officer)
    assert "welfare_roll_township" not in _tiles(township_officer)
    assert _tiles(mzj) == {"welfare_roll_district": 1}
    assert 'data-action="welfare_roll_district"' in _home(mzj)
    roll = rolls.roll_approve_district(roll=roll, actor=mzj)
    assert _tiles(mzj) == {"welfare_roll_freeze": 1}
    roll = rolls.roll_freeze(roll=roll, actor=mzj)
    assert _tiles(mzj) == {"welfare_roll_bank": 1}
    p = Payment.objects.filter(roll=roll).order_by("id").first()
    assert p is not None
    rolls.payments_record(roll=roll, actor=mzj, paid_on=datetime.date(2026, 5, 12), failed={p.uuid: "账户已销户"})
    assert _tiles(mzj) == {}
    assert _tiles(township_officer)["welfare_reissue"] == 1
    rolls.payment_reissue(payment=p, actor=township_officer)
    assert "welfare_reissue" not in _tiles(township_officer)


def test_the_case_page_of_an_application_leads_to_the_application(
    dibao: Matter, officer: User, resident: User, org: dict[str, OrgUnit]
) -> None:
    """The officer who opens the 低保 case from a case list is taken to the application's page,
    where the steps keep the application's stage in step with the case."""
    app = apply_svc.application_file(
        actor=officer, applicant=resident, channel="counter", household=household_input(resident), materials=paper(dibao)
    )
    c = Client()
    c.force_login(officer)
    r = c.get(f"/workbench/cases/{app.case.uuid}/")
    assert r.status_code == 302 and r["Location"] == f"/welfare/a/{app.uuid}/"
    zjj = make_user("approver_zjj", Role.APPROVER, org["ZJJ"])
    c.force_login(zjj)
    assert c.get(f"/workbench/cases/{app.case.uuid}/").status_code in (403, 404)
