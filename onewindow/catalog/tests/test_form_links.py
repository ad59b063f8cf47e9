"""The catalog link between a material and what the platform already has (provided_by,
form_fields): checked at publication, copied into new versions, kept by a re-import, and answered
per application by catalog.prefilled."""

from __future__ import annotations

import datetime
import io
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook

from onewindow.catalog.demo.formlib import form_for

from ..importexport import export_catalog, import_catalog
from ..models import MaterialRequirement
from ..prefilled import provided_online
from ..services import matter_draft_create, matter_draft_update, matter_publish
from .factories import CONTRACT, ID_CARD, make_matter

pytestmark = pytest.mark.django_db

SCHEMA = form_for(name="不动产转移登记", dept="BDC", audience="citizen")
FORM = {"name": "不动产登记申请书", "provided_by": "form", "form_fields": ["applicant_name", "property_no"]}


def test_publish_refuses_a_form_link_to_a_field_the_form_lacks(org):
    matter = make_matter(org["BDC"], form_schema=SCHEMA, materials=[ID_CARD])
    draft = matter_draft_create(matter=matter, actor=None)
    matter_draft_update(version=draft, actor=None, materials=[{**FORM, "form_fields": ["no_such_field"]}])
    from onewindow.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as info:
        matter_publish(version=draft, actor=None)
    assert info.value.code == "form_link_invalid"


def test_bad_provided_by_value_is_refused(org):
    from onewindow.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as invalid:
        make_matter(org["BDC"], materials=[{"name": "x", "provided_by": "telepathy"}])
    assert invalid.value.code == "validation_failed" and set(invalid.value.fields) == {"materials"}


def test_links_survive_a_new_version_and_a_reimport(org):
    matter = make_matter(org["BDC"], form_schema=SCHEMA, materials=[FORM, {**ID_CARD, "provided_by": "identity"}, CONTRACT])
    draft = matter_draft_create(matter=matter, actor=None)
    assert list(draft.materials.values_list("provided_by", flat=True)) == ["form", "identity", ""]
    matter_publish(version=draft, actor=None)
    # Export, change one field in the sheet, import: the material lines keep their links.

    data = export_catalog()
    wb = load_workbook(io.BytesIO(data))
    ws = wb["事项"]
    header = [c.value for c in ws[1]]
    ws.cell(row=2, column=header.index("咨询电话") + 1, value="0796-8888888")
    out = io.BytesIO()
    wb.save(out)
    report = import_catalog(data=out.getvalue(), actor=None)
    assert report.updated == [matter.code]
    matter.refresh_from_db()
    current = matter.current_version
    assert current.consult_phone == "0796-8888888"
    assert list(current.materials.order_by("sort_order").values_list("provided_by", flat=True)) == ["form", "identity", ""]
    assert current.materials.get(provided_by="form").form_fields == ["applicant_name", "property_no"]


def test_provided_online_answers_per_application():
    form_req = MaterialRequirement(name="申请书", provided_by="form", form_fields=["a", "b"])
    assert provided_online(form_req, form_data={"a": "1", "b": 2})
    assert not provided_online(form_req, form_data={"a": "1", "b": ""})
    whole = MaterialRequirement(name="申请表", provided_by="form", form_fields=[])
    assert provided_online(whole, form_data={"x": "1"}) and not provided_online(whole, form_data={})
    ident = MaterialRequirement(name="身份证", provided_by="identity")
    verified = SimpleNamespace(id_number="360803195603122283", verified_at=datetime.datetime(2026, 1, 1))
    assert provided_online(ident, form_data={}, applicant=verified)
    assert not provided_online(ident, form_data={}, applicant=SimpleNamespace(id_number="x", verified_at=None))
    ent = MaterialRequirement(name="营业执照", provided_by="enterprise")
    assert provided_online(ent, form_data={}, enterprise=SimpleNamespace(verified_at=datetime.datetime(2026, 1, 1)))
    assert not provided_online(ent, form_data={}, enterprise=None)
    assert not provided_online(MaterialRequirement(name="合同"), form_data={"a": 1})
