"""At the front desk a holder of a Hong Kong, Macao or Taiwan residence permit (港澳台居民居住证,
numbers 81/82/83…) is registered as a permit holder, not as a resident (issue 13)."""

from __future__ import annotations

import pytest
from stdnum.cn import ric

from onewindow.accounts.models import User
from onewindow.cases.services import applicant_find_or_create


def number(body17: str) -> str:
    return body17 + ric.calc_check_digit(body17 + "0")


@pytest.mark.parametrize("prefix", ["810000", "820000", "830000"])
def test_front_desk_registers_a_permit_holder_as_a_permit_holder(clerk: User, prefix: str) -> None:
    person = applicant_find_or_create(id_number=number(prefix + "19850101123"), display_name="陈家明", actor=clerk)
    person.refresh_from_db()
    assert person.id_type == User.IdType.PERMIT


def test_front_desk_registers_a_resident_id_as_a_resident(clerk: User) -> None:
    person = applicant_find_or_create(id_number=number("36080319560312228"), display_name="刘秀英", actor=clerk)
    person.refresh_from_db()
    assert person.id_type == User.IdType.RESIDENT


def test_the_document_type_comes_from_the_number() -> None:
    assert User.IdType.of_number(number("83000019900101123")) == User.IdType.PERMIT
    assert User.IdType.of_number(number("36080319560312228")) == User.IdType.RESIDENT
