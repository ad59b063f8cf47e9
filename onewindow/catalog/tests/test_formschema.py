"""Application forms from form_schema: every field type validated on the server, all errors at
once and translated, conditional fields, the demo's real forms, and the catalog link between a
material and the form fields that capture it."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from onewindow.cases.tests.formdata import APPLICANT_ID, filled_form
from onewindow.catalog import formschema
from onewindow.catalog.demo.families_people import general_fields
from onewindow.catalog.demo.formlib import FAMILIES, example_values, form_for
from onewindow.core.errors import ValidationFailed

SCHEMA: list[dict[str, Any]] = [
    {"name": "who", "label": "姓名", "label_en": "Name", "type": "text", "required": True, "max_length": 10},
    {"name": "pid", "label": "身份证号", "type": "id_number", "required": True},
    {"name": "tel", "label": "电话", "type": "phone", "required": True},
    {"name": "addr", "label": "地址", "type": "address", "required": False},
    {"name": "area", "label": "面积", "type": "number", "min": 1, "max": 1000, "unit": "平方米"},
    {"name": "day", "label": "日期", "type": "date", "not_future": True},
    {"name": "use", "label": "用途", "type": "select", "choices": ["住宅", "商业"], "choices_en": ["Housing", "Shop"]},
    {"name": "agent", "label": "委托", "type": "yesno", "required": True},
    {"name": "agent_name", "label": "代理人", "type": "text", "required": True, "when": {"field": "agent", "equals": "yes"}},
    {"name": "code", "label": "信用代码", "type": "uscc"},
]


def _errors(data: dict[str, Any]) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as info:
        formschema.validate(SCHEMA, data)
    assert info.value.code == "form_invalid"
    return {k: [str(m) for m in v] for k, v in info.value.fields.items()}


def test_every_error_is_reported_at_once() -> None:
    errors = _errors(
        {
            "who": "x" * 11,
            "pid": "360803195603122284",
            "tel": "12345",
            "addr": "村",
            "area": "0",
            "day": "2999-01-01",
            "use": "工厂",
            "agent": "maybe",
            "code": "91360803MA0000000X",
        }
    )
    assert set(errors) == {"who", "pid", "tel", "addr", "area", "day", "use", "agent", "code"}
    assert errors["pid"] == ["身份证号码校验位不正确。"]
    assert errors["area"] == ["不能小于 1。"]


def test_valid_values_are_cleaned() -> None:
    cleaned = formschema.validate(
        SCHEMA,
        {
            "who": " 刘秀英 ",
            "pid": APPLICANT_ID.lower(),
            "tel": "0796-8200000",
            "area": "89.50",
            "day": "2020-02-03",
            "use": "住宅",
        }
        | {"agent": "是", "agent_name": "王五", "unknown": "dropped"},
    )
    assert cleaned == {
        "who": "刘秀英",
        "pid": APPLICANT_ID,
        "tel": "0796-8200000",
        "area": 89.5,
        "day": "2020-02-03",
        "use": "住宅",
        "agent": "yes",
        "agent_name": "王五",
    }


def test_conditional_field_counts_only_when_its_condition_holds() -> None:
    base = {"who": "a", "pid": APPLICANT_ID, "tel": "13900000001"}
    assert "agent_name" in _errors({**base, "agent": "yes"})
    cleaned = formschema.validate(SCHEMA, {**base, "agent": "no", "agent_name": "ignored"})
    assert "agent_name" not in cleaned


def test_messages_and_labels_follow_the_language() -> None:
    with translation.override("en"):
        errors = _errors({})
        assert errors["who"] == ["This field is required."]
        fields = formschema.bound(SCHEMA, {"use": "住宅", "agent": "yes", "area": 3})
        by_name = {f.name: f for f in fields}
        assert by_name["who"].label == "Name"
        assert by_name["pid"].label == "身份证号"  # no English given: the catalog's Chinese
        assert by_name["use"].display_value == "Housing"
        assert by_name["agent"].display_value == "Yes"


def test_malformed_schema_entries_are_skipped_and_rows_read_well() -> None:
    schema: list[Any] = [
        {"name": "ok", "label": "好", "type": "number", "unit": "元"},
        {"name": "bad name"},
        "junk",
        {"name": "ok"},
    ]
    assert [f.name for f in formschema.fields_of(schema)] == ["ok"]
    assert formschema.rows(schema, {"ok": 5, "old_field": "x", "demo_key": "k"}) == [("好", "5 元"), ("old_field", "x")]


def test_the_demo_transfer_form_accepts_a_real_application() -> None:
    schema = form_for(name="不动产转移登记", dept="BDC", audience="citizen")
    assert formschema.is_structured(schema)
    cleaned = formschema.validate(schema, filled_form())
    assert cleaned["area"] == 89.5 and cleaned["price"] == 560000 and cleaned["has_agent"] == "no"
    names = {f["name"] for f in schema}
    assert {"property_no", "location", "area", "price", "seller_id", "applicant_id"} <= names


@pytest.mark.parametrize("dept", ["BDC", "GA", "SW", "RSJ", "YBJ", "GJJ", "MZJ", "SCJG", "XZSP", "ZJJ"])
def test_every_family_builds_a_valid_schema(dept: str) -> None:
    for depts, words, _builder in FAMILIES:
        if dept in depts or "*" in depts:
            name = (words[0] if words else "") + "登记"
            for audience in ("citizen", "enterprise"):
                schema = form_for(name=name, dept=dept, audience=audience)
                names = [f["name"] for f in schema]
                assert len(names) == len(set(names)), (name, dept)
                assert formschema.is_structured(schema)
                assert len(formschema.fields_of(schema, fill_default=False)) == len(schema)
                formschema.validate(schema, example_values(schema))  # demo data passes
    assert general_fields("x")
