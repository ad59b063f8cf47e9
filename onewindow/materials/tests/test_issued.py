"""数据跑路: a certificate the platform issued on a concluded case is offered by the library and
attached to a later application without any upload."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import make_user
from onewindow.accounts.models import Role
from onewindow.catalog.models import MaterialRequirement
from onewindow.materials import selectors, services
from onewindow.portal.testing import conclude, make_online_matter, pdf_file, png_file

pytestmark = pytest.mark.django_db


def test_issued_certificate_is_reused_without_upload(
    org: Any, calendar_2026: Any, enterprise_user: Any, clerk: Any, outsider: Any
) -> None:
    approver = make_user("approver_xzsp", Role.APPROVER, org["XZSP"])
    ent = enterprise_user.enterprise_roles.get().enterprise
    setup = make_online_matter(org["XZSP"], code="SCJG-SL", name="企业设立登记", audience="enterprise", form_schema=[])
    services.library_upload(actor=enterprise_user, file=png_file(), name="居民身份证", shared_key="id_card")
    d = services.draft_start(applicant=enterprise_user, matter=setup, enterprise=ent)
    d = services.draft_confirm_conditions(draft=d, actor=enterprise_user, confirmed=True)
    d = services.draft_save_form(draft=d, actor=enterprise_user, data={"contact_name": "陈志强", "contact_phone": "13900000003"})
    d, _n = services.draft_reuse_all(draft=d, actor=enterprise_user)
    key = next(r.key for r in selectors.missing_materials(d))
    d = services.draft_upload(draft=d, actor=enterprise_user, key=key, file=pdf_file())
    first = services.draft_submit(draft=d, actor=enterprise_user)
    conclude(first, clerk=clerk, approver=approver)

    issued = selectors.issued_documents(enterprise_user, enterprise=ent)
    assert [(i.shared_key, i.case_number) for i in issued] == [("business_licence", first.number)]
    assert selectors.issued_documents(outsider) == []
    from django.test import Client

    from onewindow.accounts.services import api_token_create

    _t, secret = api_token_create(user=enterprise_user)
    listed = Client().get("/api/v1/materials/issued", HTTP_AUTHORIZATION=f"Bearer {secret}").json()["items"]
    assert [d["case_number"] for d in listed] == [first.number]
    _t, other = api_token_create(user=outsider)
    assert Client().get("/api/v1/materials/issued", HTTP_AUTHORIZATION=f"Bearer {other}").json()["items"] == []

    later = make_online_matter(org["XZSP"], code="SCJG-YZ", name="印章刻制备案申请", audience="enterprise", form_schema=[])
    MaterialRequirement.objects.filter(version=later.current_version, shared_key="").update(
        shared_key="business_licence", name="营业执照"
    )
    d2 = services.draft_start(applicant=enterprise_user, matter=later, enterprise=ent)
    d2 = services.draft_confirm_conditions(draft=d2, actor=enterprise_user, confirmed=True)
    d2 = services.draft_save_form(
        draft=d2, actor=enterprise_user, data={"contact_name": "陈志强", "contact_phone": "13900000003"}
    )
    d2, n = services.draft_reuse_all(draft=d2, actor=enterprise_user)
    assert n == 2 and d2.materials["business_licence"] == {"source": "issued", "ref": str(first.uuid)}
    assert selectors.missing_materials(d2) == []
    second = services.draft_submit(draft=d2, actor=enterprise_user)
    licence = second.materials.get(name="营业执照")
    assert licence.storage_name and licence.content_type == "application/pdf"
