"""Browser walk of the 低保 审核确认 process, at 375 px and 1280 px, every step by clicking:

the village agent applies for 刘秀英's household under her mandate → the 值夏镇 officer finds it in
the workbench's waiting work, accepts it, records the home visit with a photo, runs the
cross-check and proposes approval → anyone opens the village's public notice (at 375 px as well)
→ the notice's seven days pass (the clock moves, the sweep ends the notice) → the officer
confirms → the household is in the register → next month's roll pays it."""

from __future__ import annotations

import datetime
import io
import json
from typing import Any

import pytest
from PIL import Image

from conftest import BROWSER_MARKS, PASSWORD
from onewindow.accounts.demo import resident_id
from onewindow.accounts.models import OrgUnit, User
from onewindow.cases.sweeps import sweep_warnings
from onewindow.catalog.models import Matter
from onewindow.core.walk import PHONE, RUN_IDS, RUNS, walk
from onewindow.welfare.models import Application, HomeVisit, Household, PaymentRoll, RollItem

from .process_fixtures import TODAY, at

pytestmark = BROWSER_MARKS


def stage(w: Any, msgid: str) -> str:
    """The application's stage as the walk's reader sees it (the label in their language)."""
    return f"#welfare-stage:has-text({json.dumps(w.tr(msgid), ensure_ascii=False)})"


def _photo(tmp_path: Any) -> str:
    path = tmp_path / "visit.jpg"
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (180, 160, 140)).save(buf, format="JPEG")
    path.write_bytes(buf.getvalue())
    return str(path)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("width", "language"), RUNS, ids=RUN_IDS)
def test_dibao_from_the_agent_to_the_roll(
    live_server: Any,
    org: dict[str, OrgUnit],
    dibao: Matter,
    officer: User,
    agent: User,
    mandate: Any,
    resident: User,
    frozen: Any,
    tmp_path: Any,
    width: int,
    language: str,
    browser: Any,
) -> None:
    # 1. The village agent applies for the household (the mandate was signed at the point).
    with walk(browser, live_server.url, name="dibao-agent", width=width, language=language) as w:
        w.login("agent", PASSWORD)
        w.click("a.tile[href='/assistance/']")
        w.click("a#welfare-apply")
        w.fill("input[name=resident_id]", resident.id_number or "")
        w.fill("input[name=address]", "值夏镇值夏社区3组12号")
        w.fill("input[name=m0_name]", "刘秀英")
        w.fill("input[name=m0_id]", resident.id_number or "")
        w.find("select[name=m0_labour]").select_option("none")
        w.find("select[name=m0_income_kind]").select_option("transfer")
        w.fill("input[name=m0_income]", "300")
        w.fill("input[name=m1_name]", "刘小明")
        w.fill("input[name=m1_id]", resident_id("20120101", 117))
        w.find("select[name=m1_rel]").select_option("grandchild")
        w.find("select[name=m1_labour]").select_option("none")
        w.find("input[name=m1_student]").check()
        w.click("#apply-form button[type=submit]")
        w.expect(stage(w, "待受理"))
        w.finish("filed")
    app = Application.objects.get()
    assert app.channel == Application.Channel.AGENT and app.household.members.count() == 2

    # 2. The township officer: from the waiting work to the proposal.
    with walk(browser, live_server.url, name="dibao-township", width=width, language=language) as w:
        w.sign_in("township", PASSWORD)
        w.expect("a.tile[data-action=welfare_acceptance]")
        w.click(f"ol.work-rows a[href='/welfare/a/{app.uuid}/']")
        w.click("button#accept")
        w.expect(stage(w, "家庭经济状况调查"))
        w.fill("#visit-form input[name=visitors]", "张建国、李代办")
        w.fill("#visit-form textarea[name=findings]", "两人同住，户主患慢性病不能劳动，孙子在读初中；住房简陋，无车辆。")
        w.find("#visit-form input[name=photos]").set_input_files(_photo(tmp_path))
        w.click("#visit-form button[type=submit]")
        w.expect(".wf-photos a")
        w.click("form[action$='/do/cross_check/'] button")
        w.expect("text=" + w.tr("核对相符"))
        w.click("#propose-form button[type=submit]")
        w.expect(stage(w, "公示中"))
        w.finish("proposed")
    visit = HomeVisit.objects.get()
    assert len(visit.photos) == 1
    app.refresh_from_db()
    assert app.stage == Application.Stage.NOTICE and app.proposed_amount_fen == 94000

    # 3. The public notice of 值夏社区, as anyone reads it on a phone (the address on the notice board).
    with walk(browser, live_server.url, name="dibao-notice", width=PHONE, language=language) as w:
        w.goto("/welfare/notices/")
        w.click("a[href='/welfare/notices/ZXZ-V01/']")
        w.expect(".wf-notice:has-text('刘*英')")
        w.expect(".wf-amount:has-text('940.00')")
        body = w.text()
        assert (resident.id_number or "-") not in body and "刘秀英" not in body and "300" not in body
        w.finish("public")

    # 4. Seven calendar days pass without objection; the sweep ends the notice.
    notice = app.notices.get()
    frozen.move_to(at(notice.ends_on + datetime.timedelta(days=1)))
    sweep_warnings()
    app.refresh_from_db()
    assert app.stage == Application.Stage.CONFIRMATION

    # 5. The officer confirms; the household is in the register.
    with walk(browser, live_server.url, name="dibao-confirm", width=width, language=language) as w:
        w.sign_in("township", PASSWORD)
        w.click(f"ol.work-rows a[href='/welfare/a/{app.uuid}/']")
        w.click("#confirm-form button[type=submit]")
        w.expect(stage(w, "已确认"))
        w.expect("a[href$='/doc/certificate.pdf']")
        w.click("a#register-file")
        w.expect("text=" + w.tr("纳入保障"))
        w.click(".wb-nav a[href='/welfare/register/']")
        w.fill("input[name=q]", "刘秀英").click("form[role=search] button[type=submit]")
        w.expect(f"a:has-text('{app.household.number}')")
        w.finish("register")
    household = Household.objects.get()
    assert household.status == Household.Status.IN_PAYMENT and household.monthly_amount_fen == 94000
    assert household.next_review_on is not None and household.next_review_on > notice.ends_on

    # 6. Next month (the allowance starts the month after confirmation): the roll pays the household.
    frozen.move_to(at(datetime.date(2026, 5, 6)))
    with walk(browser, live_server.url, name="dibao-roll", width=width, language=language) as w:
        w.sign_in("township", PASSWORD)
        w.click("a.tile[href='/welfare/rolls/']")
        w.click("form:has(select[name=township]) button[type=submit]")
        w.expect("[data-roll-status=generated]")
        w.expect(f"a:has-text('{household.number}')")
        w.expect("text=¥940.00")
        w.finish("roll")
    roll = PaymentRoll.objects.get()
    assert roll.month == datetime.date(2026, 5, 1)
    assert RollItem.objects.get(roll=roll).household == household
    assert roll.month > TODAY
