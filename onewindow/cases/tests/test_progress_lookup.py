"""The public progress check (/cases/progress/, GET /api/v1/cases/progress, the ratings kiosk):
throttled per address and per case number, 8-character codes for new cases (old 6-character ones
still work), and a page that shows only what the applicant needs (issue 13)."""

from __future__ import annotations

from typing import Any

import pytest

from onewindow.cases import services as svc
from onewindow.cases.models import Case

from .conftest import all_materials


@pytest.fixture
def case(matter_zjj: Any, citizen: Any, clerk: Any) -> Case:
    c = svc.case_submit(
        applicant=citizen,
        matter_version=matter_zjj,
        channel="counter",
        form_data={"address": "值夏镇1号"},
        materials=all_materials(list(matter_zjj.materials.all())),
        actor=clerk,
    )
    return svc.case_accept(case=c, actor=clerk)


def page(client: Any, number: str, code: str, ip: str = "203.0.113.7") -> Any:
    return client.get("/cases/progress/", {"n": number, "c": code}, REMOTE_ADDR=ip)


def test_new_cases_get_eight_character_codes(case: Case) -> None:
    assert len(case.check_code) == 8
    assert set(case.check_code) <= set(svc.CHECK_ALPHABET)


def test_an_old_six_character_code_still_works(client: Any, case: Case) -> None:
    Case.objects.filter(pk=case.pk).update(check_code="AB23CD")
    assert page(client, case.number, "ab23cd").status_code == 200


def test_wrong_codes_for_one_case_number_are_throttled_from_any_address(client: Any, case: Case, settings: Any) -> None:
    settings.ONEWINDOW_PROGRESS_FAILURES_PER_CASE = 3
    for i in range(3):
        assert page(client, case.number, f"WRONG{i}", ip=f"198.51.100.{i}").status_code == 404
    # The fourth try, from yet another address and with the right code, is refused for the hour.
    refused = page(client, case.number, case.check_code, ip="198.51.100.99")
    assert refused.status_code == 429
    assert "输错次数过多" in refused.content.decode() and "审查中" not in refused.content.decode()
    api = client.get("/api/v1/cases/progress", {"n": case.number, "c": case.check_code}, REMOTE_ADDR="198.51.100.98")
    assert api.status_code == 429 and api.json()["code"] == "rate_limited"


def test_right_codes_do_not_use_up_the_case_numbers_tries(client: Any, case: Case, settings: Any) -> None:
    settings.ONEWINDOW_PROGRESS_FAILURES_PER_CASE = 2
    for i in range(5):
        assert page(client, case.number, case.check_code, ip=f"198.51.100.{i}").status_code == 200


def test_one_address_is_throttled_across_case_numbers(client: Any, case: Case, settings: Any) -> None:
    settings.ONEWINDOW_PROGRESS_LOOKUPS_PER_ADDRESS = 4
    for i in range(4):
        assert page(client, f"QY2026010100{i:03d}", "ABCDEFGH").status_code == 404
    assert page(client, case.number, case.check_code).status_code == 429
    assert page(client, case.number, case.check_code, ip="203.0.113.8").status_code == 200  # another address


def test_the_page_shows_only_what_the_applicant_needs(client: Any, case: Case, citizen: Any, clerk: Any) -> None:
    clerk.display_name = "王前台"  # the clerk who took the case in and accepted it
    clerk.save(update_fields=["display_name"])
    assert case.events.filter(actor=clerk).exists()
    resp = page(client, case.number, case.check_code)
    html = resp.content.decode()
    assert resp.status_code == 200
    assert "刘*英" in html  # the applicant, masked: enough to know it is theirs
    assert citizen.display_name not in html and citizen.id_number not in html and citizen.phone not in html
    assert "值夏镇1号" not in html  # form data
    for staff_name in (clerk.username, clerk.display_name):
        assert staff_name not in html
    assert resp["Cache-Control"] == "private, no-store"


def test_a_wrong_code_shows_nothing_of_the_case(client: Any, case: Case) -> None:
    html = page(client, case.number, "WRONGWRO").content.decode()
    assert "审查中" not in html and case.title not in html and "刘*英" not in html
