"""The case page's actions (workbench/case_actions.py): each parses its input with a form, resolves
the step or colleague once and calls one service; bad input is a message on the page, never a 500,
and changes nothing."""

from __future__ import annotations

from typing import Any

from django.contrib.messages import get_messages

from onewindow.cases import services as svc
from onewindow.cases.models import Case, CaseStep
from onewindow.cases.tests.conftest import all_materials
from onewindow.workbench import case_actions


def _messages(resp: Any) -> list[str]:
    return [str(m) for m in get_messages(resp.wsgi_request)]


def test_every_action_of_the_page_has_one_function() -> None:
    assert set(case_actions.ACTIONS) == {
        "accept", "refuse", "supplement", "claim", "approve", "reject", "assign", "return", "pause", "resume",
        "extend", "extend_approve", "extend_decline", "decide", "conclude", "deliver", "hand_over",
    }  # fmt: skip


def test_bad_input_is_a_message_and_changes_nothing(
    client: Any, estate_bundle: Any, parallel_route: Any, citizen: Any, clerk: Any, approver_sw: Any
) -> None:
    reqs = svc.merged_requirements([i.matter.current_version for i in estate_bundle.items.all()])
    case = svc.case_submit(
        applicant=citizen,
        bundle=estate_bundle,
        channel="counter",
        form_data={"address": "1"},
        materials=all_materials(reqs),
        actor=clerk,
    )
    case = svc.case_accept(case=case, actor=clerk)
    url = f"/workbench/cases/{case.uuid}/act/"
    client.force_login(approver_sw)
    step = case.steps.get(department__code="SW")

    resp = client.post(url, {"action": "no-such-action"})
    assert resp.status_code == 302 and "未知的操作。" in _messages(resp)
    resp = client.post(url, {"action": "approve", "step": "not-a-uuid"})
    assert resp.status_code == 302 and any("提交的数据不正确" in m for m in _messages(resp))
    resp = client.post(url, {"action": "approve", "step": "00000000-0000-0000-0000-000000000000"})
    assert resp.status_code == 302 and "未找到。" in _messages(resp)
    resp = client.post(url, {"action": "extend", "days": "many", "reason": "x"})
    assert resp.status_code == 302 and any("提交的数据不正确" in m for m in _messages(resp))
    resp = client.post(url, {"action": "decide", "approved": "maybe"})
    assert resp.status_code == 302 and any("提交的数据不正确" in m for m in _messages(resp))
    step.refresh_from_db()
    assert step.status == CaseStep.Status.OPEN
    assert Case.objects.get(pk=case.pk).extension_requests.count() == 0

    # The same page with good input works, through the one function per action.
    resp = client.post(url, {"action": "approve", "step": str(step.uuid), "comment": "税款已缴"})
    assert "操作成功。" in _messages(resp)
    step.refresh_from_db()
    assert step.status == CaseStep.Status.APPROVED and step.acted_by == approver_sw


def test_an_outsider_cannot_act(client: Any, estate_bundle: Any, citizen: Any, clerk: Any) -> None:
    reqs = svc.merged_requirements([i.matter.current_version for i in estate_bundle.items.all()])
    case = svc.case_submit(
        applicant=citizen,
        bundle=estate_bundle,
        channel="counter",
        form_data={"address": "1"},
        materials=all_materials(reqs),
        actor=clerk,
    )
    url = f"/workbench/cases/{case.uuid}/act/"
    assert client.post(url, {"action": "accept"}).status_code == 302  # to the login page
    client.force_login(citizen)
    assert client.post(url, {"action": "accept"}).status_code in (403, 404)
    assert Case.objects.get(pk=case.pk).status == Case.Status.SUBMITTED
