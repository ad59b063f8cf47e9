import datetime
import logging

import pytest

from onewindow.accounts.demo import enterprise_uscc, resident_id
from onewindow.core.errors import ValidationFailed
from onewindow.core.identity import MaskIdentityFilter, mask, mask_text, validate_resident_id, validate_uscc


def _with_check(body17: str) -> str:
    from stdnum.cn import ric

    return body17 + ric.calc_check_digit(body17 + "0")


def test_valid_resident_id_is_normalised():
    number = resident_id("19560312", 228)
    assert validate_resident_id(number.lower()) == number


def test_bad_checksum_is_refused_with_reason():
    number = resident_id("19560312", 228)
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    with pytest.raises(ValidationFailed) as exc:
        validate_resident_id(wrong)
    assert exc.value.code == "id_checksum"


def test_impossible_date_is_refused():
    with pytest.raises(ValidationFailed) as exc:
        validate_resident_id(_with_check("36080319560231228"))
    assert exc.value.code == "id_birth_date"


def test_future_birth_date_is_refused():
    number = _with_check("36080320300101228")
    with pytest.raises(ValidationFailed) as exc:
        validate_resident_id(number, today=datetime.date(2026, 11, 28))
    assert exc.value.code == "id_birth_date"


def test_unknown_region_is_refused():
    with pytest.raises(ValidationFailed) as exc:
        validate_resident_id(_with_check("99999919800101228"))
    assert exc.value.code == "id_region"


@pytest.mark.parametrize("prefix", ["810000", "820000", "830000"])
def test_residence_permits_of_hong_kong_macao_taiwan_are_valid(prefix):
    number = _with_check(prefix + "19850101123")
    assert validate_resident_id(number) == number


def test_residence_permit_still_needs_checksum():
    number = _with_check("81000019850101123")
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    with pytest.raises(ValidationFailed) as invalid:
        validate_resident_id(wrong)
    assert invalid.value.code == "id_checksum"


def test_wrong_length():
    with pytest.raises(ValidationFailed) as exc:
        validate_resident_id("3608031956")
    assert exc.value.code == "id_length"


def test_uscc_valid_and_bad_checksum():
    code = enterprise_uscc(7)
    assert validate_uscc(code) == code
    with pytest.raises(ValidationFailed) as invalid:
        validate_uscc(code[:-1] + ("0" if code[-1] != "0" else "1"))
    assert invalid.value.code == "uscc_checksum"


def test_mask_keeps_four_and_four():
    assert mask("36080319560312228X") == "3608**********228X"
    assert mask("") == ""


def test_mask_text_and_log_filter_hide_ids():
    number = resident_id("19560312", 228)
    assert number not in mask_text(f"applicant {number} arrived")
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "id=%s", (number,), None)
    MaskIdentityFilter().filter(record)
    assert number not in record.getMessage()
    assert mask(number) in record.getMessage()
