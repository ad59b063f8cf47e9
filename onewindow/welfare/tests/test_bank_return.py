"""The bank's return file (回盘文件): the bank file we send, with the result and reason filled in,
imported as xlsx or CSV (Chinese or English headers) by page and API; every bad file is refused
whole; the same file imported twice at once takes effect once."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

import pytest
from django.utils import translation

from onewindow.accounts.models import User
from onewindow.core.models import AuditEntry
from onewindow.core.testing import run_concurrently
from onewindow.welfare import bankfile, bankreturn
from onewindow.welfare.models import BankReturn, Household, Payment, PaymentRoll
from onewindow.welfare.services import rolls

JUNE = datetime.date(2026, 6, 1)
PAID_ON = datetime.date(2026, 5, 12)


def frozen_roll(township: Any, officer: User, mzj: User) -> PaymentRoll:
    roll = rolls.roll_generate(township=township, month=JUNE, actor=officer)
    roll = rolls.roll_approve_township(roll=rolls.roll_check(roll=roll, actor=officer), actor=officer)
    return rolls.roll_freeze(roll=rolls.roll_approve_district(roll=roll, actor=mzj), actor=mzj)


@pytest.fixture
def roll(households: list[Household], township_officer: User, mzj: User) -> PaymentRoll:
    return frozen_roll(households[0].township, township_officer, mzj)


def returned(roll: PaymentRoll, results: dict[str, tuple[str, str]] | None = None, *, lang: str = "zh-hans") -> list[list[str]]:
    """The bank file of `roll` as the bank sends it back: results by household number (default 成功)."""
    results = results or {}
    with translation.override(lang):
        text = bankfile.as_csv(roll).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    for row in rows[1:]:
        row[-2], row[-1] = results.get(row[2], ("成功", ""))
    return rows


def as_csv(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode("utf-8")


def as_xlsx(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(rows[0])
    for r in rows[1:]:
        ws.append([float(c) if i == 7 else c for i, c in enumerate(r)])  # the bank's amount as a number
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def do_import(roll: PaymentRoll, actor: User, data: bytes, name: str = "huipan.csv") -> BankReturn:
    return bankreturn.return_import(roll=roll, actor=actor, data=data, filename=name, paid_on=PAID_ON)


def untouched(roll: PaymentRoll) -> bool:
    return not BankReturn.objects.exists() and Payment.objects.filter(roll=roll).exclude(status="pending").count() == 0


def test_a_csv_return_marks_paid_and_failed_and_failed_ones_can_be_reissued(roll: PaymentRoll, township_officer: User) -> None:
    data = as_csv(returned(roll, {"ZXZ-0002": ("失败", "账户已销户")}))
    record = do_import(roll, township_officer, data)
    assert (record.lines, record.paid, record.failed) == (3, 2, 1)
    failed = Payment.objects.get(roll=roll, household__number="ZXZ-0002")
    assert failed.status == "failed" and failed.failure_reason == "账户已销户"
    assert set(Payment.objects.filter(roll=roll, status="paid").values_list("paid_on", flat=True)) == {PAID_ON}
    assert AuditEntry.objects.filter(action="welfare.bank_return").count() == 1
    again = rolls.payment_reissue(payment=failed, actor=township_officer, bank_account="6217000099998888")
    assert again.status == "pending" and again.attempt == 2
    # the next bank file holds the re-issue only; its return pays it
    second = returned(roll)
    assert [r[2] for r in second[1:]] == ["ZXZ-0002"]
    do_import(roll, township_officer, as_csv(second), "huipan-2.csv")
    assert Payment.objects.filter(roll=roll, status="paid").count() == 3


def test_an_xlsx_return_with_english_headers(roll: PaymentRoll, mzj: User) -> None:
    rows = returned(roll, {"ZXZ-0001": ("failed", "account frozen")}, lang="en")
    assert rows[0][1] != "发放记录编号"  # the English file's header
    record = do_import(roll, mzj, as_xlsx(rows), "return.xlsx")
    assert (record.paid, record.failed) == (2, 1)


@pytest.mark.parametrize(
    "spoil, words",
    [
        (lambda rows, other: rows[1].__setitem__(1, "0b7f7a5e-0000-4000-8000-000000000000"), "不存在"),
        (lambda rows, other: rows[1].__setitem__(1, other), "不属于本名册"),
        (lambda rows, other: rows[1].__setitem__(7, "1.00"), "金额"),
        (lambda rows, other: rows.append(list(rows[1])), "重复"),
        (lambda rows, other: rows[1].__setitem__(2, "ZXZ-9999"), "家庭编号"),
        (lambda rows, other: rows[1].__setitem__(8, "2026-07"), "发放月份"),
        (lambda rows, other: rows[1].__setitem__(10, "失败"), "原因"),
        (lambda rows, other: rows[1].__setitem__(10, "maybe"), "成功"),
        (lambda rows, other: [r.pop() for r in rows], "失败原因"),
    ],
)
def test_a_bad_file_is_refused_whole(
    roll: PaymentRoll, households: list[Household], township_officer: User, mzj: User, spoil: Any, words: str
) -> None:
    other = _other_roll_payment(households, mzj)
    rows = returned(roll)
    spoil(rows, other)
    with pytest.raises(bankreturn.BadReturnFile) as err:
        do_import(roll, township_officer, as_csv(rows))
    assert words in " ".join(err.value.fields["file"])
    assert untouched(roll)


def _other_roll_payment(households: list[Household], mzj: User) -> str:
    from conftest import make_user
    from onewindow.accounts.models import Role

    ft = make_user("ft_officer_2", Role.TOWNSHIP_OFFICER, households[3].township)
    other = frozen_roll(households[3].township, ft, mzj)
    return str(Payment.objects.filter(roll=other).values_list("uuid", flat=True).first())


def test_the_same_file_twice_a_result_recorded_and_an_unfrozen_roll(
    roll: PaymentRoll, households: list[Household], township_officer: User, mzj: User
) -> None:
    data = as_csv(returned(roll))
    do_import(roll, township_officer, data)
    with pytest.raises(bankreturn.AlreadyImported) as already_imported:
        do_import(roll, township_officer, data)
    assert already_imported.value.code == "welfare_return_imported"
    # another file naming payments already recorded
    with pytest.raises(bankreturn.BadReturnFile) as err:
        do_import(roll, township_officer, data + b"\n")
    assert "已登记结果" in " ".join(err.value.fields["file"])
    assert BankReturn.objects.count() == 1
    from conftest import make_user
    from onewindow.accounts.models import Role

    ft = make_user("ft_officer_3", Role.TOWNSHIP_OFFICER, households[3].township)
    generated = rolls.roll_generate(township=households[3].township, month=JUNE, actor=ft)
    with pytest.raises(rolls.WrongRollStatus) as wrong_roll_status:
        do_import(generated, ft, data)
    assert wrong_roll_status.value.code == "welfare_roll_status"
    for junk in (b"", b"\x00\x01garbage\xff\xfe", b"PK\x03\x04 not a workbook"):
        with pytest.raises(bankreturn.BadReturnFile) as bad_return_file:
            do_import(roll, township_officer, junk)
        assert bad_return_file.value.code == "welfare_return_invalid" and set(bad_return_file.value.fields) == {"file"}


def test_the_page_imports_and_shows_errors(client: Any, roll: PaymentRoll, township_officer: User) -> None:
    client.force_login(township_officer)
    url = f"/welfare/rolls/{roll.uuid}/"
    assert "导入银行回盘文件" in client.get(url).content.decode()
    bad = returned(roll)
    bad[1][7] = "9.99"
    r = client.post(url, {"action": "return_file", "paid_on": "2026-05-12", "file": _upload(as_csv(bad))})
    assert r.status_code == 422 and "金额与发放记录" in r.content.decode() and untouched(roll)
    r = client.post(url, {"action": "return_file", "paid_on": "2026-05-12"})
    assert r.status_code == 422 and "请选择银行回盘文件" in r.content.decode()
    r = client.post(url, {"action": "return_file", "paid_on": "2026-05-12", "file": _upload(as_csv(returned(roll)))})
    assert r.status_code == 302
    page = client.get(url).content.decode()
    assert "huipan.csv" in page and Payment.objects.filter(roll=roll, status="paid").count() == 3


def test_the_page_in_english(client: Any, roll: PaymentRoll, township_officer: User) -> None:
    client.force_login(township_officer)
    client.cookies["django_language"] = "en"
    page = client.get(f"/welfare/rolls/{roll.uuid}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Import the bank's return file" in page
    bad = returned(roll)
    bad.append(list(bad[1]))
    r = client.post(
        f"/welfare/rolls/{roll.uuid}/",
        {"action": "return_file", "paid_on": "2026-05-12", "file": _upload(as_csv(bad))},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert r.status_code == 422 and "repeats line" in r.content.decode()


def _upload(data: bytes, name: str = "huipan.csv") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_the_api_imports_and_lists(client: Any, roll: PaymentRoll, mzj: User) -> None:
    client.force_login(mzj)
    base = f"/api/v1/welfare/rolls/{roll.uuid}"
    data = as_csv(returned(roll))
    r = client.post(f"{base}/bank-return", {"paid_on": "2026-05-12", "file": _upload(data)})
    assert r.status_code == 201 and r.json()["paid"] == 3
    listed = client.get(f"{base}/bank-returns").json()["items"]
    assert [b["filename"] for b in listed] == ["huipan.csv"]
    again = client.post(f"{base}/bank-return", {"paid_on": "2026-05-12", "file": _upload(data)})
    assert again.status_code == 409 and again.json()["code"] == "welfare_return_imported"
    bad = client.post(f"{base}/bank-return", {"paid_on": "2026-05-12", "file": _upload(b"x,y\n1,2\n")})
    assert bad.status_code == 422 and BankReturn.objects.count() == 1


@pytest.mark.parametrize("who", ["anonymous", "citizen", "approver", "clerk", "agent", "leader", "ft_officer"])
def test_outsiders_cannot_import(client: Any, request: Any, roll: PaymentRoll, who: str) -> None:
    data = as_csv(returned(roll))
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    api = client.post(f"/api/v1/welfare/rolls/{roll.uuid}/bank-return", {"paid_on": "2026-05-12", "file": _upload(data)})
    assert api.status_code in ({401} if who == "anonymous" else {403, 404}), api.content[:200]
    assert client.get(f"/api/v1/welfare/rolls/{roll.uuid}/bank-returns").status_code in {401, 403, 404}
    page = client.post(f"/welfare/rolls/{roll.uuid}/", {"action": "return_file", "paid_on": "2026-05-12", "file": _upload(data)})
    assert page.status_code in ({302} if who == "anonymous" else {403, 404})
    assert untouched(roll)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_imports_of_one_file_at_once_take_effect_once(households: list[Household], township_officer: User, mzj: User) -> None:
    roll = frozen_roll(households[0].township, township_officer, mzj)
    data = as_csv(returned(roll, {"ZXZ-0003": ("失败", "户名不符")}))
    results = run_concurrently(lambda i: do_import(roll, township_officer if i else mzj, data).failed, 2)
    assert sorted(type(r).__name__ for r in results) == ["AlreadyImported", "int"], results
    assert BankReturn.objects.count() == 1
    assert Payment.objects.filter(roll=roll, status="failed").count() == 1
    assert Payment.objects.filter(roll=roll, status="paid").count() == 2
