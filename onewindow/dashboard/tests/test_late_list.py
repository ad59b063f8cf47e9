"""The supervisors' late list (workbench) comes in pages, red first, and a supervisor sees every
late case (read straight from the partial index, without visible_cases' ORs)."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest

from conftest import login
from onewindow.cases import selectors
from onewindow.cases.models import Case

pytestmark = pytest.mark.django_db


def test_late_list_pages_red_first(client: Any, leader: Any, approver: Any, cases: dict[str, Any]) -> None:
    proto = cases["zjj_hall"]
    copies = []
    for i in range(60):
        c = Case.objects.get(pk=proto.pk)
        c.pk, c.uuid, c.number = None, uuid.uuid4(), f"QYLATE{i:05d}"
        c.status = Case.Status.IN_REVIEW
        c.warning_level = "red" if i % 3 == 0 else "yellow"
        c.committed_due = datetime.date(2026, 5, 1) + datetime.timedelta(days=i)
        copies.append(c)
    Case.objects.bulk_create(copies)
    login(client, leader)
    first = client.get("/workbench/late/")
    rows = list(first.context["page"])
    assert len(rows) == 50 and first.context["page"].paginator.count == 60
    assert [c.warning_level for c in rows[:20]] == ["red"] * 20 and rows[20].warning_level == "yellow"
    assert [c.committed_due for c in rows[:20]] == sorted(c.committed_due for c in rows[:20])
    second = client.get("/workbench/late/?page=2")
    assert len(list(second.context["page"])) == 10 and "第 2 / 2 页，共 60 件" in second.content.decode()
    # the fast path lists exactly what visible_cases lets a supervisor see
    assert set(selectors.late_cases(leader)) == set(selectors.visible_cases(leader).filter(pk__in=[c.pk for c in copies]))
    login(client, approver)  # not a supervisor
    assert client.get("/workbench/late/").status_code == 403
