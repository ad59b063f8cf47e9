"""What applicants type into a case's form (ID and phone numbers among it) is encrypted at rest as a
whole, read back as the dict every reader used before (pages, API, the pre-review), refused as a
query inside the ciphertext, and encrypted for rows written before by a reversible migration."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from conftest import login
from onewindow.cases.models import Case
from onewindow.cases.tests.formdata import APPLICANT_ID, SELLER_ID, make_form_matter
from onewindow.cases.tests.test_prereview import submit_online
from onewindow.core import fieldcrypto
from onewindow.core.fieldcrypto import rotation

pytestmark = pytest.mark.django_db


@pytest.fixture
def form_matter(org: Any, calendar: Any) -> Any:
    return make_form_matter(org["BDC"])


def _raw(pk: int) -> str:
    with connection.cursor() as cur:
        cur.execute("SELECT form_data FROM cases_case WHERE id = %s", [pk])
        return str(cur.fetchone()[0])


def test_the_form_is_ciphertext_in_the_database(form_matter: Any, citizen: Any) -> None:
    case = submit_online(form_matter, citizen)
    raw = _raw(case.pk)
    assert raw.startswith("g$")
    for plain in (APPLICANT_ID, SELLER_ID, "13900000001", "王建国"):
        assert plain not in raw
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.form_data["seller_id"] == SELLER_ID and fresh.form_data["area"] == 89.5
    assert Case.objects.filter(pk=case.pk).values_list("form_data", flat=True)[0]["applicant_id"] == APPLICANT_ID
    # A bulk update is encrypted too.
    Case.objects.filter(pk=case.pk).update(form_data={**fresh.form_data, "seller_name": "赵六"})
    assert "赵六" not in _raw(case.pk) and Case.objects.get(pk=case.pk).form_data["seller_name"] == "赵六"
    # The database cannot look inside: asking it to is refused, not answered wrongly.
    with pytest.raises(FieldError):
        list(Case.objects.filter(form_data__seller_id=SELLER_ID))
    with pytest.raises(FieldError):
        list(Case.objects.filter(form_data__contains={"seller_id": SELLER_ID}))


def test_the_case_page_still_shows_the_form(client: Any, form_matter: Any, citizen: Any, clerk: Any) -> None:
    case = submit_online(form_matter, citizen)
    page = login(client, clerk).get(reverse("workbench:case", kwargs={"case_uuid": case.uuid}))
    assert page.status_code == 200
    assert "QY2026-000123" in page.content.decode()  # the contract number the applicant typed


def test_the_migration_encrypts_old_forms_and_reverses(form_matter: Any, citizen: Any) -> None:
    case = submit_online(form_matter, citizen)
    form = Case.objects.get(pk=case.pk).form_data
    with connection.cursor() as cur:  # a row as it was before the migration: plain JSON text
        cur.execute("UPDATE cases_case SET form_data = %s WHERE id = %s", [json.dumps(form), case.pk])
    assert Case.objects.get(pk=case.pk).form_data == form  # read as it is until encrypted
    op = rotation.migrate_encrypt(("cases", "case"))
    op.code(apps, None)
    assert _raw(case.pk).startswith("g$") and Case.objects.get(pk=case.pk).form_data == form
    op.reverse_code(apps, None)
    assert json.loads(_raw(case.pk)) == form


def test_key_rotation_rewrites_the_forms(settings: Any, form_matter: Any, citizen: Any) -> None:
    case = submit_online(form_matter, citizen)
    settings.ONEWINDOW_FIELD_KEYS = f"k2:{fieldcrypto.new_key()},{fieldcrypto.DEV_FIELD_KEYS}"
    assert rotation.stale_rows(Case, Case._meta.get_field("form_data")).filter(pk=case.pk).exists()
    call_command("rotate_field_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115 - discarded output
    assert _raw(case.pk).startswith("g$k2$")
    assert Case.objects.get(pk=case.pk).form_data["seller_id"] == SELLER_ID
