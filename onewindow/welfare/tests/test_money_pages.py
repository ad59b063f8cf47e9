"""Pages of the register and the money: a township officer and the district 民政局 through every
form; bad input shown on the page with nothing stored; outsiders refused on every page."""

from __future__ import annotations

from typing import Any

import pytest

from onewindow.accounts.models import User
from onewindow.core.models import AuditEntry
from onewindow.welfare.models import Household, Payment, PaymentRoll, RegisterChange, Standard


def test_register_household_and_changes(client: Any, households: list[Household], township_officer: User) -> None:
    client.force_login(township_officer)
    r = client.get("/welfare/register/", {"q": "张"})
    assert r.status_code == 200 and "ZXZ-0002" in r.content.decode() and "ZXZ-0001" not in r.content.decode()
    h = households[0]
    url = f"/welfare/households/{h.uuid}/"
    page = client.get(url)
    assert page.status_code == 200 and "王秀兰" in page.content.decode() and "纳入保障" in page.content.decode()
    assert AuditEntry.objects.filter(action="welfare.household_read", target_id=str(h.uuid)).exists()
    bad = client.post(url, {"action": "amount", "new_amount": "-3", "reason": "x"})
    assert bad.status_code == 422 and "金额" in bad.content.decode()
    bad = client.post(url, {"action": "amount", "new_amount": "400.5", "reason": "x", "effective_month": "2026-13"})
    assert bad.status_code == 422
    assert RegisterChange.objects.filter(household=h).count() == 1
    r = client.post(url, {"action": "amount", "new_amount": "400.50", "reason": "务工收入增加", "effective_month": "2026-07"})
    assert r.status_code == 302
    c = RegisterChange.objects.filter(household=h).first()
    assert c is not None and c.new_amount_fen == 40050 and f"{c.effective_month}" == "2026-07-01"
    assert client.post(url, {"action": "report", "source": "village", "description": "长子务工"}).status_code == 302
    report = h.reports.get()
    assert client.post(url, {"action": "close_report", "report": str(report.uuid), "outcome": "核实无影响"}).status_code == 302
    assert (
        client.post(url, {"action": "review", "findings": "入户", "outcome": "unchanged", "review_class": "changing"}).status_code
        == 302
    )
    assert client.post(url, {"action": "suspend", "reason": "联系不上"}).status_code == 302
    assert client.post(url, {"action": "resume", "reason": "已联系"}).status_code == 302
    assert client.post(url, {"action": "exit", "end_reason": "moved", "reason": "迁出"}).status_code == 302
    h.refresh_from_db()
    assert h.status == "exited"
    for page in ("/welfare/changes/", "/welfare/changes/?kind=exit", "/welfare/exits/", "/welfare/reviews/"):
        assert client.get(page).status_code == 200, page
    assert "ZXZ-0001" in client.get("/welfare/exits/").content.decode()
    assert "ZXZ-0002" in client.get("/welfare/reviews/").content.decode()


def test_the_roll_through_the_pages(client: Any, households: list[Household], township_officer: User, mzj: User) -> None:
    client.force_login(township_officer)
    r = client.post("/welfare/rolls/", {"township": "ZXZ", "month": "2026-06"})
    assert r.status_code == 302
    roll = PaymentRoll.objects.get()
    url = f"/welfare/rolls/{roll.uuid}/"
    page = client.get(url).content.decode()
    assert "¥1,350.00" in page and "王秀兰" in page
    assert client.post(url, {"action": "approve_township"}).status_code == 409
    for action in ("check", "approve_township"):
        assert client.post(url, {"action": action}).status_code == 302
    assert client.post(url, {"action": "approve_district"}).status_code == 403
    client.force_login(mzj)
    assert "区民政局审批通过" in client.get(url).content.decode()
    for action in ("approve_district", "freeze"):
        assert client.post(url, {"action": action}).status_code == 302
    xlsx = client.get(f"/welfare/rolls/{roll.uuid}/bank.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert AuditEntry.objects.filter(action="welfare.bank_file").count() == 1
    bad = client.post(url, {"action": "results", "paid_on": "2026-05-12", "failed": "NOPE-1 x"})
    assert bad.status_code == 422 and not Payment.objects.exclude(status="pending").exists()
    assert client.post(url, {"action": "results", "paid_on": "2026-05-12", "failed": "ZXZ-0002 户名不符"}).status_code == 302
    failed = Payment.objects.get(status="failed")
    client.force_login(township_officer)
    assert client.post(url, {"action": "reissue", "payment": str(failed.uuid), "bank_account": ""}).status_code == 302
    assert Payment.objects.filter(reissue_of=failed, status="pending").count() == 1
    again = client.post("/welfare/rolls/", {"township": "ZXZ", "month": "2026-06"})
    assert again.status_code == 409 and "已冻结" in again.content.decode()


def test_standards_page(client: Any, mzj: User, township_officer: User, standards: Any) -> None:
    client.force_login(mzj)
    r = client.post(
        "/welfare/standards/", {"year": "2027", "area_kind": "urban", "monthly": "905", "effective_from": "2027-01-01"}
    )
    assert r.status_code == 302 and Standard.objects.get(year=2027).monthly_fen == 90500
    bad = client.post(
        "/welfare/standards/", {"year": "2027", "area_kind": "rural", "monthly": "-1", "effective_from": "2027-01-01"}
    )
    assert bad.status_code == 422
    client.force_login(township_officer)
    page = client.get("/welfare/standards/")
    assert page.status_code == 200 and "¥905.00" in page.content.decode() and "录入或更正标准" not in page.content.decode()
    assert (
        client.post(
            "/welfare/standards/", {"year": "2028", "area_kind": "urban", "monthly": "1", "effective_from": "2028-01-01"}
        ).status_code
        == 403
    )


def test_public_figures_page_in_both_languages(client: Any, households: list[Household]) -> None:
    r = client.get("/welfare/figures/", {"year": "2025"})
    body = r.content.decode()
    assert r.status_code == 200 and 'data-figure="approved">4<' in body and "王秀兰" not in body and "身份证" not in body
    client.cookies["django_language"] = "en"
    body = client.get("/welfare/figures/", {"year": "2025"}).content.decode()
    assert "Households newly approved" in body


@pytest.mark.parametrize("who", ["anonymous", "citizen", "approver", "clerk", "agent", "leader", "ft_officer"])
def test_outsiders_are_refused(client: Any, request: Any, households: list[Household], township_officer: User, who: str) -> None:
    client.force_login(township_officer)
    client.post("/welfare/rolls/", {"township": "ZXZ", "month": "2026-06"})
    roll = PaymentRoll.objects.get()
    client.logout()
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    h = households[0]
    own_lists = {
        "/welfare/register/",
        "/welfare/changes/",
        "/welfare/exits/",
        "/welfare/reviews/",
        "/welfare/rolls/",
        "/welfare/standards/",
    }
    pages = [
        *own_lists,
        f"/welfare/households/{h.uuid}/",
        f"/welfare/rolls/{roll.uuid}/",
        f"/welfare/rolls/{roll.uuid}/bank.csv",
    ]
    for url in pages:
        r = client.get(url)
        if who == "anonymous":
            assert r.status_code == 302 and "/login" in r["Location"], url
        elif who == "ft_officer" and url in own_lists:
            assert r.status_code == 200 and "ZXZ-" not in r.content.decode(), url
        else:
            assert r.status_code in (403, 404), (who, url, r.status_code)
    for url, data in [
        (f"/welfare/households/{h.uuid}/", {"action": "exit", "end_reason": "moved", "reason": "x"}),
        (f"/welfare/rolls/{roll.uuid}/", {"action": "check"}),
        ("/welfare/rolls/", {"township": "ZXZ", "month": "2026-06"}),
        ("/welfare/standards/", {"year": "2027", "area_kind": "urban", "monthly": "1", "effective_from": "2027-01-01"}),
    ]:
        r = client.post(url, data)
        assert r.status_code in ((302,) if who == "anonymous" else (403, 404)), (who, url, r.status_code)
    h.refresh_from_db()
    roll.refresh_from_db()
    assert h.status == "in_payment" and roll.status == "generated" and not Standard.objects.filter(year=2027).exists()
