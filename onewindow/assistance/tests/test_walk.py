"""The agent's journey in a real browser at phone width and on a desktop in Chinese, and on the phone
in English (core.walk.RUNS): the agent records a
mandate with the resident's signature drawn on the screen, files a disability-certificate case
with the paper originals, collects the medical insurance contribution, forwards the materials;
the township signs for them and accepts (the matter is delegated to 值夏镇); the result comes back
to the point, the resident signs for it, and the agent records the follow-up."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from conftest import BROWSER_MARKS, PASSWORD
from onewindow.assistance.models import AgentApplication, FollowUp, LedgerEntry, Mandate
from onewindow.cases.models import Case
from onewindow.catalog.models import Delegation
from onewindow.core.walk import RUN_IDS, RUNS

pytestmark = BROWSER_MARKS


def sign(w: Any, selector: str = "canvas.sigpad") -> None:
    """Draw a signature on the pad with the mouse (a finger on the phone)."""
    pad = w.find(selector)
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    x, y = box["x"], box["y"]
    w.page.mouse.move(x + 20, y + 90)
    w.page.mouse.down()
    for dx, dy in [(60, 40), (110, 100), (160, 50), (220, 110), (260, 60)]:
        w.page.mouse.move(x + dx, y + dy, steps=4)
    w.page.mouse.up()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("width", "language"), RUNS, ids=RUN_IDS)
def test_agent_journey(
    width: int, language: str, agent: Any, township_officer: Any, resident: Any, matters: Any, points: Any, org: Any, walker: Any
) -> None:
    disability = matters["disability"]
    for person, name in ((agent, "胡桂兰"), (township_officer, "曾庆华")):
        person.display_name = name
        person.save(update_fields=["display_name"])
    Delegation.objects.create(matter=disability, township=org["ZXZ"], effective_on=datetime.date(2021, 5, 1))

    w = walker("agent", width, language)
    w.login(agent.username, PASSWORD)
    w.click("a.tile[href='/assistance/']")
    # 1. The mandate, signed on the screen with the resident present.
    w.click("nav.wb-nav a[href='/assistance/mandates/new/']")
    w.fill("input[name=id_number]", resident.id_number)
    w.find("input[name=id_checked]").check()
    sign(w, "canvas[data-signature=signature]")
    w.click("#mandate-form button[type=submit].btn-block")
    w.expect("text=" + w.tr("有效"))
    mandate = Mandate.objects.get()
    assert mandate.status == "active" and mandate.signature_sha256
    # 2. The disability-certificate case, paper originals collected at the point.
    w.click("a.btn[href*='/assistance/apply/']")
    w.page.select_option("select[name=matter]", str(disability.uuid))
    w.click("form[method=get] button[type=submit]")
    for box in w.page.locator("input[type=checkbox][name^=paper_]").all():
        box.check()
    w.click("button:has-text('" + w.tr("提交代办申请") + "')")
    w.expect("text=" + w.tr("纸质材料移交"))
    app = AgentApplication.objects.get()
    assert app.case is not None and app.case.intake_unit == org["ZXZ"]
    # 3. Forward the materials to the township.
    w.fill("input[name=carrier]", "胡桂兰")
    w.click("button:has-text('" + w.tr("移交材料") + "')")
    w.expect("#forwarding >> text=胡桂兰")
    # 4. The medical insurance contribution, cash, with a receipt.
    w.click("nav.wb-nav a[href='/assistance/till/']")
    w.page.select_option("select[name=resident]", str(mandate.uuid))
    w.page.select_option("select[name=kind]", "medical")
    w.fill("input[name=amount]", "400")
    w.click("button:has-text('" + w.tr("确认收款并出具收据") + "')")
    w.expect("#till-cash >> text=400.00")
    assert LedgerEntry.objects.get().amount_fen == 40000
    w.finish("collected")

    # 5. The township signs for the materials and takes the case in (the matter is delegated).
    t = walker("township", width, language)
    t.sign_in(township_officer.username, PASSWORD)
    t.click("a.tile[href='/assistance/incoming/']")
    t.click("button:has-text('" + w.tr("签收") + "')")
    t.click("nav.wb-nav a[href='/workbench/intake/queue/']")
    t.click(f"a[href='/workbench/cases/{app.case.uuid}/']")
    t.click("button[value=accept]")
    t.click("button[value=approve]")
    t.click("button[name=approved][value='1']")
    t.click("button[value=conclude]")
    t.expect("text=" + w.tr("已办结"))
    t.finish("concluded")
    app.case.refresh_from_db()
    assert app.case.status == Case.Status.CONCLUDED and app.forwarding.__class__.objects.get().received_by == township_officer

    # 6. Back at the point: the resident signs for the result, then the follow-up.
    w.goto("/assistance/")
    w.click(f"a[href='/assistance/applications/{app.uuid}/']")
    sign(w, "#delivery canvas")
    w.click("button:has-text('" + w.tr("确认送达") + "')")
    w.expect("#case-status >> text=" + w.tr("已送达"))
    w.page.select_option("select[name=satisfaction]", "5")
    w.fill("input[name=comment]", "不用跑镇上，很方便")
    w.click("button:has-text('" + w.tr("记录回访") + "')")
    w.expect("#follow-up >> text=5/5")
    w.expect("#follow-up [data-rating=rated]")  # the follow-up fed 好差评: the resident's rating of the case
    w.finish("followed-up")
    app.case.refresh_from_db()
    assert app.case.status == Case.Status.DELIVERED and app.case.delivery_method == "agent_point"
    assert FollowUp.objects.get().satisfaction == 5
    from onewindow.ratings.models import Rating

    rating = Rating.objects.get()
    assert (rating.kind, rating.subject_uuid, rating.channel, rating.level) == ("case", app.case.uuid, "followup", 5)
