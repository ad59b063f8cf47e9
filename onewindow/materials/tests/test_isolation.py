"""Counties as tenants (docs/tenancy.md), materials: the library and the drafts are a person's
own, province-wide (core.tenancy.TENANCY), and no county's staff reads them; a library document
becomes readable to staff only through a case it was submitted with, and then only to the county
whose case it is.

The shared citizen keeps an ID card in the library and applies online to a matter of county B
(onewindow/core/tests/counties.py): the draft reuses the library item, and on submit the case is
B's. County A's users get 404 on the draft and on the document before and after; B's
administrator reads the document once B's case holds it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from onewindow.accounts.models import User
from onewindow.cases import selectors as case_selectors
from onewindow.core.tenancy import TENANCY
from onewindow.core.tests.counties import B, a_users, county_b, fresh
from onewindow.materials import selectors, services
from onewindow.portal.testing import make_online_matter

from .test_drafts import ready_draft

__all__ = ["a_users", "county_b"]  # the shared fixtures, used here by name

pytestmark = pytest.mark.django_db
API = "/api/v1/materials"


def test_the_library_and_drafts_are_province_wide() -> None:
    assert {"materials.libraryitem", "materials.applicationdraft"} <= set(TENANCY["province_wide"])


@pytest.fixture
def draft_b(county_b: dict[str, Any], citizen: User, calendar_2026: Any) -> Any:
    matter = make_online_matter(county_b["zjj"], code=f"{B}-JZZJJ-GG-0001", name="吉州区城乡居民基本医疗保险参保登记")
    return ready_draft(matter, citizen)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_draft_of_a_b_matter_is_the_persons_own_and_becomes_bs_case(
    draft_b: Any, county_b: dict[str, Any], a_users: dict[str, User], citizen: User
) -> None:
    item = selectors.library_for(fresh(citizen)).get(shared_key="id_card")  # reused from the library
    assert draft_b in selectors.drafts_for(fresh(citizen))
    staff = [*a_users.values(), county_b["admin"], county_b["clerk"]]
    for user in staff:  # nobody's staff reads a person's draft or library, in either county
        assert _client(user).get(f"{API}/drafts/{draft_b.uuid}").status_code == 404
        assert _client(user).get(f"{API}/library/{item.uuid}/file").status_code == 404
    case = services.draft_submit(draft=draft_b, actor=fresh(citizen))
    assert case.department.county_id == B
    assert case in case_selectors.visible_cases(fresh(citizen))
    # The document is now part of B's case: B's administrator reads it there, county A's staff never.
    assert _client(county_b["admin"]).get(f"{API}/library/{item.uuid}/file").status_code == 200
    for user in a_users.values():
        assert case not in case_selectors.visible_cases(fresh(user))
        assert _client(user).get(f"{API}/library/{item.uuid}/file").status_code == 404
