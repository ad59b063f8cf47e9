"""A county's own 差评整改 clocks (ratings.models.CountyRules): follow-ups of its units run on them,
other counties keep theirs, only the county's (or the platform's) administrator sets them, and
every change is validated and audited."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from conftest import make_user
from onewindow.accounts.models import County, OrgUnit, Role
from onewindow.accounts.services import org_unit_create, role_grant
from onewindow.core.errors import PermissionDenied, ValidationFailed
from onewindow.core.models import AuditEntry
from onewindow.ratings import conf, followups
from onewindow.ratings.county_rules import county_rules_set
from onewindow.ratings.models import CountyRules, FollowUp

from .conftest import rate

pytestmark = pytest.mark.django_db


@pytest.fixture
def counties(world: dict[str, Any]) -> dict[str, Any]:
    qy = County.default()
    jz = County.objects.create(code="360802", name="吉州区", city_code="360800", case_prefix="JZ")
    root_b = org_unit_create(code="JZ", name="吉州区人民政府", kind=OrgUnit.Kind.GOVERNMENT, county=jz)
    admin_a = make_user("sys_qy")
    role_grant(user=admin_a, role=Role.ADMIN, org_unit=world["org"]["gov"], actor=None)
    admin_b = make_user("sys_jz")
    role_grant(user=admin_b, role=Role.ADMIN, org_unit=root_b, actor=None)
    return {"a": qy, "b": jz, "admin_a": admin_a, "admin_b": admin_b}


def _bad(world: dict[str, Any], citizen: Any) -> Any:
    return rate(kind="case", subject_uuid=world["case"].uuid, level=1, rater=citizen, tags=["slow"], comment="太慢")


def test_a_countys_clocks_apply_to_its_units_follow_ups(world: dict[str, Any], citizen: Any, counties: dict[str, Any]) -> None:
    # Another county's rules change nothing here.
    county_rules_set(county=counties["b"], actor=counties["admin_b"], verify_workdays=3, fix_workdays=3)
    county_rules_set(county=counties["a"], actor=counties["admin_a"], verify_workdays=2, fix_workdays=5)
    fu = _bad(world, citizen).follow_up
    # Rated Wednesday 2026-04-01: 2 working days → Friday 04-03; 5 → Thursday 04-09 (清明 04-04..06).
    assert fu.verify_due == datetime.date(2026, 4, 3) and fu.reply_due == datetime.date(2026, 4, 9)
    # Cleared: back to the deployment's values (1 and 15 working days).
    county_rules_set(county=counties["a"], actor=counties["admin_a"], verify_workdays=None, fix_workdays=None)
    assert conf.get("fix_workdays", "360803") == 15 and conf.get("fix_workdays", "360802") == 3


def test_the_confirmation_period_is_the_countys(
    world: dict[str, Any], citizen: Any, approver: Any, counties: dict[str, Any]
) -> None:
    fu = _bad(world, citizen).follow_up
    followups.follow_up_verify(follow_up=fu, actor=approver, note="已联系")
    followups.follow_up_reply(follow_up=fu, actor=approver, reply="已整改")
    three_days_later = timezone.now() + datetime.timedelta(days=3)
    followups.sweep_follow_ups(now=three_days_later)
    assert FollowUp.objects.get(pk=fu.pk).status == "replied"  # the default 7 days are not over
    county_rules_set(county=counties["a"], actor=counties["admin_a"], confirm_days=2)
    followups.sweep_follow_ups(now=three_days_later)
    assert FollowUp.objects.get(pk=fu.pk).status == "no_response"


def test_only_the_countys_administrators_set_them_validated_and_audited(counties: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied) as denied:
        county_rules_set(county=counties["b"], actor=counties["admin_a"], fix_workdays=5)
    assert denied.value.code == "other_county"
    with pytest.raises(ValidationFailed) as bad:
        county_rules_set(county=counties["a"], actor=counties["admin_a"], verify_workdays=10, fix_workdays=5)
    assert bad.value.code == "validation_failed" and "verify_workdays" in bad.value.fields
    with pytest.raises(ValidationFailed) as unknown:
        county_rules_set(county=counties["a"], actor=counties["admin_a"], rate_within_days=30)
    assert unknown.value.code == "validation_failed"
    assert not CountyRules.objects.exclude(verify_workdays=None).exists()
    county_rules_set(county=counties["a"], actor=counties["admin_a"], fix_workdays=10)
    entry = AuditEntry.objects.get(action="ratings.county_rules")
    assert entry.target_id == "360803" and entry.data == {"fix_workdays": [None, 10]}


def test_the_admin_shows_a_county_its_own_rules(client: Any, counties: dict[str, Any]) -> None:
    county_rules_set(county=counties["b"], actor=None, fix_workdays=3)
    client.force_login(counties["admin_a"])
    listing = client.get("/admin/ratings/countyrules/")
    assert listing.status_code == 200 and "吉州区" not in listing.content.decode()
    add = client.post("/admin/ratings/countyrules/add/", {"county": "360803", "fix_workdays": "8"})
    assert add.status_code == 302 and CountyRules.objects.get(county_id="360803").fix_workdays == 8
    refused = client.post("/admin/ratings/countyrules/360802/change/", {"fix_workdays": "30"})
    assert refused.status_code == 302 and CountyRules.objects.get(county_id="360802").fix_workdays == 3
    # Another county cannot be chosen on the add form.
    page = client.get("/admin/ratings/countyrules/add/").content.decode()
    assert 'value="360802"' not in page
