"""Totals by the reader's remit: a district leader (and an administrator, and the district hall's
manager) sees the district; a department's head sees the department's figures and a township's
leader the township's, whatever the query asks for; sections that only have district figures are
left off their page."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import login, make_user
from onewindow.accounts.models import Role

from ..selectors import remit
from .conftest import MAY

pytestmark = pytest.mark.django_db


def received(client: Any, query: str = MAY) -> int:
    r = client.get(f"/dashboard/?{query}")
    assert r.status_code == 200
    return next(s for s in r.context["sections"] if s.key == "cases").figures[0].value


def keys(client: Any) -> set[str]:
    return {s.key for s in client.get(f"/dashboard/?{MAY}").context["sections"]}


def test_the_district_sees_the_district(
    client: Any, org: Any, cases: Any, leader: Any, hall_manager: Any, admin_user: Any
) -> None:
    for user in (leader, hall_manager, admin_user):
        assert remit(user) is None, user.username
        login(client, user)
        assert received(client) == 3, user.username
        assert received(client, f"{MAY}&department=MZJ") == 1  # and may narrow it
        assert {"cases", "catalog"} <= keys(client)


def test_a_department_head_sees_the_department(client: Any, org: Any, cases: Any) -> None:
    head = make_user("leader_zjj", Role.LEADER, org["ZJJ"])
    assert remit(head) == org["ZJJ"]
    login(client, head)
    assert received(client) == 2  # 住建局's two applications, not the district's three
    assert received(client, f"{MAY}&department=MZJ") == 2  # a link cannot widen or move the view
    assert received(client, f"{MAY}&township=ZXZ") == 1  # narrowing inside it is fine
    r = client.get(f"/dashboard/?{MAY}")
    assert [label for label, _q in r.context["trail"]] == ["住房和城乡建设局"]
    body = r.content.decode()
    assert "本页数字是住房和城乡建设局的" in body and "事项目录" in body  # says which sections it leaves off
    shown = keys(client)
    assert "cases" in shown and "visits" in shown
    assert not shown & {"catalog", "hall", "townships", "appointments", "filings", "assistance"}
    csv = client.get(f"/dashboard/export.csv?{MAY}").content.decode("utf-8-sig")
    assert "部门：住房和城乡建设局" in csv


def test_a_township_leader_sees_the_township(client: Any, org: Any, cases: Any) -> None:
    town = make_user("leader_zxz", Role.LEADER, org["ZXZ"])
    assert remit(town) == org["ZXZ"]
    login(client, town)
    assert received(client) == 1  # taken in at 值夏镇
    assert received(client, f"{MAY}&township=") == 1
    r = client.get(f"/dashboard/?{MAY}")
    townships = next((s for s in r.context["sections"] if s.key == "townships"), None)
    if townships is not None:  # only its own row
        assert [row[0] for row in townships.tables[0].rows] == ["值夏镇"]


def test_a_township_halls_manager_sees_the_township(client: Any, org: Any, cases: Any) -> None:
    manager = make_user("manager_zxz", Role.HALL_MANAGER, org["ZXZ"])
    assert remit(manager) == org["ZXZ"]
    login(client, manager)
    assert received(client) == 1


def test_a_district_assignment_outranks_a_units(client: Any, org: Any, cases: Any) -> None:
    both = make_user("leader_both", Role.LEADER, org["ZJJ"])
    both.role_assignments.create(role=Role.LEADER, org_unit=org["gov"])
    assert remit(both) is None
    login(client, both)
    assert received(client) == 3
