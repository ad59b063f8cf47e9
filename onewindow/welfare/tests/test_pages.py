"""Pages of the 低保 process: the officer's work through the pages, the public notice, and every
page refused to outsiders (anonymous, a citizen, another township, another department)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from conftest import make_user
from onewindow.accounts.models import OrgUnit, Role, User
from onewindow.catalog.models import Matter
from onewindow.core.models import AuditEntry
from onewindow.welfare.models import Application, PublicNotice
from onewindow.welfare.process import review

from .process_fixtures import TODAY, at
from .test_process import file_at_counter, visit

pytestmark = pytest.mark.django_db


def client_for(user: User | None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def member_post(resident: User) -> dict[str, str]:
    return {
        "resident_id": resident.id_number or "",
        "address": "值夏镇值夏社区3组12号",
        "area_kind": "rural",
        "hardship": "因病",
        "m0_name": resident.display_name,
        "m0_id": resident.id_number or "",
        "m0_rel": "head",
        "m0_labour": "none",
        "m0_income_kind": "transfer",
        "m0_income": "300",
        "m0_ill": "on",
    }


def test_agent_files_through_the_form_and_the_officer_works_it(
    dibao: Matter, agent: User, resident: User, mandate: Any, officer: User, frozen: Any, org: dict[str, OrgUnit]
) -> None:
    c = client_for(agent)
    assert c.get(reverse("welfare:apply")).status_code == 200
    data = member_post(resident)
    for r in dibao.current_version.materials.all():  # type: ignore[union-attr]
        data[f"req_{r.pk}"] = "on"
    resp = c.post(reverse("welfare:apply"), data)
    assert resp.status_code == 302, resp.content.decode()[:2000]
    app = Application.objects.get()
    assert app.channel == "agent" and app.household.members.count() == 1
    assert c.get(reverse("welfare:application", args=[app.uuid])).status_code == 200  # the point follows its filing

    o = client_for(officer)
    assert "welfare-work" in o.get(reverse("welfare:work")).content.decode()
    act = lambda action, **d: o.post(reverse("welfare:application_action", args=[app.uuid, action]), d)  # noqa: E731
    assert act("accept").status_code == 302
    assert act("visit", visited_on=str(TODAY), visitors="张三", findings="属实").status_code == 302
    assert act("cross_check").status_code == 302
    assert act("propose").status_code == 302
    app.refresh_from_db()
    assert app.stage == Application.Stage.NOTICE and app.proposed_amount_fen == 32000  # 620 − 300 yuan
    page = client_for(None).get(reverse("welfare:village_notices", args=["ZXZ-V01"])).content.decode()
    assert "刘*英" in page and "320.00" in page and (resident.id_number or "x") not in page and "300" not in page
    frozen.move_to(at(TODAY + datetime.timedelta(days=8)))
    from onewindow.cases.sweeps import sweep_warnings

    sweep_warnings()
    o.force_login(officer)  # a new day, a new session
    assert act("confirm").status_code == 302
    app.refresh_from_db()
    assert app.stage == Application.Stage.APPROVED
    pdf = o.get(reverse("welfare:document", args=[app.uuid, "certificate"]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    check = client_for(None).get(reverse("welfare:certificate_check"), {"n": app.certificate_number, "c": app.certificate_code})
    assert check.status_code == 200 and "刘*英" in check.content.decode()
    assert (
        client_for(None).get(reverse("welfare:certificate_check"), {"n": app.certificate_number, "c": "WRONG"}).status_code == 404
    )
    assert AuditEntry.objects.filter(action="welfare.application_read").count() >= 2  # every read of the file


def test_bad_input_on_the_form_is_shown_and_nothing_stored(dibao: Matter, officer: User, resident: User) -> None:
    data = member_post(resident)
    data["m0_income"] = "-5"
    resp = client_for(officer).post(reverse("welfare:apply"), data)
    assert resp.status_code == 422 and "金额不能小于零" in resp.content.decode()
    assert not Application.objects.exists()


def test_public_objection_and_closed_notice(dibao: Matter, officer: User, resident: User, frozen: Any) -> None:
    app = file_at_counter(officer, resident, dibao)
    visit(app, officer)
    review.propose_approval(application=app, actor=officer)
    n = PublicNotice.objects.get()
    anon = client_for(None)
    resp = anon.post(reverse("welfare:lodge_objection", args=[n.uuid]), {"text": "收入不实"})
    assert resp.status_code == 200
    resp = anon.post(reverse("welfare:lodge_objection", args=[n.uuid]), {"text": "再次"})
    assert resp.status_code == 409 and "公示已结束" in resp.content.decode()


def test_expired_notice_is_not_public(dibao: Matter, officer: User, resident: User, frozen: Any) -> None:
    app = file_at_counter(officer, resident, dibao)
    visit(app, officer)
    review.propose_approval(application=app, actor=officer)
    url = reverse("welfare:village_notices", args=["ZXZ-V01"])
    assert "刘*英" in client_for(None).get(url).content.decode()
    frozen.move_to(at(TODAY + datetime.timedelta(days=8)))
    assert "刘*英" not in client_for(None).get(url).content.decode()


def test_outsiders_are_refused_everywhere(
    dibao: Matter, officer: User, resident: User, outsider: User, org: dict[str, OrgUnit], agent: User
) -> None:
    app = file_at_counter(officer, resident, dibao)
    ft = make_user("ft_off", Role.TOWNSHIP_OFFICER, org["FTZ"])
    zjj = make_user("approver_zjj", Role.APPROVER, org["ZJJ"])
    ft_agent = make_user("ft_agent", Role.AGENT, org["FTC"])
    private = [
        reverse("welfare:application", args=[app.uuid]),
        reverse("welfare:document", args=[app.uuid, "certificate"]),
    ]
    for url in [*private, reverse("welfare:work"), reverse("welfare:apply")]:
        resp = client_for(None).get(url)
        assert resp.status_code == 302 and "/accounts/login/" in resp["Location"], url
    for who in (outsider, ft, zjj, ft_agent, agent):  # the agent did not file this one
        for url in private:
            assert client_for(who).get(url).status_code in (403, 404), (who, url)
        for action in ("accept", "visit", "propose", "refuse", "confirm", "extend", "object", "cross_check", "appraisal"):
            resp = client_for(who).post(reverse("welfare:application_action", args=[app.uuid, action]), {"reasons": "x"})
            assert resp.status_code in (403, 404), (who, action)
    for who in (zjj, ft_agent):
        assert client_for(who).get(reverse("welfare:work")).status_code in (200, 403)
    assert client_for(zjj).get(reverse("welfare:work")).status_code == 403
    assert client_for(outsider).get(reverse("welfare:work")).status_code == 403
    app.refresh_from_db()
    assert app.stage == Application.Stage.CHECK  # nothing happened


def test_district_civil_affairs_reads_but_does_not_act(dibao: Matter, officer: User, resident: User, mzj: User) -> None:
    app = file_at_counter(officer, resident, dibao)
    c = client_for(mzj)
    assert c.get(reverse("welfare:application", args=[app.uuid])).status_code == 200
    resp = c.post(
        reverse("welfare:application_action", args=[app.uuid, "visit"]),
        {"visited_on": str(TODAY), "visitors": "x", "findings": "y"},
    )
    assert resp.status_code == 403
