"""Remote tickets (phone / online) are bound to the account's real-name ID number and limited per
person and day in every area, also where the area sets no limit of its own (issue 13: one account
took 30 remote tickets in a row while the limit defaulted to 0 = none)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from conftest import PASSWORD, make_user
from onewindow.accounts.demo import resident_id
from onewindow.accounts.models import Role
from onewindow.core.errors import Conflict, ValidationFailed
from onewindow.hall.models import Ticket
from onewindow.hall.services import ticket_issue
from onewindow.hall.services.issuing import REMOTE_TICKETS_PER_PERSON_DEFAULT, person_daily_limit


def test_an_area_without_its_own_limit_still_limits_remote_tickets(hall: dict[str, Any], citizen: Any) -> None:
    area = hall["A"]
    assert area.per_person_daily_limit == 0
    assert person_daily_limit(area, Ticket.Source.PHONE) == REMOTE_TICKETS_PER_PERSON_DEFAULT > 0
    for _ in range(REMOTE_TICKETS_PER_PERSON_DEFAULT):
        ticket_issue(area=area, source="phone", actor=citizen, id_number=citizen.id_number)
    with pytest.raises(Conflict) as err:
        ticket_issue(area=area, source="phone", actor=citizen, id_number=citizen.id_number)
    assert err.value.code == "person_limit"
    assert Ticket.objects.filter(source="phone").count() == REMOTE_TICKETS_PER_PERSON_DEFAULT


def test_the_default_is_a_setting_and_an_areas_own_limit_wins(hall: dict[str, Any], citizen: Any, settings: Any) -> None:
    settings.ONEWINDOW_REMOTE_TICKETS_PER_PERSON = 1
    ticket_issue(area=hall["A"], source="phone", actor=citizen, id_number=citizen.id_number)
    with pytest.raises(Conflict) as conflict:
        ticket_issue(area=hall["A"], source="phone", actor=citizen, id_number=citizen.id_number)
    assert conflict.value.code == "person_limit"
    hall["F"].per_person_daily_limit = 3
    hall["F"].save()
    for _ in range(3):
        ticket_issue(area=hall["F"], source="phone", actor=citizen, id_number=citizen.id_number)
    with pytest.raises(Conflict) as conflict:
        ticket_issue(area=hall["F"], source="phone", actor=citizen, id_number=citizen.id_number)
    assert conflict.value.code == "person_limit"


def test_a_remote_ticket_needs_a_real_name_verified_account(hall: dict[str, Any], citizen: Any) -> None:
    unverified = make_user("pending", Role.CITIZEN, id_number=resident_id("19900101", 111))
    for actor in (None, unverified):
        with pytest.raises(ValidationFailed) as err:
            ticket_issue(area=hall["A"], source="phone", actor=actor, id_number=resident_id("19900101", 111))
        assert err.value.code == "not_verified"
    # a verified account queues on its own number only
    with pytest.raises(ValidationFailed) as err:
        ticket_issue(area=hall["A"], source="phone", actor=citizen, id_number=resident_id("19900101", 111))
    assert err.value.code == "not_own_id"
    assert not Ticket.objects.exists()


def test_an_unverified_account_is_refused_on_the_page_and_the_api(hall: dict[str, Any]) -> None:
    make_user("pending", Role.CITIZEN, id_number=resident_id("19900101", 111))
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.login(username="pending", password=PASSWORD)
    r = client.post("/api/v1/hall/tickets", {"area": str(hall["A"].uuid)}, content_type="application/json")
    assert r.status_code == 422 and r.json()["code"] == "not_verified"
    assert "real-name" in r.json()["message"].lower()
    p = hall["point"].uuid
    r = client.post(f"/hall/phone/{p}/take/", {"area": str(hall["A"].uuid)}, follow=True)
    assert "远程取号需先完成实名认证" in r.content.decode()  # pages speak the site's language (zh-hans)
    assert not Ticket.objects.exists()


def test_two_accounts_of_one_person_share_one_count(hall: dict[str, Any], citizen: Any) -> None:
    """The count is kept by ID number, not by account: when the number moves to another account of
    the same person (one number is held by one account only), that account inherits the day's count
    instead of a fresh one."""
    for _ in range(REMOTE_TICKETS_PER_PERSON_DEFAULT):
        ticket_issue(area=hall["A"], source="phone", actor=citizen)
    number = citizen.id_number
    User = type(citizen)
    User.objects.filter(pk=citizen.pk).update(id_number=None, id_number_hash=None, verified_at=None)
    second = make_user("second", Role.CITIZEN, id_number=number, verified_at=timezone.now())
    with pytest.raises(Conflict) as err:
        ticket_issue(area=hall["A"], source="phone", actor=second)
    assert err.value.code == "person_limit"
    assert Ticket.objects.filter(source="phone").count() == REMOTE_TICKETS_PER_PERSON_DEFAULT


def test_thirty_remote_tickets_in_a_row_through_the_api_are_refused(hall: dict[str, Any], citizen: Any) -> None:
    client = Client(enforce_csrf_checks=False)
    assert client.login(username=citizen.username, password=PASSWORD)
    codes = [
        client.post("/api/v1/hall/tickets", {"area": str(hall["A"].uuid)}, content_type="application/json").status_code
        for _ in range(30)
    ]
    assert codes.count(201) == REMOTE_TICKETS_PER_PERSON_DEFAULT
    assert codes.count(409) == 30 - REMOTE_TICKETS_PER_PERSON_DEFAULT
    # bound to the account's own ID number
    assert set(Ticket.objects.values_list("id_number", flat=True)) == {citizen.id_number}
