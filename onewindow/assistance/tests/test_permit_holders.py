"""A village agent registering a Hong Kong, Macao or Taiwan residence-permit holder stores them as
a permit holder (港澳台居民居住证), like the front desk and online registration."""

from __future__ import annotations

from typing import Any

from stdnum.cn import ric

from onewindow.accounts.models import User
from onewindow.assistance.services import resident_find_or_register


def test_agent_registers_a_permit_holder_as_a_permit_holder(agent: User, points: Any) -> None:
    body = "82000019851101123"
    person = resident_find_or_register(actor=agent, id_number=body + ric.calc_check_digit(body + "0"), display_name="何嘉欣")
    person.refresh_from_db()
    assert person.id_type == User.IdType.PERMIT
